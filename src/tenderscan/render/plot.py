"""Pictures of spending rows: inline bars for the terminal table, a bar chart file with matplotlib."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..services.export.target import atomic_path

BLOCKS = " ▏▎▍▌▋▊▉"


def bars(rows: list[dict[str, Any]], width: int = 24) -> list[str]:
    """An inline bar per row, on one scale per currency (the largest amount in that currency, whatever the
    kind, is the full width): bars of different currencies are never compared."""
    top: dict[str | None, Decimal] = {}
    for r in rows:
        key = r["currency"]
        if r["amount"] is not None and r["amount"] > top.get(key, Decimal(0)):
            top[key] = r["amount"]
    out = []
    for r in rows:
        peak = top.get(r["currency"])
        if not peak or r["amount"] is None or r["amount"] <= 0:
            out.append("")
            continue
        eighths = int(r["amount"] * width * 8 / peak)
        out.append("█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "") or "▏")
    return out


KIND_NAMES = {"notice": "notices (maximum prices)", "contract": "contracts", "plan": "plans",
              "feed_summary": "feed summaries", "contract_execution": "contract executions",
              "protocol": "protocols", "cancellation": "cancellations", "change": "changes", "other": "other"}
MAX_CATEGORIES = 20  # bars per panel of a chart by customer, class, region...: the largest, the rest named
MAX_SERIES = 8  # series of a chart by year and something else: the largest, the rest as "others"
LABEL_CHARS = 34  # a category's name wrapped at this many characters, two lines at most
CATEGORY_NAMES = {"(no okpd2)": "(no OKPD2 code)", "unassigned": "(not in one class)"}


@dataclass
class Panel:
    """One currency's chart: series name -> {category or year: amount} (and the part not in items)."""

    currency: str | None
    series: dict[str, dict[Any, float]] = field(default_factory=dict)
    uncovered: dict[str, dict[Any, float]] = field(default_factory=dict)
    undated: list[str] = field(default_factory=list)
    hidden: int = 0  # categories left out (beyond MAX_CATEGORIES)


def _label(r: dict[str, Any], keys: list[str]) -> str:
    """A group's name on the chart: its keys (a customer by name), "—" for a missing one."""
    out = []
    for k in keys:
        v = r.get(k)
        if k == "customer":
            v = r.get("customer") or r.get("customer_inn")
        out.append(f"(no {k})" if v is None else str(v))
    return " / ".join(out) or "all"


def short(text: str, width: int = LABEL_CHARS, lines: int = 2) -> str:
    """A name wrapped between words onto at most ``lines`` lines, the rest cut with an ellipsis."""
    import textwrap

    parts = textwrap.wrap(" ".join(text.split()), width) or [text]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def scale(peak: float) -> tuple[float, str]:
    """A divisor and its name for an axis whose largest value is ``peak``: millions for millions..."""
    for div, name in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if peak >= div:
            return div, name
    return 1.0, ""


def _panels(rows: list[dict[str, Any]], by: list[str]) -> list[Panel]:
    keys = [b for b in by if b not in ("kind", "year")]
    by_year = "year" in by
    panels: dict[str | None, Panel] = {}
    for r in rows:
        p = panels.setdefault(r["currency"], Panel(r["currency"]))
        kind = KIND_NAMES.get(r["kind"], r["kind"])
        name = kind if not (by_year and keys) else f"{_label(r, keys)} — {kind}"
        where = r.get("year") if by_year else _label(r, keys)
        amount = float(r["amount"] or 0)  # a picture: floats are fine
        if by_year and where is None:
            if r["amount"]:
                p.undated.append(f"{kind}: {r['count']} document(s), {_money(r['amount'])} {r['currency'] or ''}"
                                 .rstrip())
            continue
        p.series.setdefault(name, {})[where] = p.series.get(name, {}).get(where, 0.0) + amount
        if r.get("not_in_items"):
            p.uncovered.setdefault(name, {})[where] = float(r["not_in_items"])
    for p in panels.values():  # a series with nothing to draw (kinds without amounts) is left out
        p.series = {k: v for k, v in p.series.items() if any(v.values()) or p.uncovered.get(k)}
    return [panels[c] for c in sorted(panels, key=lambda c: (c is None, c or ""))
            if panels[c].series or panels[c].undated]


