"""Where an export lands: written atomically (a temporary beside the target, renamed over it once complete),
what a killed run left beside a target, and the checks that refuse, before anything is read, to replace
what the user cannot have meant to (a file by a folder, a folder by a file, a folder of other files by a
dataset) unless they say ``force``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Iterator

from ...errors import UsageError


def check_target(target: Path, *, folder: bool, force: bool = False) -> None:
    """Refuse to write over ``target`` when that would turn a file into a folder (``folder``: a partitioned
    dataset), a folder into a file, or replace a folder that holds more than a dataset, unless ``force``."""
    target = Path(target)
    if force or not (target.exists() or target.is_symlink()):
        return
    again = "choose another --output, or add --force to replace it"
    if folder and not target.is_dir():
        raise UsageError(f"{target} is a file, and a partitioned dataset is a folder: it would replace the file",
                         hint=again)
    if folder and not is_dataset(target):
        raise UsageError(f"{target} is a folder that holds more than a partitioned dataset: it would be replaced "
                         "with all it holds", hint=again)
    if not folder and target.is_dir():
        raise UsageError(f"{target} is a folder: the file would replace it with all it holds", hint=again)


def is_dataset(folder: Path) -> bool:
    """Whether ``folder`` holds only what a partitioned export writes (``column=value`` folders of
    ``.parquet`` files) or nothing at all."""
    for root, _dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        if not rel.parts and files:
            return False
        if any("=" not in part for part in rel.parts) or any(not f.endswith(".parquet") for f in files):
            return False
    return True


def _temp_prefix(target: Path) -> str:
    # the writer's process id is in the name, so a later run can tell a killed run's leftover from a live one
    return f".{target.name}.{os.getpid()}-"


def _make_temp(target: Path, suffix: str, *, directory: bool) -> Path:
    """A new hidden file or folder next to ``target``, created exclusively, with the permissions the umask
    gives a new file (``tempfile`` would make it private, 0600/0700, and the export unreadable to others
    where the user's files are not)."""
    for _ in range(100):
        path = target.parent / f"{_temp_prefix(target)}{secrets.token_hex(4)}{suffix}"
        try:
            if directory:
                os.mkdir(path, 0o777)
            else:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name next to {target}")


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no safe probe (os.kill would end the process on Windows): never sweep there
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def sweep_leftovers(target: Path) -> list[Path]:
    """Remove what a killed export to ``target`` left beside it: ``.NAME.PID-*.tmp`` (and ``.old``) whose
    process no longer runs. A live writer's temporary is never touched. Returns what was removed."""
    removed = []
    prefix = f".{target.name}."
    try:
        candidates = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    for p in candidates:
        rest = p.name[len(prefix):]
        if not rest.endswith((".tmp", ".old")):
            continue
        pid_text = rest.split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
        except OSError:
            pass  # another run swept it first, or it is not ours to remove
    return removed


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary file next to ``target``, renamed over it when the block succeeds, removed otherwise."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(target)
    tmp = _make_temp(target, ".tmp", directory=False)
    try:
        yield tmp
        if target.is_dir() and not target.is_symlink():  # only past check_target(force=True): moved aside first
            old = _make_temp(target, ".old", directory=True)
            os.replace(target, old / "previous")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
            return
        try:  # a file written over keeps its permissions; a new one gets the umask's, as any file would
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """A temporary folder next to ``target``, swapped in for it when the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(target)
    tmp = _make_temp(target, ".tmp", directory=True)
    try:
        yield tmp
        if target.exists():
            old = _make_temp(target, ".old", directory=True)
            os.replace(target, old / "previous")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
