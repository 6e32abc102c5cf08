"""`tenderscan ingest`: files, folders and the portal's bulk-dump zip archives into the store."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import typer

from .app import app, command, err, error_line, info, progress_enabled, state, store_option


@app.command()
@command
def ingest(
    paths: list[Path] = typer.Argument(..., metavar="PATH...",
                                       help="Files, folders (recursive) and zip archives of the portal's dumps."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=0, max=64,
                             help="Processes that parse: the main one, which also writes, and N-1 workers "
                                  "(0: one per CPU)."),
    store: Path | None = store_option(),
) -> None:
    """Load documents into the store, streaming: memory does not grow with their number or size.

    Documents already stored (same bytes) are skipped before parsing, so ingesting an archive again adds
    nothing. Bad members are listed and skipped; zip bombs are refused; nothing is extracted to disk. Exits 1
    when some inputs failed. Ctrl-C keeps what was read: the same command again continues. With --quiet only
    errors are printed (no progress, no summary).

    Examples:

        tenderscan ingest fixtures/zakupki/

        tenderscan ingest --jobs 2 notification_Moskva_2019020200_001.xml.zip

        tenderscan ingest --store ~/tenders dumps/
    """
    from ..store import Store
    from ..services.ingest import IngestStats
    from ..services.ingest import ingest as run_ingest

    jobs = jobs or os.cpu_count() or 1
    stats = IngestStats()
    st = Store.open(store, create=True)
    try:
        with st, _progress() as tick:
            run_ingest([str(p) for p in paths], store=st, jobs=jobs, on_progress=tick, stats=stats,
                       debug=state.debug)
    except KeyboardInterrupt:
        error_line(f"interrupted: {stats.committed:,} of the {stats.seen:,} input(s) read so far are in the store "
                   f"{st.path} ({stats.added:,} new document(s)); run the same command again to continue (what "
                   "is stored is skipped)")
        raise typer.Exit(130) from None
    for f in stats.failures:
        if state.debug and f.detail:
            err.print(f.detail.rstrip("\n"), markup=False, highlight=False)
        error_line(f.message)
    if stats.failed > len(stats.failures):
        error_line(f"... and {stats.failed - len(stats.failures)} more failures")
    # an input is one file or archive member; it may hold several documents (a bulk dump file, a package).
    # The only input failed: its error line says it all, as in `show`
    if not (stats.seen == 1 and stats.failed == 1):
        info(f"{stats.seen} input(s), {stats.added} new document(s) stored, {stats.skipped} input(s) already "
             f"stored (same bytes), {stats.failed} failed; {stats.bytes / 1e6:.1f} MB in {stats.elapsed:.1f}s "
             f"({stats.seen / stats.elapsed:,.0f} inputs/s) into {st.path}")
    if stats.failed:
        if stats.seen == 1:
            raise typer.Exit(stats.failures[0].exit_code if stats.failures else 3)
        raise typer.Exit(1)


@contextmanager
def _progress():
    """A progress callback: a rich line on a terminal (documents, MB, rate, failures), nothing otherwise."""
    if not progress_enabled():
        yield None
        return
    import time

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
