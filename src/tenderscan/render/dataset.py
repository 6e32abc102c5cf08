"""`export --dataset`'s lines on stderr: what the run added, what failed, what an interrupted run left."""

from __future__ import annotations

from pathlib import Path

from ..services.dataset.export import DatasetResult
from ..services.dataset.schema import DATA_TABLES


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary_line(r: DatasetResult) -> str:
    """``dataset DIR: 57 documents added from 60 inputs in 5 tasks (tables: documents 57, items 812, ...)``,
    with the tasks already written and the duplicates."""
    done = f" ({r.skipped:,} already written)" if r.skipped else ""
    if not r.inputs and r.tasks == r.skipped:
        return f"dataset {r.path}: nothing new: {_n(r.tasks, 'task')} of these inputs already in it"
    tables = ", ".join(f"{t} {r.rows[t]:,}" for t in DATA_TABLES if r.rows.get(t))
    text = (f"dataset {r.path}: {_n(r.documents, 'document')} added from {_n(r.inputs, 'input')} in "
            f"{_n(r.tasks, 'task')}{done}" + (f" (tables: {tables})" if tables else ""))
    if r.duplicates:
        text += f"; {_n(r.duplicates, 'input')} already read from the same bytes, written once"
    return text


def failed_line(r: DatasetResult) -> str:
    shown = f"; the first {len(r.failures):,} are listed above" if len(r.failures) < r.failed else ""
    return (f"{r.failed:,} of {_n(r.inputs, 'input')} failed: rows of the dataset's failures table "
            f"(input, message, exit code){shown}")


def interrupted_line(path: Path) -> str:
    return (f"interrupted: the dataset {path} is as it was before this run; run the same command again to go on "
            "where it stopped (the tasks already written are not read again)")
