"""The platforms' exports as downloaded: opening one (encoding, header row, platform), streaming its rows,
and typed access to a row's cells.

Shops download these files from the seller backends and hand them over as they are: GB18030/GBK or
UTF-8 (with or without BOM) CSV, ids wrapped as `="3958…"` or trailed by a tab, headers with stray spaces
and quotes, or .xlsx. Finance gives order exports and affiliate reports (`compensation.order_exports`),
the team refund exports (`returns_import.refund_exports`): each names its columns in an `ExportShape`
(header names per platform are in PLATFORMS.md); a `[columns]` table in handover.toml names the columns
of anything else.

Files are streamed: a million-row export is never held in memory. What a row means is its reader's
concern (`compensation.export_rows`, `returns_import.refund_rows`).
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from python_calamine import CalamineError, CalamineWorkbook

from .errors import HandoverError, place
from .model.rows import Problem
from .model.schema import PLATFORM_LABELS, PLATFORMS, header_key
from .model.values import ValueProblem, parse_datetime, parse_money, parse_order_id
from .sheet import clean_text


# Header names of the columns the platforms' exports share, whatever the kind (orders, refunds): per
# logical column, most specific first (PLATFORMS.md). Each kind's ExportShape names these and its own.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ("订单编号", "主订单编号", "订单号", "订单ID", "淘宝订单编号", "父订单编号", "order id"),
    "refund_id": ("退款编号", "售后单号", "售后编号", "退款单号"),
    "paid": ("买家实际支付金额", "实付金额", "用户实付金额(元)", "商品实付", "订单应付金额", "实付款", "订单实付款",
             "用户实付", "支付金额", "付款金额"),
    "refund_status": ("退款状态", "售后状态"),
    "refund_reason": ("买家退款原因", "退款原因", "售后原因", "售后原因标签", "退款原因标签"),
    "refund_amount": ("买家退款金额", "退款金额", "退款总额", "退给买家金额", "售后金额"),
    "refund_applied_at": ("退款的申请时间", "退款申请时间", "售后申请时间", "申请时间"),
    "platform": ("平台",),
}


@dataclass(frozen=True)
class ExportShape:
    """A kind of export: the header names of its columns (per logical column, most specific first: the
    first name found in a file wins), the columns where every matching column counts, and the platform
    when the file name does not say (None: the header tells)."""

    role: str  # what the file is to its reader ("orders", "affiliate", "returns"): shown in reports
    names: Mapping[str, tuple[str, ...]]
    multi: frozenset[str] = frozenset()
    platform: str | None = None


class ExportError(HandoverError):
    """A whole file cannot be read; the message names the file and the fix."""


@dataclass
class RejectedRow(Problem):
    """An input row that could not be used, with the file it came from."""

    file: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}

    def describe(self) -> str:
        return f"{place(file=self.file, row=self.row, column=self.column)}：{self.message}"


def each_once(rejected: list[RejectedRow]) -> list[RejectedRow]:
    """The rejected rows, a problem said twice (a row read by two readers) kept once, in order."""
    unique = dict.fromkeys((r.file, r.row, r.column, r.message) for r in rejected)
    return [RejectedRow(row, column, message, file=file) for file, row, column, message in unique]


class ExportFile:
    """One opened export of the given shape: where its columns are and which platform wrote it. `rows()`
    streams the data rows as (row number with header = 1, cells)."""

    def __init__(self, path: str | Path, shape: ExportShape, mapping: Mapping[str, tuple[str, ...]] | None = None,
                 platform: str | None = None):
        self.path = Path(path).expanduser()
        self.label = self.path.name
        self.shape = shape
        self.role = shape.role
        names = shape.names
        self.encoding: str | None = None
        self.delimiter = ","
        try:
            self._open(names, mapping or {}, platform)
        except PermissionError:
            raise ExportError(f"没有权限读 {self.label}：请文件主人给你读权限（例如 chmod o+r {self.label}），"
                              "或换有权限的账号运行") from None

    def _open(self, names: Mapping[str, tuple[str, ...]], mapping: Mapping[str, tuple[str, ...]],
              platform: str | None) -> None:
        shape = self.shape
        if not self.path.is_file():
            raise ExportError(f"找不到文件 {self.path}")
        self.is_workbook = self.path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
        # A CSV whose last line has no line break may have been cut off mid-row (a download stopped):
        # its final row is then watched (`final_row`, `cut`).
        self.unterminated = False
        self.final_row: int | None = None
        self.cut: tuple[int, str, str] | None = None  # (column, value, the row above's value)
        if not self.is_workbook:
            self.encoding, self.delimiter = _sniff(self.path)
            self.unterminated = _unterminated(self.path)
        self.header_row, self.header = self._find_header(names, mapping)
        # Trailing unnamed columns may be missing from a row; a named one may not.
        self.width = max((i + 1 for i, name in enumerate(self.header) if name), default=0)
        self.single, self.multi = _locate(self.header, names, mapping, shape.multi)
        keys = {header_key(h) for h in self.header}
        self.platform = platform or _platform_from_name(self.label) or shape.platform or _platform_from_header(keys)
        self.rows_read = 0
        self.signature = tuple(header_key(h) for h in self.header)

    def has(self, key: str) -> bool:
        return key in self.single or bool(self.multi.get(key))

    def header_of(self, key: str) -> str:
        position = self.single.get(key)
        if position is None and self.multi.get(key):
            position = self.multi[key][0]
        return self.header[position].strip() if position is not None else key

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
                rows = enumerate(csv.reader(handle, delimiter=self.delimiter), start=1)
                for number, cells in self._watch_last(rows) if self.unterminated and not limit else rows:
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

    def row_batches(self, size: int) -> Iterator[tuple[int, list[list]]]:
        """The data rows in lists of up to `size`, each with the row number of its first (rows are
        numbered one after another): a big CSV goes through without a tuple or a generator step per row.
        A workbook, and a CSV whose last line may be cut (its final row is watched), go row by row."""
        if self.is_workbook or self.unterminated:
            rows = self.rows()
            while batch := list(islice(rows, size)):
                yield batch[0][0], [cells for _, cells in batch]
            return
        number = self.header_row
        try:
            with open(self.path, newline="", encoding=self.encoding) as handle:
                reader = csv.reader(handle, delimiter=self.delimiter)
                for _ in islice(reader, self.header_row):
                    pass
                while batch := list(islice(reader, size)):
                    yield number + 1, batch
                    number += len(batch)
        except (UnicodeDecodeError, csv.Error):
            # Read again row by row, only to name the row the file goes wrong in.
            for _ in self.rows():
                pass
            raise
        finally:
            self.rows_read = max(self.rows_read, number - self.header_row)

    def _watch_last(self, rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
        """The rows one behind, so that the final row is known as such before it is handed out, with
        the row above it to compare its last value with."""
        above: tuple[int, list] | None = None
        pending: tuple[int, list] | None = None
        for row in rows:
            if pending is not None:
                yield pending
                above = pending
            pending = row
        if pending is None:
            return
        self.final_row = pending[0]
        if above is not None and above[0] > self.header_row:
            self.cut = _looks_cut(pending[1], above[1])
        yield pending

    def misshapen(self, number: int, cells: list) -> RejectedRow | None:
        """Why a row does not line up with the header (too few or too many cells, or the last row of a
        file that stopped mid-row), else None. Blank lines are fine."""
        count = len(cells)
        if number == self.final_row and (count < self.width or self.cut):
            if self.cut and count >= self.width:
                column, value, above = self.cut
                shown = f"「{self.header[column]}」是「{value}」，上一行是「{above}」"
            else:
                shown = f"只有 {count} 列，表头有 {self.width} 列"
            return RejectedRow(number, None, f"文件在这一行中途结束（最后一行没有换行，{shown}）：下载可能不完整，请重新导出",
                               file=self.label)
        if count < self.width and any(c not in ("", None) for c in cells):
            return RejectedRow(number, None, f"这一行只有 {count} 列，表头有 {self.width} 列：各列对不上，请重新导出",
                               file=self.label)
        extra = count - len(self.header)
        if extra > 0 and any(c not in ("", None) for c in cells[len(self.header):]):
            return RejectedRow(number, None, f"这一行比表头多 {extra} 列（可能有没加引号的逗号）：各列对不上，请重新导出",
                               file=self.label)
        return None


def tell_apart(exports: list[ExportFile]) -> None:
    """Two files of the same name from different folders are labelled by their paths."""
    labels = [export.label for export in exports]
    for export in exports:
        if labels.count(export.label) > 1:
            export.label = str(export.path)


def _unterminated(path: Path) -> bool:
    """Whether the file's last line lacks a line break (in UTF-8, GB18030 or UTF-16)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 2))
        tail = handle.read()
    return bool(tail) and not tail.endswith((b"\n", b"\r", b"\n\x00", b"\r\x00"))


