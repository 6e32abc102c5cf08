"""`--dataset DIR`: the options of the Parquet dataset (issue 17) shared by `export`, `spending` and `list`,
the checks of what goes with them, and `export --dataset`'s run (the tasks' progress, the summary, the
failures, Ctrl-C).

A dataset is read or written instead of a store (or of one file, for `export`): the options that name the
other (SOURCES for `spending`, `--store`, `-o`...) are usage errors beside it, before any work starts.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer

from ..errors import UsageError


class Engine(str, Enum):
    """Where `export --dataset` runs its tasks (services.dataset.engines.ENGINES)."""

    local = "local"
    dask = "dask"


def dataset_option(help: str) -> Any:
    return typer.Option(None, "--dataset", file_okay=True, dir_okay=True, help=help)


def engine_option() -> Any:
    return typer.Option(Engine.local, "--engine", case_sensitive=False,
                        help="With --dataset: run the tasks in this process (local) or on a Dask cluster "
                             "(dask: pip install 'tenderscan[dask]').")


def scheduler_option() -> Any:
    return typer.Option(None, "--scheduler", metavar="ADDRESS", callback=check_scheduler,
                        help="With --engine dask: the address of a running Dask scheduler (tcp://HOST:8786).")


def workers_option() -> Any:
    return typer.Option(None, "--workers", min=1, max=256,
                        help="With --engine dask: start N worker processes on this machine for the run.")


def check_scheduler(value: str | None) -> str | None:
    if value is not None and (not value.strip() or any(c.isspace() for c in value.strip())):
        raise typer.BadParameter(f"{value!r} is not a scheduler address (e.g. tcp://10.0.0.5:8786)")
    return value.strip() if value else value


def given(ctx: typer.Context, *names: str) -> list[str]:
    """Which of the options (parameter names) were given on the command line (not by default or env)."""
    out = []
    for name in names:
        source = ctx.get_parameter_source(name)
        if source is not None and source.name in ("COMMANDLINE", "PROMPT"):
            out.append(name)
    return out


def option_names(ctx: typer.Context, names: list[str]) -> str:
    """Parameter names as the options a user types: ``input_format`` -> ``--input-format``."""
    by_name = {p.name: next((o for o in p.opts if o.startswith("--")), p.opts[0]) for p in ctx.command.params}
    return ", ".join(by_name.get(n, n) for n in names)


def refuse_beside_dataset(ctx: typer.Context, sources: list[str] | None, *others: str,
                          what: str = "SOURCE arguments") -> None:
    """--dataset is the input (or the output): SOURCEs and the options in ``others`` given with it are a
    usage error."""
    if sources:
        raise UsageError(f"--dataset does not go with {what} (got {sources[0]!r})",
                         hint="give either --dataset DIR or the inputs")
    extra = given(ctx, *others)
    if extra:
        raise UsageError(f"--dataset does not go with {option_names(ctx, extra)}",
                         hint="leave it out: --dataset DIR is read instead of a store")


def refuse_engine_without_dataset(ctx: typer.Context) -> None:
    extra = given(ctx, "engine", "scheduler", "workers")
    if extra:
        verb = "go" if len(extra) > 1 else "goes"
        raise UsageError(f"{option_names(ctx, extra)} {verb} with --dataset", hint="add --dataset DIR, or leave them out")


# --- `export SOURCES --dataset DIR` -----------------------------------------------------------------------

NOT_FOR_DATASET = ("output", "table", "format", "excel", "delimiter", "partition_by", "all_versions",
                   "redact_contacts", "strict", "force", "store", "ocid_prefix")


def export_to_dataset(ctx: typer.Context, sources: list[str], dataset: Path, engine: Engine,
                      scheduler: str | None, workers: int | None, *, input_format: str | None,
                      encoding: str | None) -> None:
    """`export SOURCES --dataset DIR`: every table into the dataset, progress by tasks on a terminal, the
    summary, the failed inputs; exit 1 when some inputs failed (the input's own code when the only one did)."""
    from ..documents.batch import ReadOptions
    from ..render.console import info, progress_enabled, stderr_line
    from ..render.dataset import failed_line, interrupted_line, summary_line
    from ..render.progress import count_progress
    from ..services.dataset.export import export_dataset
    from .batch import finish_batch

    extra = given(ctx, *NOT_FOR_DATASET)
    if extra:
        raise UsageError(f"--dataset does not go with {option_names(ctx, extra)}",
                         hint="a dataset holds every table, in Parquet; leave them out")
    if engine is not Engine.dask and (scheduler or workers):
        raise UsageError("--scheduler and --workers go with --engine dask", hint="add --engine dask")
    options = ReadOptions(input_format=input_format, encoding=encoding)
    try:
        with count_progress("tasks", enabled=progress_enabled()) as bar:
            result = export_dataset(list(sources or []), dataset, engine=engine.value, scheduler=scheduler,
                                    workers=workers, options=options,
                                    on_task=bar.advance if bar else None, on_total=bar.total if bar else None)
    except KeyboardInterrupt:
        stderr_line(interrupted_line(dataset))
        raise typer.Exit(130) from None
    info(summary_line(result))
    finish_batch(result.failures, total=result.inputs, summary=False, exit=False)
    if result.failed:
        info(failed_line(result))
        if result.inputs == 1 and result.failures:
            raise typer.Exit(result.failures[0].exit_code)
        raise typer.Exit(1)
