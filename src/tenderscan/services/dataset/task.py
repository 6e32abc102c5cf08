"""One task, as a worker runs it: read its inputs, parse each with the pure parse every command uses
(:func:`tenderscan.documents.batch.read_input`), write the rows to the task's own Parquet files.

Nothing here talks to the driver or to other tasks: the result is the list of files written (in the task's
staging folder) and their row counts, also recorded in the folder's ``done.json`` (written last, atomically),
which is how a rerun knows the task is complete. Running a task again rewrites the same files.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...documents.batch import ReadOptions, read_input
from ...documents.inputs import Input
from ...errors import ParseError, TenderscanError
from ..ingest_work import Worker as ArchiveReader  # ingest's reader of archive members (the same caps)
from .layout import task_stage
from .plan import Task, Unit
from .rows import input_rows
from .schema import FAILURES, INPUTS
from .writer import TaskWriter

DONE = "done.json"
ATTEMPT = "attempt.json"  # which process runs the task (host, pid, start time): for operators and tests
SLOW_ENV = "TENDERSCAN_DATASET_TASK_DELAY"  # seconds to wait per input (tests: to kill a worker mid-task)


@dataclass
class TaskResult:
    key: str
    seq: int
    files: list[dict[str, Any]] = field(default_factory=list)  # {"table", "path", "rows"}, relative to the stage
    inputs: int = 0
    documents: int = 0
    failures: int = 0

    @classmethod
    def load(cls, path: Path) -> "TaskResult | None":
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def _input(u: Unit, archive: ArchiveReader) -> Input:
    if u.index is not None:
        data, _ = archive.read(u.path or "", u.member, u.index)
        return Input(name=u.name, path=u.path, member=u.member, size=len(data), data=data,
                     digest=hashlib.sha256(data).hexdigest())
    path = u.path or u.name
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}") from None
    return Input(name=u.name, path=path, size=size, opener=lambda: open(path, "rb"))


def run_task(task: Task, root: str, options: ReadOptions | None = None) -> TaskResult:
    """Read, parse and write one task under ``root``'s staging folder; never raises for a bad input."""
    stage = task_stage(Path(root), task.key)
    if stage.exists():
        shutil.rmtree(stage)  # what an attempt that died left: this attempt writes every file again
    stage.mkdir(parents=True)
    (stage / ATTEMPT).write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}))
    writer = TaskWriter(stage, task.key)
    result = TaskResult(task.key, task.seq)
    archive = ArchiveReader()  # the archive being read, open from one member to the next
    delay = float(os.environ.get(SLOW_ENV) or 0)
    inputs: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    try:
        for n, u in enumerate(task.units):
            if delay:
                time.sleep(delay)
            rec = {"task_seq": task.seq, "input_no": n, "name": u.name, "path": u.path, "member": u.member,
                   "url": None, "size": u.size, "sha256": None, "status": "failed", "documents": 0}
            error = u.error or _read(u, archive, options, rec, writer, task.seq, n)
            if error is not None:
                failures.append({"task_seq": task.seq, "input_no": n, "name": u.name, "path": u.path,
                                 "member": u.member, "message": error[0], "exit_code": error[1]})
            inputs.append(rec)
    finally:
        archive.close()
    writer.add(INPUTS, inputs)
    writer.add(FAILURES, failures)
    writer.flush()
    result.files, result.inputs, result.failures = writer.files, len(inputs), len(failures)
    result.documents = sum(r["documents"] for r in inputs)
    _done(stage, result)
    return result


def _read(u: Unit, archive: ArchiveReader, options, rec: dict, writer: TaskWriter, seq: int,
          n: int) -> tuple[str, int] | None:
    """Read and parse one input into the writer; its failure (message, exit code), or None."""
    try:
        inp = _input(u, archive)
        rec["size"] = inp.size
        sha = inp.digest = inp.digest or inp.sha256()  # a file is hashed once, here, not again by the parse
        rec["sha256"] = sha
        doc = read_input(inp, options)
        if doc.error is not None:
            return doc.error.one_line(), doc.error.exit_code
        rows = input_rows(doc.tenders, sha, task_seq=seq, input_no=n, first=writer.documents)
    except TenderscanError as exc:
        exc.source = exc.source or u.name
        return exc.one_line(), exc.exit_code
    except RecursionError:
        return f"{u.name}: document nested too deeply; refused", 3
    except Exception as exc:  # noqa: BLE001 - one bad document never stops a bulk export
        return f"{u.name}: internal error {type(exc).__name__}: {exc}"[:300], 70
    if rows.misfit is not None:
        return f"{u.name}: {rows.misfit.message()}", 3
    for table, table_rows in rows.rows.items():
        writer.add(table, table_rows)
    rec["status"], rec["documents"] = "ok", rows.documents
    writer.documents += rows.documents
    return None


def _done(stage: Path, result: TaskResult) -> None:
    stage.mkdir(parents=True, exist_ok=True)
    tmp = stage / f".{DONE}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(json.dumps(asdict(result)), encoding="utf-8")
    os.replace(tmp, stage / DONE)
