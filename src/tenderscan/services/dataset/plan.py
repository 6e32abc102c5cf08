"""The driver's part of an export: SOURCE arguments listed into tasks, without reading a document.

The inputs are listed as `ingest` lists them (:func:`tenderscan.documents.inputs.iter_inputs` with ``lazy``:
archive members are checked against the zip-bomb caps, not read). A task is ``chunk`` consecutive inputs of
one SOURCE: a range of the members of a large archive, or several small archives whole (the portal's daily
dumps often hold a few dozen documents: one task each would make a dataset of tiny files), or loose files of
a folder; an input the listing already refused (a nested archive, a damaged zip) goes with its task, to be
written to ``failures``. Tasks are made one at a time, so the driver's memory does not grow with the number
of inputs.

A task's ``key`` is the same on a rerun over the same unchanged files (it hashes their paths, sizes,
modification times and the members' names), so a rerun can tell which tasks are already written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Iterator

from ...documents.inputs import Input, iter_inputs

# inputs per task: about a second or two of parsing, a few files per partition per task
CHUNK = int(os.environ.get("TENDERSCAN_DATASET_CHUNK", "1000"))


@dataclass(frozen=True)
class Unit:
    """One input of a task: a file, or a member (``index``) of the archive at ``path``; ``error`` is why the
    listing refused it (message, exit code)."""

    name: str
    path: str | None
    member: str | None = None
    index: int | None = None
    size: int | None = None
    error: tuple[str, int] | None = None


@dataclass(frozen=True)
class Task:
    key: str
    seq: int  # the task's place in the dataset's order (documents read earlier come first)
    source: str  # the archive or folder it reads
    units: tuple[Unit, ...]


def _unit(inp: Input) -> Unit:
    if inp.error is not None:
        inp.error.source = inp.error.source or inp.name
        return Unit(inp.name, inp.path, inp.member, inp.index, inp.size,
                    (inp.error.one_line(), inp.error.exit_code))
    return Unit(inp.name, inp.path, inp.member, inp.index, inp.size)


def _stamp(path: str | None) -> list:
    try:
        st = os.stat(path) if path else None
    except OSError:
        st = None
    return [path, st.st_size, st.st_mtime_ns] if st else [path]


def task_key(units: tuple[Unit, ...]) -> str:
    h = hashlib.sha256()
    paths = dict.fromkeys(u.path for u in units)
    h.update(json.dumps([[_stamp(p) for p in paths], [[u.name, u.index, u.error] for u in units]],
                        ensure_ascii=False).encode())
    return h.hexdigest()[:20]


def plan(sources: list[str], *, chunk: int = CHUNK, first_seq: int = 0) -> Iterator[Task]:
    """The tasks of ``sources``, in input order, numbered from ``first_seq``."""
    seq = first_seq
    for src in sources:
        batch: list[Unit] = []
        for inp in iter_inputs([src], lazy=True):
            if len(batch) >= chunk:
                yield _task(batch, seq, src)
                seq += 1
                batch = []
            batch.append(_unit(inp))
        if batch:
            yield _task(batch, seq, src)
            seq += 1


def _task(batch: list[Unit], seq: int, src: str) -> Task:
    units = tuple(batch)
    return Task(task_key(units), seq, src, units)
