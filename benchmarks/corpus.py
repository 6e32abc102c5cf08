"""Seeded benchmark corpora built from the real zakupki.gov.ru samples in ``fixtures/zakupki``.

Every generated document is a real sample parsed with lxml, with text values changed in the tree and
serialised again (never hand-written XML), so it stays valid for the real parsers:

- registry numbers (purchaseNumber, regNum of a contract, registrationNumber, ...) get new, unique values of
  the same length (19-digit 44-FZ numbers keep their placer code and carry the new year), replaced wherever
  the old value appears in the document (links, URLs, attachments) so references stay consistent;
- 223-FZ guids get new uuids, the document ``id`` a new unique number;
- every date and datetime is shifted by one offset per document, moving it into a chosen year range;
- every amount (price, sum, maxPrice, ...) is scaled by one factor per document, keeping its decimals;
- item lists (purchaseObject, product, drugPurchaseObjectInfo, lotItem, contractPosition, position) are
  resized by copying or dropping real items, and ``totalSum`` is recomputed where a list has one.

Documents are written into zip archives in the portal's dump layout,
``notification_Moskva_2019020200_2019020300_001.xml.zip`` holding ``<type>_<regNumber>_<id>.xml`` members and
a ``.sig`` beside each. ``<folder>.manifest.json`` beside the folder records the parameters; calling the
generator again with the same parameters reuses the corpus.

    python benchmarks/corpus.py zakupki --docs 5000 --seed 7            # -> benchmarks/corpus/zakupki-...
    python benchmarks/corpus.py zakupki --docs 500 --items 80-120 --out /tmp/c
    python benchmarks/corpus.py ocds /tmp/big.json --releases 50000     # delegates to ocds_corpus.py
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import math
import random
import re
import shutil
import sys
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLES = ROOT / "fixtures" / "zakupki"
CORPUS_DIR = HERE / "corpus"
GENERATOR_VERSION = 4  # bump when the output for the same parameters changes

REGIONS = ["Moskva", "Sankt-Peterburg", "Moskovskaja_obl", "Tatarstan_Resp", "Sverdlovskaja_obl"]

# registry numbers of the document itself (organisation regNums are 11 digits and stay: customers recur)
ID_TAGS = {"purchaseNumber", "notificationNumber", "registrationNumber", "contractRegNumber",
           "purchaseNoticeNumber", "docRegNumber", "regNum"}
ID_LENGTHS = {11, 18, 19, 23}
PRIMARY_ID_ORDER = ["purchaseNumber", "regNum", "registrationNumber", "contractRegNumber",
                    "purchaseNoticeNumber", "notificationNumber"]
MONEY_TAGS = {"price", "priceRUR", "sum", "sumRUR", "pricePerUnit", "positionPrice", "maxPrice",
              "amount", "amountRUR", "winnerPrice", "totalSum", "paid", "paidRUR", "paidVAT", "paidVATRUR",
              "initialSum", "paymentSum", "paymentSumRUR", "rubPrice", "contractsOverallCost", "finalPrice",
              "offerPrice"}
# names that hold money only under these parents ("total" is also a quantity, "currentYear" also a year)
CONTEXT_MONEY = {"total", "currentYear", "firstYear", "secondYear", "subsecYears"}
MONEY_PARENTS = {"financeInfo", "KBKYearsInfo", "positions", "drugPurchaseObjectsInfo", "purchaseObjects",
                 "notDrugPurchaseObjectsInfo"}
YEAR_TAGS = {"currentYear", "planYear", "year"}  # a bare year elsewhere moves with the dates
# item element -> the list elements it is an item of (the same names occur elsewhere with other meanings)
ITEM_PARENTS = {"purchaseObject": {"purchaseObjects", "notDrugPurchaseObjectsInfo"}, "product": {"products"},
                "drugPurchaseObjectInfo": {"drugPurchaseObjectsInfo"}, "lotItem": {"lotItems"},
                "contractPosition": {"contractPositions"}, "position": {"positions"}}
ITEM_SUM = ("sum", "positionPrice", "price")  # the item child that a list total adds up
MAIN_DATE_TAGS = ["publishDTInEIS", "docPublishDate", "publishDate", "publicationDateTime", "signDate",
                  "protocolDate", "contractDate", "createDateTime", "creationDateTime"]

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_DIGITS = re.compile(r"^\d+$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(T[0-9:.]+)?(Z|[+-]\d{2}:\d{2})?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


_LOCAL: dict[str, str] = {}


def localname(el) -> str:
    tag = el.tag
    try:
        return _LOCAL[tag]
    except KeyError:
        name = _LOCAL[tag] = tag.rpartition("}")[2] if isinstance(tag, str) else ""
        return name
    except TypeError:  # comments and processing instructions: their tag is a function
        return ""


# --- templates -------------------------------------------------------------------------------------------


@dataclass
class Template:
    """One real sample document: its bytes and where it goes in a dump."""

    name: str
    data: bytes
    doc_type: str  # local name of the document element, e.g. "fcsNotificationEF", "contract"
    category: str  # dump folder / archive prefix: notification, protocol, contract
    law: str  # "44" or "223"
    items: int = 0  # number of item elements in the original
    main_date: date | None = None  # the date that a generated document's day replaces
    hot_tags: tuple[str, ...] = ()  # Clark tags of the elements whose text may change (the rest is copied)
    item_tags: tuple[str, ...] = ()  # Clark tags of the item elements


def is_item(el) -> bool:
    parents = ITEM_PARENTS.get(localname(el))
    return bool(parents) and localname(el.getparent()) in parents


_LONG_NUMBER = re.compile(r"\d{11}")


def _hot_tags(root) -> tuple[str, ...]:
    """The tags of elements whose text a mutation may change: identifiers, amounts, dates, years, totals and
    texts that quote a registry number (links). Visiting only these keeps generation fast on long lists."""
    hot = set()
    for el in root.iter():
        name = localname(el)
        text = el.text.strip() if name and el.text else ""
        if not text:
            continue
        if (name in ID_TAGS or name in MONEY_TAGS or name in CONTEXT_MONEY or name in YEAR_TAGS
                or name in ("guid", "id", "totalSum", "total") or _DATE.match(text) or _LONG_NUMBER.search(text)):
            hot.add(el.tag)
    return tuple(sorted(hot))


def category_of(doc_type: str) -> str:
    low = doc_type.lower()
    if "protocol" in low or "placementresult" in low:
        return "protocol"
    if "contract" in low:
        return "contract"
    return "notification"


def _doc_element(root):
    return root[0] if localname(root) == "export" and len(root) else root


def load_templates(names: Iterable[str] | None = None, samples: Path = SAMPLES) -> list[Template]:
    """The real XML documents in ``samples`` (the RSS search feed excluded), optionally only ``names``."""
    wanted = set(names) if names is not None else None
    out = []
    for p in sorted(samples.glob("*.xml")):
        if wanted is not None and p.name not in wanted:
            continue
        data = p.read_bytes()
        root = etree.fromstring(data)
        if localname(root) == "rss":
            continue
        doc = _doc_element(root)
        doc_type = localname(doc)
        law = "223" if "223fz" in (doc.tag or "") else "44"
        items = [el for el in doc.iter() if is_item(el)]
        out.append(Template(p.name, data, doc_type, category_of(doc_type), law, len(items), _main_date(doc),
                            _hot_tags(root), tuple(sorted({el.tag for el in items}))))
    if wanted is not None and len(out) != len(wanted):
        missing = wanted - {t.name for t in out}
        raise FileNotFoundError(f"samples not found: {sorted(missing)}")
    return out


# --- mutation --------------------------------------------------------------------------------------------


@dataclass
class Generated:
    member: str  # "<type>_<regNumber>_<id>"
    data: bytes
    doc_type: str
    category: str
    when: date
    items: int
    reg_number: str


class Mutator:
    """Makes new documents from templates; one seeded RNG, registry numbers unique across the corpus."""

    def __init__(self, seed: int = 1, *, years: tuple[int, int] = (2016, 2025),
                 items: tuple[int, int] | None = None, amount_range: tuple[float, float] = (0.1, 10.0)):
        self.rng = random.Random(seed)
        self.years = years
        self.items = items
        self.amount_range = amount_range
        self._used: set[str] = set()
        self._next_id = self.rng.randrange(10_000_000, 50_000_000)

    # numbers ------------------------------------------------------------------------------------------
    def _unique(self, make) -> str:
        while True:
            v = make()
            if v not in self._used:
                self._used.add(v)
                return v

    def new_number(self, old: str, year: int) -> str:
        n = len(old)
        yy = f"{year % 100:02d}"
        if n == 19:  # placer code (11) + year (2) + serial (6)
            return self._unique(lambda: old[:11] + yy + f"{self.rng.randrange(10**6):06d}")
        if n == 11:  # 223-FZ purchase: law digit + year + serial (8)
            return self._unique(lambda: old[:1] + yy + f"{self.rng.randrange(10**8):08d}")
        keep = max(n - 8, 0)
        return self._unique(lambda: old[:keep] + f"{self.rng.randrange(10**8):08d}"[-(n - keep):])

    def random_day(self) -> date:
        start = date(self.years[0], 1, 1)
        return start + timedelta(days=self.rng.randrange((date(self.years[1], 12, 31) - start).days + 1))

    def new_doc_id(self) -> str:
        self._next_id += self.rng.randrange(1, 50)
        return str(self._next_id)

    def new_guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # the document ---------------------------------------------------------------------------------------
    def make(self, tpl: Template, on: date | None = None) -> Generated:
        """A new document from ``tpl``; its main date falls on ``on`` (default: a random day in the years)."""
        rng = self.rng
        root = etree.fromstring(tpl.data)
        doc = _doc_element(root)

        n_items, lists = self._resize_items(doc, tpl.item_tags)

        # one date shift per document, moving its main date onto the chosen day
        main = tpl.main_date
        when = on or self.random_day()
        shift = timedelta(days=(when - main).days) if main is not None else timedelta(0)
        year = when.year
        year_delta = year - main.year if main is not None else 0

        lo, hi = self.amount_range
        factor = Decimal(str(round(math.exp(rng.uniform(math.log(lo), math.log(hi))), 4)))

        hot = [el for el in root.iter(*tpl.hot_tags) if el.text and el.text.strip()] if tpl.hot_tags else []
        # collect the new identifiers
        mapping: dict[str, str] = {}
        primary: dict[str, str] = {}
        for el in hot:
            name = localname(el)
            text = el.text.strip()
            if name in ID_TAGS and _DIGITS.match(text) and len(text) in ID_LENGTHS:
                if name == "regNum" and len(text) != 19:
                    continue
                if text not in mapping:
                    mapping[text] = self.new_number(text, year)
                primary.setdefault(name, mapping[text])
            elif name == "guid" and _GUID.match(text) and text not in mapping:
                mapping[text] = self.new_guid()
        doc_id = None
        for child in doc:
            if localname(child) == "id" and child.text and _DIGITS.match(child.text.strip()):
                old = child.text.strip()
                doc_id = mapping[old] = mapping.get(old) or self.new_doc_id()
                break
        long_ids = [k for k in mapping if len(k) >= 11 and _DIGITS.match(k)]

        # apply: identifiers everywhere, amounts, dates
        for el in hot:
            el.text = self._new_text(el, el.text, mapping, long_ids, factor, shift, year_delta)
        _recompute_totals(lists)

        reg = next((primary[t] for t in PRIMARY_ID_ORDER if t in primary), None) or self.new_number(
            "00000000000", year)
        doc_id = doc_id or self.new_doc_id()
        enc = root.getroottree().docinfo.encoding or "UTF-8"
        data = etree.tostring(root, xml_declaration=True, encoding=enc)
        return Generated(f"{tpl.doc_type}_{reg}_{doc_id}", data, tpl.doc_type, tpl.category, when,
                         n_items, reg)

    def _new_text(self, el, text, mapping, long_ids, factor, shift, year_delta) -> str:
        stripped = text.strip()
        if stripped in mapping:
            return text.replace(stripped, mapping[stripped])
        name = localname(el)
        if _DECIMAL.match(stripped):
            if name in MONEY_TAGS or (name in CONTEXT_MONEY and localname(el.getparent()) in MONEY_PARENTS):
                return _scale(stripped, factor)
            if name in YEAR_TAGS and len(stripped) == 4 and stripped.isdigit():
                return str(int(stripped) + year_delta)
        m = _DATE.match(stripped)
        if m and shift:
            try:
                d = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) + shift
            except ValueError:
                return text
            return d.isoformat() + (m.group(4) or "") + (m.group(5) or "")
        for old in long_ids:
            if old in text:
                text = text.replace(old, mapping[old])
        return text

    def _resize_items(self, doc, item_tags: tuple[str, ...]) -> tuple[int, list]:
        """Copy or drop items of every item list; returns the item count and the list elements."""
        if not item_tags:
            return 0, []
        groups: dict[tuple[int, str], tuple[etree._Element, list]] = {}
        for el in doc.iter(*item_tags):
            if is_item(el):
                parent = el.getparent()
                key = (id(parent), el.tag)
                groups.setdefault(key, (parent, []))[1].append(el)
        total = 0
        for parent, items in groups.values():
            # only resize real lists: the items must be siblings in one run
            n = len(items)
            want = self.rng.randint(*self.items) if self.items else self.rng.randint(1, max(3, 3 * n))
            if want < n:
                for el in items[want:]:
                    parent.remove(el)
            else:
                last = items[-1]
                for i in range(want - n):
                    clone = copy.deepcopy(self.rng.choice(items))
                    self._renumber_item(clone, n + i + 1)
                    last.addnext(clone)
                    last = clone
            total += want
        return total, [parent for parent, _ in groups.values()]

    def _renumber_item(self, item, ordinal: int) -> None:
        for el in item:  # the item's own sid / guid / ordinal are its children
            name = localname(el)
            if name == "sid" and el.text and _DIGITS.match(el.text.strip()):
                el.text = str(self.rng.randrange(10**8, 10**9))
            elif name == "guid" and el.text and _GUID.match(el.text.strip()):
                el.text = self.new_guid()
            elif name in ("ordinalNumber", "ordinal"):
                el.text = str(ordinal)


def _scale(text: str, factor: Decimal) -> str:
    try:
        v = Decimal(text)
    except InvalidOperation:
        return text
    if v == 0:
        return text
    places = len(text.partition(".")[2])
    q = Decimal(1).scaleb(-places)
    return str((v * factor).quantize(q, rounding=ROUND_HALF_EVEN))


def _main_date(doc) -> date | None:
    found: dict[str, date] = {}
    first = None
    for el in doc.iter():
        text = el.text.strip() if isinstance(el.tag, str) and el.text else ""
        m = _DATE.match(text) if text else None
        if not m:
            continue
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        name = localname(el)
        if name in MAIN_DATE_TAGS and name not in found:
            found[name] = d
        first = first or d
    for t in MAIN_DATE_TAGS:
        if t in found:
            return found[t]
    return first


def _recompute_totals(lists) -> None:
    """Where an item list has a total (``totalSum``, ``total``), make it the sum of its items' sums."""
    for parent in lists:
        total = next((c for c in parent if localname(c) in ("totalSum", "total")), None)
        if total is None:
            continue
        sums = []
        for child in parent:
            if is_item(child):
                s = next((c for name in ITEM_SUM for c in child if localname(c) == name), None)
                if s is not None and s.text and _DECIMAL.match(s.text.strip()):
                    sums.append(Decimal(s.text.strip()))
        if sums:
            places = len((total.text or "").strip().partition(".")[2])
            total.text = str(sum(sums, Decimal(0)).quantize(Decimal(1).scaleb(-places)))


