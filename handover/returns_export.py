"""Refund and after-sale exports read as returns, for `handover returns import`.

The files are opened by the same reader as compensation's (exports.ExportFile: any Chinese encoding,
`="…"` ids, headers with stray spaces or quotes, xlsx, a last line cut short) and their cells are read
by the same rules (export_rows: money exactly or not at all, capped, never above what the buyer paid),
with the header names of the platforms' refund exports (PLATFORMS.md: Taobao/Tmall 退款管理, Douyin 售后,
Pinduoduo 售后). Every row of such a file is a return, so the loop is tight: the shapes the platforms
write on nearly every row are read on a fast path, anything else through the general parsers, which
name the problem. A row that cannot be read exactly is rejected with its file, row, column and reason.

What "the export's time" of a return is (so that an older file never overwrites newer data) is decided
here, from the columns the file has: the latest time the platform stamped on the row (`stamped_at`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

from .couriers import courier_of
from .export_rows import ExportRow, fast_id
from .exports import ORDER_NAMES, ExportError, ExportFile, RejectedRow
from .returns import RefundStatus, refund_status_of
from .schema import PLATFORM_LABELS, platform_of
from .values import ValueProblem, clean_text, parse_tracking_no

RETURNS = "returns"  # the ExportFile role of a refund / after-sale export

# Header names per logical column, most specific first (PLATFORMS.md "Order exports", the refund export,
# Douyin 售后 and Pinduoduo columns). Names marked inferred were not seen in a source but are what the
# platforms' backends call the same thing elsewhere.
RETURN_EXPORT_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ORDER_NAMES["order_id"],
    "refund_id": ORDER_NAMES["refund_id"],
    "refund_status": ORDER_NAMES["refund_status"],
    "reason": ("买家退款原因", "退款原因", "售后原因", "退款原因标签", "售后原因标签"),
    "buyer": ("买家会员名", "买家昵称", "买家账号"),
    "refund_amount": ("买家退款金额", "退款金额", "退款总额", "退给买家金额", "售后金额", "退款金额(元)"),
    "paid": ORDER_NAMES["paid"],
    "return_courier": ("退货物流公司", "退货快递公司", "退货快递"),
    "return_tracking_no": ("退货物流单号", "退货运单号", "退货快递单号", "退货单号"),
    "requested_at": ("退款的申请时间", "退款申请时间", "售后申请时间", "申请时间"),
    "approved_at": ("卖家同意时间", "商家同意时间", "同意时间"),  # inferred
    "waybill_at": ("买家退货时间", "退货发货时间", "买家寄回时间", "退货时间"),
    "signed_at": ("退货签收时间", "卖家收货时间", "商家收货时间", "签收时间"),  # inferred
    "finished_at": ("完结时间", "退款完结时间", "售后完结时间", "退款完成时间", "完成时间"),  # inferred
    "modified_at": ("修改时间", "最后修改时间", "更新时间", "售后更新时间"),  # inferred
    "platform_deadline": ("超时时间", "超时截止时间"),
    "platform": ("平台",),
}
# The platform's own times on a row, each stamped when the return moved: the latest is the export's time.
STAMPS = ("modified_at", "finished_at", "signed_at", "waybill_at", "approved_at", "requested_at")
LEDGER_TIMES = ("requested_at", "approved_at", "waybill_at", "signed_at")  # those the 退货 tab keeps

# How far along a return is, for two copies of it with the same export time (an agreement, a rejection or
# a refund often stamps no time the export shows): further along is newer. A rejection can still end in a
# refund; a refund and a closure end it.
PROGRESS = {RefundStatus.REQUEST: 0, RefundStatus.AWAITING_RETURN: 1, RefundStatus.IN_TRANSIT: 2,
            RefundStatus.SIGNED: 3, RefundStatus.REJECTED: 4, RefundStatus.REFUNDED: 5, RefundStatus.CLOSED: 5}

# What exports write in a cell that has nothing to say.
_PLACEHOLDERS = frozenset({"-", "--", "—", "/", "无", "暂无", "null", "NULL", "None", "0000-00-00 00:00:00"})


@dataclass(slots=True)
class ExportedReturn:
    """One return as an export row shows it; absent or blank cells are '' or None. Times are to the
    minute, as the 退货 tab keeps them."""

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
    requested_at: datetime | None
    approved_at: datetime | None
    waybill_at: datetime | None
    signed_at: datetime | None
    platform_deadline: datetime | None
    stamped_at: datetime | None  # the export's time for this return: the latest time the platform stamped

    def age(self) -> tuple[datetime, int, datetime]:
        """Orders two copies of one return: export time, then progress, then the platform's deadline (a
        延长收货 moves only the deadline)."""
        return (self.stamped_at or _DAWN, PROGRESS[self.status], self.platform_deadline or _DAWN)

    def facts(self) -> tuple[Any, ...]:
        """What the import writes from this row, to tell two copies with the same age apart."""
        return (self.status, self.return_courier, self.return_tracking_no, self.refund_amount, self.requested_at,
                self.approved_at, self.waybill_at, self.signed_at, self.platform_deadline, self.buyer, self.reason)


_DAWN = datetime.min.replace(tzinfo=ZoneInfo("UTC"))


def age_of(stamped_at: datetime | None, status: RefundStatus | None, deadline: datetime | None) -> tuple:
    """The same order for a return as the 退货 tab holds it (an unreadable status counts as least along)."""
    return (stamped_at or _DAWN, PROGRESS[status] if status else -1, deadline or _DAWN)


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
    exports = [ExportFile(path, RETURNS, columns, platform, names=RETURN_EXPORT_NAMES) for path in paths]
    labels = [export.label for export in exports]
    for export in exports:
        if labels.count(export.label) > 1:
            export.label = str(export.path)  # two files of the same name from different folders
        if not export.has("refund_status"):
            raise ExportError(f"{export.label} 不像退款或售后导出：表头里没有「退款状态」或「售后状态」。"
                              "请从千牛「退款管理」、抖店「售后管理」或拼多多「售后管理」导出")
        if export.platform is None:
            labels_text = "、".join(PLATFORM_LABELS.values())
            raise ExportError(f"{export.label}：看不出是哪个平台的导出（文件名和表头都没说）：请加 --platform"
                              f"（{labels_text}），或把平台名写进文件名")
    return exports


_UNSEEN = object()
_CELLS = ("order_id", "refund_id", "refund_status", "return_tracking_no", "return_courier", "refund_amount",
          "platform_deadline", *STAMPS)


class ReturnRows:
    """Reads one export's rows as ExportedReturn, caching what repeats (statuses, couriers, amounts)."""

    def __init__(self, export: ExportFile, tz: ZoneInfo, now: datetime, rejected: list[RejectedRow],
                 cap: Decimal | None = None):
        self.export, self.tz, self.now, self.rejected, self.cap = export, tz, now, rejected, cap
        self.skipped = 0  # rows that are no return at all (an order export's 无售后)
        self._statuses: dict[Any, RefundStatus | str | None] = {}
        self._couriers: dict[str, str] = {}
        self._amounts: dict[Any, Decimal] = {}
        single = export.single
        # One C call fetches a row's cells; an absent column reads the '' appended to each row.
        self._fetch = itemgetter(*(single.get(key, -1) for key in _CELLS))
        self._stamps = [key for key in STAMPS if key in single]

    def __iter__(self) -> Iterator[ExportedReturn]:
        export = self.export
        width = len(export.header)
        for number, cells in export.rows():
            if len(cells) != width or number == export.final_row:  # final_row: known just before the last row
                misshapen = export.misshapen(number, cells)
                if misshapen is not None:
                    self.rejected.append(misshapen)
                    continue
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
            cells.append("")
            line = self._line(number, cells)
            if line is not None:
                yield line

    def _line(self, number: int, cells: list) -> ExportedReturn | None:
        export = self.export
        (order_cell, refund_cell, status_cell, tracking_cell, courier_cell, amount_cell, deadline_cell,
         *stamp_cells) = self._fetch(cells)
        status = self._statuses.get(status_cell, _UNSEEN)
        if status is _UNSEEN:
            status = self._statuses.setdefault(status_cell, export_status(clean_text(status_cell)))
        if status == NO_RETURN:
            self.skipped += 1
            return None
        row = ExportRow(export, cells, number, self.tz, self.now, self.cap)
        if status is None:
            row.reject("refund_status", f"不认识的{export.header_of('refund_status')}「{clean_text(status_cell)}」，"
                                        "不知道这条退货走到了哪一步：这一行没有导入，请在后台查看后手动登记")
        order_id = self._id(row, "order_id", order_cell)
        refund_id = self._id(row, "refund_id", refund_cell) if "refund_id" in export.single else ""
        if refund_id is None and not row.problems:
            row.reject("refund_id", f"{export.header_of('refund_id')}为空：这一行认不出是哪个退款")
        times = {}
        for key, cell in zip(STAMPS, stamp_cells):
            if cell:
                times[key] = self._time(row, key, cell)
        deadline = self._time(row, "platform_deadline", deadline_cell) if deadline_cell else None
        line = ExportedReturn(
            file=export.label, row=number, platform=self._platform(row), refund_id=refund_id or "",
            order_id=order_id or "", buyer=self._text(row, "buyer"), reason=self._text(row, "reason"),
            status=status if isinstance(status, RefundStatus) else RefundStatus.CLOSED,
            return_courier=self._courier(courier_cell), return_tracking_no=self._tracking(row, tracking_cell),
            refund_amount=self._amount(row, amount_cell), requested_at=times.get("requested_at"),
            approved_at=times.get("approved_at"), waybill_at=times.get("waybill_at"),
            signed_at=times.get("signed_at"), platform_deadline=deadline,
            stamped_at=max((moment for moment in times.values() if moment is not None), default=None))
        if row.problems:
            self.rejected.extend(row.problems)
            return None
        return line

    # ------------------------------------------------------------------------------------ the cells

    def _id(self, row: ExportRow, key: str, value: Any) -> str | None:
        if value in ("", None) or value in _PLACEHOLDERS:
            if key == "order_id":
                row.reject(key, "订单号为空")
            return None
        try:
            return fast_id(value)
        except ValueProblem as problem:
            header = self.export.header_of(key)
            row.reject(key, str(problem) if key == "order_id" else str(problem).replace("订单号", header))
            return None

    def _time(self, row: ExportRow, key: str, value: Any) -> datetime | None:
        if value.__class__ is str:
            if len(value) == 19 and value[4] == "-" and value[10] == " ":  # 2026-11-22 10:00:07, nearly always
                try:
                    return datetime.fromisoformat(value).replace(second=0, tzinfo=self.tz)
                except ValueError:
                    pass
            if value in _PLACEHOLDERS or not value.strip():
                return None
        moment = row.time(key)
        return moment.replace(second=0, microsecond=0) if moment is not None else None

    def _text(self, row: ExportRow, key: str) -> str:
        text = row.text(key)
        return "" if text in _PLACEHOLDERS else text

    def _platform(self, row: ExportRow) -> str:
        text = row.text("platform")
        return (platform_of(text) if text else None) or self.export.platform  # type: ignore[return-value]

    def _courier(self, value: Any) -> str:
        name = self._couriers.get(value)
        if name is None:
            text = clean_text(value)
            courier = courier_of(text) if text and text not in _PLACEHOLDERS else None
            name = self._couriers.setdefault(value, courier.name if courier else "" if text in _PLACEHOLDERS else text)
        return name

    def _tracking(self, row: ExportRow, value: Any) -> str:
        if value.__class__ is str and value.isascii() and value.isalnum() and 6 <= len(value) <= 40:
            return value.upper()
        if value in ("", None) or value in _PLACEHOLDERS:
            return ""
        return row.parse("return_tracking_no", parse_tracking_no) or ""

    def _amount(self, row: ExportRow, value: Any) -> Decimal | None:
        amount = self._money(row, "refund_amount", value)
        if amount is not None and "paid" in self.export.single:
            return row.not_above("refund_amount", amount, "paid", self._money(row, "paid", row.raw("paid")))
        return amount

    def _money(self, row: ExportRow, key: str, value: Any) -> Decimal | None:
        """Amounts repeat (prices): each text is read by the exact-money rules once."""
        if value in ("", None) or value in _PLACEHOLDERS:
            return None
        amount = self._amounts.get(value)
        if amount is None:
            before = len(row.problems)
            amount = row.money(key)
            if amount is not None and len(row.problems) == before:
                self._amounts[value] = amount
        return amount
