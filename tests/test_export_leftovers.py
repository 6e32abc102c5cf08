"""Export temporaries: a killed export leaves a hidden temporary beside its target; the next export removes it,
and never touches the temporary of a run that is still writing. The file that lands has the permissions of
any new file (not tempfile's private 0600), or keeps those of the file it replaces."""

from __future__ import annotations

import os
import subprocess
import sys

from tenderscan.services.export.target import atomic_dir, atomic_path, sweep_leftovers


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftover_of_a_dead_run_is_removed(tmp_path):
    target = tmp_path / "items.csv"
    pid = dead_pid()
    stale_file = tmp_path / f".items.csv.{pid}-abc123.tmp"
    stale_file.write_text("half a file")
    stale_dir = tmp_path / f".items.csv.{pid}-def456.tmp"
    stale_dir.mkdir()
    (stale_dir / "part-0.parquet").write_bytes(b"PAR1")
    live = tmp_path / f".items.csv.{os.getpid()}-live.tmp"  # a run still writing (this process)
    live.write_text("being written")
    other = tmp_path / ".items.csv.notes.txt"  # not ours
    other.write_text("keep")
    with atomic_path(target) as tmp:
        tmp.write_text("a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    assert not stale_file.exists() and not stale_dir.exists()
    assert live.exists() and other.exists()


def test_sweep_keeps_other_targets_leftovers(tmp_path):
    pid = dead_pid()
    mine = tmp_path / f".a.csv.{pid}-x.tmp"
    theirs = tmp_path / f".b.csv.{pid}-x.tmp"
    mine.write_text("")
    theirs.write_text("")
    assert sweep_leftovers(tmp_path / "a.csv") == [mine]
    assert theirs.exists()


def test_atomic_dir_sweeps_too(tmp_path):
    target = tmp_path / "items.parquet"
    pid = dead_pid()
    stale = tmp_path / f".items.parquet.{pid}-zz.old"
    stale.mkdir()
    with atomic_dir(target) as tmp:
        (tmp / "part.parquet").write_bytes(b"x")
    assert (target / "part.parquet").exists()
    assert not stale.exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_new_export_gets_the_permissions_of_any_new_file(tmp_path):
    # tempfile would leave it 0600: a CSV a colleague on the same machine could not open
    target = tmp_path / "items.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("a\n")
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    folder = tmp_path / "items.parquet"
    with atomic_dir(folder) as tmp:
        (tmp / "part.parquet").write_bytes(b"x")
    assert folder.stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_an_export_written_over_a_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "items.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    with atomic_path(target) as tmp:
        tmp.write_text("new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
