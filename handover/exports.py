"""Reading the platforms' order exports and the affiliate reports, one row at a time.

Finance downloads these files from the seller backends and hands them over as they are: GB18030/GBK or
UTF-8 (with or without BOM) CSV, ids wrapped as `="3958…"` or trailed by a tab, headers with stray spaces
and quotes, or .xlsx. Header names per platform are in PLATFORMS.md; a `[columns]` table in handover.toml
names the columns of anything else.

Files are streamed: a million-row export is never held in memory. A row is only parsed in full when it
could matter (a pre-sale order, a refund, an order another file already mentioned); the order id is
checked on every row, so an id that a spreadsheet turned into a float is always reported.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Container, Iterator, Mapping
from zoneinfo import ZoneInfo

from python_calamine import CalamineError, CalamineWorkbook

from .errors import HandoverError
from .records import Problem
from .schema import PLATFORM_LABELS, PLATFORMS, header_key, platform_of
from .values import ValueProblem, clean_text, folded, parse_datetime, parse_money, parse_order_id, parse_rate

ORDERS = "orders"
AFFILIATE = "affiliate"

# Header names per logical column, most specific first: the first name found in a file wins, so the
# Taobao report's 买家实际支付金额 is used even though its 总金额 column comes earlier. Sources: PLATFORMS.md.
ORDER_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ("订单编号", "主订单编号", "订单号", "订单ID", "淘宝订单编号", "父订单编号", "order id"),
    "sub_order_id": ("子订单编号", "淘宝子订单编号", "子订单号"),
    "refund_id": ("退款编号", "售后单号", "售后编号", "退款单号"),
    "paid": ("买家实际支付金额", "实付金额", "用户实付金额(元)", "商品实付", "订单应付金额", "实付款", "订单实付款",
             "用户实付", "支付金额", "付款金额"),
    "postage": ("买家应付邮费", "邮费(元)", "邮费", "运费"),
    "paid_at": ("订单付款时间", "支付完成时间", "付款时间", "支付时间", "订单成交时间", "成交时间"),
    "created_at": ("订单创建时间", "订单提交时间", "下单时间", "创建时间"),
    "shipped_at": ("发货时间", "卖家发货时间", "实际发货时间"),
    "promised_at": ("承诺发货时间", "预计发货时间", "预约发货时间", "约定发货时间", "最晚发货时间"),
    "title": ("宝贝标题", "商品标题", "商品名称", "选购商品", "宝贝名称", "商品"),
    "presale_flag": ("分阶段订单信息", "特权订金订单id", "定金排名", "是否预售", "预售类型"),
    "order_type": ("订单类型",),
    "order_status": ("订单状态", "交易状态"),
    "refund_status": ("退款状态", "售后状态"),
    "refund_reason": ("买家退款原因", "退款原因", "售后原因", "售后原因标签", "退款原因标签"),
    "refund_amount": ("买家退款金额", "退款金额", "退款总额", "退给买家金额", "售后金额"),
    "refund_applied_at": ("退款的申请时间", "退款申请时间", "售后申请时间", "申请时间"),
    "tracking_no": ("物流单号", "运单号", "快递单号", "发货物流信息"),
    "platform": ("平台",),
}
AFFILIATE_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ("淘宝父订单编号", "父订单编号", "订单编号", "淘宝订单编号", "订单号"),
    "sub_order_id": ("淘宝子订单编号", "子订单编号"),
    "paid": ("付款金额", "结算金额", "实际成交价格", "成交金额", "实付金额"),
    "commission": ("佣金金额", "佣金", "结算佣金", "预估收入", "结算预估收入"),
    "commission_rate": ("佣金比例", "佣金比率", "收入比率"),
    "service_fee": ("服务费金额",),
    "confirmed_at": ("确认收货时间",),
    "settled_at": ("淘客结算时间", "结算时间", "订单结算时间"),
    "status": ("订单状态",),
    "presale_unpaid": ("是否预售未付尾款订单",),
    "clawback": ("应退回佣金",),
    "clawback_fee": ("应退回服务费",),
    "dispute_amount": ("维权退款金额",),
    "dispute_status": ("维权状态",),
    "dispute_done_at": ("维权完成时间",),
}
# Columns where every matching column counts (several pre-sale markers, several reason columns).
_MULTI = {"presale_flag", "refund_reason"}
MAPPABLE = sorted(set(ORDER_NAMES) | set(AFFILIATE_NAMES))

_ZERO = ("", 0, "0", "0.00", "0.0", "¥0.00", "=\"0.00\"")
_NO = {"", "否", "无", "0", "-", "--", "null", "none", "false", "n", "no", "非预售", "普通", "普通订单", "现货"}


class ExportError(HandoverError):
    """A whole file cannot be read; the message names the file and the fix."""


@dataclass
class RejectedRow(Problem):
    """An input row that could not be used, with the file it came from."""

    file: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}

    def describe(self) -> str:
        column = f"「{self.column}」" if self.column else ""
        return f"{self.file} 第 {self.row} 行{column}：{self.message}"


class ExportFile:
    """One opened export: where its columns are and which platform wrote it. `rows()` streams the data
    rows as (row number with header = 1, cells)."""

    def __init__(self, path: str | Path, role: str, mapping: Mapping[str, tuple[str, ...]] | None = None,
                 platform: str | None = None):
        self.path = Path(path).expanduser()
        self.label = self.path.name
        self.role = role
        names = ORDER_NAMES if role == ORDERS else AFFILIATE_NAMES
        self.encoding: str | None = None
        self.delimiter = ","
        if not self.path.is_file():
            raise ExportError(f"找不到文件 {self.path}")
        self.is_workbook = self.path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
        if not self.is_workbook:
            self.encoding, self.delimiter = _sniff(self.path)
        self.header_row, self.header = self._find_header(names, mapping or {})
        self.single, self.multi = _locate(self.header, names, mapping or {})
        keys = {header_key(h) for h in self.header}
        self.platform = platform or _platform_from_name(self.label) or _platform_from_header(keys, role)
        self.rows_read = 0
        self.signature = tuple(header_key(h) for h in self.header)

    def has(self, key: str) -> bool:
        return key in self.single or bool(self.multi.get(key))

    def header_of(self, key: str) -> str:
        position = self.single.get(key)
        if position is None and self.multi.get(key):
            position = self.multi[key][0]
        return self.header[position].strip() if position is not None else key

    @property
    def kind(self) -> str:
        """What the file looks like, for the report: orders, refunds, settlement or disputes."""
        if self.role == AFFILIATE:
            return "disputes" if self.has("clawback") or self.has("dispute_status") else "settlement"
        return "refunds" if self.has("refund_id") or (self.has("refund_reason") and not self.has("order_status")) else "orders"

    def _find_header(self, names: Mapping[str, tuple[str, ...]], mapping: Mapping[str, tuple[str, ...]]) -> tuple[int, list[str]]:
        """The header is the first of the top rows holding an order-id column (some exports put a title
        line above it)."""
        wanted = {header_key(n) for n in (*mapping.get("order_id", ()), *names["order_id"])}
        for number, cells in self._raw_rows(limit=10):
            texts = [clean_text(c) for c in cells]
            if any(header_key(t) in wanted for t in texts):
                return number, texts
        hint = "、".join(names["order_id"][:3])
        raise ExportError(
            f"{self.label}：表头里找不到订单号列（{hint}…）。如果这一列叫别的名字，"
            f"请在 handover.toml 的 [columns] 里写 order_id = \"你的列名\"")

    def _raw_rows(self, limit: int | None = None, after: int = 0) -> Iterator[tuple[int, list]]:
        """(row number, cells) for rows after `after`, up to row `limit`; counts the data rows read."""
        number = 0
        try:
            if self.is_workbook:
                for number, cells in _workbook_rows(self.path, limit):
                    if number > after:
                        yield number, cells
                return
            with open(self.path, newline="", encoding=self.encoding) as handle:
                for number, cells in enumerate(csv.reader(handle, delimiter=self.delimiter), start=1):
                    if number > after:
                        yield number, cells
                    if limit and number >= limit:
                        return
        except UnicodeDecodeError:
            raise ExportError(
                f"{self.label}：第 {number + 1} 行附近有不能按 {self.encoding} 读取的字节，文件可能不完整：请重新导出") from None
        except csv.Error as error:
            raise ExportError(f"{self.label}：第 {number + 1} 行不是有效的 CSV（{error}）：请重新导出") from None
        finally:
            if after:
                self.rows_read = max(self.rows_read, number - after)

    def rows(self) -> Iterator[tuple[int, list]]:
        """The data rows, streamed: (row number with the header as row 1, cells)."""
        return self._raw_rows(after=self.header_row)


def _sniff(path: Path) -> tuple[str, str]:
    """Encoding and delimiter from the first megabyte: a BOM decides; else UTF-8 if it decodes, else
    GB18030 (a superset of GBK, which is what Taobao writes)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "gb18030"
        for candidate in ("utf-8", "gb18030"):
            decoder = codecs.getincrementaldecoder(candidate)()
            try:
                for start in range(0, len(head), 65536):  # in pieces: the decoded text is not kept
                    decoder.decode(head[start:start + 65536], final=False)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break
        else:
            raise ExportError(f"{path.name}：既不是 UTF-8 也不是 GBK/GB18030 编码：请从平台重新导出 CSV 或另存为 xlsx")
    top = "\n".join(head[:65536].decode(encoding, errors="ignore").splitlines()[:5])
    return encoding, "\t" if top.count("\t") > top.count(",") else ","


