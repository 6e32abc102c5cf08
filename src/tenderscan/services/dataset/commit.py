"""What the driver does once every task is written: keep each raw document once, mark the latest versions,
and commit the new manifest (:mod:`.manifest`).

* Duplicates: the same raw bytes (same sha256) read twice, say in a daily and in a monthly archive, keep the
  documents of their first reading, in the dataset's order (committed tasks first, then this run's tasks in
  input order): that is where a store would have stored them. The later readings' rows are pruned from
  their task's files (which are not committed yet); their ``inputs`` rows stay, with status ``duplicate``.
* ``latest``: computed here, at commit time, over every committed document, and written as one small file
  (the key of the latest version of each document) that replaces the previous one. At commit time rather
  than at query time because then any tool (Polars, Spark, DuckDB's CLI) gets the store's rule for free:
  the versions of a document are those with its id and kind (and format, for protocols and the like);
  the highest version number wins, then the latest publication time as written, then the later read.

The work runs in DuckDB (out of core, within ``memory_limit``), so the driver's memory does not grow with the
number of documents.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from .layout import STAGING, staged
from .manifest import Manifest, commit
from .schema import FAILURES, INPUTS, LATEST, TENDERS, schema
from .task import TaskResult
from .writer import write_table

MEMORY_LIMIT = "1GB"
VERSIONED = ("notice", "contract", "contract_execution")  # as the store: other kinds are versioned per format
LATEST_ORDER = "version_sort DESC NULLS LAST, published_iso DESC NULLS LAST, doc DESC"


def connect():
    import duckdb

    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 2})
    return con


def sql_list(paths: list[Path | str]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _staged(root: Path, r: TaskResult, table: str) -> list[Path]:
    return [staged(root, r.key, f["path"]) for f in r.files if f["table"] == table]


def _committed(root: Path, m: Manifest, table: str) -> list[Path]:
    return [Path(root) / p for p in m.files(table)]


def dedupe(con, root: Path, old: Manifest, results: list[TaskResult]) -> int:
    """Prune the documents of raw bytes read before from this run's files; returns how many inputs."""
    files = _committed(root, old, INPUTS) + [p for r in results for p in _staged(root, r, INPUTS)]
    if not files:
        return 0
    rows = con.execute(
        "SELECT task_seq, list(sha256) FROM (SELECT task_seq, sha256, row_number() OVER (PARTITION BY sha256 "
        f"ORDER BY task_seq, input_no) AS n FROM read_parquet({sql_list(files)}) WHERE status = 'ok') "
        "WHERE n > 1 GROUP BY task_seq").fetchall()
    by_seq = {r.seq: r for r in results}
    count = 0
    for seq, shas in rows:
        count += len(shas)
        _prune(root, by_seq[seq], set(shas))
    return count


def _prune(root: Path, r: TaskResult, shas: set[str]) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    keep = []
    drop = pa.array(sorted(shas), type=pa.string())
    for f in r.files:
        path = staged(root, r.key, f["path"])
        table = pq.read_table(path, schema=schema(f["table"]))
        if f["table"] == INPUTS:
            dup = pc.and_(pc.is_in(table["sha256"], value_set=drop), pc.equal(table["status"], "ok"))
            rows = table.to_pylist()
            for row, d in zip(rows, dup.to_pylist()):
                if d:
                    row["status"], row["documents"] = "duplicate", 0
            write_table(INPUTS, rows, path)
            keep.append(f)
            continue
        if f["table"] == FAILURES:
            keep.append(f)
            continue
        key = "sha256" if f["table"] in ("documents", TENDERS) else "doc_sha256"
        left = table.filter(pc.invert(pc.is_in(table[key], value_set=drop)))
        if left.num_rows == table.num_rows:
            keep.append(f)
            continue
        if left.num_rows:
            write_table(f["table"], left.to_pylist(), path)
            keep.append({**f, "rows": left.num_rows})
        else:
            path.unlink()
    r.files = keep
    r.documents = sum(f["rows"] for f in keep if f["table"] == "documents")


def latest(con, root: Path, old: Manifest, results: list[TaskResult], name: str) -> Path | None:
    """The latest table of every committed document and this run's, written into the staging folder."""
    files = _committed(root, old, "documents") + [p for r in results for p in _staged(root, r, "documents")]
    if not files:
        return None
    out = Path(root) / STAGING / LATEST / name
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "CASE WHEN kind IN ({}) THEN NULL ELSE source_format END".format(", ".join(f"'{k}'" for k in VERSIONED))
    con.execute(
        f"COPY (SELECT doc, sha256, CAST(doc_no AS INTEGER) AS doc_no, id, kind, source_format "
        f"FROM read_parquet({sql_list(files)}) "
        f"QUALIFY row_number() OVER (PARTITION BY id, kind, {fmt} ORDER BY {LATEST_ORDER}) = 1 "
        f"ORDER BY doc) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
    return out


def finish(root: Path, old: Manifest, results: list[TaskResult], sources: dict[str, str]) -> tuple[Manifest, int]:
    """Dedupe, compute ``latest``, and commit ``results`` on top of ``old``; returns the new manifest and how
    many inputs were duplicates."""
    root = Path(root)
    con = connect()
    try:
        dups = dedupe(con, root, old, results)
        name = f"part-{old.commits + 1:06d}-{secrets.token_hex(4)}.parquet"
        latest_file = latest(con, root, old, results, name)
    finally:
        con.close()
    new = Manifest(dict(old.tasks), old.latest, old.next_seq, old.commits + 1)
    moves: list[tuple[str, str]] = []
    for r in sorted(results, key=lambda r: r.seq):
        moves += [(str(staged(root, r.key, f["path"]).relative_to(root)), f["path"]) for f in r.files]
        new.tasks[r.key] = {"seq": r.seq, "source": sources.get(r.key), "files": r.files, "inputs": r.inputs,
                            "documents": r.documents, "failures": r.failures}
        new.next_seq = max(new.next_seq, r.seq + 1)
    remove = []
    if latest_file is not None:
        new.latest = f"{LATEST}/{name}"
        moves.append((str(latest_file.relative_to(root)), new.latest))
        if old.latest:
            remove.append(old.latest)
    commit(root, new, moves, remove)
    return new, dups
