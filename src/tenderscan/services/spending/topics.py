"""Topics and text matching for `spending`: curated presets of codes and keywords, and a search that does
not care about Russian case endings.

Words are compared on their dictionary forms from pymorphy3 (every form the analyser proposes, so an
ambiguous word matches each of its readings): "видеокамер", "видеокамерами" and "видеокамера" are one word.
Latin words lose a plural "s". Phrases match word after word, in order.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ...errors import UsageError

_TOKEN = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]")
_morph = None
_morph_lock = threading.Lock()


def _analyzer():
    global _morph
    with _morph_lock:
        if _morph is None:
            import pymorphy3

            _morph = pymorphy3.MorphAnalyzer()
    return _morph


@lru_cache(maxsize=500_000)
def lemmas(word: str) -> frozenset[str]:
    """The dictionary forms of one lower-cased word."""
    w = word.replace("ё", "е")
    if _CYRILLIC.search(w):
        return frozenset(p.normal_form.replace("ё", "е") for p in _analyzer().parse(w)) | {w}
    if len(w) > 3 and w.endswith("es") and not w.endswith("ses"):
        return frozenset({w, w[:-2], w[:-1]})
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return frozenset({w, w[:-1]})
    return frozenset({w})


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text.lower()) if text else []


@dataclass(frozen=True)
class Phrase:
    """A word or phrase to look for, as a sequence of lemma sets."""

    text: str
    words: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, text: str) -> "Phrase":
        words = tuple(lemmas(t) for t in tokens(text))
        if not words:
            raise UsageError(f"nothing to search for in {text!r}", hint="give at least one word")
        return cls(text, words)


class Matcher:
    """Does a text contain any of the phrases (all of them with ``require_all``)? Results are cached per text."""

    def __init__(self, phrases: list[Phrase], *, require_all: bool = False):
        self.phrases = phrases
        self.require_all = require_all
        self._cache: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def __call__(self, text: str | None) -> bool:
        if not text:
            return False
        hit = self._cache.get(text)
        if hit is None:
            seq = [lemmas(t) for t in tokens(text)]
            found = (_contains(seq, p.words) for p in self.phrases)
            hit = all(found) if self.require_all else any(found)
            if len(self._cache) < 1_000_000:
                self._cache[text] = hit
        return hit


def _contains(seq: list[frozenset[str]], words: tuple[frozenset[str], ...]) -> bool:
    n = len(words)
    for i in range(len(seq) - n + 1):
        if all(seq[i + j] & words[j] for j in range(n)):
            return True
    return False


def search_matcher(text: str) -> Matcher:
    """``--search``: every word of the query must appear (in any order, any case ending)."""
    return Matcher([Phrase.of(t) for t in tokens(text)], require_all=True)


# --- topics -------------------------------------------------------------------------------------------------


def digits(code: str | None) -> str:
    """A classification code reduced to its digits before any check digit or KTRU suffix."""
    if not code:
        return ""
    return re.sub(r"\D", "", code.split("-")[0])


@dataclass
class Topic:
    name: str
    description: str = ""
    okpd2: list[str] = field(default_factory=list)
    cpv: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    origin: str = "built-in"

    def matcher(self) -> Matcher:
        return Matcher([Phrase.of(k) for k in self.keywords])

    def okpd2_prefixes(self) -> tuple[str, ...]:
        return tuple(digits(c) for c in self.okpd2 if digits(c))

    def cpv_prefixes(self) -> tuple[str, ...]:
        return tuple(digits(c) for c in self.cpv if digits(c))


def user_topics_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("tenderscan", appauthor=False)) / "topics.toml"


def _parse(text: str, origin: str) -> dict[str, Topic]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{origin}: not valid TOML ({exc})", hint="fix the topics file") from None
    out: dict[str, Topic] = {}
    for name, spec in data.items():
        if not isinstance(spec, dict):
            raise UsageError(f"{origin}: [{name}] must be a table", hint="see the built-in topics.toml")
        unknown = set(spec) - {"description", "okpd2", "cpv", "keywords"}
        if unknown:
            raise UsageError(f"{origin}: [{name}] has unknown keys {sorted(unknown)}",
                             hint="use description, okpd2, cpv, keywords")
        lists = {k: [str(v) for v in spec.get(k, [])] for k in ("okpd2", "cpv", "keywords")}
        out[name] = Topic(name=name, description=str(spec.get("description", "")), origin=origin, **lists)
    return out


def load_topics(extra: list[Path] | None = None) -> dict[str, Topic]:
    """The built-in topics, overridden by the user's ``topics.toml``, then by each ``--topics FILE``."""
    text = resources.files("tenderscan").joinpath("data/topics.toml").read_text(encoding="utf-8")
    topics = _parse(text, "built-in")
    user = user_topics_path()
    if user.is_file():
        topics.update(_parse(user.read_text(encoding="utf-8"), str(user)))
    for path in extra or []:
        try:
            topics.update(_parse(Path(path).read_text(encoding="utf-8"), str(path)))
        except OSError as exc:
            raise UsageError(f"cannot read the topics file {path}: {exc.strerror}", hint="check the path") from None
    return topics


def get_topic(name: str, extra: list[Path] | None = None) -> Topic:
    topics = load_topics(extra)
    if name not in topics:
        raise UsageError(f"unknown topic {name!r}", hint=f"choose one of: {', '.join(sorted(topics))}")
    return topics[name]