def _workbook_rows(path: Path, limit: int | None) -> Iterator[tuple[int, list]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError, IndexError) as error:
        raise ExportError(f"{path.name}：打不开这个工作簿（{error}）。如果设了密码，请在 Excel/WPS 里去掉密码另存后再试") from None
    # iter_rows starts at the sheet's first row even when the used range starts lower, so the index
    # is the row number Excel shows.
    for index, cells in enumerate(sheet.iter_rows()):
        if limit and index >= limit:
            return
        yield index + 1, cells


def _locate(header: list[str], names: Mapping[str, tuple[str, ...]],
            mapping: Mapping[str, tuple[str, ...]]) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    keys = [header_key(h) for h in header]
    single: dict[str, int] = {}
    multi: dict[str, tuple[int, ...]] = {}
    taken: set[int] = set()
    for key, built_in in names.items():
        candidates = [header_key(n) for n in (*mapping.get(key, ()), *built_in)]
        if key in _MULTI:
            wanted = set(candidates)
            multi[key] = tuple(i for i, k in enumerate(keys) if k in wanted and i not in taken)
            taken.update(multi[key])
            continue
        for candidate in candidates:
            position = next((i for i, k in enumerate(keys) if k == candidate and i not in taken), None)
            if position is not None:
                single[key] = position
                taken.add(position)
                break
    return single, multi


