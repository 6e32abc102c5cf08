"""Where ingest time goes, in CPU time, stage by stage, on the benchmark corpus.

    python benchmarks/profile_ingest.py                  # the quick ingest corpus (1000 docs)
    python benchmarks/profile_ingest.py --docs 5000      # the full run's
    python benchmarks/profile_ingest.py --pyinstrument   # also a call tree of the in-process ingest

Stages (CPU µs per document, ``time.process_time``, median of ``--reps``): the baseline (unzip and
``etree.fromstring``, as ``bench_ingest.lxml_loop``); reading the units as ingest does (unzip, sha256,
has_raw); ``parse_unit`` (parse, stations, rows, compression) over units in memory; ``Store.write`` of
those results; the whole ``ingest()`` in this process; and the CLI in a subprocess (``wait4`` CPU of
``tenderscan ingest`` and of ``tenderscan --version``, the start-up every CLI figure carries).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def cpu(fn, reps: int, setup=None) -> tuple[float, object]:
    times, last = [], None
    for _ in range(reps):
        if setup is not None:
            setup()
        t0 = time.process_time()
        last = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), last


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1, help="jobs for the in-process and CLI ingest")
    ap.add_argument("--pyinstrument", action="store_true")
    args = ap.parse_args(argv)

    from bench_ingest import Ctx, lxml_loop
    from harness import MODES, fresh_dir, run_cli

    from tenderscan.store import Store
    from tenderscan.services.ingest import IngestStats, _units, ingest
    from tenderscan.services.ingest_work import Parsed, Worker, parse_unit

    work = HERE / ".work"
    ctx = Ctx(sizes=MODES["quick"], work=work, corpus=HERE / "corpus")
    folder, m = ctx.zakupki("ingest", args.docs)
    store_dir = work / "store-profile-ingest"
    n = m.docs
    us = 1e6 / n
    rows: dict[str, float] = {}

    rows["baseline: unzip + fromstring"] = cpu(lambda: lxml_loop(folder), args.reps)[0] * us

    fresh_dir(store_dir)
    st = Store.open(store_dir)
    rows["read units (unzip, sha, has_raw)"], units = cpu(
        lambda: list(_units([str(folder)], st, IngestStats(), None)), args.reps)
    rows["read units (unzip, sha, has_raw)"] *= us
    worker = Worker()
    parse_unit(units[0], worker)
    rows["parse_unit (parse, stations, rows)"], results = cpu(lambda: [parse_unit(u, worker) for u in units],
                                                              args.reps)
    rows["parse_unit (parse, stations, rows)"] *= us
    batch = [r.document for r in results if isinstance(r, Parsed)]

    def reset():
        st.conn.close()
        fresh_dir(store_dir)
        st.conn = Store.open(store_dir).conn

    def write():
        for i in range(0, len(batch), 500):
            st.write(batch[i:i + 500])

    rows["Store.write (500 per commit)"] = cpu(write, args.reps, reset)[0] * us
    st.close()

    def whole():
        with Store.open(store_dir) as s:
            return ingest([str(folder)], store=s, jobs=args.jobs)

    rows[f"ingest() in process, jobs {args.jobs}"] = cpu(whole, args.reps, lambda: fresh_dir(store_dir))[0] * us
    runs = []
    for _ in range(args.reps):
        fresh_dir(store_dir)
        runs.append(run_cli(["--quiet", "ingest", "--jobs", str(args.jobs), str(folder)], store=store_dir))
    version = [run_cli(["--version"]) for _ in range(args.reps)]
    rows[f"CLI ingest, jobs {args.jobs} (wait4 CPU)"] = statistics.median(r.cpu for r in runs) * us
    rows["CLI --version (wait4 CPU)"] = statistics.median(r.cpu for r in version) * us

    print(f"## ingest of {n} docs ({m.xml_bytes / 1e6:.0f} MB XML), CPU µs/doc, median of {args.reps}")
    for k, v in rows.items():
        print(f"  {k:<40} {v:8.0f}")
    print(f"  CLI wall {statistics.median(r.wall for r in runs):.2f}s, --version wall "
          f"{statistics.median(r.wall for r in version):.2f}s, peak RSS {max(r.maxrss_mb for r in runs):.0f} MB")

    if args.pyinstrument:
        from pyinstrument import Profiler

        fresh_dir(store_dir)
        prof = Profiler(interval=0.0005)
        prof.start()
        whole()
        prof.stop()
        out = work / "profile-ingest-phase2.txt"
        out.write_text(prof.output_text(unicode=False, color=False))
        print(f"call tree in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
