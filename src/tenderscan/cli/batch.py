"""Batch helpers shared by commands: progress on stderr, and the failure summary with its exit code."""

from __future__ import annotations

from typing import Iterable, Iterator, TypeVar

import typer

from .app import err, error_line, state

T = TypeVar("T")


def progress_iter(items: Iterable[T], description: str, *, enabled: bool, total: int | None = None) -> Iterator[T]:
    """Yield items, showing a spinner/bar on a terminal's stderr (never with --quiet or in a pipe)."""
    if not enabled:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)


def finish_batch(failures: list, *, total: int) -> None:
    """Report failed inputs (one line each) and exit: the error's own exit code when the only input
    failed, 1 when some of several failed; return normally when none failed."""
    if not failures:
        return
    for o in failures:
        error_line(o.error.one_line())
    if total == 1:
        raise typer.Exit(failures[0].error.exit_code)
    if not state.quiet:
        err.print(f"{len(failures)} of {total} inputs failed", markup=False)
    raise typer.Exit(1)