def _money(v: Decimal) -> str:
    div, name = scale(float(v))
    return f"{float(v) / div:,.1f} {name}".strip() if div > 1 else f"{v:,}"


def plot(rows: list[dict[str, Any]], by: list[str], path: Path) -> "Plot":
    """A bar chart of the amounts, one panel per currency (amounts in different currencies never share an
    axis), written atomically to a .png or .svg file. By year: a time axis of years, a bar per kind (and
    per customer, class... for the largest series); otherwise horizontal bars, a bar per group and kind,
    names wrapped (OKPD2 classes in code order, others largest first). The y axis names the currency and
    its unit (thousand, million, billion). By OKPD2 class, the document amounts no item amount covers are
    drawn as a lighter part of the bar."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"cannot plot to {path.name}", hint="give a .png or .svg file name")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib", hint="pip install 'tenderscan[plot]'") from None
    import warnings

    panels = _panels(rows, by) or [Panel(None)]
    by_year = "year" in by
    keys = [b for b in by if b not in ("kind", "year")]
    # SVG keeps its texts as text (searchable, editable in a graphics program), not as drawn glyphs
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context({"svg.fonttype": "none"}):
        warnings.simplefilter("always")
        fig = _years(plt, panels, by, keys) if by_year else _categories(plt, panels, by, keys)
        try:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=path.suffix.lower().lstrip("."))
        finally:
            plt.close(fig)
    # what matplotlib would have printed (a glyph no font has...), as one-line notes for the caller
    return Plot(path, list(dict.fromkeys(" ".join(str(w.message).split()) for w in caught)))


@dataclass
class Plot:
    path: Path
    notes: list[str] = field(default_factory=list)


def _title(by: list[str], keys: list[str]) -> str:
    what = {"customer": "customer", "okpd2": "OKPD2 class", "region": "region", "source": "source"}
    parts = (["year"] if "year" in by else []) + [what.get(k, k) for k in keys]
    return "Spending by " + (" and ".join(parts) or "kind")


def _axis(ax, panel: Panel, div: float, name: str, *, horizontal: bool) -> None:
    """The amount axis: values already divided by ``div``, labelled with the unit and the currency, plain
    numbers with thousands separators (no offset, no scientific notation)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    unit = f"{name} {panel.currency or '(no currency)'}".strip()
    axis = ax.xaxis if horizontal else ax.yaxis
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.10f}".rstrip("0").rstrip(".")))
    (ax.set_xlabel if horizontal else ax.set_ylabel)(f"amount, {unit}")
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    ax.set_axisbelow(True)


def _years(plt, panels: list[Panel], by: list[str], keys: list[str]):
    from matplotlib.ticker import MaxNLocator

    rows_of_legend = [-(-len(_top_series(p.series)) // (2 if len(p.series) > 3 else 1)) for p in panels]
    heights = [3.4 + 0.3 * n for n in rows_of_legend]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, sum(heights) + 0.4), squeeze=False,
                             height_ratios=heights, layout="constrained")
    for ax, panel in zip(axes[:, 0], panels):
        series = _top_series(panel.series)
        years = sorted({y for vals in series.values() for y in vals})
        n = max(len(series), 1)
        w = 0.8 / n
        div, unit = scale(max((v for vals in series.values() for v in vals.values()), default=0.0))
        for k, (name, vals) in enumerate(series.items()):
            xs = [y + (k - (n - 1) / 2) * w for y in years if y in vals]
            hs = [vals[y] / div for y in years if y in vals]
            ax.bar(xs, hs, w, label=short(name, 50, 2))
        if years:
            ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
            if max(years) - min(years) <= 12:  # every year a tick, whole years only
                ax.set_xticks(range(min(years), max(years) + 1))
            else:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("year (of publication; contracts: of signing)")
        _axis(ax, panel, div, unit, horizontal=False)
        ax.set_title(f"{_title(by, keys)}, {panel.currency or 'no currency'}", loc="left")
        if series:  # under the chart, never over a bar
            ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(0, -0.22), ncols=2 if len(series) > 3 else 1,
                      frameon=False)
        ax.margins(y=0.08)
        if panel.undated:
            ax.set_title("not shown, without a date: " + "; ".join(panel.undated), loc="right", fontsize="small")
    return fig


