"""`ingest --jobs N`: workers read archive members themselves (the parent sends names, not bytes), skip what is
stored on their own connection, and the parent writes one executemany per table: the store is the same as
with one job, member for member, and a member is read exactly as zipfile reads it, errors included."""

from __future__ import annotations

import io
import sqlite3
import struct
import zipfile
import zlib

import pytest

from tenderscan.errors import TenderscanError
from tenderscan.documents.inputs import iter_zip
from tenderscan.safety.archive import read_zip_member
from tenderscan.store import Store
from tenderscan.services import ingest_pool, ingest_work
from tenderscan.store.db import DB_NAME
from tenderscan.services.ingest import ingest

from .conftest import ZAKUPKI
from .test_ingest import GOOD, NOTICE, dump_zip, real_members

NOTICE_XML = (ZAKUPKI / GOOD[0]).read_bytes()


def versions_of_notice() -> dict[str, bytes]:
    """Three versions of the real notice (same registry number), as separate documents."""
    return {f"epNotificationEZK2020_{NOTICE}_{v}.xml":
            NOTICE_XML.replace(b"<versionNumber>1<", f"<versionNumber>{v}<".encode()) for v in (2, 1, 3)}


def tables(path) -> dict[str, list]:
    """Every stored row, documents in key order (keys themselves left out: they may have gaps)."""
    con = sqlite3.connect(path / DB_NAME)
    try:
        order = {d: n for n, (d,) in enumerate(con.execute("SELECT doc FROM documents ORDER BY doc"))}
        docs = [(order[r[0]], *r[1:]) for r in con.execute(
            "SELECT doc, id, version, kind, sha256, latest, typeof(json), length(json), title, amount "
            "FROM documents ORDER BY doc")]
        out = {"documents": docs}
        for t in ("items", "parties", "attachments"):
            out[t] = sorted((order[r[0]], *r[1:]) for r in con.execute(f"SELECT * FROM {t}"))
        out["blobs"] = sorted(con.execute("SELECT sha256, size, codec, role, data FROM blobs"))
        # where each blob came from (the same bytes met again before the first copy was committed are written
        # again, and add a place: which copy that is depends on timing)
        out["provenance"] = sorted({r[0] for r in con.execute("SELECT sha256 FROM provenance")})
        return out
    finally:
        con.close()


