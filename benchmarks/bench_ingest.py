"""Targets on zakupki XML: ingest vs a bare lxml loop (and --jobs 2), parse vs xmltodict, RSS at 1x vs 10x."""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from corpus import build_zakupki, iter_documents, load_templates
from harness import (
    Fig,
    Result,
    Sizes,
    Skip,
    fresh_dir,
    judge,
    median_time,
    require_command,
    run_cli,
    startup_seconds,
    store_counts,
)
from lxml import etree


@dataclass
class Ctx:
    """What every target shares in one run."""

    sizes: Sizes
    work: Path  # stores, venvs, outputs (benchmarks/.work)
    corpus: Path  # generated inputs (benchmarks/corpus)
    seed: int = 7
    _startup: float | None = None
    _parsable: dict[bool, list[str]] = field(default_factory=dict)

    @property
    def reps(self) -> int:
        return self.sizes.reps

    def startup(self) -> float:
        if self._startup is None:
            self._startup = startup_seconds()
        return self._startup

    def parsable(self, with_items: bool = False) -> list[str]:
        """Names of the real samples that today's parsers read into at least one tender (with items)."""
        if with_items not in self._parsable:
            from tenderscan import parse

            ok = []
            for tpl in load_templates():
                try:
                    tenders = parse(tpl.data, name=tpl.name, stations=False)
                except Exception:  # noqa: BLE001, S112 - refused or broken: either way not measurable yet
                    continue
                if tenders and (not with_items or any(t.items for t in tenders)):
                    ok.append(tpl.name)
            self._parsable[with_items] = ok
        return self._parsable[with_items]

    def zakupki(self, label: str, docs: int, *, items: tuple[int, int] | None = None,
                with_items: bool = False, per_archive: int | None = None) -> tuple[Path, object]:
        samples = self.parsable(with_items)
        if not samples:
            raise Skip("no zakupki sample is read by today's parsers" + (" with items" if with_items else ""))
        folder = self.corpus / f"{label}-{docs}-s{self.seed}"
        m = build_zakupki(folder, docs=docs, seed=self.seed, samples=samples, items=items,
                          per_archive=per_archive or self.sizes.per_archive)
        return folder, m


def lxml_loop(folder: Path) -> int:
    """The baseline: every XML member of every archive read and parsed with a bare ``etree.fromstring``."""
    n = 0
    for p in sorted(folder.glob("*.xml.zip")):
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".xml"):
                    etree.fromstring(zf.read(info))
                    n += 1
    return n


def _ingest(ctx: Ctx, folder: Path, store: Path, *extra: str):
    fresh_dir(store)
    run = run_cli(["--quiet", "ingest", *extra, str(folder)], store=store, timeout=ctx.sizes.timeout)
    if run.rc not in (0, 1):
        raise RuntimeError(f"ingest exited {run.rc}: {run.tail()}")
    return run


def _stored_note(store: Path, docs: int, run) -> str:
    counts = store_counts(store)
    stored = counts.get("documents")
    parts = [f"{docs} docs"]
    if stored is not None:
        parts.append(f"{stored} stored")
    if run.rc:
        parts.append(f"exit {run.rc}: {run.tail()[:80]}")
    return ", ".join(parts)


