"""What tenderscan's indicators share: a threshold with its source, and the documents behind a flag."""

from __future__ import annotations

from typing import Any, ClassVar

from ..indicators.base import Indicator
from ..release import Release
from ..types import Flag, Group
from .common import sources

TENDERSCAN_DEFAULT = "tenderscan default"


class ZakupkiIndicator(Indicator):
    """An indicator of tenderscan's own (``TS-...``) or a Cardinal indicator's zakupki reading."""

    #: the kinds of document whose sources a flag names (empty: all of the process's documents)
    kinds: ClassVar[tuple[str, ...]] = ()

    def setting(self, name: str, default: Any) -> tuple[Any, dict[str, Any]]:
        """A setting's value and its evidence (``threshold_source``: the settings file or tenderscan's default)."""
        resolved = self.section.resolve(name, default)
        source = resolved.setting if resolved.setting else TENDERSCAN_DEFAULT
        return resolved.value, {"source": "settings file" if resolved.setting else TENDERSCAN_DEFAULT,
                                "setting": source}

    def process_flag(self, release: Release, ocid: str, value: float, threshold: Any,
                     evidence: dict[str, Any]) -> Flag:
        docs = sources(release.raw, self.kinds) or sources(release.raw)
        return self.flag(Group.ocid, ocid, value, threshold if isinstance(threshold, (int, float)) else None,
                         {**evidence, "documents": docs})