# --- archives --------------------------------------------------------------------------------------------


def _signature(rng: random.Random) -> bytes:
    """A stand-in for the detached CMS signature the portal ships beside each document (ingest skips it)."""
    return b"-----BEGIN CMS-----\n" + base64.encodebytes(rng.randbytes(rng.randint(1500, 2600))) + \
        b"-----END CMS-----\n"


class _ArchiveWriter:
    """One dump archive: the documents of one category, region and day."""

    def __init__(self, path: Path):
        self.path = path
        self.zf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def add(self, g: Generated, sig: bytes) -> None:
        ts = (g.when.year, g.when.month, g.when.day, 12, 0, 0)
        for name, payload in ((g.member + ".xml", g.data), (g.member + ".sig", sig)):
            info = zipfile.ZipInfo(name, date_time=ts)
            info.compress_type = zipfile.ZIP_DEFLATED
            self.zf.writestr(info, payload)

    def close(self) -> None:
        self.zf.close()


@dataclass
class Manifest:
    params: dict
    docs: int = 0
    items: int = 0
    xml_bytes: int = 0
    archives: list[str] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    by_year: dict[str, int] = field(default_factory=dict)


def manifest_path(out: Path) -> Path:
    """The manifest sits beside the corpus folder, so the folder holds nothing but dump archives."""
    return out.with_name(out.name + ".manifest.json")


