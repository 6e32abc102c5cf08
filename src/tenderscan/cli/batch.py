"""The end of a batch: the failed inputs listed (through :mod:`tenderscan.render.console`) and the exit code."""

from __future__ import annotations

from typing import Sequence

import typer

from ..documents.batch import Failure
from ..render.console import info, print_failures


def finish_batch(failures: Sequence[Failure], *, total: int, summary: bool = True, exit: bool = True) -> None:
    """Report failed inputs (one line each; with --debug the traceback of each first) and exit: the
    error's own exit code when the only input failed, 1 when some of several failed; return normally when
    none failed (or without ``exit``). ``summary``: end with "N of M inputs failed" for several."""
    if not failures:
        return
    print_failures(failures)
    if summary and total > 1:
        info(f"{len(failures)} of {total} inputs failed")
    if not exit:
        return
    if total == 1:
        raise typer.Exit(failures[0].exit_code)
    raise typer.Exit(1)
