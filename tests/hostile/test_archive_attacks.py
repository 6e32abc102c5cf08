"""Archive attacks: zip bombs (ratio, absolute and total caps, a header that lies about the size), gzip bombs,
nested archives, path traversal, symlinks, duplicate names, encrypted members. Each is refused or skipped with
a message, through `show` and through `ingest`; nothing is ever extracted, and nothing is written anywhere
but the store."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import subprocess
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest

import tenderscan.documents.inputs as inputs_mod
import tenderscan.safety.archive as archive_mod
from tenderscan.store import Store
from tests.conftest import ZAKUPKI, run

from .conftest import Timer

NOTICE = "0362100022326000101"
NOTICE_XML = (ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml").read_bytes()
FAST = 5.0


def notice(n: int) -> tuple[str, bytes]:
    """A distinct real notice (a new registry number) and its dump member name."""
    number = f"03621000223{n:08d}"
    return f"epNotificationEZK2020_{number}_{n}.xml", NOTICE_XML.replace(NOTICE.encode(), number.encode())


def zeros_member(zf: zipfile.ZipFile, name: str, mb: int) -> None:
    with zf.open(name, "w", force_zip64=True) as fh:
        block = b"\0" * (1 << 20)
        for _ in range(mb):
            fh.write(block)


def lying_zip(path: Path, doc: bytes, padding_mb: int) -> None:
    """A member whose deflate stream holds `doc` and then `padding_mb` MB of zeros, while its headers say it
    is only `doc` (size and CRC): a reader that trusts the stream rather than the header inflates all of
    it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("epNotificationEZK2020_0362100022326000101_1.xml", "w", force_zip64=False) as fh:
            fh.write(doc)
            for _ in range(padding_mb):
                fh.write(b"\0" * (1 << 20))
    raw = bytearray(path.read_bytes())
    crc, size = zlib.crc32(doc), len(doc)
    struct.pack_into("<I", raw, 14, crc)  # local header: crc
    struct.pack_into("<I", raw, 22, size)  # local header: uncompressed size
    cd = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<I", raw, cd + 16, crc)  # central directory: crc
    struct.pack_into("<I", raw, cd + 24, size)  # central directory: uncompressed size
    path.write_bytes(bytes(raw))


def patch_first_member(path: Path, *, flags: int = 0, size: int | None = None) -> None:
    """Rewrite the general-purpose flags or the uncompressed size of an archive's first member in both its
    local header and the central directory (what a crafted archive would say)."""
    raw = bytearray(path.read_bytes())
    cd = raw.find(b"PK\x01\x02")
    raw[6] |= flags
    raw[cd + 8] |= flags
    if size is not None:
        struct.pack_into("<I", raw, 22, size)
        struct.pack_into("<I", raw, cd + 24, size)
    path.write_bytes(bytes(raw))