def build_zakupki(out: Path, *, docs: int, seed: int = 1, per_archive: int = 500,
                  samples: Iterable[str] | None = None, items: tuple[int, int] | None = None,
                  years: tuple[int, int] = (2016, 2025), force: bool = False) -> Manifest:
    """Write ``docs`` documents into zip archives under ``out``; reuse ``out`` when it was built with the
    same parameters. Returns the manifest."""
    templates = load_templates(samples)
    if not templates:
        raise ValueError("no templates to build from")
    params = {
        "generator": GENERATOR_VERSION, "docs": docs, "seed": seed, "per_archive": per_archive,
        "samples": sorted(t.name for t in templates), "items": list(items) if items else None,
        "years": list(years),
        "samples_sha": hashlib.sha256(b"".join(t.data for t in templates)).hexdigest()[:16],
    }
    mpath = manifest_path(out)
    if not force and mpath.exists():
        try:
            old = json.loads(mpath.read_text())
            if old.get("params") == params:
                return Manifest(**old)
        except (ValueError, TypeError):
            pass
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    mut = Mutator(seed, years=years, items=items)
    sig_rng = random.Random(seed + 1)
    manifest = Manifest(params=params)
    by_category: dict[str, list[Template]] = {}
    for t in templates:
        by_category.setdefault(t.category, []).append(t)
    categories = sorted(by_category)
    weights = [len(by_category[c]) for c in categories]
    parts: dict[str, int] = {}
    made = dict.fromkeys(categories, 0)
    # at least ~4 archives per category, so a small corpus still mixes notices, protocols and contracts
    per_archive = max(1, min(per_archive, -(-docs // (4 * len(categories)))))
    left = docs
    while left > 0:
        # the category furthest behind its share (by number of samples) gets the next archive
        done = sum(made.values())
        category = max(categories, key=lambda c: (weights[categories.index(c)] / sum(weights)) * (done + 1)
                       - made[c])
        region = mut.rng.choice(REGIONS)
        day = mut.random_day()
        stem = f"{category}_{region}_{day:%Y%m%d}00_{day + timedelta(days=1):%Y%m%d}00"
        parts[stem] = parts.get(stem, 0) + 1
        name = f"{stem}_{parts[stem]:03d}.xml.zip"
        w = _ArchiveWriter(out / name)
        for _ in range(min(per_archive, left)):
            g = mut.make(mut.rng.choice(by_category[category]), on=day)
            w.add(g, _signature(sig_rng))
            manifest.docs += 1
            manifest.items += g.items
            manifest.xml_bytes += len(g.data)
            manifest.by_type[g.doc_type] = manifest.by_type.get(g.doc_type, 0) + 1
            y = str(g.when.year)
            manifest.by_year[y] = manifest.by_year.get(y, 0) + 1
            made[category] += 1
            left -= 1
        w.close()
        manifest.archives.append(name)
    manifest.archives.sort()
    mpath.write_text(json.dumps(manifest.__dict__, indent=1, sort_keys=True))
    return manifest


def iter_documents(folder: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of every XML document in the corpus archives, in archive order."""
    for p in sorted(folder.glob("*.xml.zip")):
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".xml"):
                    yield info.filename, zf.read(info)


# --- OCDS: delegated to the OCDS helper's generator -------------------------------------------------------


def ocds_generator():
    """The module ``benchmarks/ocds_corpus.py`` (written with the OCDS parser), or None when absent."""
    if not (HERE / "ocds_corpus.py").exists():
        return None
    sys.path.insert(0, str(HERE))
    try:
        import ocds_corpus  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(HERE))
    return ocds_corpus


def _parse_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    z = sub.add_parser("zakupki", help="zip archives of 44-FZ/223-FZ XML in the portal's dump layout")
    z.add_argument("--docs", type=int, default=2000, help="number of documents (default 2000)")
    z.add_argument("--seed", type=int, default=1)
    z.add_argument("--per-archive", type=int, default=500, help="documents per zip archive (default 500)")
    z.add_argument("--items", type=_parse_range, default=None,
                   help="items per item list, e.g. 80-120 (default: 1 to 3x the sample's count)")
    z.add_argument("--years", type=_parse_range, default=(2016, 2025), help="year range, e.g. 2016-2025")
    z.add_argument("--sample", action="append", dest="samples", default=None,
                   help="only this sample file name (repeatable; default: every XML sample)")
    z.add_argument("--out", type=Path, default=None, help="output folder (default under benchmarks/corpus/)")
    z.add_argument("--force", action="store_true", help="rebuild even when the manifest matches")
    o = sub.add_parser("ocds", help="an OCDS release package (needs benchmarks/ocds_corpus.py)")
    o.add_argument("rest", nargs=argparse.REMAINDER, help="arguments passed to ocds_corpus.py")
    args = ap.parse_args(argv)
    if args.what == "ocds":
        mod = ocds_generator()
        if mod is None:
            print("benchmarks/ocds_corpus.py is not there yet (written with the OCDS parser)", file=sys.stderr)
            return 2
        return int(mod.main([a for a in args.rest if a != "--"]) or 0)
    out = args.out or CORPUS_DIR / f"zakupki-{args.docs}-s{args.seed}"
    m = build_zakupki(out, docs=args.docs, seed=args.seed, per_archive=args.per_archive,
                      samples=args.samples, items=args.items, years=args.years, force=args.force)
    print(f"{out}: {m.docs} documents, {m.items} items, {m.xml_bytes / 1e6:.1f} MB of XML "
          f"in {len(m.archives)} archives", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
