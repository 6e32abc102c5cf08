"""Reading Cardinal's settings file (INI) into :class:`~.config.Settings`.

The file Cardinal's ``init`` command writes is read as Cardinal reads it: keys and section names are
case-sensitive, global keys come before the first section, ``[R003.procurement_method_details]`` is the
``procurement_method_details`` table of R003 (and enables R003 like ``[R003]``), ``;`` and ``#`` start
comments (also after a value, following a space), a later duplicate key replaces an earlier one. Unknown
sections and keys are errors (Cardinal refuses them too), each reported on one line with what to do.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any, Mapping

from ..errors import UsageError
from .config import (
    Corrections,
    Defaults,
    Exclusions,
    IndicatorSection,
    Modifications,
    PrepareSettings,
    Redactions,
    Settings,
)
from .indicators import INDICATORS, NOT_IMPLEMENTED
from .registry import ALL_INDICATORS, ALL_REGISTRY as REGISTRY
from .options import BOOLEAN, PIPES, TEXT, Kind, OptionValueError, split_pipes

_TOP = "\x00top"  # the section name given to the keys before the first section header
_CODE = re.compile(r"[A-Z]\d{3}")

GLOBAL_OPTIONS: dict[str, Kind] = {
    "currency": TEXT,
    "no_price_comparison_procurement_methods": PIPES,
    "price_comparison_procurement_methods": PIPES,
}
SECTION_OPTIONS: dict[str, dict[str, Kind]] = {
    "exclusions": {"procurement_method_details": PIPES},
    "defaults": {
        "currency": TEXT,
        "item_classification_scheme": TEXT,
        "bid_status": TEXT,
        "award_status": TEXT,
        "party_roles": BOOLEAN,
    },
    "redactions": {"amount": TEXT, "organization_id": PIPES},
    "corrections": {"award_status_by_contract_status": BOOLEAN},
    "modifications": {
        "move_auctions": BOOLEAN,
        "prefix_buyer_or_procuring_entity_id": TEXT,
        "prefix_tenderer_or_supplier_id": TEXT,
        "split_procurement_method_details": TEXT,
    },
}
CODELISTS = ("bid_status", "award_status")


class SettingsError(UsageError):
    """The settings file cannot be used; the message names the file, the line or section, and the fix."""

    hint = (
        "fix the settings file (Cardinal's format: https://cardinal.readthedocs.io/en/latest/cli/indicators/)"
    )


def read_settings(path: str | Path) -> Settings:
    """Parse a Cardinal settings file. Raises :class:`SettingsError` (one line, with the file name)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SettingsError("no such settings file", source=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise SettingsError("is a directory, not a settings file", source=str(path)) from None
    except UnicodeDecodeError:
        raise SettingsError(
            "not UTF-8 text", source=str(path), hint="save the settings file as UTF-8"
        ) from None
    except OSError as exc:
        raise SettingsError(exc.strerror or str(exc), source=str(path)) from None
    return parse_settings(text, source=str(path))


def parse_settings(text: str, *, source: str | None = None) -> Settings:
    """Parse the text of a Cardinal settings file."""
    parser = configparser.ConfigParser(
        interpolation=None,
        strict=False,
        default_section="\x00default",
        comment_prefixes=("#", ";"),
        inline_comment_prefixes=("#", ";"),
        empty_lines_in_values=False,
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # Cardinal's keys are case-sensitive
    try:
        parser.read_string(f"[{_TOP}]\n{text}", source=source or "<settings>")
    except configparser.ParsingError as exc:
        lineno, line = exc.errors[0]
        raise SettingsError(
            f"line {lineno - 1} is not `key = value`: {_unrepr(line).strip()!r}", source=source
        ) from None
    except configparser.Error as exc:
        raise SettingsError(" ".join(str(exc).split()), source=source) from None
    return _build({name: dict(parser.items(name)) for name in parser.sections()}, source)


def _unrepr(line: str) -> str:
    """configparser (up to Python 3.12) gives the bad line as its repr: the line itself, for the message."""
    import ast

    if len(line) >= 2 and line[0] == line[-1] and line[0] in "'\"":
        try:
            value = ast.literal_eval(line)
        except (ValueError, SyntaxError):
            return line
        return value if isinstance(value, str) else line
    return line


def cardinal_defaults(codes: list[str] | None = None) -> Settings:
    """Every implemented indicator (or those in ``codes``) enabled with Cardinal's defaults."""
    chosen = codes if codes is not None else [cls.code for cls in INDICATORS]
    unknown = [c for c in chosen if c not in REGISTRY]
    if unknown:
        raise SettingsError(
            f"unknown indicator {', '.join(unknown)}", hint=f"choose from {', '.join(REGISTRY)}"
        )
    return Settings(indicators={c: IndicatorSection(c) for c in chosen})


def _value(source: str | None, where: str, key: str, raw: str, kind: Kind) -> Any:
    raw = _unquote(raw.strip())
    try:
        return kind.parse(raw)
    except OptionValueError as exc:
        raise SettingsError(f"{where} {key} = {raw!r} is not {exc}", source=source) from None


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def _options(source: str | None, where: str, items: Mapping[str, str], spec: Mapping[str, Kind]) -> dict:
    out = {}
    for key, raw in items.items():
        if key not in spec:
            known = ", ".join(spec) or "none"
            raise SettingsError(f"{where} has no setting {key!r} (known: {known})", source=source)
        out[key] = _value(source, where, key, raw, spec[key])
    return out


def _build(sections: dict[str, dict[str, str]], source: str | None) -> Settings:
    top = _options(source, "the top of the file", sections.pop(_TOP, {}), GLOBAL_OPTIONS)
    plain: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, Any]] = {}
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    codelists: dict[str, dict[str, str]] = {}
    for name, items in sections.items():
        head, dot, sub = name.partition(".")
        where = f"[{name}]"
        if head in REGISTRY:
            cls = REGISTRY[head]
            if not dot:
                values.setdefault(head, {}).update(_options(source, where, items, cls.options))
                continue
            if sub not in cls.tables:
                known = ", ".join(f"[{head}.{t}]" for t in cls.tables) or "none"
                raise SettingsError(f"{head} has no subsection {where} (known: {known})", source=source)
            kind = cls.tables[sub]
            table = {key: _value(source, where, key, raw, kind) for key, raw in items.items()}
            tables.setdefault(head, {}).setdefault(sub, {}).update(table)
            values.setdefault(head, {})
        elif head == "codelists" and dot and sub in CODELISTS:
            codelists.setdefault(sub, {}).update({k: _unquote(v.strip()) for k, v in items.items()})
        elif not dot and head in SECTION_OPTIONS:
            plain.setdefault(head, {}).update(_options(source, where, items, SECTION_OPTIONS[head]))
        elif _CODE.fullmatch(head):
            hint = (
                "remove or comment out the section" if head in NOT_IMPLEMENTED else "check the indicator code"
            )
            raise SettingsError(
                f"{where}: tenderscan does not implement indicator {head} (it does {', '.join(REGISTRY)})",
                source=source,
                hint=hint,
            )
        else:
            known = ", ".join(f"[{s}]" for s in (*SECTION_OPTIONS, *(f"codelists.{c}" for c in CODELISTS)))
            raise SettingsError(f"unknown section {where} (known: {known}, [R003]...)", source=source)

    indicators = {
        cls.code: IndicatorSection(cls.code, values[cls.code], tables.get(cls.code, {}))
        for cls in ALL_INDICATORS
        if cls.code in values
    }
    warnings = []
    no_price, price = "no_price_comparison_procurement_methods", "price_comparison_procurement_methods"
    if top.get(no_price) and top.get(price):
        warnings.append(f"{no_price} has no effect if {price} is set")
    return Settings(
        indicators=indicators,
        currency=top.get("currency"),
        no_price_comparison_procurement_methods=top.get(
            "no_price_comparison_procurement_methods", frozenset()
        ),
        price_comparison_procurement_methods=top.get("price_comparison_procurement_methods", frozenset()),
        exclusions=Exclusions(**plain.get("exclusions", {})),
        prepare=_prepare(plain, codelists),
        source=source,
        warnings=tuple(warnings),
    )


def _prepare(plain: dict[str, dict[str, Any]], codelists: dict[str, dict[str, str]]) -> PrepareSettings:
    redactions = dict(plain.get("redactions", {}))
    if "amount" in redactions:  # Cardinal keeps the entries that parse as numbers, silently
        amounts = set()
        for part in split_pipes(redactions["amount"]):
            try:
                amounts.add(float(part))
            except ValueError:
                continue
        redactions["amount"] = frozenset(amounts)
    return PrepareSettings(
        defaults=Defaults(**plain.get("defaults", {})),
        redactions=Redactions(**redactions),
        corrections=Corrections(**plain.get("corrections", {})),
        modifications=Modifications(**plain.get("modifications", {})),
        codelists=codelists,
    )
