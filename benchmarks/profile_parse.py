"""Where parsing time goes, in CPU microseconds per document, stage by stage and per format.

    python benchmarks/profile_parse.py                 # the quick corpus (400 docs) and the 32 real samples
    python benchmarks/profile_parse.py --docs 2000 --reps 5
    python benchmarks/profile_parse.py --cprofile 25   # also the top functions by own time (cProfile)

Every figure is ``time.process_time`` (CPU seconds of this process: other load on the machine does not move
it much), the median of ``--reps`` runs. Stages: bare ``etree.fromstring``; ``xmltodict.parse`` (the
baseline); ``parse_xml`` (safety checks included); detection; the format parser; ``tenderscan.parse``
without and with station annotation; ``model_dump_json`` of the result (what ingest stores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def cpu(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def corpus_docs(docs: int) -> list[tuple[str, bytes]]:
    from bench_ingest import Ctx
    from corpus import iter_documents
    from harness import MODES

    ctx = Ctx(sizes=MODES["quick"], work=HERE / ".work", corpus=HERE / "corpus")
    folder, _ = ctx.zakupki("ingest", MODES["quick"].ingest_docs)
    out = []
    for name, data in iter_documents(folder):
        out.append((name, data))
        if len(out) >= docs:
            break
    return out


def real_docs() -> list[tuple[str, bytes]]:
    from tenderscan import TenderscanError, parse

    out = []
    for p in sorted((HERE.parent / "fixtures" / "zakupki").glob("*.xml")):
        data = p.read_bytes()
        try:
            parse(data, name=p.name, stations=False)
        except TenderscanError:
            continue
        out.append((p.name, data))
    return out


def stages(docs: list[tuple[str, bytes]], reps: int) -> dict[str, float]:
    import xmltodict
    from lxml import etree

    from tenderscan import parse
    from tenderscan.formats import ParseContext, detect_xml
    from tenderscan.models import Source
    from tenderscan.safety.xml import parse_xml

    roots = [parse_xml(d) for _, d in docs]
    fmts = [detect_xml(r) for r in roots]
    results = [parse(d, name=n, stations=True) for n, d in docs]
    n = len(docs)
    us = 1e6 / n

    def fmt_parse():
        for r, f in zip(roots, fmts):
            list(f.parse(r, ParseContext(source=Source())))

    def dump():
        for ts in results:
            for t in ts:
                t.model_dump_json(exclude={"supplier", "winner"})

    return {
        "lxml.fromstring": cpu(lambda: [etree.fromstring(d) for _, d in docs], reps) * us,
        "xmltodict.parse": cpu(lambda: [xmltodict.parse(d) for _, d in docs], reps) * us,
        "parse_xml": cpu(lambda: [parse_xml(d) for _, d in docs], reps) * us,
        "detect_xml": cpu(lambda: [detect_xml(r) for r in roots], reps) * us,
        "format parser": cpu(fmt_parse, reps) * us,
        "tenderscan.parse": cpu(lambda: [parse(d, name=nm, stations=False) for nm, d in docs], reps) * us,
        "... + stations": cpu(lambda: [parse(d, name=nm, stations=True) for nm, d in docs], reps) * us,
        "model_dump_json": cpu(dump, reps) * us,
    }


def per_format(docs: list[tuple[str, bytes]], reps: int) -> list[tuple[str, int, float, float]]:
    """(format, docs, µs/doc tenderscan.parse, µs/doc xmltodict) per detected format."""
    import xmltodict

    from tenderscan import parse
    from tenderscan.formats import detect_xml
    from tenderscan.safety.xml import parse_xml

    groups: dict[str, list] = defaultdict(list)
    for name, d in docs:
        groups[detect_xml(parse_xml(d)).name].append((name, d))
    out = []
    for fmt, ds in sorted(groups.items()):
        ours = cpu(lambda: [parse(d, name=n, stations=False) for n, d in ds], reps) / len(ds) * 1e6
        base = cpu(lambda: [xmltodict.parse(d) for _, d in ds], reps) / len(ds) * 1e6
        out.append((fmt, len(ds), ours, base))
    return out


def top_functions(docs, limit: int) -> None:
    import cProfile
    import pstats

    from tenderscan import parse

    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(3):
        for n, d in docs:
            parse(d, name=n, stations=False)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--cprofile", type=int, default=0, help="print this many top functions (cProfile)")
    ap.add_argument("--no-formats", action="store_true", help="skip the per-format table")
    args = ap.parse_args(argv)
    for label, docs in (("corpus", corpus_docs(args.docs)), ("real samples", real_docs())):
        s = stages(docs, args.reps)
        print(f"## {label}: {len(docs)} docs, CPU µs/doc (median of {args.reps})")
        for k, v in s.items():
            print(f"  {k:<18} {v:8.0f}")
        print(f"  ratio xmltodict / tenderscan.parse: {s['xmltodict.parse'] / s['tenderscan.parse']:.2f}x")
        if not args.no_formats:
            print("  per format: docs, ours µs, xmltodict µs, ratio")
            for fmt, n, ours, base in per_format(docs, args.reps):
                print(f"    {fmt:<22} {n:4d} {ours:8.0f} {base:8.0f} {base / ours:6.2f}x")
        if args.cprofile:
            top_functions(docs, args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
