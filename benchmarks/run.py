"""Run the benchmarks of issue 7: each target against its baseline, on the same input, in one run.

    python benchmarks/run.py                  # the full run (RESULTS.md); installs flatten-tool under .work/
    python benchmarks/run.py --quick          # under 3 minutes on a 2-core machine
    python benchmarks/run.py --quick --tiny   # seconds; what CI runs, for errors only
    python benchmarks/run.py --only ingest,parse --json out.json

One line per target: our figure, the baseline's, the ratio, the target, and PASS, FAIL or SKIP (a feature not
built yet, with the reason) or ERROR (the tool or the harness broke). Exits 0 unless --strict (then 1 when a
target failed or broke); 2 when the harness itself could not start.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_dataset import target_dataset_export, target_dataset_rss, target_dataset_spending
from bench_export import target_ocds, target_ocds_rss, target_spending
from bench_fetch import target_fetch
from bench_ingest import Ctx, target_ingest, target_parse, target_rss
from harness import MODES, Result, Skip, machine

TARGETS = {
    "ingest": lambda ctx: target_ingest(ctx),
    "ingest-jobs2": lambda ctx: target_ingest(ctx, jobs=2),
    "parse": target_parse,
    "ingest-rss": target_rss,
    "ingest-ocds-rss": target_ocds_rss,
    "ocds-csv": target_ocds,
    "spending": target_spending,
    "fetch": target_fetch,
    "dataset-dask": target_dataset_export,  # issue 17: the Parquet dataset (benchmarks/bench_dataset.py)
    "dataset-spending": target_dataset_spending,
    "dataset-rss": target_dataset_rss,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small inputs, 3 repetitions (under 3 minutes)")
    ap.add_argument("--tiny", action="store_true", help="with --quick: tiny inputs, 1 repetition (CI)")
    ap.add_argument("--only", action="append", default=[], help="only these targets (comma separated): "
                    + ", ".join(TARGETS))
    ap.add_argument("--reps", type=int, default=None, help="repetitions per measurement (median taken)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails or breaks")
    ap.add_argument("--json", type=Path, default=None, help="also write the results and the machine as JSON")
    ap.add_argument("--work", type=Path, default=HERE / ".work", help="stores, venvs, outputs")
    ap.add_argument("--corpus", type=Path, default=HERE / "corpus", help="generated inputs (reused)")
    ap.add_argument("--debug", action="store_true", help="print tracebacks of broken targets")
    args = ap.parse_args(argv)

    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    sizes = MODES[mode]
    if args.reps:
        sizes.reps = args.reps
    names = [n.strip() for part in args.only for n in part.split(",") if n.strip()] or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        ap.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    args.work.mkdir(parents=True, exist_ok=True)
    args.corpus.mkdir(parents=True, exist_ok=True)
    ctx = Ctx(sizes=sizes, work=args.work, corpus=args.corpus, seed=args.seed)

    info = machine()
    print(f"# tenderscan benchmarks, {mode} run, {sizes.reps} rep(s), commit {info['commit']}", flush=True)
    print(f"# {info['cpu']}, {info['cores']} cores, {info['memory']}; Python {info['python']}, "
          f"lxml {info['lxml']} (libxml2 {info['libxml2']}), pandas {info['pandas']}, "
          f"xmltodict {info['xmltodict']}; load average {info['load']}", flush=True)
    results: list[Result] = []
    t_start = time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        try:
            r = TARGETS[name](ctx)
        except Skip as exc:
            r = Result(name, "SKIP", note=str(exc))
        except Exception as exc:  # noqa: BLE001 - one broken target must not hide the others
            if args.debug:
                traceback.print_exc()
            r = Result(name, "ERROR", note=f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
        r.extra["seconds"] = round(time.perf_counter() - t0, 1)
        results.append(r)
        print(r.line(), flush=True)
    total = time.perf_counter() - t_start
    counts = {s: sum(r.status == s for r in results) for s in ("PASS", "FAIL", "SKIP", "ERROR")}
    print(f"# {', '.join(f'{v} {k}' for k, v in counts.items())} in {total:.0f}s", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"mode": mode, "reps": sizes.reps, "machine": info, "seconds": total,
                                         "results": [r.as_dict() for r in results]}, indent=1))
    if args.strict and (counts["FAIL"] or counts["ERROR"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
