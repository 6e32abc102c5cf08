"""The shortcuts taken for speed (issue 7, phase 2) give exactly what the plain code gives."""

from __future__ import annotations

import sqlite3

import pytest

from tenderscan import parse
from tenderscan.models import Item, Organization, Tender, builder
from tenderscan.store import Store
from tenderscan.services import ingest as ingest_mod
from tenderscan.store.db import DB_NAME
from tenderscan.services.ingest import ingest
from tenderscan.safety.xml import parse_xml

from .conftest import ZAKUPKI

XML = sorted(p for p in ZAKUPKI.glob("*.xml") if not p.name.startswith("eis_search_rss"))


def test_builder_is_the_constructor():
    """``models.builder`` validates as the constructor does: same model, same fields set, same errors."""
    cases = ((Item, {"name": "x", "quantity": "2.50"}), (Organization, {"inn": "7701", "role": None}),
             (Tender, {"id": "1", "source_format": "f", "kind": "notice"}))
    for model, values in cases:
        built, made = builder(model)(**values), model(**values)
        assert built == made and repr(built) == repr(made)
        assert built.model_fields_set == made.model_fields_set
    with pytest.raises(ValueError):  # pydantic's ValidationError, as from Item(quantity="many")
        builder(Item)(quantity="many")


def test_ingest_commits_by_bytes_and_stores_everything(tmp_path, monkeypatch):
    """A transaction ends at BATCH_BYTES of pending blobs and JSON (memory does not grow with the corpus):
    with a tiny cap every document is its own transaction, and the store holds the same documents."""
    monkeypatch.setattr(ingest_mod, "BATCH_BYTES", 1)
    calls = []
    real = Store.write

    def counting(self, batch):
        batch = list(batch)
        calls.append(len(batch))
        return real(self, batch)

    monkeypatch.setattr(Store, "write", counting)
    with Store.open(tmp_path / "s") as st:
        stats = ingest([str(p) for p in XML[:6]], store=st)
        n = st.count()
    assert stats.failed == 0 and set(calls) == {1} and len(calls) == stats.parsed == 6
    expected = sum(len(parse(str(p))) for p in XML[:6])
    assert n == expected


def test_new_store_pages(tmp_path):
    """New stores use 16 KiB pages (a document's JSON and blob fit in one page)."""
    with Store.open(tmp_path / "s"):
        pass
    con = sqlite3.connect(tmp_path / "s" / DB_NAME)
    try:
        assert con.execute("PRAGMA page_size").fetchone()[0] == 16384
    finally:
        con.close()


def test_blank_text_is_dropped_only_where_it_cannot_matter(monkeypatch):
    """The portals' schemas have no mixed content, so their indentation is left out of the tree (a sixth of
    libxml2's work); every zakupki fixture reads the same with and without, and other XML keeps its blanks."""
    from tenderscan.documents import parse as reader

    doc = b"<p><b>a</b> <i>b</i></p>"
    assert "".join(parse_xml(doc).itertext()) == "a b"
    assert "".join(parse_xml(doc, drop_blank_text=True).itertext()) == "ab"
    assert parse_xml(b"<a><b> </b></a>", drop_blank_text=True)[0].text == " "  # a leaf keeps its blanks

    paths = sorted(ZAKUPKI.glob("*.xml"))
    dropped = [p.name for p in paths if reader._no_mixed_content(p.read_bytes()[:65536])]
    assert len(dropped) >= len(paths) - 1  # all but the RSS feed (no zakupki schema namespace)
    assert not reader._no_mixed_content(b'<rss><channel><link>https://zakupki.gov.ru/epz/</link>')

    def dumps(path) -> list[str]:
        tenders = parse(path.read_bytes(), name=path.name)
        for t in tenders:
            t.source.read_at = None
        return [t.model_dump_json() for t in tenders]

    fast = {p.name: dumps(p) for p in paths if p.name in dropped}
    monkeypatch.setattr(reader, "_no_mixed_content", lambda head: False)
    assert fast == {name: dumps(ZAKUPKI / name) for name in fast}
