"""Where a dataset's files are: one folder per table, hive partition folders, one file per task.

    DIR/_manifest.json                                   the committed files (the dataset is what it lists)
    DIR/documents/year=2021/region_code=RU-MOW/part-<task>-0.parquet
    DIR/items/year=2021/region_code=RU-MOW/part-<task>-0.parquet
    DIR/items/year=__HIVE_DEFAULT_PARTITION__/region_code=__HIVE_DEFAULT_PARTITION__/...   (no date, no region)
    DIR/inputs/part-<task>-0.parquet                     every input read (provenance)
    DIR/failures/part-<task>-0.parquet                   inputs that could not be read
    DIR/latest/part-<commit>.parquet                     the latest version of each document
    DIR/_staging/task-<task>/documents~year=2021~...     a run's files before they are committed (flat)

``year=`` and ``region_code=`` are the hive convention DuckDB, Polars and Spark read
(``hive_partitioning``); a missing value is ``__HIVE_DEFAULT_PARTITION__`` (read as null by all three).
``region_code`` is the region where it is known as a code: a Russian federal subject's ISO 3166-2 code
(``RU-MOW``; ``RU-<subject code>`` for the two subjects ISO does not list), or a NUTS code (TED); other
regions (free text) have none. Names never reach a path: every value is ``[A-Z0-9-]``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ...documents.regions import subject_named

MANIFEST = "_manifest.json"
STAGING = "_staging"
NULL = "__HIVE_DEFAULT_PARTITION__"
_NUTS = re.compile(r"[A-Z]{2}[A-Z0-9]{1,3}")


@lru_cache(maxsize=4096)
def region_code(region: str | None) -> str | None:
    """The partition code of a document's region (its ``region`` column), or None."""
    if not region:
        return None
    s = subject_named(region)
    if s is not None:
        return s.iso or f"RU-{s.code}"
    return region if _NUTS.fullmatch(region) else None


def partition_dir(table: str, year: int | None, code: str | None) -> str:
    """The folder (relative to the dataset) of one partition of a data table."""
    return f"{table}/year={NULL if year is None else int(year)}/region_code={code or NULL}"


def file_name(task: str, part: int) -> str:
    return f"part-{task}-{part}.parquet"


def staging_dir(root: Path) -> Path:
    return Path(root) / STAGING


def task_stage(root: Path, task: str) -> Path:
    """Where a task writes its files (and its ``done.json``) before the run commits them."""
    return staging_dir(root) / f"task-{task}"


def staged_name(rel: str) -> str:
    """The name in its task's staging folder of the file committed at ``rel``: flat, the folders' names
    joined by ``~`` (never in a table's or a partition's name). No folder per partition is made for a task:
    a folder costs this machine's file system about a millisecond, four times a file, and a task writes a
    few dozen files; the partition folders are made once, when the first task that needs them commits."""
    return rel.replace("/", "~")


def staged(root: Path, task: str, rel: str) -> Path:
    """Where the file committed at ``rel`` is staged by ``task``."""
    return task_stage(root, task) / staged_name(rel)


def is_hidden(rel: str) -> bool:
    return any(p.startswith(("_", ".")) for p in Path(rel).parts)
