"""Progress on stderr: a bar (or spinner) for a batch of inputs, a live line for `ingest`. Only on a terminal,
never with --quiet (the caller asks :func:`tenderscan.render.console.progress_enabled`)."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, TypeVar

from .console import err

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
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    if total:  # a long fetch at the portal's pace: the time left, from the pace so far
        columns.append(TimeRemainingColumn())
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


@contextmanager
def ingest_progress(enabled: bool) -> Iterator[Callable[[Any], None] | None]:
    """A progress callback for `ingest` (it is given the running stats): a rich line on a terminal
    (documents, MB, rate, new documents, failures), None when ``enabled`` is false."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("ingesting"),
               TextColumn("{task.fields[docs]:,} docs  {task.fields[mb]:.1f} MB  {task.fields[rate]:,.0f} docs/s  "
                          "{task.fields[new]:,} new  {task.fields[failed]:,} failed"),
               TimeElapsedColumn()]
    bar = Progress(*columns, console=err, transient=True, redirect_stdout=False, redirect_stderr=False)
    with bar as progress:
        task = progress.add_task("ingest", total=None, docs=0, mb=0.0, rate=0.0, new=0, failed=0)
        last = [0.0]

        def tick(stats) -> None:
            now = time.monotonic()
            if now - last[0] < 0.1:
                return
            last[0] = now
            progress.update(task, docs=stats.seen, mb=stats.bytes / 1e6, rate=stats.rate,
                            new=stats.added, failed=stats.failed)  # new documents (a package holds many)

        yield tick


class CountBar:
    """What :func:`count_progress` hands the work: ``total(n)`` once it is known, ``advance(_)`` per unit."""

    def __init__(self, progress: Any, task: Any):
        self._progress, self._task = progress, task

    def total(self, n: int) -> None:
        self._progress.update(self._task, total=n)

    def advance(self, _: Any = None) -> None:
        self._progress.advance(self._task)


@contextmanager
def count_progress(description: str, *, enabled: bool) -> Iterator[CountBar | None]:
    """A bar of units done out of a total given later (`export --dataset`: tasks); None when not
    ``enabled``."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True, redirect_stdout=False, redirect_stderr=False) as bar:
        yield CountBar(bar, bar.add_task(description, total=None))
