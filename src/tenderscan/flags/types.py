"""The records the flags engine returns: one :class:`Flag` per (indicator, group, id).

A flag is a question, not a verdict: it says that a number read from the documents crossed a threshold, which
number, which threshold and where that threshold came from, so a reader can check it against the documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: ``Flag.evidence["threshold_source"]`` when the threshold is Cardinal's own (a fixed default, or a fence
#: computed from the data by Cardinal's default rule).
CARDINAL_DEFAULT = "Cardinal default"
#: ``Flag.evidence["threshold_source"]`` when the settings file set the threshold.
SETTINGS_FILE = "settings file"


class Group(StrEnum):
    """What a flag is about, with Cardinal's names (the keys of its ``indicators`` output)."""

    ocid = "OCID"  # a contracting process: /ocid
    buyer = "Buyer"  # /buyer/id
    procuring_entity = "ProcuringEntity"  # /tender/procuringEntity/id
    tenderer = "Tenderer"  # /bids/details[]/tenderers[]/id (or /awards[]/suppliers[]/id for R048)


#: the order of the groups in :func:`tenderscan.flags.to_cardinal`'s object
GROUP_ORDER = (Group.ocid, Group.buyer, Group.procuring_entity, Group.tenderer)


@dataclass(frozen=True)
class Flag:
    """One indicator's result for one contracting process or organisation.

    ``value`` is the number Cardinal reports (always a float: 1.0 for yes/no indicators, a difference or a
    ratio otherwise, 0.0 for the organisations named by a process-level flag). ``threshold`` is the number
    the value was compared with (None where the rule has no number). ``evidence`` holds the values that
    raised the flag (dates, prices, bids with their paths in the release), the threshold again with
    ``threshold_source`` ("Cardinal default" or "settings file") and ``threshold_setting`` (the settings
    file entry, when there is one).
    """

    indicator: str
    group: Group
    id: str
    value: float
    threshold: float | int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, Group, str]:
        return (self.indicator, self.group, self.id)


@dataclass
class ProcessCounts:
    """What the engine did with its input: releases read, and the ones every indicator skips (as Cardinal)."""

    read: int = 0
    not_an_object: int = 0
    no_ocid: int = 0  # /ocid missing or not a string
    cancelled: int = 0  # /tender/status is "cancelled"
    excluded: int = 0  # /tender/procurementMethodDetails in [exclusions] procurement_method_details

    @property
    def used(self) -> int:
        return self.read - self.not_an_object - self.no_ocid - self.cancelled - self.excluded