def _top_series(series: dict[str, dict[Any, float]]) -> dict[str, dict[Any, float]]:
    """At most MAX_SERIES series: the largest, then the rest of each kind added up as "others"."""
    if len(series) <= MAX_SERIES:
        return dict(sorted(series.items()))
    ranked = sorted(series, key=lambda s: -sum(series[s].values()))
    out = {s: series[s] for s in ranked[:MAX_SERIES - 1]}
    for s in ranked[MAX_SERIES - 1:]:
        kind = s.rsplit(" — ", 1)[-1]
        other = out.setdefault(f"others — {kind}", {})
        for y, v in series[s].items():
            other[y] = other.get(y, 0.0) + v
    return out


def _categories(plt, panels: list[Panel], by: list[str], keys: list[str]):
    """Horizontal bars: one row per category (wrapped name), a bar per kind."""
    layouts = []
    for panel in panels:
        cats = list(dict.fromkeys(c for vals in panel.series.values() for c in vals))
        if keys == ["okpd2"] or (keys and keys[0] == "okpd2"):
            cats.sort(key=lambda c: (c in ("(no okpd2)", "unassigned"), c == "unassigned", c))
        else:
            total = {c: sum(v.get(c, 0.0) + panel.uncovered.get(s, {}).get(c, 0.0)
                            for s, v in panel.series.items()) for c in cats}
            cats.sort(key=lambda c: -total[c])
        panel.hidden = max(0, len(cats) - MAX_CATEGORIES)
        layouts.append(cats[:MAX_CATEGORIES])
    heights = [max(len(c), 1) * 0.45 * max(len(p.series), 1) ** 0.5 + 1.4 for p, c in zip(panels, layouts)]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, sum(heights) + 0.4), squeeze=False,
                             height_ratios=heights, layout="constrained")
    for ax, panel, cats in zip(axes[:, 0], panels, layouts):
        series = dict(sorted(panel.series.items()))
        n = max(len(series), 1)
        h = 0.8 / n
        div, unit = scale(max((v.get(c, 0.0) + panel.uncovered.get(s, {}).get(c, 0.0)
                               for s, v in series.items() for c in cats), default=0.0))
        for k, (name, vals) in enumerate(series.items()):
            ys = [i + (k - (n - 1) / 2) * h for i in range(len(cats))]
            xs = [vals.get(c, 0.0) / div for c in cats]
            bars_ = ax.barh(ys, xs, h, label=name)
            more = [panel.uncovered.get(name, {}).get(c, 0.0) / div for c in cats]
            if any(more):
                ax.barh(ys, more, h, left=xs, color=bars_.patches[0].get_facecolor(), alpha=0.35,
                        hatch="//", label=f"{name}: document amounts not in item amounts")
        ax.set_yticks(range(len(cats)), [short(CATEGORY_NAMES.get(c, c)) for c in cats], fontsize="small")
        peak = max((v.get(c, 0.0) + panel.uncovered.get(s, {}).get(c, 0.0) for s, v in series.items()
                    for c in cats), default=0.0) / div
        ax.set_xlim(0, peak * 1.06 or 1)
        ax.invert_yaxis()  # the first category on top
        _axis(ax, panel, div, unit, horizontal=True)
        title = f"{_title(by, keys)}, {panel.currency or 'no currency'}"
        if panel.hidden:
            title += f" (the largest {len(cats)}; {panel.hidden} more not shown)"
        ax.set_title(title, loc="left")
        if series:  # under the chart, never over a bar
            ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(0, -0.09 - 0.5 / max(len(cats), 1)),
                      ncols=2, frameon=False)
    return fig