def _platform_from_name(name: str) -> str | None:
    """A platform named in the file name (天猫订单.csv, douyin_export.xlsx): the only way to tell a Tmall
    report from a Taobao one, whose headers are the same."""
    lowered = name.lower()
    for platform, aliases in PLATFORMS.items():
        for alias in (platform, *aliases):
            if (len(alias) >= 2 and not alias.isascii()) or len(alias) >= 5:
                if alias.lower() in lowered:
                    return platform
    return None


def _platform_from_header(keys: set[str], role: str) -> str | None:
    if role == AFFILIATE:
        return "taobao"  # 淘宝联盟 reports are the only affiliate reports we know
    if any("快手" in k for k in keys):
        return "kuaishou"
    if keys & {"主订单编号", "选购商品", "订单提交时间", "支付完成时间"}:
        return "douyin"
    if any(k.endswith("(元)") for k in keys) or "订单成交时间" in keys:
        return "pinduoduo"
    if keys & {"买家会员名", "买家实际支付金额", "宝贝标题", "退款编号", "买家退款原因", "订单付款时间"}:
        return "taobao"
    return None


def platform_label(platform: str | None) -> str:
    return PLATFORM_LABELS.get(platform or "", "未知平台")


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


class _Row:
    """Typed access to one row's cells; every unreadable cell becomes a problem of the row."""

    __slots__ = ("export", "cells", "number", "problems", "tz", "now")

    def __init__(self, export: ExportFile, cells: list, number: int, tz: ZoneInfo, now: datetime):
        self.export, self.cells, self.number, self.tz, self.now = export, cells, number, tz, now
        self.problems: list[RejectedRow] = []

    def raw(self, key: str) -> Any:
        position = self.export.single.get(key)
        if position is None or position >= len(self.cells):
            return None
        value = self.cells[position]
        return None if value == "" else value

    def text(self, key: str) -> str:
        return clean_text(self.raw(key))

    def texts(self, key: str) -> str:
        cells = self.cells
        return " ".join(t for t in (clean_text(cells[i]) for i in self.export.multi.get(key, ()) if i < len(cells)) if t)

    def parse(self, key: str, parser: Callable[[Any], Any]) -> Any:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not clean_text(value)):
            return None
        try:
            return parser(value)
        except ValueProblem as problem:
            self.reject(key, str(problem))
            return None

    def money(self, key: str) -> Decimal | None:
        amount = self.parse(key, parse_money)
        if amount is not None and amount < 0:
            self.reject(key, f"金额不能是负数：{amount}")
            return None
        return amount

    def time(self, key: str) -> datetime | None:
        return self.parse(key, lambda v: parse_datetime(v, self.tz, reference=self.now))

    def reject(self, key: str | None, message: str) -> None:
        column = self.export.header_of(key) if key else None
        self.problems.append(RejectedRow(self.number, column, message, file=self.export.label))


