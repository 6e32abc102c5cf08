"""Terminal tables that never break an identifier, a code, a date or an amount, and wrap running text only
between words.

The widths are chosen here, not by rich: every cell is wrapped to its column's width before rich sees it
(rich would break a registry number, a timestamp or a money figure at any space, the no-break spaces inside
numbers too, and shrink every column below its content when the table is too wide). A column is either
*whole* (identifiers, codes, dates, figures: each line of a cell stays on one line) or *text* (running text:
it wraps between words, after the hyphen of a hyphenated word, and gets at least its longest word, up to
:data:`WORD_MAX` cells). When even that does not fit the terminal, each row is printed as a block of
labelled values instead (:func:`print_blocks`): nothing is cropped at the right edge, wrapped lines are
indented under their label.

A no-break space (U+00A0) glues words that must stay together ("INN 7702166610"); it is printed as a plain
space.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

WORD_MAX = 20  # a text column gets at least its longest word, up to this many cells
WHOLE_MAX = 40  # a whole value longer than this may fold (a long path or URL) rather than force blocks
GAP = 2  # cells between two columns (the tables below: collapsed padding, no edges)
GLUE = "\u00a0"  # joins words that must not be separated; printed as a space

_SPACES = re.compile(r"[ \t\r\f\v]+")  # breakable spaces (not the no-break ones)


@functools.cache
def _hyphen() -> re.Pattern[str]:
    """Where a word may break: "научно-исследовательский" after its hyphen, a file name after an underscore or
    a slash. Compiled on first use (some milliseconds: every command's start would pay them)."""
    return re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])|(?<=[_/])(?=\w)")


@dataclass(frozen=True)
class Column:
    key: str
    header: str | None = None  # the heading shown (default: the key)
    text: bool = False  # running text (wraps between words); otherwise each line of a cell stays whole
    right: bool = False
    style: str | None = None

    @property
    def label(self) -> str:
        return self.key if self.header is None else self.header


@dataclass(frozen=True)
class Cell:
    """A cell's text (lines separated by ``\\n``), whether it must stay whole (None: as its column says) and
    its style."""

    text: str
    whole: bool | None = None
    style: str | None = None


def as_cell(value: Any) -> Cell:
    if isinstance(value, Cell):
        return value
    return Cell("" if value is None else str(value))


# --- measuring and wrapping -----------------------------------------------------------------------------------


def cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _tokens(line: str) -> list[tuple[str, bool]]:
    """The pieces a line of text may break between: (piece, a space before it)."""
    out: list[tuple[str, bool]] = []
    for word in _SPACES.split(line.strip()):
        if word:
            for i, piece in enumerate(_hyphen().split(word)):
                out.append((piece, i == 0))
    return out


def longest_word(text: str) -> int:
    return max((cells(p) for line in text.split("\n") for p, _ in _tokens(line)), default=0)


def _chop(text: str, width: int) -> list[str]:
    """A piece wider than ``width`` folded into pieces of at most ``width`` cells."""
    from rich.cells import get_character_cell_size

    out, cur, n = [], "", 0
    for ch in text:
        w = get_character_cell_size(ch)
        if cur and n + w > width:
            out.append(cur)
            cur, n = "", 0
        cur += ch
        n += w
    out.append(cur)
    return out


def wrap(text: str, width: int, *, first: int | None = None) -> list[str]:
    """Running text in lines of at most ``width`` cells (``first`` for the first line), broken between words
    only (a word wider than a line is folded)."""
    width = max(1, width)
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for piece, spaced in _tokens(para):
            limit = first if (first is not None and not lines) else width
            add = (" " if spaced and line else "") + piece
            if line and cells(line) + cells(add) > limit:
                lines.append(line)
                line = piece
            else:
                line += add
            limit = first if (first is not None and not lines) else width
            while cells(line) > max(1, limit):
                head, *rest = _chop(line, max(1, limit))
                lines.append(head)
                line = "".join(rest)
                limit = width
        lines.append(line)
    return [ln.replace(GLUE, " ") for ln in lines]


