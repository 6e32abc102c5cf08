"""Where the tasks run: in this process (``local``) or on a Dask cluster (``dask``).

An engine takes tasks one at a time from the plan and gives back their results as they finish (in any
order). At most a few tasks per worker are in flight, so the driver's memory does not grow with the number
of inputs. On Dask, a task whose worker dies is run again on another one (the scheduler reschedules it; a
task that raised is retried too): its files are rewritten whole under the same names, so nothing is lost
and nothing is written twice.

Dask is an optional extra (``pip install 'tenderscan[dask]'``): ``scheduler`` is the address of a running
cluster (``tcp://HOST:8786``; see Dask's deployment docs for how to start one), ``workers`` the number of
worker processes of a cluster started here, on this machine, for this run.
"""

from __future__ import annotations

import secrets
from typing import Callable, Iterable, Iterator

from ...documents.batch import ReadOptions
from ...errors import FetchError, UsageError
from .plan import Task
from .task import TaskResult, run_task

ENGINES = ("local", "dask")
IN_FLIGHT_PER_WORKER = 3
RETRIES = 3
CONNECT_TIMEOUT = "30s"  # to reach a running scheduler
# the workers a run starts itself (--workers N): without Dask's statistical profiler, which samples every
# task's stack every 10 ms and holds the GIL meanwhile: 5-15% of a pure-Python parse (benchmarks/RESULTS.md,
# issue 17); the README gives the same setting for the workers of a cluster started by hand
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


def install_hint() -> str:
    return "pip install 'tenderscan[dask]'"


def check_engine(engine: str, *, scheduler: str | None = None, workers: int | None = None) -> None:
    """Everything about the engine options that can be wrong before anything is read."""
    if engine not in ENGINES:
        raise UsageError(f"no engine {engine!r}", hint="choose --engine local or --engine dask")
    if engine == "local" and (scheduler or workers):
        raise UsageError("--scheduler and --workers go with --engine dask", hint="add --engine dask")
    if scheduler and workers:
        raise UsageError("--scheduler and --workers do not go together: a running cluster has its own workers",
                         hint="give one of them")
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1", hint="e.g. --workers 2")
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--engine dask needs Dask, which is not installed", hint=install_hint()) from None


def run_local(tasks: Iterable[Task], root: str, options: ReadOptions) -> Iterator[TaskResult]:
    for task in tasks:
        yield run_task(task, root, options)


def run_dask(tasks: Iterable[Task], root: str, options: ReadOptions, *, scheduler: str | None = None,
             workers: int | None = None, on_client: Callable | None = None) -> Iterator[TaskResult]:
    """The tasks on a Dask cluster: the one at ``scheduler``, or ``workers`` processes started here."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise FetchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}".splitlines()[0],
                             hint="check the address (tcp://HOST:8786) and that `dask scheduler` runs there") \
                from None
    else:
        with dask.config.set(WORKER_CONFIG):  # the worker processes take the configuration of their start
            cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        client = Client(cluster)
    run = secrets.token_hex(4)
    try:
        if on_client is not None:
            on_client(client)
        slots = max(len(client.scheduler_info().get("workers", {})), 1) * IN_FLIGHT_PER_WORKER
        pending = iter(tasks)
        done = as_completed()

        def submit(n: int) -> None:
            for task in pending:
                fut = client.submit(run_task, task, root, options, key=f"tenderscan-dataset-{run}-{task.key}",
                                    retries=RETRIES, pure=False)
                done.add(fut)
                n -= 1
                if n <= 0:
                    return

        submit(slots)
        for fut in done:
            result = fut.result()
            fut.release()
            yield result
            submit(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_tasks(engine: str, tasks: Iterable[Task], root: str, options: ReadOptions, *, scheduler: str | None = None,
              workers: int | None = None) -> Iterator[TaskResult]:
    if engine == "dask":
        return run_dask(tasks, root, options, scheduler=scheduler, workers=workers)
    return run_local(tasks, root, options)