_DIGITS = re.compile(r"\d[\d,]*")


def _looks_cut(cells: list, above: list) -> tuple[int, str, str] | None:
    """A last value whose shape differs from the same column one row up (`12` under `0.00`, `2026-11-0`
    under a full time) where that column holds numbers or times: the row was cut off. Free text cannot
    be judged and is let through."""
    if not cells or len(cells) > len(above):
        return None
    column = len(cells) - 1
    value, before = str(cells[column]), str(above[column])
    if not re.search(r"\d", before) or _DIGITS.sub("9", value) == _DIGITS.sub("9", before):
        return None
    return column, value, before


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
    except PermissionError:
        raise
    except (CalamineError, ValueError, OSError, IndexError):
        raise ExportError(f"{path.name}：{_unopenable(path)}") from None
    # iter_rows starts at the sheet's first row even when the used range starts lower, so the index
    # is the row number Excel shows.
    for index, cells in enumerate(sheet.iter_rows()):
        if limit and index >= limit:
            return
        yield index + 1, cells


def _unopenable(path: Path) -> str:
    """Why an export workbook would not open, told from its first bytes, and what to do about it."""
    with open(path, "rb") as stream:
        head = stream.read()  # only on the way to an error: where an encrypted file names its package varies
    if not head:
        return "是空文件（0 字节）：下载可能没有完成，请从平台重新导出"
    if head.startswith(b"\xd0\xcf\x11\xe0") and "EncryptedPackage".encode("utf-16-le") in head:
        return "设了打开密码，handover 读不了：请在 Excel/WPS 里去掉密码另存一份，或从平台重新导出"
    if head.startswith(b"PK"):
        return "不完整或已损坏（下载或复制到一半断了？）：请从平台重新导出"
    return "不是能打开的工作簿（可能是别的文件改了扩展名）：请从平台重新导出，或用 Excel/WPS 打开后另存为 .xlsx"


