"""`ingest`'s lines on stderr: the failures, the summary, and what an interrupted run kept."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .console import error_line, info, print_failures

if TYPE_CHECKING:
    from ..services.ingest import IngestStats


def report_ingest(stats: "IngestStats", store: Path) -> None:
    """The failed inputs (at most the ones the stats kept, then how many more), and the summary, unless
    the only input failed (its error line says it all, as in `show`). An input is one file or archive
    member; it may hold several documents (a bulk dump file, a package)."""
    print_failures(stats.failures)
    if stats.failed > len(stats.failures):
        error_line(f"... and {stats.failed - len(stats.failures)} more failures")
    if not (stats.seen == 1 and stats.failed == 1):
        info(f"{stats.seen} input(s), {stats.added} new document(s) stored, {stats.skipped} input(s) already "
             f"stored (same bytes), {stats.failed} failed; {stats.bytes / 1e6:.1f} MB in {stats.elapsed:.1f}s "
             f"({stats.seen / stats.elapsed:,.0f} inputs/s) into {store}")


def report_interrupted(stats: "IngestStats", store: Path) -> None:
    error_line(f"interrupted: {stats.committed:,} of the {stats.seen:,} input(s) read so far are in the store "
               f"{store} ({stats.added:,} new document(s)); run the same command again to continue (what "
               "is stored is skipped)")