def target_ingest(ctx: Ctx, jobs: int | None = None) -> Result:
    name = "ingest" if jobs is None else f"ingest-jobs{jobs}"
    require_command("ingest", *(["--jobs"] if jobs else []))
    folder, m = ctx.zakupki("ingest", ctx.sizes.ingest_docs)
    base_t, n = median_time(lambda: lxml_loop(folder), ctx.reps)
    base_cpu, _ = median_time(lambda: lxml_loop(folder), ctx.reps, time.process_time)
    store = ctx.work / f"store-{name}"
    extra = ["--jobs", str(jobs)] if jobs else []
    runs = [_ingest(ctx, folder, store, *extra) for _ in range(ctx.reps)]
    walls = sorted(r.wall for r in runs)
    wall = walls[len(walls) // 2]
    ours, base = n / wall, n / base_t
    ratio = ours / base
    need = 0.5 if jobs is None else 0.9
    cpu = sorted(r.cpu for r in runs)[len(runs) // 2]
    note = (f"{_stored_note(store, n, runs[-1])}, {m.xml_bytes / 1e6:.0f} MB XML, CPU {cpu:.1f}s for "
            f"{wall:.1f}s wall (CPU-time ratio {base_cpu / cpu:.2f}x), fromstring alone {pure_parse_rate(folder):,.0f} docs/s, CLI start "
            f"{ctx.startup():.2f}s, peak RSS {max(r.maxrss_mb for r in runs):.0f} MB")
    return Result(name, judge(ratio, at_least=need), Fig("tenderscan", ours, "docs/s"),
                  Fig("lxml loop", base, "docs/s"), ratio, f">= {need}x", note,
                  {"docs": n, "wall_s": wall, "cpu_s": cpu, "baseline_s": base_t,
                   "baseline_cpu_s": base_cpu})


def target_parse(ctx: Ctx) -> Result:
    import xmltodict

    from tenderscan import TenderscanError, parse

    folder, _ = ctx.zakupki("ingest", ctx.sizes.ingest_docs)
    docs = []
    for name, data in iter_documents(folder):
        docs.append((name, data))
        if len(docs) >= ctx.sizes.parse_docs:
            break
    failed: list[str] = []

    def ours(stations: bool = False):
        failed.clear()
        for name, data in docs:
            try:
                parse(data, name=name, stations=stations)
            except TenderscanError as exc:
                failed.append(f"{name}: {exc}")

    def base():
        for _, data in docs:
            xmltodict.parse(data)

    def bare():
        for _, data in docs:
            etree.fromstring(data)

    # in one process both sides are timed in CPU seconds: other processes on the machine do not move them
    cpu = time.process_time
    ours()  # warm up imports and caches
    t_ours, _ = median_time(ours, ctx.reps, cpu)
    t_base, _ = median_time(base, ctx.reps, cpu)
    t_bare, _ = median_time(bare, ctx.reps, cpu)
    t_st, _ = median_time(lambda: ours(True), 1, cpu)
    n = len(docs)
    ratio = t_base / t_ours
    note = (f"{n} docs, CPU time, {len(failed)} failed; bare lxml {n / t_bare:,.0f} docs/s; with station "
            f"annotation {n / t_st:,.0f} docs/s")
    if failed:
        note += f"; first failure: {failed[0][:120]}"
    return Result("parse", judge(ratio, at_least=3), Fig("tenderscan", n / t_ours, "docs/s"),
                  Fig("xmltodict", n / t_base, "docs/s"), ratio, ">= 3x", note,
                  {"docs": n, "ours_s": t_ours, "baseline_s": t_base, "lxml_s": t_bare, "failed": len(failed)})


def target_rss(ctx: Ctx) -> Result:
    require_command("ingest")
    small, m1 = ctx.zakupki("rss", ctx.sizes.rss_docs)
    big, m10 = ctx.zakupki("rss", ctx.sizes.rss_docs * 10)
    store = ctx.work / "store-rss"
    r1 = _ingest(ctx, small, store)
    r10 = _ingest(ctx, big, store)
    ratio = r10.maxrss_mb / r1.maxrss_mb
    note = (f"{m1.docs} vs {m10.docs} docs ({m1.xml_bytes / 1e6:.0f} vs {m10.xml_bytes / 1e6:.0f} MB XML), "
            f"{m1.docs / r1.wall:,.0f} vs {m10.docs / r10.wall:,.0f} docs/s")
    return Result("ingest-rss", judge(ratio, at_most=1.2), Fig("10x", r10.maxrss_mb, "MB"),
                  Fig("1x", r1.maxrss_mb, "MB"), ratio, "<= 1.2x", note,
                  {"rss1_mb": r1.maxrss_mb, "rss10_mb": r10.maxrss_mb})


def pure_parse_rate(folder: Path, limit: int = 2000) -> float:
    """fromstring over bytes already in memory (no unzip): the very floor, for the notes."""
    docs = [d for _, (_, d) in zip(range(limit), iter_documents(folder))]
    t0 = time.perf_counter()
    for d in docs:
        etree.fromstring(d)
    return len(docs) / (time.perf_counter() - t0)
