"""Pictures of spending rows: inline bars for the terminal table, a bar chart file with matplotlib."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import UsageError

BLOCKS = " ▏▎▍▌▋▊▉"


def bars(rows: list[dict[str, Any]], width: int = 24) -> list[str]:
    """An inline bar per row, scaled to the largest amount of the same kind and currency."""
    top: dict[tuple, Decimal] = {}
    for r in rows:
        key = (r["kind"], r["currency"])
        if r["amount"] is not None and r["amount"] > top.get(key, Decimal(0)):
            top[key] = r["amount"]
    out = []
    for r in rows:
        peak = top.get((r["kind"], r["currency"]))
        if not peak or r["amount"] is None or r["amount"] <= 0:
            out.append("")
            continue
        eighths = int(r["amount"] * width * 8 / peak)
        out.append("█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "") or "▏")
    return out


def _label(r: dict[str, Any], keys: list[str]) -> str:
    return " / ".join("—" if r.get(k) is None else str(r.get(k)) for k in keys) or "all"


def plot(rows: list[dict[str, Any]], by: list[str], path: Path) -> Path:
    """A bar chart of the amounts (by year when grouped by year), one series per kind and currency,
    written atomically to a .png or .svg file."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"cannot plot to {path.name}", hint="give a .png or .svg file name")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib", hint="pip install 'tenderscan[plot]'") from None
    from .export import atomic_path

    keys = [b for b in by if b != "kind"]
    xs = list(dict.fromkeys(_label(r, keys) for r in rows))
    series: dict[str, dict[str, float]] = {}
    for r in rows:
        name = f"{r['kind']} ({r['currency'] or '?'})"
        series.setdefault(name, {})[_label(r, keys)] = float(r["amount"] or 0)  # a picture: floats are fine
    fig, ax = plt.subplots(figsize=(max(6.0, len(xs) * 0.6 + 2), 4.5))
    n = max(len(series), 1)
    w = 0.8 / n
    for k, (name, vals) in enumerate(sorted(series.items())):
        ax.bar([i + (k - (n - 1) / 2) * w for i in range(len(xs))], [vals.get(x, 0) for x in xs], w, label=name)
    slanted = len(xs) > 6
    ax.set_xticks(range(len(xs)), xs, rotation=45 if slanted else 0, ha="right" if slanted else "center")
    ax.set_ylabel("amount")
    ax.set_title("Spending by " + (", ".join(keys) or "kind"))
    if series:
        ax.legend()
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix.lower().lstrip("."))
    finally:
        plt.close(fig)
    return path
