"""Safe XML parsing with lxml, and small helpers for namespace-URI based extraction.

Every XML document goes through :func:`parse_xml`. It refuses a DOCTYPE that declares entities or points at
an external DTD (billion laughs, quadratic blowup, XXE, external DTD retrieval) *before* lxml sees the bytes,
and parses with entity resolution, DTD loading and network access off, so nothing is ever expanded or
fetched. libxml2's own limits (no ``huge_tree``) refuse huge text nodes and very deep nesting.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from ..errors import ParseError, UnsafeInputError

_local = threading.local()


class _DenyExternal(etree.Resolver):
    """Every external resource (DTD, entity, XInclude; file or network) resolves to nothing: libxml2 opens
    no file and no connection, whatever the document's encoding or where its DOCTYPE sits."""

    def resolve(self, url, pubid, context):
        return self.resolve_string("", context)


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DANGEROUS_DTD = re.compile(rb"<!ENTITY|\bSYSTEM\b|\bPUBLIC\b", re.IGNORECASE)
_XINCLUDE = b"http://www.w3.org/2001/XInclude"
_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_HEAD_BYTES = 4096


def _parser(drop_blank_text: bool = False) -> etree.XMLParser:
    name = "parser_nb" if drop_blank_text else "parser"
    p = getattr(_local, name, None)
    if p is None:
        p = etree.XMLParser(
            resolve_entities=False,
            load_dtd=False,
            dtd_validation=False,
            no_network=True,
            huge_tree=False,
            remove_blank_text=drop_blank_text,
            collect_ids=False,
        )
        p.resolvers.add(_DenyExternal())
        setattr(_local, name, p)
    return p


# an HTML page saved instead of the document (a portal's error, login or captcha page): its first markup, after
# a BOM, an XML declaration and comments, is an html DOCTYPE or the html element (HTML, XHTML, any case)
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html(?=[\s>\[])|html(?=[\s>/]))",
    re.IGNORECASE | re.DOTALL)
# the DOCTYPE a browser saves with a page: HTML5's, or the W3C's own (X)HTML DTDs by their public identifier
# (with no internal subset): a page that has one is an HTML page, not an attack
_HTML_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+html(?:\s+PUBLIC\s+([\"'])-//W3C//DTD X?HTML[^\"']*\1(?:\s+([\"'])[^\"']*\2)?"
    rb"|\s+SYSTEM\s+([\"'])about:legacy-compat\3)?\s*>",
    re.IGNORECASE)


def html_page() -> ParseError:
    return ParseError("an HTML page, not a portal document",
                      hint="a portal error, login or captcha page saved instead of the document? open it in a "
                           "browser to see what it says, then download the XML or JSON again")


def _doctype(data: bytes) -> bytes | None:
    m = _DOCTYPE.search(data, 0, 1 << 16)
    if m is None:
        return None
    end = data.find(b"]>", m.end())
    if end < 0:
        end = data.find(b">", m.end())
    return data[m.start(): (end + 2) if end >= 0 else len(data)]


def check_dtd(data: bytes) -> None:
    """Refuse a document type declaration that declares entities or loads an external DTD. An HTML page
    (an html DOCTYPE that declares nothing and names at most the W3C's own DTD) is refused as what it is."""
    decl = _doctype(data)
    if decl is None:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff") and b"<\x00!\x00D\x00O\x00C" in data[: 1 << 16]:
            raise UnsafeInputError("UTF-16 XML with a DOCTYPE refused (entity declarations are not allowed)")
        if _HTML_START.match(data[:_HEAD_BYTES]):
            raise html_page()
        return
    if _HTML_DOCTYPE.match(decl) and _HTML_START.match(data[:_HEAD_BYTES]):
        raise html_page()
    if _DANGEROUS_DTD.search(decl):
        raise UnsafeInputError(
            "XML with entity declarations or an external DTD refused (possible entity bomb or external "
            "entity attack); procurement documents never need them"
        )


def parse_xml(data: bytes, *, encoding: str | None = None, drop_blank_text: bool = False) -> etree._Element:
    """Parse bytes safely into an element. ``encoding`` overrides the declared encoding.

    ``drop_blank_text`` leaves out whitespace-only text between elements (the indentation of a pretty-printed
    document), about a sixth of libxml2's work on the portals' documents. Only for schemas without mixed
    content: in ``<p><b>a</b> <i>b</i></p>`` the space between the two would go too (libxml2 keeps the
    whitespace of an element with no child elements, and of one whose content starts with text).

    Raises :class:`UnsafeInputError` for hostile input and :class:`ParseError` for broken input,
    with a hint on what to try.
    """
    if not data or data.isspace():
        raise ParseError("the file is empty")
    check_dtd(data)
    if encoding:
        data = _reencode(data, encoding)
    try:
        root = etree.fromstring(data, _parser(drop_blank_text))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, data) from None
    if root is None:
        raise ParseError("no XML root element")
    _check_doctype(root)
    if isinstance(root.tag, str) and root.tag.rpartition("}")[2].lower() == "html":  # (after a long comment)
        raise html_page()
    maybe_xinclude = _XINCLUDE in data or b"\x00" in data[:4]  # (UTF-16/32: the bytes differ)
    if maybe_xinclude and root.xpath("boolean(//*[namespace-uri()=$ns])", ns=_XINCLUDE.decode()):
        raise UnsafeInputError("XML with XInclude elements refused (they could pull in local files)")
    return root


def _check_doctype(root: etree._Element) -> None:
    """The same refusal as :func:`check_dtd`, on what libxml2 actually parsed: catches a DOCTYPE that the
    byte scan cannot see (after a long comment, in UTF-32 or BOM-less UTF-16)."""
    info = root.getroottree().docinfo
    dtd = info.internalDTD
    if info.system_url or info.public_id or (dtd is not None and next(dtd.iterentities(), None) is not None):
        raise UnsafeInputError(
            "XML with entity declarations or an external DTD refused (possible entity bomb or external "
            "entity attack); procurement documents never need them"
        )


def _reencode(data: bytes, encoding: str) -> bytes:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ParseError(f"unknown encoding {encoding!r}", hint="use a name such as utf-8 or cp1251") from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"the file is not valid {encoding} at byte {exc.start}") from None
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    return ('<?xml version="1.0" encoding="utf-8"?>' + text).encode("utf-8")


