"""`tenderscan export SOURCES --dataset DIR [--engine local|dask]` as one call: :func:`export_dataset`.

The driver lists the inputs into tasks (:mod:`.plan`), skips those already committed (or written by a run
that was cut short: their ``done.json`` is in the staging folder), runs the others on the engine
(:mod:`.engines`: each task parses and writes its own files), then commits (:mod:`.commit`). A run that
fails or is killed leaves the dataset as it was; run again, it goes on where it stopped. ``engine="local"``
writes the identical dataset in one process.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ...documents.batch import Failure, ReadOptions
from ...errors import UsageError
from . import manifest as mf
from .commit import finish
from .engines import check_engine, run_tasks
from .layout import MANIFEST, STAGING, staged, staging_dir, task_stage
from .plan import CHUNK, Task, plan
from .schema import DATA_TABLES
from .task import DONE, TaskResult

MAX_FAILURES_KEPT = 1000


@dataclass
class DatasetResult:
    path: Path
    tasks: int = 0  # tasks of this run's sources
    skipped: int = 0  # ... already committed, or written by a run cut short
    inputs: int = 0  # inputs read by this run
    documents: int = 0  # documents added
    duplicates: int = 0  # inputs whose raw bytes were already in the dataset (written once)
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)  # the first MAX_FAILURES_KEPT
    manifest: mf.Manifest | None = None
    rows: dict[str, int] = field(default_factory=dict)  # rows added to each data table by this run


def check_dataset_dir(path: Path) -> None:
    """A dataset folder is new, empty, or a dataset (more is added to it); anything else is refused."""
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise UsageError(f"{path} is a file, and a dataset is a folder", hint="choose another --dataset")
    if (path / MANIFEST).exists() or (path / STAGING).exists():
        return
    if any(path.iterdir()):
        raise UsageError(f"{path} is a folder that holds other files, not a tenderscan dataset",
                         hint="choose a new or empty folder for --dataset")


def export_dataset(sources: list[str], out_dir: Path | str, *, engine: str = "local", scheduler: str | None = None,
                   workers: int | None = None, options: ReadOptions | None = None, chunk: int = CHUNK,
                   on_task: Callable[[TaskResult], None] | None = None,
                   on_total: Callable[[int], None] | None = None) -> DatasetResult:
    """Parse ``sources`` into the Parquet dataset at ``out_dir`` (created, or added to). Inputs that cannot
    be read are rows of its ``failures`` table (and in ``result.failures``); nothing is raised for them.

    ``on_task`` is given each task of this run once it is written (a task a run cut short had written
    already, too); ``on_total``, when given, the number of those tasks before any is run: the inputs are
    then listed twice (archives' member lists, not their members), which progress on a terminal is worth."""
    check_engine(engine, scheduler=scheduler, workers=workers)
    if not sources or "-" in sources:
        raise UsageError("a dataset is written from files, folders or zip archives",
                         hint="give their paths (standard input and stored IDs cannot be split into tasks)")
    root = Path(out_dir).resolve()
    check_dataset_dir(root)
    with _staging(root), _Lock(root):
        mf.roll_forward(root)  # a commit an earlier run began is finished first
        old = mf.load(root) or mf.Manifest()
        result = DatasetResult(root)
        if on_total is not None:
            on_total(sum(t.key not in old.tasks for t in plan(sources, chunk=chunk, first_seq=old.next_seq)))
        sources_of: dict[str, str] = {}
        results: list[TaskResult] = []

        def todo() -> Iterator[Task]:
            for task in plan(sources, chunk=chunk, first_seq=old.next_seq):
                result.tasks += 1
                if task.key in old.tasks:
                    result.skipped += 1
                    continue
                sources_of[task.key] = task.source
                done = TaskResult.load(task_stage(root, task.key) / DONE)
                if done is not None and done.seq == task.seq and _complete(root, done):
                    result.skipped += 1
                    results.append(done)
                    if on_task is not None:
                        on_task(done)
                    continue
                yield task

        for r in run_tasks(engine, todo(), str(root), options or ReadOptions(), scheduler=scheduler,
                           workers=workers):
            results.append(r)
            if on_task is not None:
                on_task(r)
        if results:
            _failures(root, results, result)
            result.manifest, result.duplicates = finish(root, old, results, sources_of)
        else:
            result.manifest = old
        result.inputs = sum(r.inputs for r in results)
        result.documents = sum(r.documents for r in results)
        for r in results:
            for f in r.files:
                if f["table"] in DATA_TABLES:
                    result.rows[f["table"]] = result.rows.get(f["table"], 0) + f["rows"]
        mf.clear_stage(root)
    return result


@contextmanager
def _staging(root: Path) -> Iterator[None]:
    """The dataset's staging folder (and the dataset's folder), made for the run; the folders the run made
    are removed again when it left nothing in them (a scheduler that did not answer, no input at all). Only
    empty folders are removed, never a file: a run cut short keeps what it staged, to go on from."""
    made = [f for f in (staging_dir(root), root) if not f.exists()]
    staging_dir(root).mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break


def _complete(root: Path, r: TaskResult) -> bool:
    return all(staged(root, r.key, f["path"]).is_file() for f in r.files)


def _failures(root: Path, results: list[TaskResult], out: DatasetResult) -> None:
    """The failures of this run's tasks, read back from their files (the first MAX_FAILURES_KEPT)."""
    import pyarrow.parquet as pq

    out.failed = sum(r.failures for r in results)
    for r in sorted(results, key=lambda r: r.seq):
        for f in r.files:
            if f["table"] != "failures" or len(out.failures) >= MAX_FAILURES_KEPT:
                continue
            for row in pq.read_table(staged(root, r.key, f["path"])).to_pylist():
                out.failures.append(Failure(row["name"], row["message"], row["exit_code"]))


class _Lock:
    """One export at a time writes to a dataset (a lock file in its staging folder, with the writer's pid:
    left by a killed run on this host, it is taken over)."""

    def __init__(self, root: Path):
        self.path = staging_dir(root) / "writer.lock"
        self.me = f"{socket.gethostname()} {os.getpid()}"

    def __enter__(self) -> "_Lock":
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._stale():
                    self.path.unlink(missing_ok=True)
                    continue
                raise UsageError(f"another export is writing to {self.path.parent.parent}",
                                 hint="wait for it to finish (or remove the lock file if it was killed on "
                                      "another machine: " + str(self.path) + ")") from None
            os.write(fd, self.me.encode())
            os.close(fd)
            return self
        raise UsageError(f"cannot lock {self.path}", hint="try again")

    def _stale(self) -> bool:
        try:
            host, pid = self.path.read_text().split()
        except (OSError, ValueError):
            return True
        if host != socket.gethostname():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except (OSError, ValueError):
            return False
        return False

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)
