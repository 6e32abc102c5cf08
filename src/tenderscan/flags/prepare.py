"""Cardinal's ``prepare`` step: corrections of a compiled release before the indicators read it.

The indicators (as Cardinal's ``indicators`` command) never apply these settings themselves; run
``prepare`` over the releases first when the data needs it, as Cardinal's workflow does. What it does, in
Cardinal's order (docs/prepare.md):

- objects where OCDS expects arrays (``/bids/details[]/tenderers``, ``/awards[]/suppliers``, ``/parties``)
  become one-element arrays; numeric organisation, award and classification ids become strings;
- ``[redactions] organization_id`` removes placeholder ids; ``[modifications] prefix_*`` prefixes
  organisation references (not ``/parties[]/id``) unless they already start with the prefix;
- ``[modifications] split_procurement_method_details`` keeps the text before the separator;
- ``[modifications] move_auctions`` moves ``/auctions[]/stages[]/bids`` to ``/bids/details``;
- ``[redactions] amount`` removes placeholder bid amounts; a zero bid amount is reported ("is zero");
- ``[defaults]`` fills a missing bid currency, classification scheme, bid or award status (else reported
  "not set"), ``[codelists.bid_status]``/``[codelists.award_status]`` re-map codes (a code still outside
  the codelist is reported "invalid");
- ``[corrections] award_status_by_contract_status`` cancels an award whose contracts are all cancelled;
- ``[defaults] party_roles`` adds each reference's role to its ``/parties[]`` entry.

The input release is not modified: :func:`prepare` works on a copy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .config import Settings
from .ocds import as_float

BID_STATUS = frozenset({"invited", "pending", "valid", "disqualified", "withdrawn"})
AWARD_STATUS = frozenset({"pending", "active", "cancelled", "unsuccessful"})


@dataclass(frozen=True)
class QualityIssue:
    """One row of Cardinal's quality report (without the line number, which the reader knows)."""

    ocid: Any
    path: str  # e.g. /bids/details[]/status
    indexes: str  # array indexes, separated by periods ("0", "1.2")
    value: str  # the incorrect value ("" when the field is not set)
    description: str  # "not set", "invalid" or "is zero"


