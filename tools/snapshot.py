#!/usr/bin/env python3
"""Write what the CLI prints for every fixture into a folder, so two commits can be compared byte for byte.

    .venv/bin/python tools/snapshot.py OUT_DIR            # run from a checkout; uses the tenderscan it imports
    diff -r OUT_A OUT_B                                   # nothing printed: the outputs are identical

Covers `show --format json|csv` of every file under fixtures/, `ingest` of fixtures/ into a fresh store, then
`list`, every `export` table in every format (XLSX and Parquet read back as rows), `spending` by every key,
`diff` of stored pairs and `stations`. Moments that differ from run to run (`read_at`, the temporary folder)
are replaced by fixed markers; nothing else is touched.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
SUFFIXES = (".xml", ".json", ".jsonl", ".gz", ".txt", ".zip", ".http", ".html")
_READ_AT = re.compile(r'("read_at": ?)"[^"]*"')
_ISO_NOW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)")


def _clean(text: str, tmp: str) -> str:
    text = text.replace(tmp, "<TMP>").replace(str(ROOT), "<ROOT>")
    return _READ_AT.sub(r'\1"<READ_AT>"', text)


def main(out: Path) -> int:
    os.environ["COLUMNS"] = "200"
    os.environ.setdefault("TENDERSCAN_CBR_URL", "http://127.0.0.1:9")
    from typer.testing import CliRunner

    from tenderscan.cli import app

    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="tsnap-")
    store = Path(tmp) / "store"
    runner = CliRunner()
    n = 0

    def run(name: str, *args: str) -> None:
        nonlocal n
        r = runner.invoke(app, ["-q", *args], env={"TENDERSCAN_STORE": str(store)})
        body = f"exit {r.exit_code}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}\n"
        (out / f"{name}.txt").write_text(_clean(body, tmp), encoding="utf-8")
        n += 1

    files = sorted(p for p in FIX.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    for p in files:
        rel = str(p.relative_to(FIX)).replace("/", "__")
        run(f"show-json__{rel}", "show", "--format", "json", str(p))
        run(f"show-csv__{rel}", "show", "--format", "csv", str(p))

    run("ingest", "ingest", str(FIX / "zakupki"), str(FIX / "ocds"), str(FIX / "ted"), str(FIX / "prozorro"))
    run("list", "list", "--format", "json", "--all-versions", "--limit", "100000")
    for table in ("documents", "items", "parties", "stations", "attachments"):
        for fmt in ("csv", "jsonl", "xlsx", "parquet"):
            target = Path(tmp) / f"{table}.{fmt}"
            run(f"export__{table}__{fmt}", "export", "--table", table, "-o", str(target))
            if target.exists():
                (out / f"export__{table}.{fmt}.rows").write_text(_clean(_rows(target, fmt), tmp), encoding="utf-8")
        target = Path(tmp) / f"{table}-excel.csv"
        run(f"export__{table}__excel", "export", "--table", table, "--excel", "-o", str(target))
        if target.exists():
            (out / f"export__{table}.excel.rows").write_text(_clean(_rows(target, "csv"), tmp), encoding="utf-8")
    for by in ("year", "customer", "okpd2", "region", "kind", "source", "currency", "supplier", "law"):
        run(f"spending__{by}", "spending", "--by", by, "--format", "json")
    run("spending__year_customer", "spending", "--by", "year", "--by", "customer", "--format", "json")
    run("spending__topic", "spending", "--topic", "surveillance", "--by", "year", "--format", "json")
    run("diff__notices", "diff", "--format", "json", "0362100022326000101", "0320100007621000014")
    run("stations__85", "stations", "--format", "json", str(FIX / "constructed" / "metro_screens_85_stations.txt"))
    run("stations__zakupki", "stations", "--format", "json", str(FIX / "zakupki"))
    print(f"{n} outputs written to {out}", file=sys.stderr)
    return 0


def _rows(path: Path, fmt: str) -> str:
    """A file's rows as text: CSV and JSON Lines as they are, XLSX cells and Parquet rows (with the schema)
    in a plain form."""
    if fmt in ("csv", "jsonl"):
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        lines = []
        for ws in wb.worksheets:
            lines.append(f"# sheet {ws.title}")
            for row in ws.iter_rows():
                lines.append(json.dumps([[c.value, c.number_format] if c.value is not None else None for c in row],
                                        default=str, ensure_ascii=False))
        return "\n".join(lines) + "\n"
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    return str(t.schema) + "\n" + "\n".join(json.dumps(r, default=str, ensure_ascii=False) for r in t.to_pylist()) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
