"""Targets on whole stores and packages: `spending --by year` vs pandas, OCDS package to items CSV vs flatten-tool."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from bench_ingest import Ctx
from corpus import ROOT, ocds_generator
from harness import (
    Fig,
    Result,
    Skip,
    fresh_dir,
    judge,
    median_time,
    require_command,
    run_cli,
    run_cmd,
    store_counts,
)

ITEMS_PER_LIST = (80, 120)
ITEMS_PER_DOC = 84


# --- spending ----------------------------------------------------------------------------------------------


def _store_code_hash() -> str:
    """Changes whenever the store's or ingest's code changes, so a cached store is rebuilt."""
    h = hashlib.sha256()
    src = ROOT / "src" / "tenderscan"
    for p in sorted([*(src / "store").glob("*.py"), *(src / "cli").glob("ingest*.py")]):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def spending_store(ctx: Ctx) -> tuple[Path, dict[str, int]]:
    """A store holding about ``spending_items`` items, built once with `tenderscan ingest` and reused."""
    require_command("ingest")
    # 80-120 items per list make ~84 stored items per document on average over the item-bearing samples
    docs = max(-(-ctx.sizes.spending_items // ITEMS_PER_DOC), 10)
    # small archives: one archive is one day of one region, and the groups need several years
    folder, m = ctx.zakupki("spending", docs, items=ITEMS_PER_LIST, with_items=True,
                            per_archive=max(docs // 40, 1))
    key = json.dumps([m.params, _store_code_hash()], sort_keys=True)
    store = ctx.work / f"store-spending-{docs}"
    stamp = store / "bench-key.json"
    if not (stamp.exists() and stamp.read_text() == key):
        fresh_dir(store)
        run = run_cli(["--quiet", "ingest", str(folder)], store=store, timeout=max(ctx.sizes.timeout, 7200))
        stored = store_counts(store).get("documents", 0)
        if run.rc not in (0, 1) or stored < 0.9 * m.docs:
            raise RuntimeError(f"ingest of the spending corpus stored {stored} of {m.docs} documents "
                               f"(exit {run.rc}): {run.tail()}")
        stamp.write_text(key)  # cached only when complete
    return store, store_counts(store)


def _db(store: Path) -> Path:
    dbs = [p for p in store.rglob("*.sqlite")] + [p for p in store.rglob("*.db")]
    if not dbs:
        raise RuntimeError(f"no SQLite file in {store}")
    return dbs[0]


def load_rows(store: Path):
    """The stored rows as pandas frames, read once outside any timing: documents and items, latest versions,
    amounts and quantities as Decimal (the same exact values `spending` must add up)."""
    import pandas as pd

    con = sqlite3.connect(f"file:{_db(store)}?mode=ro", uri=True)
    try:
        d = con.execute("SELECT doc, year, kind, currency, amount FROM documents WHERE latest = 1").fetchall()
        i = con.execute("SELECT doc, year, kind, currency, quantity FROM items WHERE latest = 1").fetchall()
    except sqlite3.Error as exc:
        raise RuntimeError(f"the store's schema changed ({exc}); update benchmarks/bench_export.py") from None
    finally:
        con.close()

    def dec(v):
        return None if v is None else Decimal(v)

    docs = pd.DataFrame(d, columns=["doc", "year", "kind", "currency", "amount"])
    docs["amount"] = pd.Series([dec(v) for v in docs["amount"]], dtype=object)
    items = pd.DataFrame(i, columns=["doc", "year", "kind", "currency", "quantity"])
    items["quantity"] = pd.Series([dec(v) for v in items["quantity"]], dtype=object)
    return docs, items


def pandas_by_year(docs, items):
    """The bare baseline: count and total amount of documents and total item quantity per year, kind and
    currency, from frames already in memory."""
    keys = ["year", "kind", "currency"]
    a = docs.groupby(keys, dropna=False).agg(count=("doc", "size"), amount=("amount", "sum"))
    q = items.groupby(keys, dropna=False).agg(quantity=("quantity", "sum"))
    return a.join(q, how="left")


def pandas_floor() -> float:
    """Interpreter start plus `import pandas`: what any pandas script pays before its groupby."""
    runs = [run_cmd([sys.executable, "-c", "import pandas"], timeout=120).wall for _ in range(3)]
    return sorted(runs)[1]


def target_spending(ctx: Ctx) -> Result:
    require_command("spending", "--by")
    store, counts = spending_store(ctx)
    n_items = counts.get("items", 0)
    docs, items = load_rows(store)
    t_group, _ = median_time(lambda: pandas_by_year(docs, items), ctx.reps)
    floats = items.assign(quantity=items["quantity"].astype(float))
    t_float, _ = median_time(lambda: pandas_by_year(docs.assign(amount=docs["amount"].astype(float)), floats),
                             ctx.reps)
    floor = pandas_floor()
    out = ctx.work / "spending.json"
    walls = []
    for _ in range(ctx.reps):
        run = run_cli(["--quiet", "spending", "--by", "year", "--format", "json"], store=store,
                      timeout=ctx.sizes.timeout, stdout=out)
        if run.rc != 0:
            raise RuntimeError(f"spending exited {run.rc}: {run.tail()}")
        walls.append(run.wall)
    walls.sort()
    wall = walls[len(walls) // 2]
    try:
        groups = len(json.loads(out.read_text()))
    except ValueError:
        groups = -1
    base = floor + t_group
    ratio = wall / base
    note = (f"{n_items:,} items in {len(docs):,} docs, {groups} groups; baseline = python+pandas start "
            f"{floor:.2f}s + Decimal groupby {t_group:.3f}s (float groupby {t_float:.3f}s); "
            f"CLI start {ctx.startup():.2f}s, peak RSS {run.maxrss_mb:.0f} MB")
    return Result("spending", judge(ratio, at_most=3), Fig("tenderscan", wall, "s"),
                  Fig("pandas", base, "s"), ratio, "<= 3x", note,
                  {"items": n_items, "wall_s": wall, "groupby_s": t_group, "groupby_float_s": t_float,
                   "pandas_floor_s": floor})


# --- OCDS -------------------------------------------------------------------------------------------------

FLATTEN_VENV = "flattentool-venv"


def flatten_tool(ctx: Ctx, install: bool) -> Path | None:
    """flatten-tool from PyPI in its own venv under benchmarks/.work (installed only when ``install``)."""
    venv = ctx.work / FLATTEN_VENV
    exe = venv / "bin" / "flatten-tool"
    if exe.exists():
        return exe
    if not install:
        return None
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "flattentool"], check=True)
    return exe


def ocds_package(ctx: Ctx, releases: int) -> Path:
    mod = ocds_generator()
    if mod is None:
        raise Skip("benchmarks/ocds_corpus.py (the OCDS package generator) is not there yet")
    out = ctx.corpus / f"ocds-{releases}-s{ctx.seed}.json"
    if not out.exists():
        tmp = out.with_suffix(".tmp")
        mod.build_release_package(tmp, releases=releases, seed=ctx.seed)
        tmp.rename(out)
    return out


def target_ocds(ctx: Ctx) -> Result:
    require_command("export", "--table")
    package = ocds_package(ctx, ctx.sizes.ocds_releases)
    size_mb = package.stat().st_size / 1e6
    csv = ctx.work / "ocds-items.csv"
    walls, rss = [], []
    reps = 1 if ctx.sizes.ocds_releases >= 10_000 else ctx.reps
    for _ in range(reps):
        csv.unlink(missing_ok=True)
        run = run_cli(["--quiet", "export", str(package), "--table", "items", "-o", str(csv)],
                      store=ctx.work / "store-ocds", timeout=ctx.sizes.timeout)
        if run.rc != 0:
            raise RuntimeError(f"export exited {run.rc}: {run.tail()}")
        walls.append(run.wall)
        rss.append(run.maxrss_mb)
    wall, peak = sorted(walls)[len(walls) // 2], max(rss)
    rows = sum(1 for _ in csv.open("rb")) - 1 if csv.exists() else -1
    exe = flatten_tool(ctx, install=ctx.sizes.flattentool)
    ours = Fig("tenderscan", wall, "s")
    info = f"{size_mb:.0f} MB package, {rows:,} item rows, our peak RSS {peak:.0f} MB (target <= 150 MB)"
    if exe is None:
        status = "SKIP" if peak <= 150 else "FAIL"
        return Result("ocds-csv", status, ours, None, None, ">= 5x, RSS <= 150 MB",
                      info + "; flatten-tool not installed (installed by the full run)",
                      {"wall_s": wall, "rss_mb": peak})
    outdir = fresh_dir(ctx.work / "flatten-out")
    ft = run_cmd([str(exe), "flatten", "--root-list-path", "releases", "--root-id", "ocid", "-m", "releases",
                  "-f", "csv", "-o", str(outdir / "out"), str(package)], timeout=7200)
    if ft.rc != 0:
        raise RuntimeError(f"flatten-tool exited {ft.rc}: {ft.tail()}")
    ratio = ft.wall / wall
    status = "PASS" if ratio >= 5 and peak <= 150 else "FAIL"
    return Result("ocds-csv", status, ours, Fig("flatten-tool", ft.wall, "s"), ratio, ">= 5x, RSS <= 150 MB",
                  info + f"; flatten-tool peak RSS {ft.maxrss_mb:.0f} MB",
                  {"wall_s": wall, "rss_mb": peak, "flatten_s": ft.wall, "flatten_rss_mb": ft.maxrss_mb})



def target_ocds_rss(ctx: Ctx) -> Result:
    """Ingest of an OCDS package: peak RSS at 10x the size against 1x (flat, as the README says), and
    beside it `show` of the large one, which streams."""
    require_command("ingest")
    big_n = ctx.sizes.ocds_releases if ctx.sizes.ocds_releases >= 20_000 else ctx.sizes.ocds_releases * 10
    small, big = ocds_package(ctx, big_n // 10), ocds_package(ctx, big_n)
    runs = {}
    for label, package in (("1x", small), ("10x", big)):
        store = fresh_dir(ctx.work / f"store-ocds-rss-{label}")
        run = run_cli(["--quiet", "ingest", str(package)], store=store, timeout=ctx.sizes.timeout)
        if run.rc != 0:
            raise RuntimeError(f"ingest exited {run.rc}: {run.tail()}")
        runs[label] = run
    show = run_cli(["--quiet", "show", str(big), "--format", "jsonl"], timeout=ctx.sizes.timeout,
                   stdout=ctx.work / "ocds-rss-show.jsonl")
    r1, r10 = runs["1x"], runs["10x"]
    ratio = r10.maxrss_mb / r1.maxrss_mb
    mb1, mb10 = small.stat().st_size / 1e6, big.stat().st_size / 1e6
    note = (f"{big_n // 10:,} vs {big_n:,} releases ({mb1:.0f} vs {mb10:.0f} MB), ingest {r1.wall:.1f} vs "
            f"{r10.wall:.1f} s (CPU {r10.cpu:.1f} s); `show` of the large one {show.maxrss_mb:.0f} MB peak")
    return Result("ingest-ocds-rss", judge(ratio, at_most=1.2), Fig("10x", r10.maxrss_mb, "MB"),
                  Fig("1x", r1.maxrss_mb, "MB"), ratio, "<= 1.2x", note,
                  {"rss1_mb": r1.maxrss_mb, "rss10_mb": r10.maxrss_mb, "show_rss_mb": show.maxrss_mb,
                   "mb1": mb1, "mb10": mb10})
