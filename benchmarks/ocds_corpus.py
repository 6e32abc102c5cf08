"""Seeded OCDS release packages built from the real publisher releases in ``fixtures/ocds``.

Every generated release is a real release (Mexico City, Mexico federal, Paraguay, Chile, the standard's
worked examples) copied as it is, except for its ``ocid`` (a new one per contracting process), its ``id``
and its ``date`` (moved by one offset per process so the process's releases keep their order). A process
takes the releases of one real ocid in date order (all of them or the first few), so merging them means
something. The package is written release by release: memory does not grow with its size.

    python benchmarks/ocds_corpus.py /tmp/big.json --releases 60000 --seed 3      # ~ 400+ MB
    python benchmarks/ocds_corpus.py /tmp/shuffled.json --releases 2000 --interleave

From Python: ``build_release_package(path, releases=..., seed=..., interleave=False)``.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OCDS = ROOT / "fixtures" / "ocds"


def _read(path: Path) -> dict:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return json.loads(text.removeprefix(codecs.BOM_UTF8.decode()))


def real_processes() -> list[list[dict]]:
    """The releases of each real ocid in the fixtures, grouped and sorted by date."""
    by_ocid: dict[str, dict[str, dict]] = {}
    for path in sorted(OCDS.rglob("*.json")):
        if path.name.startswith("schema_"):
            continue
        doc = _read(path)
        releases = list(doc.get("releases") or [])
        for record in doc.get("records") or []:
            releases += [r for r in record.get("releases") or [] if "ocid" in r]
        for r in releases:
            if isinstance(r, dict) and r.get("ocid") and r.get("date") and "tag" in r:
                by_ocid.setdefault(r["ocid"], {})[str(r.get("id"))] = r
    return [sorted(group.values(), key=lambda r: r["date"]) for group in by_ocid.values()]


def _shift(date: str, days: int) -> str:
    try:
        value = datetime.fromisoformat(date)
    except ValueError:
        return date
    out = (value + timedelta(days=days)).isoformat()
    return out.replace("+00:00", "Z") if date.endswith("Z") else out


def iter_releases(releases: int, seed: int = 0) -> list[dict]:
    """Yield `releases` releases, process after process (one ocid's releases adjacent)."""
    rng = random.Random(seed)
    pool = real_processes()
    n = 0
    process = 0
    while n < releases:
        group = rng.choice(pool)
        take = min(len(group), rng.randint(1, len(group)), releases - n)
        process += 1
        ocid = f"ocds-bench-{seed:03d}-{process:08d}"
        days = rng.randint(-3650, 0)
        for i, real in enumerate(group[:take]):
            r = dict(real)
            r["ocid"] = ocid
            r["id"] = f"{ocid}-{i + 1:02d}"
            r["date"] = _shift(real["date"], days)
            yield r
            n += 1


def build_release_package(path: str | Path, *, releases: int, seed: int = 0, interleave: bool = False) -> dict:
    """Write a release package of `releases` real releases to `path`; returns {releases, processes, bytes}.

    With `interleave`, releases of different processes are mixed (a process's releases are no longer
    adjacent), which makes the reader spill to disk; only use it for small packages (it shuffles in memory).
    """
    path = Path(path)
    stream = iter_releases(releases, seed)
    if interleave:
        items = list(stream)
        random.Random(seed + 1).shuffle(items)
        stream = iter(items)
    ocids: set[str] = set()
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"uri": "https://example.invalid/tenderscan-benchmark.json", "version": "1.1", '
                 f'"publishedDate": "2024-01-01T00:00:00Z", "publisher": {{"name": "tenderscan benchmark, seed {seed}"}}, '
                 '"releases": [\n')
        for r in stream:
            if count:
                fh.write(",\n")
            fh.write(json.dumps(r, ensure_ascii=False))
            ocids.add(r["ocid"])
            count += 1
        fh.write("\n]}\n")
    return {"releases": count, "processes": len(ocids), "bytes": path.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the package file to write")
    ap.add_argument("--releases", type=int, default=50_000, help="number of releases (default 50000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--interleave", action="store_true", help="mix the releases of different processes")
    args = ap.parse_args(argv)
    stats = build_release_package(args.out, releases=args.releases, seed=args.seed, interleave=args.interleave)
    print(f"{args.out}: {stats['releases']} releases of {stats['processes']} processes, "
          f"{stats['bytes'] / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
