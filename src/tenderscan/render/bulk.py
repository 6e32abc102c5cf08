"""`bulk`'s output: a row per request and a total row on stdout; the estimate, progress, failures and the
summary on stderr."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

from .console import err, info, print_failures, stderr_line
from .writers import OutputFormat, emit_rows

if TYPE_CHECKING:
    from ..services.bulk import BulkResult, BulkTick, Estimate


def duration(seconds: float) -> str:
    """``42 s``, ``3 min``, ``1 h 05 min``."""
    seconds = max(0, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def report_plan(estimate: "Estimate", pace: float) -> None:
    """What is left to do before the first request, and about how long it takes at the portal's pace."""
    if not estimate.pending:
        info(f"all {estimate.requests} request(s) are done already (the bulk journal): nothing to ask")
        return
    done = estimate.requests - estimate.pending
    text = f"{estimate.pending} of {estimate.requests} request(s) to make" if done else \
        f"{estimate.requests} request(s) to make"
    if pace > 0:
        text += f", then their archives, at the portal's pace ({pace:g} s a request, --pace)"
        if estimate.seconds >= 1:
            text += f": {duration(estimate.seconds)} at the least"
    info(text)


@contextmanager
def bulk_progress(enabled: bool) -> Iterator[Callable[["BulkTick"], None] | None]:
    """A progress line on a terminal's stderr: requests done, archives, MB, what is being asked, the time
    left at the pace; None when not ``enabled`` (a pipe, --quiet)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("bulk"), BarColumn(),
               TextColumn("{task.completed}/{task.total} requests  {task.fields[archives]} archive(s)  "
                          "{task.fields[mb]:.1f} MB  about {task.fields[left]} left  {task.fields[doing]}"),
               TimeElapsedColumn()]
    bar = Progress(*columns, console=err, transient=True, redirect_stdout=False, redirect_stderr=False)
    with bar as progress:
        task = progress.add_task("bulk", total=None, archives=0, mb=0.0, left="?", doing="")
        last = [0.0]

        def tick(t: "BulkTick") -> None:
            now = time.monotonic()
            if now - last[0] < 0.1 and t.doing:
                return
            last[0] = now
            p = t.progress
            progress.update(task, total=p.requests_total, completed=p.requests_done, archives=p.archives_done,
                            mb=p.bytes / 1e6, left=duration(t.remaining), doing=t.doing)

        yield tick


def report_bulk(result: "BulkResult", fmt: OutputFormat) -> None:
    """The rows (one per request, then the total) on stdout; the failed requests and documents and the
    summary on stderr."""
    from ..services.bulk import COLUMNS

    totals = result.totals
    parts = [f"{totals[k]} {label}" for k, label in (("fetched", "fetched"), ("done_earlier", "done earlier"),
                                                    ("no_data", "no data"), ("failed_requests", "failed"))
             if totals[k]]
    stopped = len(result.outcomes) - sum(totals[k] for k in ("fetched", "done_earlier", "no_data",
                                                             "failed_requests"))
    if stopped:
        parts.append(f"{stopped} not asked")
    total = {"request": "total", "state": f"{totals['requests']} request(s)", "archives": totals["archives"],
             "documents": totals["documents"], "new": totals["new"], "already_stored": totals["already_stored"],
             "failed": totals["failed_documents"], "note": ", ".join(parts)}
    emit_rows(fmt, result.rows + [total], COLUMNS, title=f"bulk: {len(result.outcomes)} request(s)",
              right=("archives", "documents", "new", "already_stored", "failed"))
    print_failures(result.failures)
    info(f"{totals['requests']} request(s): {', '.join(parts) or 'none'}; {totals['archives']} archive(s), "
         f"{totals['documents']} document(s): {totals['new']} new, {totals['already_stored']} already stored, "
         f"{totals['failed_documents']} unreadable; into {result.store}")


def report_interrupted(store) -> None:
    stderr_line(f"interrupted: the archives stored so far are in {store} and recorded in its bulk journal; "
                "run the same command again to continue (only what is missing is asked)")
