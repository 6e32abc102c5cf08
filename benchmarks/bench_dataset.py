"""Targets of issue 17, the Parquet dataset: export with 2 Dask workers vs one local process (and 1 worker),
`spending --by year` from a dataset of 10 million items vs the same DuckDB SQL by hand and vs the store and
pandas, and the driver's peak RSS as its inputs grow 10x.

The export runs on a cluster started here (a `dask scheduler` and `dask worker` processes on 127.0.0.1), as a
user points tenderscan at a running cluster; the cluster's start (a few seconds, paid once per cluster, not
per run) is reported beside the figures, and the workers have read one small export before the timing (a
long-lived cluster's workers have their imports loaded).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_ingest import Ctx
from harness import Fig, Result, Skip, judge, median_time, run_cmd

CHUNK = 250  # inputs per task in the export target: 8 tasks and more per worker (the last ones leave no core idle long)
# `spending` items: the synthetic dataset (10 million in the full run), from the store-sized one
DATASET_ITEMS = {3000: 30_000, 50_000: 1_000_000, 1_000_000: 10_000_000}
# copies of the store (and of the dataset of the same documents) for the comparison on the same items: as
# many as fit this machine's time (the full run's store of 1M items is 1.1 GB; 3 copies hold 3M items)
STORE_COPIES = {3000: 2, 50_000: 8, 1_000_000: 3}


def _need_dask() -> str:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise Skip("Dask is not installed: pip install 'tenderscan[dask]'") from None
    dask = Path(sys.executable).parent / "dask"
    if not dask.exists():
        raise Skip(f"no `dask` command beside {sys.executable}")
    return str(dask)


# the workers as the README's "Pointing it at a cluster" starts them: without Dask's statistical profiler
# (engines.WORKER_CONFIG, what `--workers N` sets for the workers it starts)
WORKER_ENV = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


class Cluster:
    """`dask scheduler` and ``workers`` `dask worker` processes (one thread each) on 127.0.0.1."""

    def __init__(self, workers: int, log_dir: Path):
        dask = _need_dask()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        t0 = time.perf_counter()
        log_dir.mkdir(parents=True, exist_ok=True)
        self.procs = [self._start([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], log_dir / "scheduler.log")]
        self.procs += [self._start([dask, "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                                    "--no-nanny", "--no-dashboard"], log_dir / f"worker{n}.log", WORKER_ENV)
                       for n in range(workers)]
        from distributed import Client

        with Client(self.address, timeout="60s") as c:
            c.wait_for_workers(workers, timeout=60)
        self.start_s = time.perf_counter() - t0

    @staticmethod
    def _start(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        return subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                                start_new_session=True,
                                env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})})

    def close(self) -> None:
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=3)  # a worker sometimes ignores SIGTERM: killed after 3 s
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_EXPORT = """
import json, sys, time
from tenderscan.services.dataset.export import export_dataset
kw = json.loads(sys.argv[1])
t0 = time.perf_counter()
r = export_dataset(kw.pop("sources"), kw.pop("out"), **kw)
print(json.dumps({"seconds": time.perf_counter() - t0, "documents": r.documents, "inputs": r.inputs,
                  "failed": r.failed, "tasks": r.tasks}))
