"""The 交接 tab parsed once into typed records, with every problem found on the way.

A row that cannot be used is never dropped: it comes back as an item with `problems`, so `check` can
list it and `pull` can show it at the end of the morning list. Writes to the tab are planned in
`handover_writes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any, Callable, Collection, Iterable, Sequence
from zoneinfo import ZoneInfo

from ..sheet import Grid, TabSpec, clean_texts
from .couriers import COURIERS, Courier, courier_of, recognise
from .rows import WARNING, ParsedRow, Problem, filled, flag_duplicate_ids, header_problems, id_key
from .schema import (
    CATEGORIES,
    HANDOVER_COLUMNS,
    HANDOVER_HEADERS,
    OPEN_STATUSES,
    PLATFORM_LABELS,
    STATUS_LABELS,
    TABS,
    Category,
    ColumnMap,
    Route,
    Status,
    category_of,
    locate_header,
    match_headers,
    platform_of,
    status_of,
)
from .values import ValueProblem, parse_datetime, parse_order_id, parse_phone, parse_tracking_no

_FINISHED = (Status.DONE, Status.CANCELLED)


@dataclass(slots=True)
class HandoverItem(ParsedRow):
    row: int
    id: str = ""
    logged_at: datetime | None = None
    logged_by: str = ""
    shop: str = ""
    platform: str | None = None
    category: Category | None = None
    order_id: str = ""
    buyer: str = ""
    phone: str = ""
    courier: Courier | None = None
    courier_recognised: bool = False  # True when the courier came from the tracking number's shape
    tracking_no: str = ""
    old_address: str = ""
    new_address: str = ""
    detail: str = ""
    status: Status | None = Status.OPEN
    handler: str = ""
    handled_at: datetime | None = None
    result: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def route(self) -> Route | None:
        return self.category.route if self.category else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES or self.status is None

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        # Times are already in the shop's timezone (parse_datetime converts them); pull dumps tens of
        # thousands of these, so no per-field helper calls here, and an enum's `_value_` rather than its
        # `value` (a descriptor call each).
        category, courier, status = self.category, self.courier, self.status
        logged, handled = self.logged_at, self.handled_at
        return {
            "id": self.id,
            "row": self.row,
            "logged_at": logged.isoformat() if logged else None,
            "logged_by": self.logged_by,
            "shop": self.shop,
            "platform": self.platform,
            "category": category.key if category else None,
            "route": category.route._value_ if category else None,
            "order_id": self.order_id,
            "buyer": self.buyer,
            "phone": self.phone,
            "courier": courier.key if courier else None,
            "tracking_no": self.tracking_no,
            "old_address": self.old_address,
            "new_address": self.new_address,
            "detail": self.detail,
            "status": status._value_ if status else None,
            "handler": self.handler,
            "handled_at": handled.isoformat() if handled else None,
            "result": self.result,
        }


# Columns that hold long digit strings: formatted as text in a new workbook, so Excel/WPS never turn an id
# into 3.4E+18; and the columns that want more room than their header.
_TEXT_FORMAT_KEYS = ("id", "order_id", "phone", "tracking_no")
_WIDE_KEYS = {"old_address": 36, "new_address": 36, "detail": 40, "result": 30, "order_id": 22, "tracking_no": 20}


def tab_spec() -> TabSpec:
    """The 交接 tab `handover init` makes: dropdowns for 平台, 类型, 状态 and 快递公司."""
    header = HANDOVER_HEADERS
    return TabSpec(
        name=TABS["handover"],
        headers=[column.header for column in HANDOVER_COLUMNS],
        dropdowns={
            header["platform"]: list(PLATFORM_LABELS.values()),
            header["category"]: [category.label for category in CATEGORIES],
            header["status"]: [STATUS_LABELS[status] for status in Status],
            header["courier"]: [courier.name for courier in COURIERS],
        },
        text_headers=[header[key] for key in _TEXT_FORMAT_KEYS],
        widths={header[key]: width for key, width in _WIDE_KEYS.items()},
    )


@dataclass
class HandoverTable:
    """The parsed tab: items in sheet order, the column map, and problems not tied to an item."""

    grid: Grid
    columns: ColumnMap
    items: list[HandoverItem]
    sheet_problems: list[Problem]

    def problems(self) -> list[Problem]:
        found = list(self.sheet_problems)
        for item in self.items:
            found.extend(item.problems)
        return found

    def ids(self) -> list[str]:
        """The 编号 of every row of the tab, in sheet order, whether its row was parsed or not
        (`open_only`, `only_ids`): a new 编号 must be none of these."""
        position = self.columns.index.get("id")
        return [] if position is None else [item_id for item_id in _id_texts(self.grid, position) if item_id]

    def by_id(self) -> dict[str, list[HandoverItem]]:
        """The items holding each 编号, by `id_key`."""
        table: dict[str, list[HandoverItem]] = {}
        for item in self.items:
            if item.id:
                table.setdefault(id_key(item.id), []).append(item)
        return table


def parse_handover(grid: Grid, tz: ZoneInfo, *, now: datetime | None = None, open_only: bool = False,
                   only_ids: Collection[str] | None = None) -> HandoverTable:
    """Parse the tab, its header found among its first rows (`locate_header`); `table.grid` is the tab
    as located. Two ways to parse less of a big sheet, every row still in `table.grid`:
    - `open_only` skips rows whose status says they are finished, for the morning list, which never
      shows them (a 50,000-row sheet is mostly finished rows);
    - `only_ids` parses only the rows holding one of these 编号 (`id_key`: in either case), each of them
      (a 编号 held twice comes back twice, flagged as in a whole parse), and the rows without 编号 (a
      write gives them one), for a command that changes a few rows: `table.ids()` still names every 编号
      of the tab. An order logged twice (`flag_repeated_orders`) is only told from the whole tab, so such
      a table does not say it. A tab without a 编号 column is parsed whole."""
    grid = locate_header(grid, HANDOVER_COLUMNS)
    columns = match_headers(grid.header, HANDOVER_COLUMNS)
    sheet_problems = header_problems(grid, columns)
    if not columns.has("category"):
        sheet_problems.append(Problem(grid.header_row, None, "表头里找不到「类型」列：每行都需要类型才能分派"))
    reference = now or datetime.now(tz)
    parser = _RowParser(columns, tz, reference)
    # Each filter looks at one column (a tab read in parts decodes only that column, then the rows
    # kept): a 50,000-row sheet goes through here on every command.
    indexes: Sequence[int] = range(len(grid.rows))
    status_position = columns.index.get("status")
    if open_only and status_position is not None:
        statuses = grid.column(status_position)
        finished = _finished_texts(statuses)
        indexes = [index for index in indexes if statuses[index] not in finished]
    id_position = columns.index.get("id")
    whole = only_ids is None or id_position is None
    if not whole:
        wanted = {id_key(item_id) for item_id in only_ids}
        ids = _id_texts(grid, id_position)
        indexes = [index for index in indexes if not ids[index] or id_key(ids[index]) in wanted]
    items = [parser.parse(grid.row_number(index), cells) for index, cells in zip(indexes, grid.rows_at(indexes))
             if any(filled(value) for value in cells)]
    flag_duplicate_ids(items, columns.header_text.get("id", HANDOVER_HEADERS["id"]))
    if whole:
        flag_repeated_orders(items, columns)
    return HandoverTable(grid, columns, items, sheet_problems)


def open_rows_logging(table: HandoverTable, item: HandoverItem, tz: ZoneInfo, now: datetime) -> list[HandoverItem]:
    """The open rows already logging `item`'s order under its 类型, as `flag_repeated_orders` would
    name them: for a table parsed only in part (`log`), each row whose order cell holds the order is
    parsed now, so a command that reads no other row can still say the issue is on the sheet."""
    position = table.columns.index.get("order_id")
    if not (item.order_id and item.category) or position is None:
        return []
    grid = table.grid
    candidates = [index for index, text in enumerate(clean_texts(grid.column(position))) if item.order_id in text]
    parser = _RowParser(table.columns, tz, now)
    rows = (parser.parse(grid.row_number(index), cells) for index, cells in zip(candidates, grid.rows_at(candidates)))
    return [row for row in rows if row.is_open and row.order_id == item.order_id and row.category == item.category]


def _id_texts(grid: Grid, position: int) -> list[str]:
    """The 编号 of each row as its item would hold it ('' for none)."""
    return clean_texts(grid.column(position))


def _finished_texts(statuses: Iterable[Any]) -> set[str]:
    """The status cells of a column that say 已完成 or 已取消, as typed (`已完成 `, `done` …)."""
    return {text for text in set(statuses) if text.__class__ is str and status_of(text.strip()) in _FINISHED}


class _Memo(dict):
    """A lookup remembered: the first time a key is asked for, `look_up` answers and is not asked again."""

    def __init__(self, look_up: Callable[[str], Any]):
        super().__init__()
        self.look_up = look_up

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.look_up(key)
        return value


_TEXT_KEYS = ("id", "logged_by", "shop", "buyer", "old_address", "new_address", "detail", "handler", "result",
              "platform", "category", "status", "courier")


class _RowParser:
    """Parses rows of one tab. Built for speed as well as clarity: a 50,000-row sheet goes through here
    cell by cell, so column positions are resolved once, plain text takes the shortest path and each
    distinct platform, category, status and courier text is looked up once."""

    def __init__(self, columns: ColumnMap, tz: ZoneInfo, reference: datetime):
        self.columns = columns
        self.tz = tz
        self.reference = reference
        # Rows are cut right after the last known column and given one None more: a key the sheet has no
        # column for reads that None, never the cell of a neighbour (the shop's own column).
        self.width = max(columns.index.values(), default=-1) + 1
        self.padding = [None] * (self.width + 1)
        self.position = {column.key: columns.index.get(column.key, self.width) for column in HANDOVER_COLUMNS}
        self.text_cells = itemgetter(*(self.position[key] for key in _TEXT_KEYS))
        self.typed_cells = itemgetter(*(self.position[key] for key in ("logged_at", "order_id", "phone", "tracking_no")))
        # Each distinct platform, category, status and courier text is looked up once.
        self.couriers = _Memo(courier_of)
        self.platforms = _Memo(platform_of)
        self.categories = _Memo(category_of)
        self.statuses = _Memo(status_of)

    def header(self, key: str) -> str:
        return self.columns.header_text.get(key) or HANDOVER_HEADERS[key]

    def parse(self, row: int, cells: list) -> HandoverItem:
        width = self.width
        cells = cells[:width] + self.padding[min(len(cells), width):]
        position = self.position
        (item_id, logged_by, shop, buyer, old_address, new_address, detail, handler, result,
         platform_text, category_text, status_text, courier_text) = clean_texts(self.text_cells(cells))
        item = HandoverItem(
            row=row, id=item_id, logged_by=logged_by, shop=shop, buyer=buyer, old_address=old_address,
            new_address=new_address, detail=detail, handler=handler, result=result,
        )
        logged_at, order_id, phone, tracking_no = self.typed_cells(cells)
        # Each typed cell parsed where it is (no helper call per cell: this runs for every row).
        if logged_at is not None and logged_at != "":
            try:
                item.logged_at = parse_datetime(logged_at, self.tz, reference=self.reference)
            except ValueProblem as problem:
                self._problem(item, "logged_at", logged_at, problem)
        if order_id is not None and order_id != "":
            try:
                item.order_id = parse_order_id(order_id)
            except ValueProblem as problem:
                self._problem(item, "order_id", order_id, problem)
        if phone is not None and phone != "":
            try:
                item.phone = parse_phone(phone)
            except ValueProblem as problem:
                self._problem(item, "phone", phone, problem)
        if tracking_no is not None and tracking_no != "":
            try:
                item.tracking_no = parse_tracking_no(tracking_no)
            except ValueProblem as problem:
                self._problem(item, "tracking_no", tracking_no, problem)
        handled_at = cells[position["handled_at"]]
        if handled_at not in (None, ""):
            try:
                # A handled time without a year belongs to the year of the night it was logged.
                item.handled_at = parse_datetime(handled_at, self.tz, reference=item.logged_at or self.reference)
            except ValueProblem as problem:
                self._problem(item, "handled_at", handled_at, problem)

        if platform_text:
            item.platform = self.platforms[platform_text]
            if item.platform is None:
                item.problems.append(Problem(row, self.header("platform"), f"不认识的平台「{platform_text}」（可用：{'、'.join(PLATFORM_LABELS.values())}）"))

        if category_text:
            item.category = self.categories[category_text]
            if item.category is None:
                labels = "、".join(c.label for c in CATEGORIES)
                item.problems.append(Problem(row, self.header("category"), f"不认识的类型「{category_text}」（可用：{labels}）"))
        else:
            item.problems.append(Problem(row, self.header("category"), "类型为空：填上类型才知道交给谁处理"))

        item.status = self.statuses[status_text]
        if item.status is None:
            item.problems.append(Problem(row, self.header("status"), f"不认识的状态「{status_text}」（可用：{'、'.join(STATUS_LABELS.values())}）"))

        self._courier(item, courier_text)
        if item.category:
            self._required(item)
        for problem in item.problems:
            problem.id = item.id
        return item

    def _problem(self, item: HandoverItem, key: str, value: Any, problem: ValueProblem) -> None:
        """A typed cell that could not be read: its problem, unless the cell holds only spaces."""
        if not (isinstance(value, str) and not value.strip()):
            item.problems.append(Problem(item.row, self.header(key), str(problem)))

    def _courier(self, item: HandoverItem, courier_text: str) -> None:
        if courier_text:
            item.courier = self.couriers[courier_text]
            if item.courier is None:
                item.problems.append(Problem(item.row, self.header("courier"), f"不认识的快递公司「{courier_text}」"))
            elif item.tracking_no and not item.courier.fits(item.tracking_no):
                item.problems.append(Problem(
                    item.row, self.header("tracking_no"),
                    f"单号 {item.tracking_no} 不像{item.courier.name}的单号，请核对快递公司和单号", WARNING))
        elif item.tracking_no:
            item.courier = recognise(item.tracking_no)
            item.courier_recognised = item.courier is not None

    def _required(self, item: HandoverItem) -> None:
        assert item.category is not None
        missing: list[str] = []
        key = item.category.key
        if key == "address_change":
            if not item.tracking_no:
                missing.append("tracking_no")
            if not item.courier and not self._has_error(item, "courier"):
                missing.append("courier")
            missing += [k for k in ("old_address", "new_address") if not getattr(item, k)]
        elif key == "intercept":
            if not item.tracking_no and not item.order_id and not self._has_error(item, "order_id"):
                missing.append("tracking_or_order")
            if not item.old_address:
                missing.append("old_address")
        elif key == "weight_query":
            if not item.tracking_no:
                missing.append("tracking_no")
        else:
            if not item.order_id:
                missing.append("order_id")
            if item.category.route is Route.CUSTOMER and not (item.phone or item.buyer):
                missing.append("phone")
        for field_key in missing:
            column_key = "tracking_no" if field_key == "tracking_or_order" else field_key
            if self._has_error(item, column_key):
                continue  # the cell was filled but unreadable: that problem is already listed
            item.problems.append(Problem(item.row, self.header(column_key), _MISSING[field_key].format(label=item.category.label)))

    def _has_error(self, item: HandoverItem, key: str) -> bool:
        header = self.header(key)
        return any(p.column == header for p in item.problems)


_MISSING = {
    "order_id": "{label}需要订单号",
    "tracking_no": "{label}需要快递单号",
    "tracking_or_order": "{label}需要快递单号或订单号",
    "courier": "{label}需要快递公司（或能认出快递公司的单号）",
    "old_address": "{label}需要原地址",
    "new_address": "{label}需要新地址",
    "phone": "{label}需要能联系到买家：填电话或买家昵称",
}


def flag_repeated_orders(items: list[HandoverItem], columns: ColumnMap) -> None:
    """Two open rows with the same order and 类型 are one issue logged twice (the night shift logs every
    time the buyer asks again). The first row in the sheet stays the issue; each later one is a problem
    naming it, so `check` fails until the team keeps one, and messages list the order once."""
    first: dict[tuple[str, str], HandoverItem] = {}
    header = columns.header_text.get("order_id", "订单号")
    for item in items:
        if not (item.order_id and item.category and item.is_open):
            continue
        kept = first.setdefault((item.category.key, item.order_id), item)
        if kept is not item:
            item.problems.append(Problem(
                item.row, header, f"订单 {item.order_id} 的{item.category.label}第 {kept.row} 行已经登记过：重复的这一行"
                f"请改成「已取消」，要补充的写进第 {kept.row} 行", id=item.id))
