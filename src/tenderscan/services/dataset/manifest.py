"""The manifest: the list of a dataset's committed files. The dataset is what it lists, and nothing else.

It is replaced atomically (written under a temporary name, renamed over ``_manifest.json``). A commit first
writes its intent (``_staging/commit.json``: the new manifest and the files to move into place), then moves
the files, then renames the manifest; a commit cut short is finished by the next run (:func:`roll_forward`),
so the dataset is always the old one or the new one.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError
from .layout import MANIFEST, staging_dir
from .schema import TABLES, schema

FORMAT = "tenderscan-dataset"
VERSION = 2  # 2: documents carry their items' quantity sums (items_quantity, items_units...)
COMMIT = "commit.json"


@dataclass
class Manifest:
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {seq, source, files, counts}
    latest: str | None = None  # the latest table's one file
    next_seq: int = 0
    commits: int = 0

    def files(self, table: str) -> list[str]:
        """The committed files of ``table``, relative to the dataset, in task order."""
        if table == "latest":
            return [self.latest] if self.latest else []
        out = []
        for t in sorted(self.tasks.values(), key=lambda t: t["seq"]):
            out += [f["path"] for f in t["files"] if f["table"] == table]
        return out

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "commits": self.commits, "next_seq": self.next_seq,
                "latest": self.latest,
                "schema": {t: [[f.name, str(f.type)] for f in schema(t)] for t in TABLES},
                "tasks": [{"key": k, **v} for k, v in sorted(self.tasks.items(), key=lambda kv: kv[1]["seq"])]}

    @classmethod
    def from_json(cls, data: dict[str, Any], where: Path) -> "Manifest":
        if data.get("format") == FORMAT and data.get("version") != VERSION:
            raise UsageError(f"the dataset at {where.parent} was written by another tenderscan (dataset version "
                             f"{data.get('version')}; this one reads and writes version {VERSION})",
                             hint="export its inputs again into a new folder: `tenderscan export SOURCES "
                                  "--dataset NEWDIR`")
        if data.get("format") != FORMAT:
            raise UsageError(f"{where} is not a tenderscan dataset manifest (version {VERSION})",
                             hint="choose another --dataset folder")
        tasks = {t["key"]: {k: v for k, v in t.items() if k != "key"} for t in data.get("tasks", [])}
        return cls(tasks, data.get("latest"), int(data.get("next_seq", 0)), int(data.get("commits", 0)))


def load(root: Path) -> Manifest | None:
    """The committed manifest of the dataset at ``root`` (None when there is none yet)."""
    path = Path(root) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Manifest.from_json(json.loads(text), path)
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{path} is damaged: not a dataset manifest", hint="choose another --dataset folder") \
            from None


def write_json(path: Path, data: Any) -> None:
    """``data`` as JSON at ``path``, atomically, flushed to disk before the rename."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def commit(root: Path, new: Manifest, moves: list[tuple[str, str]], remove: list[str]) -> None:
    """Make ``new`` the dataset: record the intent, move the staged files into place, rename the manifest."""
    root = Path(root)
    write_json(staging_dir(root) / COMMIT, {"manifest": new.as_json(), "moves": moves, "remove": remove})
    roll_forward(root)


def roll_forward(root: Path) -> bool:
    """Finish a commit whose intent was recorded (a no-op when there is none); True when there was one."""
    root = Path(root)
    intent = staging_dir(root) / COMMIT
    try:
        data = json.loads(intent.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except ValueError:  # cut short while written: the commit never began
        intent.unlink(missing_ok=True)
        return False
    for src, dst in data["moves"]:
        s, d = root / src, root / dst
        if s.exists():
            d.parent.mkdir(parents=True, exist_ok=True)
            os.replace(s, d)
    write_json(root / MANIFEST, data["manifest"])
    for rel in data["remove"]:
        (root / rel).unlink(missing_ok=True)
    intent.unlink(missing_ok=True)
    return True


def clear_stage(root: Path, keep: set[str] = frozenset()) -> None:
    """Remove the staging folders of tasks (all but ``keep``) once nothing in them is needed."""
    stage = staging_dir(root)
    if not stage.is_dir():
        return
    for p in stage.iterdir():
        if p.is_dir() and p.name.startswith("task-") and p.name[5:] not in keep:
            shutil.rmtree(p, ignore_errors=True)
