"""`tenderscan ingest`: files, folders and the portal's bulk-dump zip archives into the store."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..render.console import progress_enabled, state
from ..render.progress import ingest_progress
from .app import app, command
from .options import store_option


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
    from ..render.ingest import report_ingest, report_interrupted
    from ..services.ingest import IngestStats, ingest as run_ingest
    from ..store import Store

    jobs = jobs or os.cpu_count() or 1
    stats = IngestStats()
    st = Store.open(store, create=True)
    try:
        with st, ingest_progress(progress_enabled()) as tick:
            run_ingest([str(p) for p in paths], store=st, jobs=jobs, on_progress=tick, stats=stats,
                       debug=state.debug)
    except KeyboardInterrupt:
        report_interrupted(stats, st.path)
        raise typer.Exit(130) from None
    report_ingest(stats, st.path)
    if stats.failed:
        if stats.seen == 1:
            raise typer.Exit(stats.failures[0].exit_code if stats.failures else 3)
        raise typer.Exit(1)
