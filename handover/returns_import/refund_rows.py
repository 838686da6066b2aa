"""The rows of a refund export read as returns (ExportedReturn), fast enough for a 100,000-row file.

Every row of a refund export is a return, so each of its cells is read; in Python, cell by cell, that
costs several times the CSV reading itself. Rows are therefore read a batch at a time, column by
column: a column of a batch is checked in one pass over the shapes the platforms write on nearly every
row (`="3958…"`, `2026-11-22 10:00:07`, `1,299.00`, a waybill number) and converted in another. A row
with any other cell is read on its own by the careful path (ExportRow's checks, as compensation reads
its exports), which accepts what the general parsers accept and names every problem as a rejected row.
Both paths give the same ExportedReturn for the same cells.

An xlsx export holds numbers and dates besides text: before either path reads a row, its number and date
cells in the columns of ids, waybills, amounts and times are written as the text its CSV would hold, where
that text says exactly what the cell does (the float 39.0 as `39.0`, 7000000000000201.0 as its digits, a
date cell as `2026-11-22 10:00:07`); both paths then read that text by the same rules as a CSV's (39.123
has three decimals and is refused). A cell no text says exactly (an id above 2^53, which a float cannot
hold; a serial number in a time column) stays as it is, for the careful path.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import itemgetter
from typing import Any, Callable, Iterator, Sequence
from zoneinfo import ZoneInfo

from ..exports import ExportFile, ExportRow, RejectedRow, fast_id
from ..model.couriers import courier_of
from ..model.schema import RefundStatus, platform_of
from ..model.values import ValueProblem, parse_tracking_no, time_text, whole_number_text
from .column_shapes import (
    AMOUNTS,
    BARE_IDS,
    DAY,
    FIRST_TWO,
    FLOAT_ID,
    INSIDE,
    LAST,
    PLACEHOLDERS,
    PLAIN_ID,
    PLAIN_MONEY,
    PLAIN_TEXT,
    PLAIN_TIME,
    PLAIN_TRACKING,
    TEXT_TO_CLEAN,
    TIMES,
    TO_MINUTE,
    TRACKING_NOS,
    UNCOMMA,
    WRAPPED_IDS,
    all_shaped,
    each_cell,
    free_text,
    is_day,
    joined_if,
    minute_text,
    stripped_texts,
    tracking_text,
)
from .refund_exports import LEDGER_TIMES, NO_RETURN, STAMPS, ExportedReturn, export_status, going_backwards
from ..sheet import clean_text

BATCH = 2048
_TAKEN = 64  # rows taken from the reader at a time (BATCH: rows read as returns at a time)
_KEPT = 4096  # distinct amounts remembered: prices repeat, but a file of all different ones must not pile up


class ReturnRows:
    """The returns of one export, in file order; rows that cannot be used go to `rejected`, rows that
    are no return at all (an order export's 无售后) are counted in `skipped`, returns whose own times go
    backwards (ExportedReturn.backwards) are also listed in `backwards`."""

    def __init__(self, export: ExportFile, tz: ZoneInfo, now: datetime, rejected: list[RejectedRow],
                 cap: Decimal | None = None):
        self.export, self.tz, self.now, self.rejected, self.cap = export, tz, now, rejected, cap
        self.skipped = 0
        self.backwards: list[ExportedReturn] = []
        # What repeats from row to row, read once: statuses, couriers, platforms, days, amounts, reasons.
        self._statuses: dict[Any, RefundStatus | str | None] = {}
        self._couriers: dict[Any, str] = {}
        self._platforms: dict[Any, str] = {}
        self._days: dict[str, bool] = {}
        self._amounts: dict[str, Decimal] = {}
        self._reasons: dict[Any, str | None] = {}
        self._texts: dict[str, str] = {}
        # An xlsx export's columns whose number and date cells are read as the text a CSV would hold.
        self._typed = [(export.single[key], as_text) for keys, as_text in _TYPED_COLUMNS for key in keys
                       if key in export.single] if export.is_workbook else []

    def __iter__(self) -> Iterator[ExportedReturn]:
        for lines in self.batches():
            yield from lines

    def batches(self) -> Iterator[list[ExportedReturn]]:
        """The returns a few thousand at a time, in file order. The rows are taken from the reader a few
        dozen at a time and only the columns read are kept: the other cells (more than half of a refund
        export's) are let go while they are still in the processor's cache."""
        export = self.export
        width = len(export.header)
        keys = list(export.single)
        picks = [itemgetter(export.single[key]) for key in keys]
        numbers: list[int] = []
        columns: list[list] = [[] for _ in keys]
        for first, rows in export.row_batches(min(_TAKEN, BATCH)):
            taken = range(first, first + len(rows))
            # final_row: set once the reader is past a last line without a line break.
            if set(map(len, rows)) != {width} or export.final_row == taken[-1]:
                taken, rows = self._lined_up(list(taken), rows, width)
            if self._typed:
                self._as_text(rows)
            numbers += taken
            for column, pick in zip(columns, picks):
                column += map(pick, rows)
            if len(numbers) >= BATCH:
                yield self._batch(numbers, dict(zip(keys, columns)))
                numbers, columns = [], [[] for _ in keys]
        if numbers:
            yield self._batch(numbers, dict(zip(keys, columns)))

    def _lined_up(self, numbers: list[int], rows: list[list], width: int) -> tuple[list[int], list[list]]:
        """The rows that line up with the header (short ones padded); the others rejected, with why."""
        kept_numbers, kept = [], []
        for number, cells in zip(numbers, rows):
            if len(cells) != width or number == self.export.final_row:
                misshapen = self.export.misshapen(number, cells)
                if misshapen is not None:
                    self.rejected.append(misshapen)
                    continue
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
            kept_numbers.append(number)
            kept.append(cells)
        return kept_numbers, kept

    # ------------------------------------------------------------------------------------ batches

    def _batch(self, numbers: list[int], columns: dict[str, list]) -> list[ExportedReturn]:
        """The returns of these rows, given the columns read (by key; a column the file lacks is absent)."""
        single = self.export.single
        careful: set[int] = set()  # rows read again on their own
        skipped: set[int] = set()
        column = columns.get

        statuses = self._status_column(column("refund_status"), careful, skipped)
        order_ids = self._ids(column("order_id"), careful)
        refund_ids = self._ids(column("refund_id"), careful)
        trackings, trackings_read = self._tracking_column(column("return_tracking_no"), careful)
        amounts = self._amount_column(column("refund_amount"), column("paid"), careful)
        buyers = self._texts_checked(column("buyer"), careful)
        reasons = self._reason_column(column("reason"), careful)
        deadlines, plain_deadlines = self._time_column(column("platform_deadline"), careful)
        stamps = {key: self._time_column(column(key), careful) for key in STAMPS if key in single}
        couriers = self._looked_up(column("return_courier"), self._couriers, self._courier)
        platforms = self._looked_up(column("platform"), self._platforms, self._platform)
        self.skipped += len(skipped)
        careful -= skipped  # no return at all: nothing to read carefully either
        dropped = careful | skipped
        keep = [i for i in range(len(numbers)) if i not in dropped] if dropped else None

        def kept(values: list | None, blank: Any = None) -> Any:
            """The column's values of the rows read here; `blank` for each when the file has no such column."""
            if values is None:
                return repeat(blank)
            return values if keep is None else [values[i] for i in keep]

        times = {key: each_cell(kept(values), TO_MINUTE, minute_text, plain) for key, (values, plain) in stamps.items()}
        stamped = list(map(max, *times.values(), repeat(""))) if times else repeat("")
        trackings = kept(trackings, blank="") if trackings_read else each_cell(kept(trackings, blank=""), str.upper, tracking_text)
        lines = list(map(
            ExportedReturn, repeat(self.export.label), kept(numbers),
            kept(platforms, blank=self.export.platform), kept(refund_ids, blank=""), kept(order_ids),
            stripped_texts(kept(buyers, blank="")), kept(reasons, blank=""),
            kept(statuses), kept(couriers, blank=""), trackings,
            kept(amounts), *(times.get(key, repeat("")) for key in STAMPS[:4]),
            each_cell(kept(deadlines, blank=""), TO_MINUTE, minute_text, plain_deadlines), stamped))
        ledger = [times[key] for key in LEDGER_TIMES if key in times]
        if len(ledger) > 1:
            self.backwards += map(lines.__getitem__, going_backwards(ledger))
        if careful:
            read = list(filter(None, (self._careful(numbers[i], self._row(columns, i)) for i in sorted(careful))))
            self.backwards += (line for line in read if line.backwards())
            lines += read
            lines.sort(key=_row_of)
        return lines

    def _row(self, columns: dict[str, list], index: int) -> list:
        """A row's cells again, from the columns read (the only ones the careful path reads): the cells
        of other columns are blank."""
        cells = [""] * len(self.export.header)
        for key, column in columns.items():
            cells[self.export.single[key]] = column[index]
        return cells

    def _as_text(self, rows: list[list]) -> None:
        """The number and date cells of an xlsx export's rows, in the columns read as ids, waybills,
        amounts and times, replaced by the text a CSV would hold (in place)."""
        for position, as_text in self._typed:
            for cells in rows:
                if position < len(cells) and cells[position].__class__ is not str:
                    cells[position] = as_text(cells[position])

    def _status_column(self, cells: list | None, careful: set[int], skipped: set[int]) -> list:
        assert cells is not None  # open_return_exports refuses a file without a status column
        known = self._statuses
        for cell in set(cells) - known.keys():
            known[cell] = export_status(clean_text(cell))
        statuses = list(map(known.__getitem__, cells))
        if not all(status.__class__ is RefundStatus for status in set(statuses)):
            for i, status in enumerate(statuses):
                if status is NO_RETURN:
                    skipped.add(i)
                elif status.__class__ is not RefundStatus:
                    careful.add(i)
        return statuses

    def _ids(self, cells: list | None, careful: set[int]) -> list | None:
        """`="3958…"` and bare ids unwrapped; anything else (a float, a blank, a tab) read carefully."""
        if cells is None:
            return None
        if self._all_text(cells):
            joined = joined_if(WRAPPED_IDS, cells)
            if joined is not None:
                return joined[2:-1].split('"\n="')
            if joined_if(BARE_IDS, cells) is not None:
                return cells
        else:
            careful.update(i for i, cell in enumerate(cells) if cell.__class__ is not str)
            cells = [cell if cell.__class__ is str else "" for cell in cells]
        if set(map(FIRST_TWO, cells)) == {'="'} and set(map(LAST, cells)) == {'"'}:
            ids = list(map(INSIDE, cells))  # Taobao wraps every id
        else:
            ids = [cell[2:-1] if cell[:2] == '="' and cell[-1:] == '"' else cell for cell in cells]
        if not (all(map(str.isdigit, ids)) and all(map(str.isascii, ids))):
            careful.update(i for i, value in enumerate(ids) if not PLAIN_ID.fullmatch(value) or FLOAT_ID.fullmatch(value))
        return ids

    def _checked(self, cells: list | None, shape: re.Pattern[str], careful: set[int]) -> list | None:
        if cells is not None and not (self._all_text(cells) and all_shaped(cells, shape)):
            careful.update(i for i, cell in enumerate(cells) if cell.__class__ is not str or not shape.fullmatch(cell))
        return cells

    def _texts_checked(self, cells: list | None, careful: set[int]) -> list | None:
        """Free text that clean_text would leave as it is, stripped: no `="…"` wrapper, no tab."""
        if cells is None:
            return None
        if self._all_text(cells):
            joined = "\n".join(cells)
            # With no line break in any cell (the count), each line of the joined column is a cell.
            if joined.count("\n") == len(cells) - 1 and "\t" not in joined and not TEXT_TO_CLEAN.search(joined):
                return cells
        careful.update(i for i, cell in enumerate(cells) if cell.__class__ is not str or not PLAIN_TEXT.fullmatch(cell))
        return cells

    def _reason_column(self, cells: list | None, careful: set[int]) -> list | None:
        """Reasons read once per distinct cell (a column repeats a few); one clean_text would change is
        read carefully."""
        reasons = self._looked_up(cells, self._reasons, self._reason)
        if reasons is not None and None in set(reasons):
            careful.update(i for i, reason in enumerate(reasons) if reason is None)
        return reasons

    def _tracking_column(self, cells: list | None, careful: set[int]) -> tuple[list | None, bool]:
        """Waybill numbers of the plain shape; and whether they are read already (upper case, no placeholder)."""
        joined = joined_if(TRACKING_NOS, list(filter(None, cells))) if cells and self._all_text(cells) else None
        if joined is not None:
            return (cells if joined.upper() == joined else list(map(str.upper, cells))), True
        return self._checked(cells, PLAIN_TRACKING, careful), False

    def _time_column(self, cells: list | None, careful: set[int]) -> tuple[list | None, bool]:
        """Times of the plain shape on real days (2026-02-30 is read carefully, and rejected there); and
        whether the column holds no placeholder."""
        if cells is not None and self._all_text(cells):
            filled = list(filter(None, cells))
            if any(joined_if(shape, filled) is not None for shape in TIMES):
                return cells, True
        cells = self._checked(cells, PLAIN_TIME, careful)
        if cells is not None:
            days = self._days
            texts = cells if self._all_text(cells) else [cell if cell.__class__ is str else "" for cell in cells]
            prefixes = set(map(DAY, texts)) - PLACEHOLDERS - {""}
            for day in prefixes - days.keys():
                days[day] = is_day(day)
            if not all(map(days.__getitem__, prefixes)):
                careful.update(i for i, cell in enumerate(texts) if cell[:10] in prefixes and not days[cell[:10]])
        return cells, False

    def _amount_column(self, cells: list | None, paid_cells: list | None, careful: set[int]) -> list | None:
        """Amounts read exactly; one above the cap, or above what the buyer paid, is read carefully (and
        rejected there, with the reason)."""
        if cells is None:
            return None
        joined = joined_if(AMOUNTS, list(filter(None, cells))) if self._all_text(cells) else None
        if joined is not None:
            texts = list(map(UNCOMMA, cells)) if "," in joined else cells
            amounts = self._kept(cells, list(map(Decimal, texts)) if "" not in cells else
                                 [Decimal(text) if text else None for text in texts], careful)
        else:
            amounts = self._money(self._checked(cells, PLAIN_MONEY, careful), careful)
        # A full refund writes the same text in both columns (nearly always): nothing more to read or compare.
        if paid_cells is not None and paid_cells != cells:
            paid_cells = [paid if paid != cell else "" for cell, paid in zip(cells, paid_cells)]
            self._checked(paid_cells, PLAIN_MONEY, careful)
            paid = self._money(paid_cells, careful)
            careful.update(i for i, (amount, limit) in enumerate(zip(amounts, paid))
                           if amount is not None and limit is not None and amount > limit)
        return amounts

    def _money(self, cells: list, careful: set[int]) -> list[Decimal | None]:
        """Checked plain amounts as Decimal (None for a blank, or a cell read carefully); one above the cap
        is read carefully. Prices repeat: while there are few, each amount is kept once."""
        if not self._all_text(cells):  # a cell no text says (a boolean, a date) is read carefully
            cells = [cell if cell.__class__ is str else "" for cell in cells]
        try:
            amounts = list(map(Decimal, map(UNCOMMA, cells)))  # every cell a plain amount, nearly always
        except InvalidOperation:
            amounts = [None if i in careful or not cell or cell in PLACEHOLDERS else Decimal(UNCOMMA(cell))
                       for i, cell in enumerate(cells)]
        return self._kept(cells, amounts, careful)

    def _kept(self, cells: list, amounts: list[Decimal | None], careful: set[int]) -> list[Decimal | None]:
        """The amounts, each kept once while there are few; one above the cap read carefully."""
        if len(self._amounts) < _KEPT:
            keep = self._amounts.setdefault
            amounts = (list(map(keep, cells, amounts)) if None not in amounts else
                       [None if amount is None else keep(cell, amount) for cell, amount in zip(cells, amounts)])
        if self.cap is not None:
            cap = self.cap
            # max over the amounts (a zero left out with the blanks, it is under any cap) at C speed.
            if max(filter(None, amounts), default=cap) > cap:
                careful.update(i for i, amount in enumerate(amounts) if amount is not None and amount > cap)
        return amounts

    def _all_text(self, cells: Sequence[Any]) -> bool:
        """Whether every cell is text: always in a CSV; an xlsx export also has numbers and dates."""
        return not self.export.is_workbook or set(map(type, cells)) <= {str}

    def _looked_up(self, cells: list | None, known: dict, look_up: Callable[[Any], Any]) -> list | None:
        if cells is None:
            return None
        for cell in set(cells) - known.keys():
            known[cell] = look_up(cell)
        return list(map(known.__getitem__, cells))

    def _courier(self, cell: Any) -> str:
        """The courier's usual name, or the export's text for a courier we do not know."""
        text = clean_text(cell)
        if not text or text in PLACEHOLDERS:
            return ""
        courier = courier_of(text)
        return courier.name if courier else text

    def _platform(self, cell: Any) -> str:
        text = clean_text(cell)
        return (platform_of(text) if text else None) or self.export.platform  # type: ignore[return-value]

    def _reason(self, cell: Any) -> str | None:
        """A reason as read (None: one to read carefully, as _texts_checked tells)."""
        if cell.__class__ is not str or not PLAIN_TEXT.fullmatch(cell):
            return None
        text = free_text(cell)
        return self._texts.setdefault(text, text)  # a few reasons, repeated: kept once

    # ------------------------------------------------------------------------------- careful path

    def _careful(self, number: int, cells: list) -> ExportedReturn | None:
        """The row read cell by cell with export_rows' checks; every problem becomes a rejected row."""
        export = self.export
        cells = cells + [""]  # an absent column reads the '' after the last cell
        if self._typed:
            self._as_text([cells])
        row = ExportRow(export, cells, number, self.tz, self.now, self.cap)
        raw = row.raw("refund_status")
        status = self._statuses.get(raw) or export_status(row.text("refund_status"))
        if status.__class__ is not RefundStatus:
            row.reject("refund_status", f"不认识的{export.header_of('refund_status')}「{row.text('refund_status')}」，"
                                        "不知道这条退货走到了哪一步：这一行没有导入，请在后台查看后手动登记")
        order_id = self._careful_id(row, "order_id")
        refund_id = self._careful_id(row, "refund_id") if "refund_id" in export.single else ""
        times = [self._careful_time(row, key) for key in STAMPS]
        line = ExportedReturn(
            export.label, number, self._platform(row.raw("platform")), refund_id or "", order_id or "",
            self._careful_text(row, "buyer"), self._careful_text(row, "reason"),
            status if status.__class__ is RefundStatus else RefundStatus.CLOSED,  # type: ignore[arg-type]
            self._courier(row.raw("return_courier")), self._careful_tracking(row), self._careful_amount(row),
            *times[:4], self._careful_time(row, "platform_deadline"), max(times))
        if row.problems:
            self.rejected.extend(row.problems)
            return None
        return line

    def _careful_id(self, row: ExportRow, key: str) -> str | None:
        header = self.export.header_of(key)
        if row.text(key) in ("", *PLACEHOLDERS):
            row.reject(key, f"{header}为空：这一行认不出是哪一条退货")
            return None
        try:
            return fast_id(row.raw(key))
        except ValueProblem as problem:
            row.reject(key, str(problem) if key == "order_id" else str(problem).replace("订单号", header))
            return None

    def _careful_time(self, row: ExportRow, key: str) -> str:
        if row.text(key) in PLACEHOLDERS:
            return ""
        moment = row.time(key)
        return time_text(moment, self.tz) if moment is not None else ""

    def _careful_text(self, row: ExportRow, key: str) -> str:
        text = row.text(key)
        return "" if text in PLACEHOLDERS else text

    def _careful_tracking(self, row: ExportRow) -> str:
        if row.text("return_tracking_no") in PLACEHOLDERS:
            return ""
        return row.parse("return_tracking_no", parse_tracking_no) or ""

    def _careful_amount(self, row: ExportRow) -> Decimal | None:
        if row.text("refund_amount") in PLACEHOLDERS:
            return None
        amount = row.money("refund_amount")
        if amount is not None and "paid" in self.export.single and row.text("paid") not in PLACEHOLDERS:
            return row.not_above("refund_amount", amount, "paid", row.money("paid"))
        return amount


def _id_cell_text(cell: Any) -> Any:
    """An id or a waybill in a number cell: its digits while the float holds them exactly (as
    parse_order_id and parse_tracking_no read a number), else the cell as it is (refused there)."""
    if cell.__class__ is float:
        return whole_number_text(cell) or cell
    return str(cell) if cell.__class__ is int else cell


def _amount_text(cell: Any) -> Any:
    """An amount in a number cell, as the shortest text that gives the float back (its repr), written
    out without an exponent: 39.0 -> `39.0`, 59.9 -> `59.9`, 1e-05 -> `0.00001` (refused: five decimals)."""
    if cell.__class__ is float or cell.__class__ is int:
        return format(Decimal(repr(cell)), "f")
    return cell


def _time_cell_text(cell: Any) -> Any:
    """A date cell with its time (shop time, as a naive cell is read) as an export writes it as text."""
    if cell.__class__ is datetime and cell.tzinfo is None and cell.year >= 1000:
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    return cell


_TYPED_COLUMNS: tuple[tuple[tuple[str, ...], Callable[[Any], Any]], ...] = (
    (("order_id", "refund_id", "return_tracking_no"), _id_cell_text),
    (("refund_amount", "paid"), _amount_text),
    ((*STAMPS, "platform_deadline"), _time_cell_text),
)


def _row_of(line: ExportedReturn) -> int:
    return line.row


