"""Profile parsing and ingest with pyinstrument (``pip install -e '.[bench]'``), on the benchmark corpus.

    python benchmarks/profiling.py parse  [--docs 1000]     # tenderscan.parse over corpus documents
    python benchmarks/profiling.py ingest [--docs 1000]     # `tenderscan ingest` of the corpus, in one process

Writes the call tree as text to ``benchmarks/.work/profile-<what>.txt`` (and ``.html``) and prints the
functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ingest import Ctx
from corpus import iter_documents
from harness import MODES, fresh_dir


def _profile_parse(ctx: Ctx, docs: int):
    from tenderscan import parse

    folder, _ = ctx.zakupki("ingest", docs)
    data = [(n, d) for n, d in iter_documents(folder)]
    parse(data[0][1], name=data[0][0])  # imports outside the profile

    def work():
        for _ in range(3):
            for name, d in data:
                parse(d, name=name)

    return work


def _profile_ingest(ctx: Ctx, docs: int):
    import os

    from typer.testing import CliRunner

    from tenderscan.cli import app

    folder, _ = ctx.zakupki("ingest", docs)
    store = ctx.work / "store-profile"

    def work():
        fresh_dir(store)
        os.environ["TENDERSCAN_STORE"] = str(store)
        result = CliRunner().invoke(app, ["--quiet", "ingest", str(folder)], catch_exceptions=False)
        if result.exit_code not in (0, 1):
            raise SystemExit(f"ingest exited {result.exit_code}")

    return work


def own_time(session, top: int = 25) -> list[tuple[float, str]]:
    """Functions by self time (time spent in their own code, not their callees)."""
    totals: dict[str, float] = {}

    def walk(frame):
        if frame is None:
            return
        if not frame.is_synthetic:
            name = f"{frame.function} ({Path(frame.file_path or '?').name}:{frame.line_no})"
            totals[name] = totals.get(name, 0.0) + frame.total_self_time
        for c in frame.children:
            walk(c)

    walk(session.root_frame())
    return sorted(((t, n) for n, t in totals.items()), reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["parse", "ingest"])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    work_dir = HERE / ".work"
    work_dir.mkdir(exist_ok=True)
    ctx = Ctx(sizes=MODES["quick"], work=work_dir, corpus=HERE / "corpus", seed=args.seed)
    work = (_profile_parse if args.what == "parse" else _profile_ingest)(ctx, args.docs)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    work()
    session = profiler.stop()
    out = work_dir / f"profile-{args.what}"
    out.with_suffix(".txt").write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    out.with_suffix(".html").write_text(profiler.output_html())
    total = session.duration
    print(f"{args.what}: {total:.2f}s profiled; call tree in {out}.txt")
    for t, name in own_time(session):
        print(f"{t:7.3f}s {100 * t / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
