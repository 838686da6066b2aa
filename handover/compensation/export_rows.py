"""Typed lines from the rows of an order export or an affiliate report (files opened by `handover.exports`).

An order row becomes an OrderLine only when it could matter for compensation — a pre-sale order, a
refund, an order another file already mentioned — so a million ordinary rows cost a glance each (a CSV's
a batch of rows at a time, `_could_matter`); the order id is still checked on every row, so an id a
spreadsheet turned into a float is always reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import compress
from operator import itemgetter
from sys import intern  # titles and reasons repeat across tens of thousands of orders: one string each
from typing import Any, Callable, Container, Iterator
from zoneinfo import ZoneInfo

from ..exports import ExportFile, ExportRow, RejectedRow, fast_id
from ..model.schema import header_key, platform_of
from ..model.values import ValueProblem, folded, parse_rate
from ..sheet import clean_text

_ZERO = frozenset(("", 0, "0", "0.00", "0.0", "¥0.00", "=\"0.00\""))
_SPACES = re.compile(r"\s+")
_NO = {"", "否", "无", "0", "-", "--", "null", "none", "false", "n", "no", "非预售", "普通", "普通订单", "现货"}

# ---------------------------------------------------------------------------------------- order rows

NONE, OPEN, SUCCESS, CLOSED = "none", "open", "success", "closed"
_ASKED = (OPEN, SUCCESS, CLOSED)


@dataclass(slots=True)
class OrderLine:
    """One usable row of an order or refund export, typed. Absent columns are None."""

    file: str
    row: int
    order_id: str
    signature: tuple
    platform: str | None
    sub_order_id: str
    refund_id: str
    presale: bool
    title: str
    paid: Decimal | None
    postage: Decimal | None
    paid_at: datetime | None
    promised_at: datetime | None
    shipped_at: datetime | None
    shipped: bool | None  # True/False from the status or a tracking number; None when nothing says
    closed: bool
    refund_state: str | None  # NONE, OPEN, SUCCESS, CLOSED; None when the file has no refund columns
    refund_reason: str
    refund_applied_at: datetime | None
    refund_amount: Decimal | None
    # The order's own total (总金额) and its column, on a row of the whole order (not of a sub-order).
    order_total: tuple[Decimal, str] | None = None
    # The row's largest amount and its column as the file names it: no file's amount of an order can exceed
    # the order's total, which another file may give (rules.above_total).
    largest: tuple[Decimal, str] | None = None

    @property
    def refund_signal(self) -> bool:
        """Whether the row says a refund or return was asked for (even if later withdrawn)."""
        return self.refund_state in _ASKED or bool(self.refund_reason) or bool(self.refund_amount)


def classify_refund(text: str) -> str | None:
    """退款状态 / 售后状态 / 维权状态 text -> NONE, OPEN, SUCCESS or CLOSED (withdrawn or refused)."""
    text = header_key(text)
    if not text:
        return None
    if any(word in text for word in ("没有申请", "无售后", "未申请", "无退款")) or text in ("无", "-", "--"):
        return NONE
    if any(word in text for word in ("成功", "完成", "已退款")):
        return SUCCESS
    if any(word in text for word in ("关闭", "取消", "撤销", "失败")):
        return CLOSED
    return OPEN


def classify_status(text: str) -> tuple[bool | None, bool, bool]:
    """订单状态 text -> (shipped, closed, unpaid)."""
    text = header_key(text)
    unpaid = any(word in text for word in ("等待买家付款", "待付款", "待支付", "未付款"))
    if any(word in text for word in ("等待卖家发货", "待发货", "未发货", "部分发货", "备货中")):
        shipped: bool | None = False
    elif any(word in text for word in ("已发货", "等待买家确认", "交易成功", "已完成", "已收货", "已签收", "待收货", "确认收货")):
        shipped = True
    else:
        shipped = None
    closed = any(word in text for word in ("交易关闭", "已关闭", "已取消", "订单关闭")) or "退款成功" in text
    return shipped, closed, unpaid


def _mentions(keywords: tuple[str, ...]) -> Callable[[str], Any]:
    """Whether a text holds any of the keywords, in one call (a million titles go through it)."""
    if not keywords:
        return lambda text: False
    return re.compile("|".join(re.escape(keyword) for keyword in keywords)).search


_UNSEEN = object()


_BATCH = 128  # rows: a batch of thousands outgrows the CPU caches, and the reading itself slows down
_WRAPPED_IDS = re.compile(r'="[0-9]+"(?:\n="[0-9]+")*')  # Taobao writes every id so
_BARE_IDS = re.compile(r"[0-9]+(?:\n[0-9]+)*")
_KEPT = 4096  # distinct flag texts remembered


def _could_matter(export: ExportFile, markers: list[int], texts: list[int],
                  mentions_presale: Callable[[str], Any], known: Container[str]) -> Iterator[tuple[int, list]]:
    """The rows of a CSV that order_lines would look at past its first glance, a batch at a time, each
    column of a batch looked at in one C call: a row that lines up with the header, holds a plain id
    (`="3958…"` or digits, as nearly every row does), no cell in `markers` (promise time, refund
    reason, pre-sale flags), no pre-sale keyword in `texts` (title, order type), and an order that is
    neither `known` nor held by another row of its batch that is looked at, cannot matter, and is left
    here. Every other row, and every row of a batch that is not so plain, is handed on, in file order."""
    width = len(export.header)
    id_of = itemgetter(export.single["order_id"])
    markers_of = [itemgetter(position) for position in markers]
    texts_of = [itemgetter(position) for position in texts]
    # Straight from the CSV reader a batch at a time: no generator step per row of a million.
    for first, lines in export.row_batches(_BATCH):
        batch = list(zip(range(first, first + len(lines)), lines))
        final = export.final_row  # set once the reader is past a last line without a line break
        if set(map(len, lines)) != {width} or (final is not None and final < first + len(lines)):
            yield from batch  # a short or long row, or a last row that may be cut off
            continue
        ids = list(map(id_of, lines))
        joined = "\n".join(ids)
        if joined.count("\n") != len(ids) - 1:  # an id holding a line break
            yield from batch
            continue
        if _WRAPPED_IDS.fullmatch(joined):
            ids = joined[2:-1].split('"\n="')
        elif not _BARE_IDS.fullmatch(joined):
            yield from batch  # an id of another shape: each row goes through fast_id
            continue
        everyone = range(len(lines))
        picked: set[int] = set()
        for marker_of in markers_of:
            if any(map(marker_of, lines)):
                picked.update(compress(everyone, map(marker_of, lines)))
        for text_of in texts_of:
            picked.update(compress(everyone, map(mentions_presale, map(text_of, lines))))
        # An order becomes known when a row looked at holds it: its other rows in the batch are looked at too.
        held = {ids[index] for index in picked}
        picked.update(compress(everyone, map(held.__contains__, ids)))
        picked.update(compress(everyone, map(known.__contains__, ids)))
        for index in sorted(picked):
            yield batch[index]


def _blank(cells: list) -> bool:
    return all(c is None or c == "" or (isinstance(c, str) and not c.strip()) for c in cells)


def order_lines(export: ExportFile, tz: ZoneInfo, now: datetime, *, presale_keywords: tuple[str, ...],
                everything_presale: bool, reason_matches: Callable[[str], bool], known: Container[str],
                refunds_wanted: Container[str], rejected: list[RejectedRow], cap: Decimal | None = None,
                spoiled: set[str] | None = None) -> Iterator[OrderLine]:
    """The rows of an orders file that could matter, typed; unusable rows go to `rejected`, and their
    order ids to `spoiled` (what the other rows of such an order say is not the whole order).

    A row is parsed in full when it is a pre-sale order not yet shipped or with a refund, when its
    refund reason is one that owes compensation, when `known` already holds its order (another file
    mentioned it), or when it shows a refund for an order in `refunds_wanted` (the affiliate orders).
    Every row is checked to line up with the header, and every amount read against `cap`.
    """
    single, multi = export.single, export.multi
    id_position = single["order_id"]
    width = len(export.header)
    flag_cols = multi.get("presale_flag", ())
    reason_cols = multi.get("refund_reason", ())
    # One C call fetches the cells the filter needs; an absent column reads the '' appended to each row.
    fetch = itemgetter(*(single.get(key, -1) for key in (
        "order_status", "refund_status", "refund_amount", "tracking_no", "shipped_at", "promised_at", "title", "order_type")))
    statuses: dict[Any, tuple[bool | None, bool, bool, bool]] = {}  # (shipped, closed, unpaid, says 退款)
    refund_states: dict[Any, str | None] = {}
    single_reason = reason_cols[0] if len(reason_cols) == 1 else None
    mentions_presale = _mentions(presale_keywords)
    # The pre-sale flag cells of a row at once (each column twice, so that even one makes a tuple):
    # nearly every row has them all empty, which one comparison tells.
    flags = itemgetter(*flag_cols, *flag_cols) if flag_cols else None
    no_flags = ("",) * (2 * len(flag_cols))
    flag_says: dict[Any, bool] = {}  # a flag's text -> whether it says pre-sale (定金已付 on every such row)
    check_refunds = bool(refunds_wanted)  # affiliate orders: any refund of theirs matters
    amount_names = tuple(intern(export.header_of(key)) for key in ("paid", "refund_amount", "total"))
    rows: Iterator[tuple[int, list]]
    if not (everything_presale or check_refunds or export.is_workbook):
        markers = [single[key] for key in ("promised_at",) if key in single] + [*reason_cols, *flag_cols]
        texts = [single[key] for key in ("title", "order_type") if key in single] if presale_keywords else []
        rows = _could_matter(export, markers, texts, mentions_presale, known)
    else:
        rows = export.rows()

    for number, cells in rows:
        if len(cells) != width or number == export.final_row:  # final_row: known just before the last row
            misshapen = export.misshapen(number, cells)
            if misshapen is not None:
                rejected.append(misshapen)
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
        cells.append("")
        value = cells[id_position]
        # fast_id's two commonest cases in place (a million rows): ="digits" and digits.
        if value.__class__ is str and (value.isdigit() if value[:1] != "=" else (
                value.startswith('="') and value.endswith('"') and value[2:-1].isdigit())) and value.isascii():
            order_id = value if value[:1] != "=" else value[2:-1]
        else:
            try:
                order_id = fast_id(value)
            except ValueProblem as problem:
                if not _blank(cells):
                    rejected.append(RejectedRow(number, export.header_of("order_id"), str(problem), file=export.label))
                continue
        if single_reason is not None:
            reason = cells[single_reason]
            reason = str(reason).strip() if reason else ""
        else:
            reason = " ".join(str(cells[i]).strip() for i in reason_cols if cells[i]) if reason_cols else ""
        status_text, refund_text, amount_cell, tracking, shipped_cell, promised, title, order_type = fetch(cells)
        presale = everything_presale or bool(promised)
        if not presale and flags is not None and flags(cells) != no_flags:
            for i in flag_cols:
                flag = cells[i]
                if flag:
                    says = flag_says.get(flag)
                    if says is None:
                        says = header_key(clean_text(flag)) not in _NO
                        if len(flag_says) < _KEPT:  # a column of ids (特权订金订单id) must not pile up
                            flag_says[flag] = says
                    if says:
                        presale = True
                        break
        if not presale:
            presale = bool(title and title.__class__ is str and mentions_presale(title)
                           or order_type and order_type.__class__ is str and mentions_presale(order_type))
        if not (presale or reason or check_refunds or order_id in known):
            continue  # nothing could make it matter (most rows: the rest is not looked at)
        status = statuses.get(status_text)
        if status is None:
            text = str(status_text)
            status = statuses[status_text] = (*classify_status(text), "退款" in text)
        shipped, closed, unpaid, refund_word = status
        if unpaid:
            continue  # never paid: nothing can be owed on it
        if shipped is None and (tracking or shipped_cell):
            shipped = True
        state = refund_states.get(refund_text, _UNSEEN)
        if state is _UNSEEN:
            state = refund_states[refund_text] = classify_refund(str(refund_text))
        signal = state in _ASKED or bool(reason) or refund_word or amount_cell not in _ZERO
        if not (order_id in known or (presale and (shipped is not True or signal))
                or (reason and reason_matches(reason)) or (signal and order_id in refunds_wanted)):
            continue
        row = ExportRow(export, cells, number, tz, now, cap)
        line = _order_line(row, order_id, presale, shipped, closed, state, reason, amount_names)
        if row.problems:
            rejected.extend(row.problems)
            if spoiled is not None:
                spoiled.add(order_id)
            continue
        yield line


def _order_line(row: ExportRow, order_id: str, presale: bool, shipped: bool | None, closed: bool,
                state: str | None, reason: str, names: tuple[str, str, str]) -> OrderLine:
    """`names`: the paid, refund and total columns as the file names them."""
    export = row.export
    platform = export.platform
    platform_text = row.text("platform")
    if platform_text:
        platform = platform_of(platform_text) or platform
    if state is None and "退款成功" in row.text("order_status"):
        state = SUCCESS
    if state is None and (export.has("refund_status") or export.has("refund_reason")):
        state = NONE
    shipped_at = row.time("shipped_at")
    paid_at = row.time("paid_at")
    if not export.has("paid_at"):
        paid_at = row.time("created_at")  # exports without a payment time: creation is the closest
    sub = clean_text(row.raw("sub_order_id"))
    total = row.money("total")
    paid = row.not_above("paid", row.money("paid"), "total", total)
    refund = row.not_above("refund_amount", row.money("refund_amount"), "paid" if paid is not None else "total",
                           paid if paid is not None else total)
    paid_name, refund_name, total_name = names
    top, name = paid, paid_name
    if refund is not None and (top is None or refund > top):
        top, name = refund, refund_name
    # An order keeps these (rules.merge_order): one tuple, and one Decimal, where they are the same amount.
    order_total = None
    if total is not None:
        order_total = (paid if paid == total else total, total_name)
    if order_total is not None and (top is None or total >= top):
        largest = order_total
    else:
        largest = (top, name) if top is not None else None
    return OrderLine(
        file=export.label, row=row.number, order_id=order_id, signature=export.signature, platform=platform,
        sub_order_id=folded(sub), refund_id=folded(row.text("refund_id")), presale=presale,
        title=intern(row.text("title")[:40]), paid=paid, postage=row.not_above("postage", row.money("postage"), "total", total),
        paid_at=paid_at,
        promised_at=row.time("promised_at"), shipped_at=shipped_at,
        shipped=True if shipped_at else shipped, closed=closed, refund_state=state,
        refund_reason=intern(_SPACES.sub(" ", reason).strip()), refund_applied_at=row.time("refund_applied_at"),
        refund_amount=refund, order_total=order_total if not sub else None, largest=largest)


# ------------------------------------------------------------------------------------ affiliate rows

@dataclass(slots=True)
class AffiliateLine:
    """One usable row of an affiliate settlement or 维权退款 report."""

    file: str
    row: int
    order_id: str
    sub_order_id: str
    paid: Decimal | None
    commission: Decimal | None
    commission_rate: Decimal | None
    service_fee: Decimal | None
    earned: bool | None  # None: the file does not say (a settlement report lists earned orders only)
    clawback: Decimal | None
    clawback_fee: Decimal | None
    dispute_state: str | None
    dispute_amount: Decimal | None
    dispute_done_at: datetime | None


def affiliate_lines(export: ExportFile, tz: ZoneInfo, now: datetime, rejected: list[RejectedRow],
                    cap: Decimal | None = None, spoiled: set[str] | None = None) -> Iterator[AffiliateLine]:
    """The rows of an affiliate report that carry a commission or a claw-back, typed; unusable rows go to
    `rejected` and, when their order id could be read, to `spoiled`."""
    id_position = export.single["order_id"]
    says_earned = any(export.has(k) for k in ("confirmed_at", "settled_at", "status", "presale_unpaid"))
    for number, cells in export.rows():
        misshapen = export.misshapen(number, cells)
        if misshapen is not None:
            rejected.append(misshapen)
            continue
        try:
            order_id = fast_id(cells[id_position] if id_position < len(cells) else "")
        except ValueProblem as problem:
            if not _blank(cells):
                rejected.append(RejectedRow(number, export.header_of("order_id"), str(problem), file=export.label))
            continue
        row = ExportRow(export, cells, number, tz, now, cap)
        earned: bool | None = None
        if says_earned:
            status = header_key(row.text("status"))
            earned = bool(row.text("confirmed_at") or row.text("settled_at")) or any(
                w in status for w in ("结算", "收货", "成功"))
            if any(w in status for w in ("失效", "取消", "关闭")) or header_key(row.text("presale_unpaid")) in ("是", "yes", "y", "true"):
                earned = False
        line = AffiliateLine(
            file=export.label, row=number, order_id=order_id, sub_order_id=folded(row.text("sub_order_id")),
            paid=row.money("paid"), commission=row.money("commission"),
            commission_rate=row.parse("commission_rate", parse_rate), service_fee=row.money("service_fee"),
            earned=earned, clawback=row.money("clawback"), clawback_fee=row.money("clawback_fee"),
            dispute_state=classify_refund(row.text("dispute_status")), dispute_amount=row.money("dispute_amount"),
            dispute_done_at=row.time("dispute_done_at"))
        if row.problems:
            rejected.extend(row.problems)
            if spoiled is not None:
                spoiled.add(order_id)
            continue
        if line.commission is None and line.commission_rate is None and line.clawback is None and line.dispute_state is None:
            continue  # neither commission nor claw-back: nothing to deduct
        yield line