def whole_lines(text: str, width: int) -> list[str]:
    """Each line kept whole; only a line wider than ``width`` (a long path or URL) folds."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(_chop(line, width) if cells(line) > width else [line])
    return [ln.replace(GLUE, " ") for ln in out]


def _is_whole(col: Column, cell: Cell) -> bool:
    return cell.whole if cell.whole is not None else not col.text


def _fit(col: Column, cell: Cell, width: int) -> list[str]:
    return whole_lines(cell.text, width) if _is_whole(col, cell) else wrap(cell.text, width)


# --- widths -------------------------------------------------------------------------------------------------


def widths(columns: Sequence[Column], rows: Sequence[Mapping[str, Cell]], width: int) -> list[int] | None:
    """Column widths that fit ``width`` with every whole value whole and every text column at least its
    longest word (up to WORD_MAX); None when that is impossible."""
    mins, nats = [], []
    for col in columns:
        # a heading may wrap between its words in a text column; over a whole column it stays whole
        hi = max((cells(x) for x in col.label.split("\n")), default=0)
        lo = longest_word(col.label) if col.text else hi
        for r in rows:
            c = r[col.key]
            if not c.text:
                continue
            n = max(cells(x) for x in c.text.split("\n"))
            if _is_whole(col, c):
                lo = max(lo, min(n, WHOLE_MAX))
            else:
                lo = max(lo, min(WORD_MAX, longest_word(c.text)))
            hi = max(hi, n)
        mins.append(lo)
        nats.append(max(hi, lo))
    room = width - GAP * (len(columns) - 1)
    if sum(nats) <= room:
        return nats
    if sum(mins) > room:
        return None
    out = list(mins)
    spare = room - sum(mins)
    want = [n - m for n, m in zip(nats, mins)]
    total = sum(want)
    for i, w in enumerate(want):  # the room left shared in proportion to what each column would still take
        out[i] += w * spare // total if total else 0
    left = room - sum(out)
    for i in sorted(range(len(out)), key=lambda i: -(nats[i] - out[i])):
        if left <= 0:
            break
        if out[i] < nats[i]:
            out[i] += 1
            left -= 1
    return out


# --- printing -----------------------------------------------------------------------------------------------


def print_table(console, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], *, title: str | None = None,
                caption: str | None = None, footer: Mapping[str, Any] | None = None,
                head: Sequence[str] | None = None, blocks_columns: Sequence[Column] | None = None,
                block_rows: Sequence[Mapping[str, Any]] | None = None, drop_empty: bool = True) -> bool:
    """``rows`` as a table that fits the console, else as blocks (``blocks_columns``/``block_rows`` when the
    blocks should show other columns than the table, e.g. values the table stacks in one column).
    Returns True when a table was printed."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    grid = [{c.key: as_cell(r.get(c.key)) for c in columns} for r in rows]
    if drop_empty and grid:  # a column empty in every row says nothing
        columns = [c for c in columns if any(g[c.key].text for g in grid)]
    if not columns:
        return False
    foot = {c.key: as_cell((footer or {}).get(c.key)) for c in columns} if footer else None
    ws = widths(columns, grid + ([foot] if foot else []), console.width)
    if ws is None:
        print_blocks(console, blocks_columns or columns, block_rows if block_rows is not None else rows,
                     title=title, caption=caption, footer=footer, head=head)
        return False
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, title_justify="left", caption_justify="left",
                  collapse_padding=True, pad_edge=False, show_edge=False, show_footer=foot is not None)
    for col, w in zip(columns, ws):
        table.add_column(Text("\n".join(wrap(col.label, w))), justify="right" if col.right else "left",
                         no_wrap=True, width=w, style=col.style,
                         footer=Text("\n".join(_fit(col, foot[col.key], w))) if foot else "")
    for r in grid:
        table.add_row(*(Text("\n".join(_fit(col, r[col.key], w)), style=r[col.key].style or "")
                        for col, w in zip(columns, ws)))
    console.print(table)
    return True


def print_blocks(console, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], *, title: str | None = None,
                 caption: str | None = None, footer: Mapping[str, Any] | None = None,
                 head: Sequence[str] | None = None) -> None:
    """Each row as a block: its head (the ``head`` columns' values, else its first value) in bold, then its
    whole values labelled and packed onto lines (never split), then each text on lines of its own, indented
    under its label."""
    from rich.text import Text

    if not columns:
        return
    if title:
        console.print(Text(title, style="italic"))
    for r in [*rows, *([{**footer, "__footer__": True}] if footer else [])]:
        grid = {c.key: as_cell(r.get(c.key)) for c in columns}
        keys = [k for k in (head or ()) if grid.get(k) and grid[k].text]
        if not keys:
            keys = [next((c.key for c in columns if grid[c.key].text), columns[0].key)]
        heading = " ".join(grid[k].text.replace("\n", " ") for k in keys)
        if r.get("__footer__"):
            heading = "total" if not heading else heading
        parts = [f"{c.label}{GLUE}{grid[c.key].text.replace(chr(10), GLUE)}".replace(" ", GLUE)
                 for c in columns if c.key not in keys and grid[c.key].text and _is_whole(c, grid[c.key])]
        print_block(console, heading, parts)
        for c in columns:
            cell = grid[c.key]
            if c.key in keys or not cell.text or _is_whole(c, cell):
                continue
            label = f"  {c.label}: "
            lines = wrap(cell.text, console.width - 4, first=console.width - cells(label))
            console.print(Text(label + lines[0], style=cell.style or ""), overflow="fold", no_wrap=True)
            for line in lines[1:]:
                console.print(Text("    " + line, style=cell.style or ""), overflow="fold", no_wrap=True)
    if caption:
        console.print(Text(caption, style="dim"))


def print_block(console, head: str, parts: Sequence[str], *, indent: int = 2) -> None:
    """``head`` in bold (wrapped between words, its later lines indented), then ``parts`` ("label value")
    packed onto as few lines as fit the terminal. A part is never split across lines; only a part wider
    than the whole line folds."""
    from rich.text import Text

    width = console.width
    pad = " " * indent
    lines: list[str] = []
    line = ""
    for part in parts:
        part = part.replace(GLUE, " ")
        if line and cells(line) + 3 + cells(part) > width:
            lines.append(line)
            line = pad + part
        else:
            line = f"{line}   {part}" if line else pad + part
    if line:
        lines.append(line)
    heads = wrap(head, width - indent, first=width) if head else [""]
    for n, h in enumerate(heads):
        text = Text(h if n == 0 else pad + h, style="bold")
        if n == len(heads) - 1 and lines and cells(text.plain) + 3 + cells(lines[0].lstrip()) <= width:
            text.append("   " + lines.pop(0).lstrip())
        console.print(text, overflow="fold", no_wrap=True)
    for rest in lines:
        for piece in whole_lines(rest, width) if cells(rest) > width else [rest]:
            console.print(Text(piece), overflow="fold", no_wrap=True)