"""


def export_run(ctx: Ctx, sources: list[str], out: Path, **kw):
    """One export in a process of its own (the driver): (wall, peak RSS MB, its own report)."""
    if out.exists():
        shutil.rmtree(out)
    report = ctx.work / "dataset-export.json"
    run = run_cmd([sys.executable, "-c", _EXPORT, json.dumps({"sources": sources, "out": str(out), **kw})],
                  timeout=ctx.sizes.timeout, stdout=report)
    if run.rc != 0:
        raise RuntimeError(f"export_dataset exited {run.rc}: {run.tail()}")
    return run, json.loads(report.read_text())


EXPORT_FACTOR = 20  # the export target's corpus: 20x the RSS target's small one (40,000 documents in the full run)


def target_dataset_export(ctx: Ctx) -> Result:
    """2 Dask workers vs one local process, and 1 worker, on the same dump archives (40,000 documents in the
    full run: what a run pays once, importing Dask's client, connecting, the first task's latency, the
    commit, about a second, weighs about as little as it does on real dumps, where a run lasts hours).

    This machine's speed moves by 20-40% from one minute to the next (a neighbour on its cores), so a ratio
    of runs made minutes apart measures that. The runs are therefore interleaved: local, 2 workers, local,
    2 workers, ..., local (with a 1-worker run after every other 2-worker one), and each 2-worker run is
    compared with the mean of the local runs just before and just after it (a drift in the machine's speed
    cancels out); the ratio is the median of those. Each Dask run has a cluster of its own, started before
    it and stopped after (nothing of it runs while the local engine is timed), whose workers have read one
    archive before the timing (a long-lived cluster's workers have their imports loaded)."""
    folder, m = ctx.zakupki("rss", max(ctx.sizes.ingest_docs, ctx.sizes.rss_docs * EXPORT_FACTOR))
    sources = [str(folder)]
    tiny = [str(p) for p in sorted(folder.glob("*.zip"))[:1]]
    out = ctx.work / "dataset-export"
    rounds_n = ctx.reps + 2 if ctx.reps > 1 else 1  # 5 in the full run
    walls: dict[object, list[float]] = {"local": [], 1: [], 2: []}
    starts, warms, rep = [], [], {}

    def local() -> None:
        run, _ = export_run(ctx, sources, out, chunk=CHUNK)
        walls["local"].append(run.wall)

    def dask(workers: int) -> None:
        nonlocal rep
        with Cluster(workers, ctx.work / f"dask-logs-{workers}") as c:
            warm, _ = export_run(ctx, tiny, out, engine="dask", scheduler=c.address, chunk=CHUNK)
            run, rep = export_run(ctx, sources, out, engine="dask", scheduler=c.address, chunk=CHUNK)
            walls[workers].append(run.wall)
            starts.append(c.start_s)
            warms.append(warm.wall)

    local()
    for n in range(rounds_n):
        dask(2)
        if n % 2 == 0:
            dask(1)
        local()
    lo = walls["local"]
    rounds = [(lo[n] + lo[n + 1]) / 2 / d2 for n, d2 in enumerate(walls[2])]
    ratio = statistics.median(rounds)
    med = {k: statistics.median(v) for k, v in walls.items()}
    scaling = med[1] / med[2]
    note = (f"{m.docs:,} docs in {len(m.archives)} archives, {rep['tasks']} tasks of {CHUNK}; "
            f"{len(rounds)} 2-worker runs, each against the local runs before and after it: "
            f"{', '.join(f'{r:.2f}x' for r in rounds)} (median {ratio:.2f}x); medians: local "
            f"{m.docs / med['local']:,.0f} docs/s ({med['local']:.1f}s of {', '.join(f'{t:.1f}' for t in lo)}), "
            f"2 workers {m.docs / med[2]:,.0f} docs/s ({med[2]:.1f}s), 1 worker {m.docs / med[1]:,.0f} docs/s "
            f"({med[1]:.1f}s): 2 vs 1 worker {scaling:.2f}x, 2 workers vs local {med['local'] / med[2]:.2f}x; "
            f"cluster start {min(starts):.1f}-{max(starts):.1f}s, a one-archive run {min(warms):.1f}-{max(warms):.1f}s")
    return Result("dataset-dask", judge(ratio, at_least=1.7), Fig("2 workers", m.docs / med[2], "docs/s"),
                  Fig("local", m.docs / med["local"], "docs/s"), ratio, ">= 1.7x", note,
                  {"local_s": lo, "dask1_s": walls[1], "dask2_s": walls[2], "rounds": rounds, "docs": m.docs})


def target_dataset_rss(ctx: Ctx) -> Result:
    """The driver's peak RSS, exporting 1x and 10x the inputs on a 2-worker cluster."""
    small, m1 = ctx.zakupki("rss", ctx.sizes.rss_docs)
    big, m10 = ctx.zakupki("rss", ctx.sizes.rss_docs * 10)
    out = ctx.work / "dataset-rss"
    with Cluster(2, ctx.work / "dask-logs-rss") as c:
        r1, _ = export_run(ctx, [str(small)], out, engine="dask", scheduler=c.address, chunk=CHUNK)
        r10, _ = export_run(ctx, [str(big)], out, engine="dask", scheduler=c.address, chunk=CHUNK)
    l1, _ = export_run(ctx, [str(small)], out, chunk=CHUNK)
    l10, _ = export_run(ctx, [str(big)], out, chunk=CHUNK)
    ratio = r10.maxrss_mb / r1.maxrss_mb
    note = (f"{m1.docs:,} vs {m10.docs:,} docs; driver on Dask {r1.maxrss_mb:.0f} vs {r10.maxrss_mb:.0f} MB; "
            f"local engine (parses in the driver) {l1.maxrss_mb:.0f} vs {l10.maxrss_mb:.0f} MB")
    return Result("dataset-rss", judge(ratio, at_most=1.2), Fig("10x", r10.maxrss_mb, "MB"),
                  Fig("1x", r1.maxrss_mb, "MB"), ratio, "<= 1.2x", note,
                  {"rss1_mb": r1.maxrss_mb, "rss10_mb": r10.maxrss_mb, "local1_mb": l1.maxrss_mb,
                   "local10_mb": l10.maxrss_mb})


# --- spending ---------------------------------------------------------------------------------------------


def target_dataset_spending(ctx: Ctx) -> Result:
    """`spending --by year` from a dataset: 10M items vs the same SQL by hand; the store's path on the store's
    items vs the dataset of the same documents."""
    from bench_export import ITEMS_PER_DOC, ITEMS_PER_LIST, spending_store

    from tenderscan.services.dataset.export import export_dataset
    from tenderscan.services.dataset.query import Dataset
    from tenderscan.services.dataset.spending import spending
    from tenderscan.services.spending.report import Query, run

    store, counts = spending_store(ctx)
    docs = max(-(-ctx.sizes.spending_items // ITEMS_PER_DOC), 10)  # the corpus the store was ingested from
    folder, _ = ctx.zakupki("spending", docs, items=ITEMS_PER_LIST, with_items=True, per_archive=max(docs // 40, 1))
    same = ctx.work / f"dataset-spending-same-{docs}"
    stamp = same / "bench-key.json"
    key = json.dumps([str(folder), counts.get("items"), _code_hash()])
    if not (stamp.exists() and stamp.read_text() == key):
        if same.exists():
            shutil.rmtree(same)
        export_dataset([str(folder)], same, engine="dask", workers=2)
        stamp.write_text(key)
    q = Query(by=["year"])
    copies = STORE_COPIES.get(ctx.sizes.spending_items, 2)
    store_k = ctx.work / f"store-spending-x{copies}"
    replicate_store(store, store_k, copies)
    same_k = ctx.work / f"dataset-spending-same-x{copies}"
    replicate(same, same_k, copies)
    n_store = _store_items(store_k)

    def ours(path: Path):
        with Dataset.open(path) as ds:
            return spending(ds, q)

    t_store1, _ = median_time(lambda: run([], q, store=store), ctx.reps)
    t_store, store_report = median_time(lambda: run([], q, store=store_k), ctx.reps)
    t_same, same_report = median_time(lambda: ours(same_k), ctx.reps)
    if same_report.rows != store_report.rows:
        raise RuntimeError("spending from the dataset differs from spending from the store")
    n_same = _items(same)
    big_items = DATASET_ITEMS.get(ctx.sizes.spending_items, ctx.sizes.spending_items * 10)
    big = ctx.work / f"dataset-spending-{big_items}"
    factor = max(1, round(big_items / max(n_same, 1)))
    replicate(same, big, factor)
    n_big = _items(big)
    t_big, big_report = median_time(lambda: ours(big), ctx.reps)
    t_hand, hand_rows = median_time(lambda: by_hand(big), ctx.reps)
    check_hand(big_report.rows, hand_rows)
    # the store at the big dataset's items: its time at n_store items and the slope measured between its one
    # copy and its `copies` copies (the store's path is linear in items: one row per item read and added)
    n_one = n_store // copies
    slope = max(t_store - t_store1, 0) / max(n_store - n_one, 1)
    scaled = t_store + slope * (n_big - n_store)
    ratio_hand = t_big / t_hand
    ratio_store = scaled / t_big
    note = (f"{n_big:,} items ({factor} copies of the {n_same:,} real ones): tenderscan {t_big:.2f}s, the same "
            f"SQL by hand {t_hand:.2f}s ({ratio_hand:.2f}x, target <= 2x); store and pandas: {t_store1:.2f}s on "
            f"{n_one:,} items, {t_store:.2f}s on {n_store:,} ({copies} copies; the dataset of the same items "
            f"{t_same:.2f}s, {t_store / t_same:.1f}x), so ~{scaled:.1f}s on {n_big:,} items: {ratio_store:.1f}x "
            f"the dataset's {t_big:.2f}s (target >= 5x)")
    status = "PASS" if ratio_hand <= 2 and ratio_store >= 5 else "FAIL"
    return Result("dataset-spending", status, Fig(f"{n_big / 1e6:.1f}M items", t_big, "s"),
                  Fig("SQL by hand", t_hand, "s"), ratio_hand, "<= 2x (and the store >= 5x slower)", note,
                  {"items": n_big, "ours_s": t_big, "hand_s": t_hand, "store_s": t_store, "store1_s": t_store1,
                   "same_s": t_same, "store_items": n_store, "ratio_store": ratio_store, "store_scaled_s": scaled})


def _store_items(store: Path) -> int:
    import sqlite3

    con = sqlite3.connect(f"file:{store / 'tenderscan.sqlite'}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM items WHERE latest = 1").fetchone()[0]
    finally:
        con.close()


def replicate_store(src: Path, out: Path, copies: int) -> None:
    """The store ``src`` with ``copies`` copies of its documents and items (the copies' ids, sha256 and doc
    keys made their own, everything else as stored, the JSON too), by SQL inside SQLite. Reused."""
    import sqlite3

    stamp = out / "bench-key.json"
    key = json.dumps([str(src), copies, (src / "bench-key.json").read_text()])
    if stamp.exists() and stamp.read_text() == key:
        return
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(src / "tenderscan.sqlite", out / "tenderscan.sqlite")
    con = sqlite3.connect(out / "tenderscan.sqlite")
    try:
        top = con.execute("SELECT max(doc) FROM documents").fetchone()[0]
        for table, changed in (("documents", {"id", "sha256"}), ("items", {"id"})):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            for k in range(1, copies):
                exprs = [f"doc + {k * top}" if c == "doc" else f"{c} || '-copy{k}'" if c in changed else c
                         for c in cols]
                con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {table} "
                            f"WHERE doc <= {top}")
        con.commit()
    finally:
        con.close()
    stamp.write_text(key)


def _code_hash() -> str:
    """Changes whenever the dataset's code changes, so a cached dataset is written again."""
    import hashlib

    from corpus import ROOT

    h = hashlib.sha256()
    for p in sorted((ROOT / "src" / "tenderscan" / "services" / "dataset").glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def _items(path: Path) -> int:
    from tenderscan.services.dataset.query import Dataset

    with Dataset.open(path) as ds:
        return ds.sql("SELECT count(*) FROM items").fetchall()[0][0]


def replicate(src: Path, out: Path, factor: int) -> None:
    """A dataset of ``factor`` copies of the real rows of ``src``, file by file (so its files are as many
    and as large as an export of ``factor`` times the documents would write): each copy's documents are
    documents of their own (new raw sha256, id and ``doc`` numbers), with the manifest and the latest table.
    Reused when it is there."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from tenderscan.services.dataset import manifest as mf
    from tenderscan.services.dataset.commit import connect, latest

    stamp = out / "bench-key.json"
    key = json.dumps([str(src), factor, (src / "_manifest.json").stat().st_mtime_ns, _code_hash()])
    if stamp.exists() and stamp.read_text() == key:
        return
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    base = mf.load(src)
    span = base.next_seq  # task numbers of one copy
    m = mf.Manifest(next_seq=span * factor, commits=1)
    for k in range(factor):
        for task_key, task in base.tasks.items():
            files = []
            for f in task["files"]:
                if f["table"] not in ("documents", "items", "stations"):
                    continue
                t = pq.read_table(src / f["path"])
                t = t.set_column(t.schema.get_field_index("doc"), "doc",
                                 pc.add(t["doc"], pa.scalar((k * span) << 32, pa.int64())))
                sha = "sha256" if f["table"] == "documents" else "doc_sha256"
                t = t.set_column(t.schema.get_field_index(sha), sha,
                                 pc.binary_join_element_wise(t[sha], pa.scalar(f"-{k:06d}"), ""))
                if f["table"] == "documents":
                    t = t.set_column(t.schema.get_field_index("id"), "id",
                                     pc.binary_join_element_wise(t["id"], pa.scalar(f"-copy{k}"), ""))
                    t = t.set_column(t.schema.get_field_index("task_seq"), "task_seq",
                                     pc.add(t["task_seq"], pa.scalar(k * span, pa.int32())))
                rel = str(Path(f["path"]).with_name(f"part-copy{k:06d}-{Path(f['path']).name[5:]}"))
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(t, out / rel, compression="zstd")
                files.append({**f, "path": rel})
            m.tasks[f"copy{k:06d}-{task_key}"] = {**task, "seq": task["seq"] + k * span, "files": files}
    con = connect()
    try:
        staged = latest(con, out, m, [], "part-000001.parquet")
    finally:
        con.close()
    (out / "latest").mkdir()
    os.replace(staged, out / "latest" / "part-000001.parquet")
    m.latest = "latest/part-000001.parquet"
    mf.write_json(out / "_manifest.json", m.as_json())
    stamp.write_text(key)


HAND_SQL = """
WITH d AS (
    SELECT doc, kind, year(date) AS year, currency, amount, items_quantity AS qsum, items_units > 1 AS many,
           items_unit_key AS k, items_unit_missing AS nounit
    FROM read_parquet('{root}/documents/**/*.parquet', hive_partitioning = true)
    SEMI JOIN read_parquet('{root}/latest/*.parquet') l USING (doc)
    WHERE kind IN ('notice', 'contract') AND source_format <> 'zakupki/rss'),
st AS ({stations})
SELECT year, kind, currency, count(*) AS count, sum(amount) AS amount,
       sum(qsum) AS qsum,
       count(DISTINCT k) FILTER (WHERE qsum IS NOT NULL AND NOT nounit AND NOT many)
         + CAST(coalesce(bool_or(qsum IS NOT NULL AND nounit), false) AS INTEGER)
         + 2 * CAST(coalesce(bool_or(qsum IS NOT NULL AND NOT nounit AND many), false) AS INTEGER) AS units,
       len(list_distinct(flatten(list(names) FILTER (WHERE names IS NOT NULL)))) AS stations
FROM d LEFT JOIN st USING (doc)
GROUP BY ALL ORDER BY ALL
"""


def by_hand(root: Path) -> list[tuple]:
    """The same figures, in DuckDB SQL written by hand over the files (no manifest, no Python after it)."""
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    try:
        stations = (f"SELECT doc, list(DISTINCT station) AS names FROM read_parquet("
                    f"'{root}/stations/**/*.parquet', hive_partitioning = true) GROUP BY doc"
                    if any((root / "stations").rglob("*.parquet")) else
                    "SELECT NULL::BIGINT AS doc, NULL::VARCHAR[] AS names WHERE false")
        return con.execute(HAND_SQL.format(root=root, stations=stations)).fetchall()
    finally:
        con.close()


def check_hand(rows: list[dict], hand: list[tuple]) -> None:
    got = {(r["year"], r["kind"], r["currency"]): (r["count"], r["amount"], r["units"], r["stations"],
                                                   r["quantity"]) for r in rows}
    want = {(y, k, c): (n, a, u, s or 0, q if u == 1 else None) for y, k, c, n, a, q, u, s in hand}
    if got != want:
        raise RuntimeError("the SQL by hand and tenderscan disagree")
