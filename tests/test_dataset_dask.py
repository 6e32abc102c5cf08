"""The dataset written on a real Dask cluster: a `dask scheduler` and two `dask worker` processes started here on
127.0.0.1 (random free ports), torn down after. The dataset equals the local engine's row for row; a worker
killed mid-task loses nothing (its task reruns on the other worker; no row twice)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from tenderscan.services.dataset.export import export_dataset  # noqa: E402
from tenderscan.services.dataset.task import SLOW_ENV  # noqa: E402

from .test_dataset import dumps, same_dataset, table_rows  # noqa: E402

DASK = str(Path(sys.executable).parent / "dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and workers as separate processes, each in its own session (killed as a group)."""

    def __init__(self, tmp: Path, workers: int = 2, env: dict | None = None):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.env = {**os.environ, **(env or {})}
        self.tmp = tmp
        self.scheduler = self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port",
                                      self.address.rsplit(":", 1)[1], "--no-dashboard"], "scheduler")
        self.workers = [self._start([DASK, "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                                     "--no-nanny", "--no-dashboard", "--name", f"w{n}"], f"worker{n}")
                        for n in range(workers)]
        self._wait(workers)

    def _start(self, cmd: list[str], name: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - the process keeps it
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True,
                                cwd=self.tmp)

    def _wait(self, n: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + 30
        with Client(self.address, timeout="20s") as c:
            while len(c.scheduler_info()["workers"]) < n:
                if time.monotonic() > deadline:
                    raise RuntimeError("the Dask workers did not start: " + self.logs())
                time.sleep(0.1)

    def logs(self) -> str:
        return " | ".join(p.read_text(errors="replace")[-500:] for p in self.tmp.glob("*.log"))

    def kill(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def close(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                self.kill(p)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask-inputs")
    sources = dumps(tmp)
    export_dataset(sources, tmp / "local", chunk=8)
    return sources, tmp / "local"


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.close()


@pytest.fixture
def slow_cluster(tmp_path):
    """Workers that take 80 ms more per input, so that a task of 8 inputs lasts long enough to be killed in."""
    c = Cluster(tmp_path, env={SLOW_ENV: "0.08"})
    yield c
    c.close()


def test_the_dask_dataset_is_the_local_one_row_for_row(inputs, cluster, tmp_path):
    sources, local = inputs
    result = export_dataset(sources, tmp_path / "dask", engine="dask", scheduler=cluster.address, chunk=8)
    assert result.tasks > 4 and result.failed >= 1
    same_dataset(local, tmp_path / "dask")  # the same tasks, files and rows


def test_a_worker_killed_mid_task_loses_nothing(inputs, slow_cluster, tmp_path):
    cluster = slow_cluster
    sources, local = inputs
    out = tmp_path / "dask"
    stage = out / "_staging"
    outcome: dict = {}

    def export() -> None:
        try:
            outcome["result"] = export_dataset(sources, out, engine="dask", scheduler=cluster.address, chunk=8)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    t = threading.Thread(target=export)
    t.start()
    victim = cluster.workers[0]
    killed_in = _running_task_of(cluster, "w0", stage, deadline=time.monotonic() + 30)
    cluster.kill(victim)  # SIGKILL: no clean-up, the task's files half written
    t.join(timeout=60)
    assert not t.is_alive(), cluster.logs()
    assert "error" not in outcome, outcome.get("error")
    assert killed_in is not None, "the worker was killed before it began a task"
    assert victim.returncode == -signal.SIGKILL
    same_dataset(local, out)  # every row there, none twice
    assert table_rows(out, "documents") == table_rows(local, "documents")


def _running_task_of(cluster: Cluster, worker: str, stage: Path, *, deadline: float) -> str | None:
    """Wait until the worker process ``worker`` is midway through a task (the task's attempt.json names its
    pid, its done.json is not written yet); return the task's key."""
    pid = cluster.workers[int(worker[1:])].pid
    while time.monotonic() < deadline:
        for attempt in stage.glob("task-*/attempt.json"):
            try:
                mine = json.loads(attempt.read_text())["pid"] == pid
            except (OSError, ValueError, KeyError):
                continue
            if mine and not (attempt.parent / "done.json").exists():
                time.sleep(0.1)  # inside the task: an input or two read
                return attempt.parent.name[5:]
        time.sleep(0.02)
    return None


def test_workers_started_for_the_run_have_no_profiler(tmp_path):
    """`--workers N` starts its workers without Dask's statistical profiler (engines.WORKER_CONFIG): the
    processes Dask spawns take the configuration the run sets, and the driver's own is left as it was."""
    import dask

    from tenderscan.documents.batch import ReadOptions
    from tenderscan.services.dataset.engines import run_dask

    seen = {}

    def on_client(client):
        seen.update(client.run(lambda: dask.config.get("distributed.worker.profile.enabled")))
        seen["periodic"] = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)

    assert list(run_dask([], str(tmp_path), ReadOptions(), workers=1, on_client=on_client)) == []
    periodic = seen.pop("periodic")
    assert seen and set(seen.values()) == {False}
    assert set(periodic.values()) == {False}
    assert dask.config.get("distributed.worker.profile.enabled") is True
