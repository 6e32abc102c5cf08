"""Plain text of attachments: .docx and .xlsx (zip files of XML, read with lxml), PDF (pypdf).

Used for station extraction: the technical specification of a tender is usually an attached .docx or
.xlsx. Safe against zip bombs (caps on each member's declared and actual size and on the compression
ratio), XML bombs (every member goes through :func:`tenderscan.safety.xml.parse_xml`) and huge outputs
(the text is cut at :data:`MAX_TEXT_CHARS`). Anything that cannot be read gives ``None``, never an error:
a missing text only means fewer stations found.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import TenderscanError

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200
MAX_TEXT_CHARS = 5_000_000
MAX_PDF_PAGES = 500

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHEET = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")
_DOCX_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


def extract_text(data: bytes, *, name: str | None = None) -> str | None:
    """The text of a .docx, .xlsx or PDF file given as bytes; None for anything else or on failure."""
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "word/document.xml" in names:
                    return _cap(docx_text(zf))
                if "xl/workbook.xml" in names:
                    return _cap(xlsx_text(zf))
            return None
        if data[:5] == b"%PDF-":
            return _cap(pdf_text(data))
    except (TenderscanError, zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, RuntimeError):
        return None
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on broken files; text is best effort
        return None
    return None


def _cap(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text[:MAX_TEXT_CHARS] or None


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes under the bomb caps (the header's sizes are checked, then what is really read)."""
    from ..errors import UnsafeInputError

    info = zf.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise UnsafeInputError(f"{name}: member too large")
    if info.compress_size and info.file_size > 1 << 20 and info.file_size / info.compress_size > MAX_RATIO:
        raise UnsafeInputError(f"{name}: compression ratio too high")
    with zf.open(info) as fh:
        data = fh.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES or len(data) > max(info.file_size, 0) + 1:
        raise UnsafeInputError(f"{name}: member larger than declared")
    return data


def _xml(zf: zipfile.ZipFile, name: str):
    from ..safety.xml import parse_xml

    return parse_xml(_member(zf, name))


def docx_text(zf: zipfile.ZipFile) -> str:
    """Paragraphs of the body (then headers, footers, notes), one per line (table cells too)."""
    parts = sorted((n for n in zf.namelist() if _DOCX_PARTS.match(n)), key=lambda n: (n != "word/document.xml", n))
    lines: list[str] = []
    p_tag, t_tag, tab_tag, br_tag = f"{{{W}}}p", f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br"
    for part in parts:
        root = _xml(zf, part)
        for p in root.iter(p_tag):
            buf: list[str] = []
            for el in p.iter(t_tag, tab_tag, br_tag):
                if el.tag == t_tag:
                    buf.append(el.text or "")
                else:
                    buf.append("\t" if el.tag == tab_tag else "\n")
            line = "".join(buf)
            if line.strip():
                lines.append(line)
    return "\n".join(lines)


def xlsx_text(zf: zipfile.ZipFile) -> str:
    """Every sheet's rows, cells separated by tabs (shared and inline strings resolved)."""
    shared: list[str] = []
    if "xl/sharedStrings.xml" in zf.namelist():
        root = _xml(zf, "xl/sharedStrings.xml")
        for si in root.iter(f"{{{S}}}si"):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{S}}}t")))
    sheets = sorted((int(m.group(1)), n) for n in zf.namelist() if (m := _SHEET.match(n)))
    lines: list[str] = []
    for _, name in sheets:
        root = _xml(zf, name)
        for row in root.iter(f"{{{S}}}row"):
            cells = []
            for c in row.iter(f"{{{S}}}c"):
                kind = c.get("t")
                if kind == "inlineStr":
                    cells.append("".join(t.text or "" for t in c.iter(f"{{{S}}}t")))
                    continue
                v = c.find(f"{{{S}}}v")
                value = v.text if v is not None and v.text is not None else ""
                if kind == "s" and value.isdigit() and int(value) < len(shared):
                    value = shared[int(value)]
                cells.append(value)
            if any(x.strip() for x in cells):
                lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str | None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:  # noqa: BLE001
            return None
    out: list[str] = []
    size = 0
    for i, page in enumerate(reader.pages):
        if i >= MAX_PDF_PAGES or size > MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        size += len(text)
        out.append(text)
    return "\n".join(out)
