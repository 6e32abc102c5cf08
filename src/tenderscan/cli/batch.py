"""Batch helpers shared by commands: progress on stderr, and the failure summary with its exit code."""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

import typer

from .app import err, error_line, state

T = TypeVar("T")


def progress_iter(items: Iterable[T], description: str, *, enabled: bool, total: int | None = None,
                  prints: bool = True) -> Iterator[T]:
    """Yield items, showing a spinner/bar on a terminal's stderr (never with --quiet or in a pipe).

    When stdout is the same terminal and the caller ``prints`` as it goes, the bar is erased before each item
    is handed on (what the caller prints then starts on a clean line, not after the bar) and drawn again
    while the next one is read. Standard output is never redirected through the bar (its data stays on
    stdout)."""
    if not enabled:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    shared = prints and sys.stdout.isatty()
    bar = Progress(*columns, console=err, transient=True, redirect_stdout=False, redirect_stderr=False)
    with bar as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            progress.advance(task)
            if shared:
                progress.stop()
            yield item
            if shared:
                progress.start()


def finish_batch(failures: list, *, total: int, summary: bool = True, exit: bool = True) -> None:
    """Report failed inputs (one line each; with --debug the traceback of each first) and exit: the
    error's own exit code when the only input failed, 1 when some of several failed; return normally when
    none failed (or without ``exit``). ``summary``: end with "N of M inputs failed" for several."""
    if not failures:
        return
    for f in failures:
        if state.debug and f.detail:
            err.print(f.detail.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
        error_line(f.message)
    if summary and total > 1 and not state.quiet:
        err.print(f"{len(failures)} of {total} inputs failed", markup=False)
    if not exit:
        return
    if total == 1:
        raise typer.Exit(failures[0].exit_code)
    raise typer.Exit(1)