def build(folder: Path) -> dict[str, tuple[Path, int]]:
    """Every hostile archive, with how many good documents each holds."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, int]] = {}

    def mk(key: str, good: int, fill) -> None:
        p = folder / f"{key}.zip"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicate names
            with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
                fill(zf)
        out[key] = (p, good)

    mk("ratio_bomb", 1, lambda zf: (zeros_member(zf, "big.xml", 50), zf.writestr(*notice(1))))
    mk("absolute_bomb", 0, lambda zf: zf.writestr("huge.xml", notice(0)[1]))
    patch_first_member(folder / "absolute_bomb.zip", size=600 << 20)  # says 600 MB: refused unread
    mk(
        "nested",
        1,
        lambda zf: (
            zf.writestr("inner.zip", (folder / "ratio_bomb.zip").read_bytes()),
            zf.writestr("inner.xml.gz", b"\x1f\x8b"),
            zf.writestr(*notice(2)),
        ),
    )

    def traversal(zf):
        for name in (
            "../../evil.xml",
            "/tmp/evil-absolute.xml",
            "..\\..\\evil-windows.xml",
            "C:/evil-drive.xml",
            "ok/../../../evil-deep.xml",
        ):
            zf.writestr(name, notice(3)[1])
        zf.writestr(*notice(4))

    mk("traversal", 1, traversal)

    def symlink(zf):
        info = zipfile.ZipInfo("link.xml")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
        zf.writestr(*notice(5))

    mk("symlink", 1, symlink)

    def duplicate(zf):
        name, data = notice(6)
        zf.writestr(name, data)
        zf.writestr(name, notice(7)[1])  # same name, another document: only the first is read

    mk("duplicate", 1, duplicate)

    def encrypted(zf):
        zf.writestr("secret.xml", notice(8)[1])
        zf.writestr(*notice(9))

    mk("encrypted", 1, encrypted)
    patch_first_member(folder / "encrypted.zip", flags=0x1)  # the encryption flag: what readers go by
    lying_zip(folder / "lying_header.zip", notice(10)[1], 60)
    out["lying_header"] = (folder / "lying_header.zip", 1)
    if shutil.which("zip"):  # a really encrypted member (ZipCrypto), made by Info-ZIP
        name, data = notice(11)
        (folder / name).write_bytes(data)
        subprocess.run(
            ["zip", "-q", "-P", "secret", "-j", str(folder / "zipcrypto.zip"), str(folder / name)], check=True
        )
        (folder / name).unlink()
        out["zipcrypto"] = (folder / "zipcrypto.zip", 0)
    return out


EXPECTED = {
    "ratio_bomb": "compression ratio",
    "absolute_bomb": "over the 512 MB cap",
    "nested": "nested archive skipped",
    "traversal": "path traversal",
    "symlink": "symbolic link member skipped",
    "duplicate": "duplicate member name skipped",
    "encrypted": "encrypted member skipped",
    "lying_header": None,  # read as its header says: the real document, not the padding
    "zipcrypto": "encrypted member skipped",
}


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    return build(tmp_path_factory.mktemp("archives") / "zips")


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_show_refuses_or_skips_with_a_message(key, archives, tmp_path, monkeypatch):
    if key not in archives:
        pytest.skip("no zip program to make a ZipCrypto archive")
    path, good = archives[key]
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = snapshot(tmp_path), snapshot(path.parent)
    with Timer() as t:
        r = run("show", "--format", "jsonl", str(path))
    assert t.seconds < FAST
    assert "Traceback" not in r.stderr
    docs = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(docs) == good
    if EXPECTED[key]:
        assert EXPECTED[key] in r.stderr, r.stderr
        assert all(
            line.startswith(("error: ", "warning: ")) or "inputs failed" in line
            for line in r.stderr.strip().splitlines()
        ), r.stderr
        assert r.exit_code == (1 if good else 3)
    else:
        assert r.exit_code == 0, r.stderr
    assert (snapshot(tmp_path), snapshot(path.parent)) == before, "nothing is written by show"
    assert not Path("/tmp/evil-absolute.xml").exists()


@pytest.mark.parametrize("key", list(EXPECTED))
def test_ingest_refuses_or_skips_and_writes_only_the_store(key, archives, tmp_path, monkeypatch):
    if key not in archives:
        pytest.skip("no zip program to make a ZipCrypto archive")
    path, good = archives[key]
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    store = tmp_path / "store"
    before, around = snapshot(tmp_path), snapshot(path.parent)
    with Timer() as t:
        r = run("--quiet", "ingest", "--store", str(store), str(path))
    assert t.seconds < FAST * 2
    assert "Traceback" not in r.stderr
    if EXPECTED[key]:
        assert EXPECTED[key] in r.stderr, r.stderr
        assert r.exit_code in (1, 3)
    else:
        assert r.exit_code == 0, r.stderr
    new = snapshot(tmp_path) - before
    assert new and all(p == "store" or p.startswith("store/") for p in new), new
    assert snapshot(path.parent) == around
    assert not Path("/tmp/evil-absolute.xml").exists()
    with Store.open(store) as st:
        assert st.integrity_check() == "ok"
        assert st.count() == good
        for (sha,) in st.conn.execute("SELECT sha256 FROM documents"):
            raw = st.raw(sha)
            assert hashlib.sha256(raw).hexdigest() == sha, "the stored raw bytes are the document read"


def test_lying_header_stores_the_document_not_the_padding(archives, tmp_path):
    path, _ = archives["lying_header"]
    store = tmp_path / "store"
    r = run("--quiet", "ingest", "--store", str(store), str(path))
    assert r.exit_code == 0, r.stderr
    with Store.open(store) as st:
        [(sha, size)] = st.conn.execute("SELECT sha256, size FROM blobs").fetchall()
        assert size == len(notice(10)[1])
        assert st.raw(sha) == notice(10)[1]


def test_absolute_and_total_caps(tmp_path, monkeypatch):
    """Members that compress poorly (no ratio alarm) still stop at the absolute cap, per member and in
    total."""
    rnd = os.urandom(3 << 20).hex().encode()  # 6 MB of hex: compresses about 2:1
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(4):
            zf.writestr(f"part{i}.xml", b"<a>" + rnd + b"</a>")
    monkeypatch.setattr(archive_mod, "MAX_MEMBER_BYTES", 4 << 20)
    r = run("show", "--format", "jsonl", str(archive))
    assert r.exit_code == 1 and r.stderr.count("over the 4 MB cap") == 4, r.stderr
    monkeypatch.setattr(archive_mod, "MAX_MEMBER_BYTES", 64 << 20)
    monkeypatch.setattr(archive_mod, "MAX_ARCHIVE_BYTES", 14 << 20)
    r = run("show", "--format", "jsonl", str(archive))
    assert "beyond the total size cap" in r.stderr, r.stderr
    assert r.stderr.count("error: ") == 3  # 6 + 6 MB read (not documents), 18 MB is over: nothing more


def gzip_bomb(gb: int, head: bytes = b"", fill: bytes = b"\0") -> bytes:
    """gzip of `head` and `gb` GB of `fill` bytes, made in a blink: one 16 MB block compressed once, with a
    full flush so that its bytes can be repeated, then an empty final block (the trailer is left wrong:
    nobody should read that far)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(fill * (16 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + start + block * (gb * 64) + b"\x03\x00" + b"\x00" * 8


def test_gzip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """A 4 MB gzip file of 4 GB of zeros: refused within the first steps, not after inflating gigabytes."""
    f = tmp_path / "notice.xml.gz"
    f.write_bytes(gzip_bomb(4))
    with Timer() as t:
        r = run("show", "--format", "json", str(f))
    assert t.seconds < FAST
    assert r.exit_code == 3 and "ratio cap" in r.stderr, r.stderr


def test_streamed_gzip_bomb_is_refused(tmp_path, monkeypatch):
    """Above the streaming threshold a gzip input is decompressed as it is read: the ratio cap holds there
    too."""
    monkeypatch.setattr(inputs_mod, "STREAM_THRESHOLD", 1 << 10)
    head = (
        b'{"uri": "x", "version": "1.1", "releases": [{"ocid": "ocds-x-1", "id": "1", "tag": ["tender"], '
        b'"date": "2020-01-01T00:00:00Z"}'
    )
    f = tmp_path / "releases.json.gz"
    f.write_bytes(gzip_bomb(4, head, b" "))  # JSON whitespace: read as fast as it inflates
    with Timer() as t:
        r = run("show", "--format", "json", str(f))
    assert t.seconds < FAST * 2
    assert r.exit_code == 3 and "ratio cap" in r.stderr, r.stderr


def test_truncated_and_corrupt_gzip(tmp_path):
    import gzip

    good = gzip.compress(NOTICE_XML)
    (tmp_path / "cut.xml.gz").write_bytes(good[: len(good) // 2])
    (tmp_path / "flipped.xml.gz").write_bytes(good[:40] + bytes([good[40] ^ 0xFF]) + good[41:])
    for name in ("cut.xml.gz", "flipped.xml.gz"):
        r = run("show", "--format", "json", str(tmp_path / name))
        assert r.exit_code == 3, r.stderr
        assert "gzip" in r.stderr or "truncated" in r.stderr or "broken" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
