"""The one-pass reader of the 44-FZ parsers (``Fields``) finds exactly what ElementPath finds: for every named
path of every definition, on every block of every real 44-FZ fixture where it finds anything, and on every
document element, the text equals ``findtext``, a block is ``find``, a ``many`` list is ``findall``."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from tenderscan.formats.zakupki44 import common as z
from tenderscan.formats.zakupki44 import (
    blocks as _zakupki44_blocks,
    drugs as _zakupki44_drugs,
    objects as _zakupki44_objects,
    contract as zakupki44_contract,
    ep as zakupki44_ep,
    fcs as zakupki44_fcs,
    protocol as zakupki44_protocol,
)

from .conftest import ZAKUPKI


# each module under the name it had when the 44-FZ readers were flat modules (formats/zakupki44_ep.py...)
LABELS = {"common": "_zakupki44", "blocks": "_zakupki44_blocks", "objects": "_zakupki44_objects",
          "drugs": "_zakupki44_drugs", "ep": "zakupki44_ep", "fcs": "zakupki44_fcs",
          "contract": "zakupki44_contract", "protocol": "zakupki44_protocol"}


def definitions() -> list[tuple[str, z.Fields]]:
    out = []
    for mod in (z, _zakupki44_blocks, _zakupki44_objects, _zakupki44_drugs, zakupki44_ep, zakupki44_fcs,
                zakupki44_contract, zakupki44_protocol):
        label = LABELS[mod.__name__.rsplit(".", 1)[-1]]
        for name, value in vars(mod).items():
            if isinstance(value, z.Fields):
                out.append((f"{label}.{name}", value))
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                out.extend(
                    (f"{label}.{name}.{f.name}", getattr(value, f.name))
                    for f in dataclasses.fields(value)
                    if isinstance(getattr(value, f.name), z.Fields)
                )
    seen, unique = set(), []
    for name, f in out:
        if id(f) not in seen:
            seen.add(id(f))
            unique.append((name, f))
    return unique


DEFINITIONS = definitions()


def compare(F: z.Fields, el) -> None:
    found = F.read(el)
    many, blocks = kinds(F)
    for key, path in F.paths.items():
        if key in many:
            assert found.all(key) == el.findall(path), key
        elif key in blocks:
            assert found.el(key) is el.find(path), key
        else:
            assert found.text(key) == F.text(el, key), key


def kinds(F: z.Fields) -> tuple[set[str], set[str]]:
    """The ``many`` and the ``blocks`` keys of a definition, from its walk tree."""
    many, blocks = set(), set()

    def walk(tree):
        for first, as_text, every, sub in tree.values():
            many.update(every)
            if first is not None and not as_text:
                blocks.add(first)
            if sub:
                walk(sub)

    walk(F.tree)
    return many, blocks


def test_definitions_found():
    names = [n for n, _ in DEFINITIONS]
    assert len(names) > 30
    assert "zakupki44_ep.NOTICE" in names and "zakupki44_protocol.EP.A" in names


@pytest.mark.parametrize("path", sorted(ZAKUPKI.glob("44fz_*")), ids=lambda p: p.name[:60])
def test_fields_match_elementpath(path):
    root = etree.fromstring(path.read_bytes())
    docs = z.documents(root)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    checked = 0
    for _, F in DEFINITIONS:
        for doc in docs:
            compare(F, doc)
        for el in elements:
            if F.read(el):
                compare(F, el)
                checked += 1
    assert checked > 0


def test_duplicate_paths_are_refused():
    with pytest.raises(ValueError, match="same"):
        z.Fields(z.FCS_NS, a="t:x/t:y", b="t:x/t:y")
    with pytest.raises(ValueError, match="no such paths"):
        z.Fields(z.FCS_NS, many=("nope",), a="t:x")
