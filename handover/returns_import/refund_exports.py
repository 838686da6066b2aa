"""Refund and after-sale exports as returns, for `handover returns import`: which columns mean what, what
the platforms' status words say, what a return's "export time" is, and opening the files.

The files are opened by the reader compensation uses too (`handover.exports`: any Chinese encoding,
`="…"` ids, headers with stray spaces or quotes, xlsx, a last line cut short), with the header names of
the platforms' refund exports (PLATFORMS.md: Taobao/Tmall 退款管理, Douyin 售后, Pinduoduo 售后); their
rows are read by `refund_rows`.

What "the export's time" of a return is (so that an older file never overwrites newer data) is decided
here, from the columns the file has: the latest time the platform stamped on the row (`stamped_at`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import compress, count
from operator import lt
from pathlib import Path
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from ..exports import COMMON_NAMES, ExportError, ExportFile, ExportShape, tell_apart
from ..model.returns_tab import TIME_KEYS, out_of_order
from ..model.schema import PLATFORM_LABELS, RefundStatus, refund_status_of
from ..model.values import time_text

# Header names per logical column, most specific first (PLATFORMS.md "Order exports", the refund export,
# Douyin 售后 and Pinduoduo columns). Names marked inferred were not seen in a source but are what the
# platforms' backends call the same thing elsewhere.
RETURN_EXPORT_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": COMMON_NAMES["order_id"],
    "refund_id": COMMON_NAMES["refund_id"],
    "refund_status": COMMON_NAMES["refund_status"],
    "reason": COMMON_NAMES["refund_reason"],
    "buyer": ("买家会员名", "买家昵称", "买家账号"),
    "refund_amount": (*COMMON_NAMES["refund_amount"], "退款金额(元)"),  # inferred: Pinduoduo's amounts end in (元)
    "paid": COMMON_NAMES["paid"],
    "return_courier": ("退货物流公司", "退货快递公司", "退货快递"),
    "return_tracking_no": ("退货物流单号", "退货运单号", "退货快递单号", "退货单号"),
    "requested_at": COMMON_NAMES["refund_applied_at"],
    "approved_at": ("卖家同意时间", "商家同意时间", "同意时间"),  # inferred
    "waybill_at": ("买家退货时间", "退货发货时间", "买家寄回时间", "退货时间"),
    "signed_at": ("退货签收时间", "卖家收货时间", "商家收货时间", "签收时间"),  # inferred
    "finished_at": ("完结时间", "退款完结时间", "售后完结时间", "退款完成时间", "完成时间"),  # inferred
    "modified_at": ("修改时间", "最后修改时间", "更新时间", "售后更新时间"),  # inferred
    "platform_deadline": ("超时时间", "超时截止时间"),
    "platform": COMMON_NAMES["platform"],
}
RETURNS = ExportShape("returns", RETURN_EXPORT_NAMES)
# The platform's own times on a row, each stamped when the return moved: the latest is the export's time.
# The first four are those the 退货 tab keeps.
LEDGER_TIMES = TIME_KEYS
STAMPS = (*LEDGER_TIMES, "finished_at", "modified_at")

# How far along a return is, for two copies of it with the same export time (an agreement, a rejection or
# a refund often stamps no time the export shows): further along is newer. A rejection can still end in a
# refund; a refund and a closure end it.
PROGRESS = {RefundStatus.REQUEST: 0, RefundStatus.AWAITING_RETURN: 1, RefundStatus.IN_TRANSIT: 2,
            RefundStatus.SIGNED: 3, RefundStatus.REJECTED: 4, RefundStatus.REFUNDED: 5, RefundStatus.CLOSED: 5}


@dataclass(slots=True)
class ExportedReturn:
    """One return as an export row shows it; an absent or blank cell is '' (None for the amount). Times
    are shop time to the minute, written as the 退货 tab keeps them (`2026-11-22 10:00`, which also sorts
    as time does)."""

    file: str
    row: int
    platform: str
    refund_id: str  # '' when the file has no refund id column
    order_id: str
    buyer: str
    reason: str
    status: RefundStatus
    return_courier: str  # the courier's usual name, or the export's text when the courier is unknown
    return_tracking_no: str
    refund_amount: Decimal | None
    requested_at: str
    approved_at: str
    waybill_at: str
    signed_at: str
    platform_deadline: str
    stamped_at: str  # the export's time for this return: the latest time the platform stamped

    def age(self) -> tuple[str, int, str]:
        """Orders two copies of one return: export time, then progress, then the platform's deadline (a
        延长收货 moves only the deadline)."""
        return (self.stamped_at, PROGRESS[self.status], self.platform_deadline)

    def facts(self) -> tuple[Any, ...]:
        """What the import writes from this row, to tell two copies with the same age apart."""
        return (self.status, self.return_courier, self.return_tracking_no, self.refund_amount, self.requested_at,
                self.approved_at, self.waybill_at, self.signed_at, self.platform_deadline, self.buyer, self.reason)

    def backwards(self) -> list[tuple[str, str]]:
        """(later key, earlier key) for each of the tab's times out of a return's course, as `check` finds
        them: the platform's own times can be so (a buyer applying again after a refusal, the parcel long
        sent). The times are text of one shape, so they compare as the moments do."""
        return out_of_order((key, getattr(self, key)) for key in LEDGER_TIMES)


_NEVER_EARLIER = "~"  # sorts after every time text: a blank is never before anything


def going_backwards(columns: list[list[str]]) -> list[int]:
    """The rows (indexes) with a time earlier than one before it, a column at a time: `columns` are the
    tab's times a file has, in the order a return goes through them (ExportedReturn.backwards, for a
    whole batch at the cost of a few C passes)."""
    found: set[int] = set()
    latest = columns[0] if columns else []
    for number, column in enumerate(columns[1:], start=2):
        later = [time or _NEVER_EARLIER for time in column]
        found.update(compress(count(), map(lt, later, latest)))
        if number < len(columns):
            latest = list(map(max, latest, column))
    return sorted(found)


def age_of(stamped_at: datetime | None, status: RefundStatus | None, deadline: datetime | None,
           tz: ZoneInfo) -> tuple[str, int, str]:
    """The same order for a return as the 退货 tab holds it (an unreadable status counts as least along)."""
    return (time_text(stamped_at, tz) if stamped_at else "", PROGRESS[status] if status else -1,
            time_text(deadline, tz) if deadline else "")


# ---------------------------------------------------------------------------------------- statuses

_NOT_A_RETURN = ("无售后", "没有申请", "未申请", "无退款", "没有退款")
# Checked in this order, on the status with punctuation and spaces removed: the platforms' export
# wording (PLATFORMS.md "refund status", the Pinduoduo after-sale states, Taobao's refund states).
_STATUS_WORDS: tuple[tuple[RefundStatus, tuple[str, ...]], ...] = (
    (RefundStatus.REFUNDED, ("退款成功", "已退款", "退款完成", "售后完成", "售后成功")),
    (RefundStatus.CLOSED, ("关闭", "取消", "撤销", "失败", "逾期", "超过有效期", "失效")),
    (RefundStatus.REJECTED, ("拒绝", "驳回")),
    (RefundStatus.IN_TRANSIT, ("等待卖家确认收货", "等待卖家收货", "待卖家收货", "待商家收货", "买家已退货", "买家已经退货",
                               "用户已发货", "退货中", "退货在途")),
    (RefundStatus.SIGNED, ("已签收", "已收货", "待退款")),
    (RefundStatus.AWAITING_RETURN, ("等待买家退货", "待买家退货", "待用户发货", "待买家发货", "待用户退货", "同意退货")),
    (RefundStatus.REQUEST, ("等待卖家同意", "待卖家同意", "待商家处理", "待卖家处理", "待商家审核", "待审核", "申请退款", "待处理")),
)
_PUNCTUATION = re.compile(r"[\s，,。.、；;：:（）()！!“”\"']+")
NO_RETURN = "no_return"


def export_status(text: str) -> RefundStatus | str | None:
    """A 退款状态 / 售后状态 as exports write it -> RefundStatus; NO_RETURN for a row that says there is no
    after-sale (an order export); None when the words are not known."""
    known = refund_status_of(text)
    if known is not None:
        return known
    bare = _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text))
    if not bare or any(word in bare for word in _NOT_A_RETURN):
        return NO_RETURN
    for status, words in _STATUS_WORDS:
        if any(word in bare for word in words):
            return status
    return None


# -------------------------------------------------------------------------------------- the files

def open_return_exports(paths: Sequence[str | Path], *, platform: str | None = None,
                        columns: Mapping[str, tuple[str, ...]] | None = None) -> list[ExportFile]:
    """Every file opened (header found, platform known) before any row is read: a file that cannot be
    used stops the import before anything else is done."""
    exports = [ExportFile(path, RETURNS, columns, platform) for path in paths]
    tell_apart(exports)
    for export in exports:
        if not export.has("refund_status"):
            raise ExportError(f"{export.label} 不像退款或售后导出：表头里没有「退款状态」或「售后状态」。"
                              "请从千牛「退款管理」、抖店「售后管理」或拼多多「售后管理」导出")
        if export.platform is None:
            labels_text = "、".join(PLATFORM_LABELS.values())
            raise ExportError(f"{export.label}：看不出是哪个平台的导出（文件名和表头都没说）：请加 --platform"
                              f"（{labels_text}），或把平台名写进文件名")
    return exports