def fast_id(value: object) -> str:
    """The order id in a cell, fast for what exports hold on nearly every row (digits, maybe `="…"`
    wrapped or with a trailing tab); anything else goes through parse_order_id, which raises
    ValueProblem for a float-mangled or empty id."""
    if value.__class__ is str:
        text = value[2:-1] if value[:2] == '="' and value[-1:] == '"' else value.strip()  # type: ignore[index]
        if text.isdigit() and text.isascii():
            return text
    return parse_order_id(value)


def _blank(cells: list) -> bool:
    return all(c is None or c == "" or (isinstance(c, str) and not c.strip()) for c in cells)


def order_lines(export: ExportFile, tz: ZoneInfo, now: datetime, *, presale_keywords: tuple[str, ...],
                everything_presale: bool, reason_matches: Callable[[str], bool], known: Container[str],
                refunds_wanted: Container[str], rejected: list[RejectedRow]) -> Iterator[OrderLine]:
    """The rows of an orders file that could matter, typed; unusable rows go to `rejected`.

    A row is parsed in full when it is a pre-sale order not yet shipped or with a refund, when its
    refund reason is one that owes compensation, when `known` already holds its order (another file
    mentioned it), or when it shows a refund for an order in `refunds_wanted` (the affiliate orders).
    """
    single, multi = export.single, export.multi
    id_position = single["order_id"]
    width = len(export.header)
    flag_cols = multi.get("presale_flag", ())
    reason_cols = multi.get("refund_reason", ())
    # One C call fetches the cells the filter needs; an absent column reads the '' appended to each row.
    fetch = itemgetter(*(single.get(key, -1) for key in (
        "order_status", "refund_status", "refund_amount", "tracking_no", "shipped_at", "promised_at", "title", "order_type")))
    status_cache: dict[str, tuple[bool | None, bool, bool]] = {}
    refund_cache: dict[str, str | None] = {}

    for number, cells in export.rows():
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        cells.append("")
        try:
            order_id = fast_id(cells[id_position])
        except ValueProblem as problem:
            if not _blank(cells):
                rejected.append(RejectedRow(number, export.header_of("order_id"), str(problem), file=export.label))
            continue
        status_text, refund_text, amount_cell, tracking, shipped_cell, promised, title, order_type = fetch(cells)
        if status_text.__class__ is not str:
            status_text = str(status_text)
        status = status_cache.get(status_text)
        if status is None:
            status = status_cache.setdefault(status_text, classify_status(status_text))
        shipped, closed, unpaid = status
        if unpaid:
            continue  # never paid: nothing can be owed on it
        if shipped is None and (tracking or shipped_cell):
            shipped = True
        if refund_text.__class__ is not str:
            refund_text = str(refund_text)
        if refund_text in refund_cache:
            state = refund_cache[refund_text]
        else:
            state = refund_cache.setdefault(refund_text, classify_refund(refund_text))
        reason = " ".join(str(cells[i]).strip() for i in reason_cols if cells[i]) if reason_cols else ""
        signal = state in _ASKED or bool(reason) or "退款" in status_text or amount_cell not in _ZERO
        presale = everything_presale or bool(promised)
        if not presale:
            for i in flag_cols:
                if cells[i] and header_key(clean_text(cells[i])) not in _NO:
                    presale = True
                    break
        if not presale:
            for text in (title, order_type):
                if text and text.__class__ is str:
                    for keyword in presale_keywords:
                        if keyword in text:
                            presale = True
        if not (order_id in known or (presale and (shipped is not True or signal))
                or (reason and reason_matches(reason)) or (signal and order_id in refunds_wanted)):
            continue
        row = _Row(export, cells, number, tz, now)
        line = _order_line(row, order_id, presale, shipped, closed, state, reason)
        if row.problems:
            rejected.extend(row.problems)
            continue
        yield line


