"""Which return an unlabeled parcel belongs to (`handover returns find`).

Seed 004: the warehouse receives parcels with no note inside; the return tracking number the team wrote
into the 退货 tab (`model.returns_tab`) is what matches a parcel to its buyer, even when the label is torn
and only its last digits can be read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .model.returns_tab import ReturnItem
from .model.values import ValueProblem


@dataclass
class TrackingMatch:
    """Returns whose tracking number matches what the warehouse read off a parcel. `exact` when the
    whole number matched; otherwise every return whose number ends with it, all listed when several do."""

    query: str
    items: list[ReturnItem]
    exact: bool

    @property
    def ambiguous(self) -> bool:
        return len(self.items) > 1


MIN_PARTIAL = 6  # the issue: a torn label still shows the last 6 or more digits


def _normalise(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", number).upper())


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def find_by_tracking(items: Iterable[ReturnItem], number: str) -> TrackingMatch:
    """Full numbers first (spaces, dashes and full-width digits ignored; `SF1234…` matches `1234…` typed
    without the prefix), then numbers ending with the 6+ characters given. Open returns come first."""
    query = _normalise(number)
    if not query:
        raise ValueProblem("没有单号：请输入退货单号，或它的后 6 位以上")
    candidates = [item for item in items if item.return_tracking_no]
    exact, partial = [], []
    for item in candidates:
        known = _normalise(item.return_tracking_no)
        if known == query or (_same_digits(known, query)):
            exact.append(item)
        elif len(query) >= MIN_PARTIAL and (known.endswith(query) or _digits(known).endswith(query)):
            partial.append(item)
    if not exact and len(query) < MIN_PARTIAL:
        raise ValueProblem(f"单号 {query} 太短：至少输入后 {MIN_PARTIAL} 位，才不会对上别人的包裹")
    found = exact or partial
    found.sort(key=lambda item: (not item.is_open, item.row))
    return TrackingMatch(query, found, bool(exact))


def _same_digits(a: str, b: str) -> bool:
    """`SF1234567890123` and `1234567890123` are one number when one side has no letters at all."""
    if a.isdigit() == b.isdigit():
        return False
    return len(_digits(a)) >= MIN_PARTIAL and _digits(a) == _digits(b)
