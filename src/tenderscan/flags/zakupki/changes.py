"""TS-NOTICE-CHANGED Notice changed several times or deadline moved: were the rules changed during the race?

In plain words: the notice was amended several times, or a date of the procedure (the submission deadline,
the auction's date) was moved. Changes can be corrections asked for by suppliers or ordered by the
antimonopoly service; repeated changes can also keep away suppliers who read the first version.
A question, not a verdict: read each version's reason (``rationale``) and what changed.

Definition (tenderscan, on the OCDS export): the changes are the notice's versions after the first
(``/tender/amendments`` with ids ``notice-vN``; a notice of version N also counts N - 1 changes when the
earlier versions are not in the set) and the date-change documents (``change-...``, 44-FZ
``fcsNotificationEFDateChange``). The deadline moved when a date-change document exists or an amendment's
``changes`` has a former ``tenderPeriod.endDate``. Value: the number of changes.

Threshold: 2 changes (tenderscan default), ``[TS-NOTICE-CHANGED] threshold``; a moved deadline or date
always flags.
"""

from __future__ import annotations

from typing import Iterable

from .. import ocds
from ..options import NATURAL
from ..release import Release
from ..types import Flag
from .base import ZakupkiIndicator
from .common import own


class NoticeChanged(ZakupkiIndicator):
    code = "TS-NOTICE-CHANGED"
    title = "Notice changed several times or deadline moved"
    options = {"threshold": NATURAL}
    kinds = ("notice", "change")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.threshold, self.threshold_source = self.setting("threshold", 2)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender
        if tender is None:
            return ()
        amendments = [a for a in ocds.arr(tender.get("amendments")) or () if isinstance(a, dict)]
        versions = [a for a in amendments if str(a.get("id", "")).startswith("notice-v")]
        moves = [a for a in amendments if str(a.get("id", "")).startswith("change-")]
        deadline = [a for a in versions for c in a.get("changes") or () if isinstance(c, dict)
                    and c.get("property") == "tenderPeriod.endDate"]
        latest = own(release.raw).get("noticeVersion")
        implied = latest - 1 if isinstance(latest, int) and latest > 1 else 0
        count = max(len(versions), implied) + len(moves)
        if count < self.threshold and not moves and not deadline:
            return ()
        evidence = {
            "changes": count,
            "notice_version": latest,
            "amendments": [{k: a.get(k) for k in ("id", "date", "rationale", "description", "changes")
                            if a.get(k) is not None} for a in amendments],
            "dates_moved": bool(moves or deadline),
            "rule": "changes >= threshold, or a deadline or procedure date was moved",
            "threshold": self.threshold,
            "threshold_source": self.threshold_source["source"],
            "paths": {"amendments": "/tender/amendments", "notice_version": "/tender/tenderscan/noticeVersion"},
        }
        return (self.process_flag(release, ocid, float(count), self.threshold, evidence),)