def _order_line(row: _Row, order_id: str, presale: bool, shipped: bool | None, closed: bool,
                state: str | None, reason: str) -> OrderLine:
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
    return OrderLine(
        file=export.label, row=row.number, order_id=order_id, signature=export.signature, platform=platform,
        sub_order_id=folded(sub), refund_id=folded(row.text("refund_id")), presale=presale,
        title=row.text("title")[:40], paid=row.money("paid"), postage=row.money("postage"), paid_at=paid_at,
        promised_at=row.time("promised_at"), shipped_at=shipped_at,
        shipped=True if shipped_at else shipped, closed=closed, refund_state=state,
        refund_reason=re.sub(r"\s+", " ", reason).strip(), refund_applied_at=row.time("refund_applied_at"),
        refund_amount=row.money("refund_amount"))


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


def affiliate_lines(export: ExportFile, tz: ZoneInfo, now: datetime, rejected: list[RejectedRow]) -> Iterator[AffiliateLine]:
    """The rows of an affiliate report that carry a commission or a claw-back, typed."""
    id_position = export.single["order_id"]
    says_earned = any(export.has(k) for k in ("confirmed_at", "settled_at", "status", "presale_unpaid"))
    for number, cells in export.rows():
        try:
            order_id = fast_id(cells[id_position] if id_position < len(cells) else "")
        except ValueProblem as problem:
            if not _blank(cells):
                rejected.append(RejectedRow(number, export.header_of("order_id"), str(problem), file=export.label))
            continue
        row = _Row(export, cells, number, tz, now)
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
            continue
        if line.commission is None and line.commission_rate is None and line.clawback is None and line.dispute_state is None:
            continue  # neither commission nor claw-back: nothing to deduct
        yield line