@dataclass
class PreparedRelease:
    release: dict
    issues: list[QualityIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _id_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


class _Preparer:
    def __init__(self, settings: Settings) -> None:
        prep = settings.prepare
        self.defaults = prep.defaults
        self.redact_amount = prep.redactions.amount
        self.redact_id = prep.redactions.organization_id
        self.mods = prep.modifications
        self.by_contract = prep.corrections.award_status_by_contract_status
        self.bid_codes = prep.codelists.get("bid_status", {})
        self.award_codes = prep.codelists.get("award_status", {})

    def run(self, release: dict) -> PreparedRelease:
        release = copy.deepcopy(release)
        out = PreparedRelease(release)
        ocid = release.get("ocid")
        roles: dict[str, set[str]] | None = None

        def issue(path: str, indexes: Any, value: str, description: str) -> None:
            out.issues.append(QualityIssue(ocid, path, str(indexes), value, description))

        self._id_array(release, "parties", "", None, "")
        if self.defaults.party_roles and isinstance(release.get("parties"), list):
            roles = {}
            for party in release["parties"]:
                if isinstance(party, dict) and isinstance(party.get("id"), str):
                    found = party.get("roles")
                    roles[party["id"]] = (
                        {r for r in found if isinstance(r, str)} if isinstance(found, list) else set()
                    )

        self._id_object(release, "buyer", self.mods.prefix_buyer_or_procuring_entity_id, roles, "buyer")
        tender = release.get("tender")
        if isinstance(tender, dict):
            self._id_object(
                tender,
                "procuringEntity",
                self.mods.prefix_buyer_or_procuring_entity_id,
                roles,
                "procuringEntity",
            )
            pattern = self.mods.split_procurement_method_details
            if pattern is not None and isinstance(tender.get("procurementMethodDetails"), str):
                tender["procurementMethodDetails"] = (
                    tender["procurementMethodDetails"].split(pattern)[0].rstrip()
                )

        if self.mods.move_auctions:
            self._move_auctions(release, out)

        details = release.get("bids", {}).get("details") if isinstance(release.get("bids"), dict) else None
        for j, bid in enumerate(details if isinstance(details, list) else ()):
            if not isinstance(bid, dict):
                continue
            value = bid.get("value")
            if isinstance(value, dict):
                amount = as_float(value.get("amount"))
                if amount is not None:
                    if amount in self.redact_amount:
                        del value["amount"]
                    elif amount == 0.0:
                        issue("/bids/details[]/value/amount", j, "", "is zero")
                if "currency" not in value:
                    if self.defaults.currency is not None:
                        value["currency"] = self.defaults.currency
                    else:
                        issue("/bids/details[]/value/currency", j, "", "not set")
            self._schemes(bid, "/bids/details[]/items[]/classification/scheme", j, issue)
            self._status(
                bid, self.defaults.bid_status, self.bid_codes, BID_STATUS, "/bids/details[]/status", j, issue
            )
            self._id_array(bid, "tenderers", self.mods.prefix_tenderer_or_supplier_id, roles, "tenderer")

        cancelled: dict[str, bool] = {}
        contracts = release.get("contracts")
        if self.by_contract and isinstance(contracts, list):
            for contract in contracts:
                if not isinstance(contract, dict):
                    continue
                if "awardID" in contract:
                    contract["awardID"] = _id_text(contract["awardID"])
                if isinstance(contract.get("awardID"), str):
                    is_cancelled = contract.get("status") == "cancelled"
                    cancelled[contract["awardID"]] = cancelled.get(contract["awardID"], True) and is_cancelled

        awards = release.get("awards")
        for j, award in enumerate(awards if isinstance(awards, list) else ()):
            if not isinstance(award, dict):
                continue
            if "id" in award:
                award["id"] = _id_text(award["id"])
            items = award.get("items")
            for item in items if isinstance(items, list) else ():
                classification = item.get("classification") if isinstance(item, dict) else None
                if isinstance(classification, dict) and "id" in classification:
                    classification["id"] = _id_text(classification["id"])
            self._schemes(award, "/awards[]/items[]/classification/scheme", j, issue)
            self._status(
                award,
                self.defaults.award_status,
                self.award_codes,
                AWARD_STATUS,
                "/awards[]/status",
                j,
                issue,
            )
            if self.by_contract and isinstance(award.get("id"), str) and cancelled.get(award["id"], False):
                award["status"] = "cancelled"
            self._id_array(award, "suppliers", self.mods.prefix_tenderer_or_supplier_id, roles, "supplier")

        if roles is not None:
            for party in release.get("parties", ()):
                if isinstance(party, dict) and isinstance(party.get("id"), str) and roles.get(party["id"]):
                    party["roles"] = sorted(roles[party["id"]])
        return out

    def _reference(self, ref: dict, prefix: str, roles: dict[str, set[str]] | None, role: str) -> None:
        if "id" in ref:
            ref["id"] = _id_text(ref["id"])
        if not isinstance(ref.get("id"), str):
            return
        if ref["id"] in self.redact_id:
            del ref["id"]
            return
        if not ref["id"].startswith(prefix):
            ref["id"] = prefix + ref["id"]
        if roles is not None and ref["id"] in roles:
            roles[ref["id"]].add(role)

    def _id_object(self, container: dict, key: str, prefix: str, roles, role: str) -> None:
        if isinstance(container.get(key), dict):
            self._reference(container[key], prefix, roles, role)

    def _id_array(self, container: dict, key: str, prefix: str, roles, role: str) -> None:
        if isinstance(container.get(key), dict):
            container[key] = [container[key]]
        for entry in container.get(key) if isinstance(container.get(key), list) else ():
            if isinstance(entry, dict):
                self._reference(entry, prefix, roles, role)

    def _schemes(self, holder: dict, path: str, j: int, issue) -> None:
        items = holder.get("items")
        for k, item in enumerate(items if isinstance(items, list) else ()):
            classification = item.get("classification") if isinstance(item, dict) else None
            if isinstance(classification, dict) and "scheme" not in classification:
                if self.defaults.item_classification_scheme is not None:
                    classification["scheme"] = self.defaults.item_classification_scheme
                else:
                    issue(path, f"{j}.{k}", "", "not set")

    @staticmethod
    def _status(holder: dict, default, codes, codelist, path: str, j: int, issue) -> None:
        if "status" not in holder:
            if default is not None:
                holder["status"] = default
            else:
                issue(path, j, "", "not set")
        status = holder.get("status")
        if isinstance(status, str):
            if status in codes:
                holder["status"] = status = codes[status]
            if status not in codelist:
                issue(path, j, status, "invalid")

    @staticmethod
    def _move_auctions(release: dict, out: PreparedRelease) -> None:
        if "auctions" in release and "bids" in release:
            out.warnings.append("Can't move /auctions, because /bids is occupied.")
            return
        auctions = release.get("auctions")
        if not isinstance(auctions, list):
            return
        moved: list = []
        for auction in auctions:
            stages = auction.get("stages") if isinstance(auction, dict) else None
            for stage in stages if isinstance(stages, list) else ():
                if isinstance(stage, dict) and "bids" in stage:
                    found = stage.pop(
                        "bids"
                    )  # Cardinal removes the key whatever it holds, and moves an array
                    if isinstance(found, list):
                        moved.extend(found)
        release["bids"] = {"details": moved}


def prepare(release: dict, settings: Settings) -> PreparedRelease:
    """Cardinal's ``prepare`` corrections of one compiled release: a corrected copy and its quality issues."""
    return _Preparer(settings).run(release)
