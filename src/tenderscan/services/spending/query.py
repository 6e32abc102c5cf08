"""What `spending` is asked: the groups (``--by``), the filters, the kinds of documents, the currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...errors import UsageError
from ...models import Kind
from .frames import SUMMARY_KIND

BY_KEYS = ("year", "customer", "okpd2", "region", "kind", "source")
DEFAULT_KINDS = (Kind.notice.value, Kind.contract.value)
# every kind a document can count as: the model's kinds, feed summaries apart from notices, and `all`
KINDS = (*(k.value for k in Kind), SUMMARY_KIND, "all")


@dataclass
class Query:
    by: list[str] = field(default_factory=lambda: ["year"])
    depth: int = 4  # OKPD2 digits kept with --by okpd2
    kinds: list[str] | None = None  # None: notices and contracts; ["all"]: every kind
    search: str | None = None
    okpd2: str | None = None
    customer: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    topic: str | None = None
    topics_files: list[Path] = field(default_factory=list)
    currency: str | None = None

    @property
    def item_filters(self) -> bool:
        return bool(self.search or self.okpd2 or self.topic)


def check_kinds(kinds: list[str] | None) -> None:
    bad = [k for k in kinds or () if k not in KINDS]
    if bad:
        raise UsageError(f"no document kind {bad[0]!r}", hint=f"choose from {', '.join(KINDS)}")


def check_by(by: list[str]) -> list[str]:
    """The --by keys, each once, in order."""
    for b in by:
        if b not in BY_KEYS:
            raise UsageError(f"cannot group by {b!r}", hint=f"choose from {', '.join(BY_KEYS)}")
    return list(dict.fromkeys(by))