def _locate(header: list[str], names: Mapping[str, tuple[str, ...]], mapping: Mapping[str, tuple[str, ...]],
            multi_keys: frozenset[str]) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    keys = [header_key(h) for h in header]
    single: dict[str, int] = {}
    multi: dict[str, tuple[int, ...]] = {}
    taken: set[int] = set()
    for key, built_in in names.items():
        candidates = [header_key(n) for n in (*mapping.get(key, ()), *built_in)]
        if key in multi_keys:
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


def _platform_from_header(keys: set[str]) -> str | None:
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


# ---------------------------------------------------------------------------------------- a row's cells

# The shapes nearly every export writes, read without the general parsers (ExportRow.money, .time).
_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")
_EXPORT_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


class ExportRow:
    """Typed access to one row's cells; every unreadable cell becomes a problem of the row (a RejectedRow
    naming the file, the row and the column as the file spells it)."""

    __slots__ = ("export", "cells", "number", "problems", "tz", "now", "cap")

    def __init__(self, export: ExportFile, cells: list, number: int, tz: ZoneInfo, now: datetime, cap: Decimal | None):
        self.export, self.cells, self.number, self.tz, self.now, self.cap = export, cells, number, tz, now, cap
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
        return self._parsed(key, self.raw(key), parser)

    def _parsed(self, key: str, value: Any, parser: Callable[[Any], Any]) -> Any:
        if value is None or (isinstance(value, str) and not clean_text(value)):
            return None
        try:
            return parser(value)
        except ValueProblem as problem:
            self.reject(key, str(problem))
            return None

    def money(self, key: str) -> Decimal | None:
        value = self.raw(key)
        if value is None:
            return None
        # The plain amount nearly every export writes (59.90) is read at once; anything else the way
        # parse_money reads it.
        amount = Decimal(value) if value.__class__ is str and _PLAIN_AMOUNT.fullmatch(value) else self._parsed(
            key, value, parse_money)
        if amount is not None and amount < 0:
            self.reject(key, f"金额不能是负数：{amount}")
            return None
        if amount is not None and self.cap is not None and amount > self.cap:
            self.reject(key, f"金额 {amount} 超过上限 {self.cap:,.2f} 元，不像真实订单：请核对这一行"
                             "（确有这么大的订单，就调高 handover.toml [compensation] 的 max_order_amount）")
            return None
        return amount

    def not_above(self, key: str, amount: Decimal | None, limit_key: str, limit: Decimal | None) -> Decimal | None:
        """`amount` unless it exceeds the same row's `limit` (a refund above the paid amount, a paid
        amount above the order's total): then the row is rejected."""
        if amount is not None and limit is not None and amount > limit:
            self.reject(key, f"{amount:.2f} 元超过这一行的「{self.export.header_of(limit_key)}」{limit:.2f} 元："
                             "一笔订单不会这样，请核对这一行")
            return None
        return amount

    def time(self, key: str) -> datetime | None:
        value = self.raw(key)
        if value is None:
            return None
        # The shape nearly every export writes (2026-11-22 23:40:05) is read at once, in shop time as
        # parse_datetime reads it; anything else (and a date that does not exist) the way it reads it.
        if value.__class__ is str and _EXPORT_TIME.fullmatch(value):
            try:
                return datetime.fromisoformat(value).replace(tzinfo=self.tz)
            except ValueError:
                pass
        return self._parsed(key, value, lambda v: parse_datetime(v, self.tz, reference=self.now))

    def reject(self, key: str | None, message: str) -> None:
        column = self.export.header_of(key) if key else None
        self.problems.append(RejectedRow(self.number, column, message, file=self.export.label))


def fast_id(value: object) -> str:
    """The order id in a cell, fast for what exports hold on nearly every row (digits, maybe `="…"`
    wrapped or with a trailing tab); anything else goes through parse_order_id, which raises
    ValueProblem for a float-mangled or empty id."""
    if value.__class__ is str:
        text = value[2:-1] if value.startswith('="') and value.endswith('"') else value.strip()  # type: ignore[union-attr]
        if text.isdigit() and text.isascii():
            return text
    return parse_order_id(value)