def corpus(folder) -> None:
    folder.mkdir()
    for name in GOOD:
        (folder / name).write_bytes((ZAKUPKI / name).read_bytes())
    members = {**real_members(), **versions_of_notice()}
    members["epNotificationEZK2020_0000000000000000002_9.xml"] = b"<html>not a document</html>"
    members["inner.zip"] = b"PK\x03\x04 nested"
    dump_zip(folder / "notification_Moskva_2019020200_2019020300_001.xml.zip", members)
    with zipfile.ZipFile(folder / "contract_Moskva_2019_stored.xml.zip", "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("contract_2366200608816001262_30400522.xml", (ZAKUPKI / GOOD[3]).read_bytes())
        zf.writestr(f"epNotificationEZK2020_{NOTICE}_1.xml", NOTICE_XML)  # bytes also in the other archive


@pytest.mark.parametrize("chunk", [1, 3, 32])
def test_jobs_2_stores_what_jobs_1_stores(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(ingest_pool, "CHUNK", chunk)
    corpus(tmp_path / "in")
    stats = {}
    for jobs in (1, 2):
        with Store.open(tmp_path / f"s{jobs}") as st:
            stats[jobs] = ingest([str(tmp_path / "in")], store=st, jobs=jobs, batch=4)
    one, two = stats[1], stats[2]
    # which copy of the same bytes gets parsed depends on what was committed when a worker looked
    assert (one.seen, one.parsed + one.skipped, one.added, one.failed, one.bytes) == \
        (two.seen, two.parsed + two.skipped, two.added, two.failed, two.bytes)
    assert sorted((f.name, f.message, f.exit_code) for f in one.failures) == \
        sorted((f.name, f.message, f.exit_code) for f in two.failures)
    assert one.failed == 2 and one.added == 7  # 5 files; in the archives the same bytes again and 2 new versions
    assert tables(tmp_path / "s1") == tables(tmp_path / "s2")
    with Store.open(tmp_path / "s2") as st:
        assert st.get(NOTICE).version == "3"
        assert [v for v in st.versions(NOTICE)] == ["1", "2", "3"]
        latest = st.conn.execute("SELECT vkey, latest FROM documents WHERE id = ? ORDER BY vkey",
                                 (NOTICE,)).fetchall()
        assert latest == [("1", 0), ("2", 0), ("3", 1)]
        assert st.conn.execute("SELECT DISTINCT typeof(json) FROM documents").fetchall() == [("text",)]
        v2 = st.conn.execute("SELECT sha256 FROM documents WHERE id = ? AND vkey = '2'", (NOTICE,)).fetchone()[0]
        codec = st.conn.execute("SELECT codec FROM blobs WHERE sha256 = ?", (v2,)).fetchone()[0]
        assert codec == "deflate", "a dump member is kept as the archive compressed it"
        assert st.raw(v2) == list(versions_of_notice().values())[0]


def test_reingest_with_jobs_2_is_skipped_by_the_workers(tmp_path, monkeypatch):
    corpus(tmp_path / "in")
    with Store.open(tmp_path / "s") as st:
        first = ingest([str(tmp_path / "in")], store=st, jobs=2)
        parsed = []
        real = ingest_work.prepare
        monkeypatch.setattr(ingest_work, "prepare", lambda t, sha: parsed.append(sha) or real(t, sha))
        again = ingest([str(tmp_path / "in")], store=st, jobs=2)
        assert (again.added, again.parsed, again.failed) == (0, 0, 2)
        assert again.skipped == first.parsed + first.skipped and parsed == []
        assert again.bytes == first.bytes
        assert st.count() == 7


def test_add_batch_marks_versions_as_add_does(tmp_path):
    """One transaction of several versions of one notice (and the same bytes twice) ends as one add at a time."""
    from tenderscan import parse
    from tenderscan.store.records import Provenance, RawBlob, StoredDocument
    from tenderscan.store.rows import compress, prepare

    docs = list(versions_of_notice().values())
    docs.append(docs[0])
    with Store.open(tmp_path / "a") as a:
        for raw in docs:
            a.add(parse(raw)[0], raw)
        want = tables(tmp_path / "a")
    with Store.open(tmp_path / "b") as b:
        import hashlib

        batch = []
        for raw in docs:
            sha = hashlib.sha256(raw).hexdigest()
            batch.append(StoredDocument(RawBlob(sha, len(raw), *compress(raw)), Provenance(),
                                        [prepare(parse(raw)[0], sha)]))
        assert b.write(batch) == 3
        assert b.write(batch) == 0
    assert tables(tmp_path / "b") == want


def patched(data: bytes, name: str, **fields) -> bytes:
    """A one-member archive whose central directory (and local header) say something else."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    raw = bytearray(buf.getvalue())
    cd = raw.rfind(b"PK\x01\x02")
    if "crc" in fields:
        struct.pack_into("<I", raw, cd + 16, fields["crc"])
        struct.pack_into("<I", raw, 14, fields["crc"])
    if "size" in fields:
        struct.pack_into("<I", raw, cd + 24, fields["size"])
        struct.pack_into("<I", raw, 22, fields["size"])
    if "local_name" in fields:
        raw[30:30 + len(name)] = fields["local_name"]
    if "cut" in fields:
        local_end = 30 + len(name) + fields["cut"]
        raw[local_end:cd] = b"\0" * (cd - local_end)
    return bytes(raw)


def outcome(read):
    try:
        return ("ok", read())
    except TenderscanError as exc:
        return ("error", type(exc).__name__, exc.one_line())


@pytest.mark.parametrize("case", ["plain", "crc", "smaller-header", "larger-header", "local-name", "cut",
                                  "stored", "empty", "bomb"])
def test_members_are_read_as_zipfile_reads_them(tmp_path, case):
    name = "fcsNotificationEF_1_1.xml"
    data = NOTICE_XML
    if case == "plain":
        archive = patched(data, name)
    elif case == "crc":
        archive = patched(data, name, crc=zlib.crc32(data) ^ 1)
    elif case == "smaller-header":  # says less than the stream holds (its CRC is the first bytes')
        archive = patched(data, name, size=1000, crc=zlib.crc32(data[:1000]))
    elif case == "larger-header":
        archive = patched(data, name, size=len(data) + 10)
    elif case == "local-name":
        archive = patched(data, name, local_name=b"x" * len(name))
    elif case == "cut":
        archive = patched(data, name, cut=100)
    elif case == "bomb":
        archive = patched(b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>", name)
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if case == "stored" else zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(name, b"" if case == "empty" else data)
        archive = buf.getvalue()
    path = tmp_path / "a.xml.zip"
    path.write_bytes(archive)
    [eager] = list(iter_zip(path))
    [lazy] = list(iter_zip(path, lazy=True))
    assert (lazy.name, lazy.path, lazy.member) == (eager.name, eager.path, eager.member)
    want = outcome(eager.read)
    assert outcome(lazy.read) == want
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        if lazy.index is None:  # refused from the headers alone, in the parent
            assert want[0] == "error" and lazy.error is not None
            return
        got = outcome(lambda: read_zip_member(zf, lazy.index, lazy.member, raw=fh))
    if want[0] == "ok":
        data_, deflated = got[1]
        assert data_ == want[1]
        if deflated is not None:
            assert zlib.decompressobj(-zlib.MAX_WBITS).decompress(deflated) == want[1]
        assert (deflated is not None) == (case == "plain")
    else:
        assert got == want
