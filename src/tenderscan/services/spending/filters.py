"""`spending`'s filters: the documents of the kinds and dates asked, the customer, and the items that match
--search, --okpd2 and --topic (in their own text or their document's title)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NamedTuple

from .frames import Frames
from .query import DEFAULT_KINDS, Query
from .series import map_unique
from .topics import digits, get_topic, search_matcher

if TYPE_CHECKING:
    import pandas as pd


class Selection(NamedTuple):
    """The documents that pass the filters and their matching items (frames as in :class:`Frames`)."""

    docs: "pd.DataFrame"
    items: "pd.DataFrame"


class Criterion(NamedTuple):
    """One item filter: its test on the items frame (a bool Series), and on a document's title (None: the
    filter never looks at titles)."""

    items: Callable[["pd.DataFrame"], "pd.Series"]
    title: Callable[[str], bool] | None


def _prefix_mask(series: "pd.Series", prefixes: tuple[str, ...]) -> "pd.Series":
    """Codes (compared on their digits, KTRU suffix and check digit dropped) that start with a prefix."""
    return map_unique(series, lambda c: isinstance(c, str) and digits(c).startswith(prefixes) and bool(digits(c)),
                      False)


def _criteria(q: Query) -> list[Criterion]:
    """One criterion per active item filter."""
    out: list[Criterion] = []
    if q.okpd2:
        prefix = (digits(q.okpd2),)
        out.append(Criterion(lambda items: _prefix_mask(items["okpd2"], prefix), None))
    if q.search:
        m = search_matcher(q.search)
        out.append(Criterion(lambda items: map_unique(items["name"], m, False), m))
    if q.topic:
        topic = get_topic(q.topic, q.topics_files)
        words, okpd2, cpv = topic.matcher(), topic.okpd2_prefixes(), topic.cpv_prefixes()

        def topic_items(items):
            hit = map_unique(items["name"], words, False) if words else items["doc"] < 0
            if okpd2:
                hit = hit | _prefix_mask(items["okpd2"], okpd2)
            if cpv:
                hit = hit | _prefix_mask(items["cpv"], cpv)
            return hit

        out.append(Criterion(topic_items, words if words else None))
    return out


def select(frames: Frames, q: Query) -> Selection:
    """The documents that pass every filter, and their matching items.

    An item matches when, for each of --search, --okpd2 and --topic, it matches itself or its document's
    title does; a document passes when one of its items matches (or, without items, its title does)."""
    import pandas as pd

    docs, items = frames.docs, frames.items
    kinds = q.kinds or list(DEFAULT_KINDS)
    if "all" not in kinds:
        docs = docs[docs["kind"].isin(kinds)]
    if q.date_from:
        docs = docs[docs["date"] >= pd.Timestamp(q.date_from)]
    if q.date_to:
        docs = docs[docs["date"] < pd.Timestamp(q.date_to) + pd.Timedelta(days=1)]
    if q.customer:
        c = q.customer.strip()
        if c.isdigit():
            docs = docs[docs["customer_inn"] == c]
        else:
            docs = docs[docs["customer"].fillna("").str.casefold().str.contains(c.casefold(), regex=False)]
    if len(docs) < len(frames.docs):
        items = items[items["doc"].isin(docs["doc"])]
    criteria = _criteria(q)
    if not criteria:
        return Selection(docs, items)
    item_ok = pd.Series(True, index=items.index)
    title_all = pd.Series(True, index=docs.index)
    for crit in criteria:
        title_hit = (map_unique(docs["title"], crit.title, False) if crit.title
                     else pd.Series(False, index=docs.index))
        item_ok &= crit.items(items).astype(bool) | items["doc"].isin(docs.loc[title_hit, "doc"])
        title_all &= title_hit
    items = items[item_ok]
    keep = docs["doc"].isin(items["doc"]) | (title_all & ~docs["doc"].isin(frames.items["doc"]))
    return Selection(docs[keep], items)
