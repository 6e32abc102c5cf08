"""`tenderscan bulk`: the portal's bulk service (getDocsIP) into the store, a day at a time, resumable."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UsageError
from ..render.writers import OutputFormat
from .app import app, command
from .options import ca_bundle_option, format_option, pace_option, parse_day, store_option


@app.command()
@command
def bulk(
    region: str | None = typer.Option(None, "--region", "-r", metavar="NN",
                                      help="The customers' region: its two-digit KLADR code (77 Moscow)."),
    subsystem: str = typer.Option(..., "--subsystem", "-s", metavar="CODE",
                                  help="44-FZ: PRIZ (notices), RGK (contracts), RPEC, RPGZ...; 223-FZ: RI223 "
                                       "(notices), RD223 (contracts)..."),
    doc_type: str | None = typer.Option(None, "--type", "-t", metavar="TYPE",
                                        help="The document type (epNotificationEF2020, contract, "
                                             "purchaseNotice...)."),
    day: str | None = typer.Option(None, "--date", "-d", metavar="DAY",
                                   help="The day (YYYY-MM-DD or DD.MM.YYYY): one request per day."),
    last: str | None = typer.Option(None, "--to", metavar="DAY",
                                    help="The last day of a range from --date (inclusive; at most 366 days)."),
    number: str | None = typer.Option(None, "--number", "-n", metavar="REGNUM",
                                      help="One registry number instead of a region and days."),
    pace: float | None = pace_option(),
    ca_bundle: Path | None = ca_bundle_option(),
    format: OutputFormat | None = format_option(),
    store: Path | None = store_option(),
) -> None:
    """Download the archives of the portal's bulk service (getDocsIP) into the store: a region's documents of
    one type, a day at a time, or one registry number.

    Needs a token: TENDERSCAN_EIS_TOKEN (the EIS personal account, signed in with Gosuslugi; see the
    README, "The portal today"); it is never an argument and never printed. Every document is stored with
    its archive's URL, the request and the archive's sha256. A bulk journal in the store's directory
    records the days and archives done: the same command again (after Ctrl-C, a failure, a quota) asks only
    what is missing. Prints a row per day (or number) and a total; progress and an estimate at the portal's
    pace on stderr. The service's address: TENDERSCAN_GETDOCS_URL. Exit codes: 1 some days failed, 4 no
    data at all, 5 network or service error (errorInfo), 9 no token or a refused one, 10 quota.

    Examples:

        tenderscan bulk -r 77 -s PRIZ -t epNotificationEF2020 -d 2025-03-01

        tenderscan bulk -r 50 -s RGK -t contract -d 2025-03-01 --to 2025-03-07

        tenderscan bulk --number 0373200215526000664 --subsystem PRIZ
    """
    from ..render.bulk import bulk_progress, report_bulk, report_interrupted, report_plan
    from ..render.console import progress_enabled, state
    from ..render.writers import resolve_format
    from ..services.bulk import bulk_download, estimate, no_data_error, plan_for
    from ..sources.http import portal_pace
    from ..sources.secret import Token
    from ..store import Store

    first, to = parse_day(day, "--date"), parse_day(last, "--to")
    if number is not None:
        given = [o for o, v in (("--region", region), ("--type", doc_type), ("--date", day), ("--to", last))
                 if v is not None]
        if given:
            raise UsageError(f"--number asks for one registry number: {', '.join(given)} "
                             f"{'does' if len(given) == 1 else 'do'} not go with it",
                             hint="give either --number, or --region, --type and --date")
    else:
        missing = [o for o, v in (("--region", region), ("--type", doc_type), ("--date", day)) if v is None]
        if missing:
            raise UsageError(f"missing {', '.join(missing)}",
                             hint="give --region, --type and --date (and --to for a range), or --number")
    if to is not None and first is not None and to < first:
        raise UsageError(f"--to {to} is before --date {first}", hint="the range runs from --date to --to")
    plan = plan_for(subsystem=subsystem, region=region, doc_type=doc_type, first=first, last=to, number=number)
    Token.from_env()  # no token: say so before the store is created or anything is asked
    fmt = resolve_format(format)
    with Store.open(store, create=True) as st:
        report_plan(estimate(plan, st.path, pace=pace), portal_pace(pace))
        try:
            with bulk_progress(progress_enabled()) as tick:
                result = bulk_download(plan, store=st, pace=pace, ca_bundle=ca_bundle, on_progress=tick,
                                       debug=state.debug)
        except KeyboardInterrupt:
            report_interrupted(st.path)
            raise typer.Exit(130) from None
    report_bulk(result, fmt)
    if result.stopped is not None:
        raise result.stopped
    if result.nothing_found:
        raise no_data_error(result)
    if result.failures:
        failed = [o for o in result.outcomes if o.state == "failed"]
        if len(result.outcomes) == 1 and failed:
            raise typer.Exit(result.failures[0].exit_code)
        raise typer.Exit(1)
