"""XML attacks (the defusedxml list): each is refused at once with a one-line error, nothing is expanded,
no local file is opened and no request leaves the process (a local server counts them)."""

from __future__ import annotations

import gzip
import os
import threading
import zipfile

import pytest

from tenderscan.errors import ParseError, UnsafeInputError
from tenderscan.documents.inputs import from_bytes
from tenderscan.documents.parse import parse_input
from tenderscan.store import Store
from tenderscan.safety.xml import parse_xml
from tests.conftest import run

from .conftest import CANARY_TEXT, Timer, hostile

FAST = 5.0  # seconds; a refusal takes milliseconds, an expansion would take minutes or never end

# (fixture, what it tries)
ATTACKS = [
    ("billion_laughs.xml", "nested entities, 10**9 expansions"),
    ("quadratic_blowup.xml", "one big entity referenced thousands of times"),
    ("external_entity_file.xml", "external entity on file:///etc/passwd"),
    ("external_entity_http.xml", "external entity on a local server"),
    ("parameter_entity_http.xml", "parameter entity loading declarations from a server"),
    ("external_dtd.xml", "external DTD on a local server"),
    ("external_dtd_file.xml", "external DTD on the local disk"),
    ("xinclude_file.xml", "XInclude of a local file"),
    ("doctype_after_long_comment.xml", "a DOCTYPE beyond the first 64 kB, external subset on disk"),
]
NAMES = [a[0] for a in ATTACKS]


def _encoded(text: str, codec: str, bom: bytes = b"") -> bytes:
    return bom + text.replace('encoding="UTF-8"', f'encoding="{codec}"').encode(codec)


def generated() -> dict[str, bytes]:
    """Attacks too large to keep as files, or re-encodings of the fixtures."""
    xxe = (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///CANARY">]>'
        '<export xmlns="http://zakupki.gov.ru/oos/export/1"><a>&x;</a></export>'
    )
    return {
        "huge text node (20 MB)": b"<export><a>" + b"A" * (20 << 20) + b"</a></export>",
        "huge attribute (20 MB)": b'<export a="' + b"A" * (20 << 20) + b'"/>',
        "deep nesting (100,000 levels)": b"<a>" * 100_000 + b"</a>" * 100_000,
        "deep nesting (300 levels)": b"<a>" * 300 + b"</a>" * 300,
        "XXE in UTF-16 with a BOM": _encoded(xxe, "UTF-16LE", b"\xff\xfe"),
        "XXE in UTF-16 without a BOM": _encoded(xxe, "UTF-16LE"),
        "XXE in UTF-32": _encoded(xxe, "UTF-32LE", b"\xff\xfe\x00\x00"),
        "XXE in an attribute, UTF-16": _encoded(xxe.replace("<a>&x;</a>", '<a b="&x;"/>'), "UTF-16LE"),
    }


GENERATED = list(generated())


def _data(name: str, canary, server) -> bytes:
    if name in NAMES:
        return hostile(name, canary=canary, server=server)
    return (
        generated()[name]
        .replace(b"/CANARY", str(canary).encode())
        .replace("/CANARY".encode("utf-16-le"), str(canary).encode("utf-16-le"))
        .replace("/CANARY".encode("utf-32-le"), str(canary).encode("utf-32-le"))
    )


@pytest.mark.parametrize("name", NAMES + GENERATED)
def test_refused_at_once_without_any_access(name, canary, counting_server):
    data = _data(name, canary, counting_server)
    with Timer() as t, pytest.raises(UnsafeInputError) as exc:
        parse_xml(data)
    print(f"{name}: refused in {t.seconds * 1000:.1f} ms: {exc.value.one_line()}")
    assert t.seconds < FAST
    line = exc.value.one_line()
    assert "\n" not in line and "refused" in line
    assert CANARY_TEXT not in line
    assert len(counting_server.log) == 0, "no request may leave the parser"


@pytest.mark.parametrize("name", NAMES + GENERATED[:4])
def test_show_prints_one_line_and_exits_3(name, canary, counting_server, tmp_path):
    f = tmp_path / "notice.xml"
    f.write_bytes(_data(name, canary, counting_server))
    with Timer() as t:
        r = run("show", "--format", "json", str(f))
    assert t.seconds < FAST
    assert r.exit_code == 3, r.stderr
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "refused" in lines[0], r.stderr
    assert CANARY_TEXT not in r.stderr and "root:" not in r.stderr
    assert len(counting_server.log) == 0


def test_the_same_attacks_from_stdin_gzip_and_zip(canary, counting_server, tmp_path):
    bomb = hostile("billion_laughs.xml")
    xxe = hostile("external_entity_http.xml", server=counting_server)
    r = run("show", "--format", "json", "-", input=bomb)
    assert r.exit_code == 3 and "refused" in r.stderr
    gz = tmp_path / "notice.xml.gz"
    gz.write_bytes(gzip.compress(bomb))
    r = run("show", "--format", "json", str(gz))
    assert r.exit_code == 3 and "refused" in r.stderr
    z = tmp_path / "notification_Moskva_2026100100_2026100200_001.xml.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.xml", bomb)
        zf.writestr("xxe.xml", xxe)
        zf.writestr("late.xml", hostile("doctype_after_long_comment.xml", canary=canary))
    r = run("show", "--format", "json", str(z))
    assert r.exit_code == 1
    assert r.stderr.count("refused") == 3, r.stderr
    assert CANARY_TEXT not in r.stdout + r.stderr
    assert len(counting_server.log) == 0


def test_an_encoding_override_does_not_open_a_way_in(canary, counting_server):
    """`--encoding` re-encodes before parsing: the refusal still holds on what is parsed."""
    text = hostile("external_entity_http.xml", server=counting_server).decode()
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    for enc in ("utf-16-le", "utf-16"):
        with pytest.raises(ParseError):
            parse_xml(data, encoding=enc)
    r = run("show", "--encoding", "utf-16-le", "--format", "json", "-", input=data)
    assert r.exit_code == 3 and "refused" in r.stderr
    assert len(counting_server.log) == 0


def test_ingest_stores_nothing_from_attacks(canary, counting_server, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_bytes(hostile(name, canary=canary, server=counting_server))
    store = tmp_path / "store"
    r = run("--quiet", "ingest", "--store", str(store), str(folder))
    assert r.exit_code == 1, r.stderr
    assert r.stderr.count("refused") == len(NAMES), r.stderr
    assert CANARY_TEXT not in r.stderr
    with Store.open(store) as st:
        assert st.count() == 0
    assert len(counting_server.log) == 0


@pytest.mark.parametrize(
    "name", ["external_dtd_file.xml", "xinclude_file.xml", "doctype_after_long_comment.xml"]
)
def test_local_file_is_never_opened(name, tmp_path):
    """The canary is a FIFO: opening it for reading blocks until a writer comes, so a parser that opened it
    would hang; it must come back at once."""
    fifo = tmp_path / "canary.fifo"
    os.mkfifo(fifo)
    data = hostile(name, canary=fifo)
    xxe = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file://' + str(fifo).encode() + b'">]><a>&x;</a>'
    results: list[object] = []

    def parse() -> None:
        for d in (data, b"<!-- " + b"x" * 70_000 + b" -->" + xxe):
            try:
                parse_input(from_bytes(d, name))
                results.append("parsed")
            except ParseError as exc:
                results.append(exc)

    worker = threading.Thread(target=parse, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock the parser before failing, so the test run goes on
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(5)
        pytest.fail("the parser opened the local file")
    assert len(results) == 2 and all(isinstance(r, UnsafeInputError) for r in results), results