def _syntax_error(exc: etree.XMLSyntaxError, data: bytes) -> ParseError:
    msg = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
    low = msg.lower()
    line = getattr(exc, "lineno", None) or (exc.position[0] if getattr(exc, "position", None) else None)
    where = f" (line {line})" if line else ""
    if _HTML_START.match(data[:_HEAD_BYTES]):  # a page that is not well-formed XML (most are not)
        return html_page()
    if "entit" in low and ("amplification" in low or "loop" in low or "exceeded" in low):
        return UnsafeInputError(f"XML entity expansion refused{where}")
    if "external entity" in low:
        return UnsafeInputError(f"XML with an external entity refused{where}")
    if "not proper utf-8" in low or "encoding" in low or "bytes:" in low and "utf" in low:
        declared = _DECL_ENCODING.match(data[:200])
        dec = declared.group(1).decode() if declared else "utf-8 (none declared)"
        return ParseError(f"the bytes do not match the declared encoding {dec}{where}",
                          hint="try --encoding cp1251 (or the encoding the publisher used)")
    if "premature end" in low or "extra content" not in low and ("end of data" in low or "eof" in low
                                                                  or "not closed" in low):
        return ParseError(f"the XML is truncated or incomplete{where}",
                          hint="download the document again")
    if "huge" in low or "depth" in low or "too long" in low or "excessive" in low:
        return UnsafeInputError(f"XML refused: {msg}{where} (beyond safe size or nesting limits)")
    if "start tag expected" in low or "document is empty" in low:
        return ParseError("not an XML document", hint="check that the file is the document you meant")
    return ParseError(f"broken XML: {msg}{where}", hint="the file may be damaged; download it again")


# --- helpers for extraction -------------------------------------------------------------------------


def localname(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1: tag.index("}")]


def clark(path: str, nsmap: dict[str, str]) -> str:
    """Turn ``"ep:commonInfo/ep:purchaseNumber"`` into ElementPath Clark notation with URIs.

    The prefixes are ours (from ``nsmap``), never the document's: namespaces are matched by URI.
    """
    out = []
    for step in path.split("/"):
        if ":" in step and not step.startswith("{"):
            prefix, _, name = step.partition(":")
            out.append(f"{{{nsmap[prefix]}}}{name}")
        else:
            out.append(step)
    return "/".join(out)


class Paths:
    """Named XPaths of one format version, compiled once into ElementPath Clark notation.

    >>> P = Paths({"ep": EP, "c": COMMON}, number="ep:commonInfo/ep:purchaseNumber")
    >>> P.text(root, "number")
    """

    def __init__(self, nsmap: dict[str, str], **paths: str):
        self.nsmap = nsmap
        self.paths = {name: clark(p, nsmap) for name, p in paths.items()}

    def __getitem__(self, name: str) -> str:
        return self.paths[name]

    def text(self, el: etree._Element | None, name: str) -> str | None:
        if el is None:
            return None
        v = el.findtext(self.paths[name])
        if v is None:
            return None
        v = v.strip()
        return v or None

    def find(self, el: etree._Element | None, name: str) -> etree._Element | None:
        return None if el is None else el.find(self.paths[name])

    def findall(self, el: etree._Element | None, name: str) -> list[etree._Element]:
        return [] if el is None else el.findall(self.paths[name])

    def q(self, path: str) -> str:
        """Compile an ad-hoc path with this format's prefixes."""
        return clark(path, self.nsmap)
