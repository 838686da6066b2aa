"""A local, stateful stand-in for the Google Sheets API v4, for tests and benchmarks.

`SheetsEmulator` serves on 127.0.0.1 (stdlib `http.server`, one thread per connection) the calls gspread
makes for handover's commands, answering in the real API's shapes (as recorded in gspread's cassettes):

- `GET  /v4/spreadsheets/{id}`                         spreadsheet metadata (includeGridData=false)
- `GET  /v4/spreadsheets/{id}/values/{range}`          values.get
- `GET  /v4/spreadsheets/{id}/values:batchGet`         values.batchGet
- `PUT  /v4/spreadsheets/{id}/values/{range}`          values.update
- `POST /v4/spreadsheets/{id}/values:batchUpdate`      values.batchUpdate
- `POST /v4/spreadsheets/{id}/values/{range}:append`   values.append
- `POST /v4/spreadsheets/{id}/values/{range}:clear`    values.clear (and values:batchClear)
- `POST /v4/spreadsheets/{id}:batchUpdate`             addSheet, deleteSheet, appendDimension,
                                                       updateSheetProperties
- `POST /token`                                        an OAuth token endpoint, for credential files whose
                                                       `token_uri` points here

Rendering: UNFORMATTED_VALUE / FORMATTED_VALUE / FORMULA, dates as SERIAL_NUMBER or FORMATTED_STRING;
trailing empty cells and rows trimmed, `values` left out when nothing is there, ranges echoed clipped to
the grid (`Sheet1!A1:Z1000`; titles quoted when they need it, `'D3'!A1:D1`). Input: RAW keeps strings as
typed; USER_ENTERED turns `=…` into formulas (only constant arithmetic is evaluated, nothing is
recalculated later), number-looking text into numbers (losing digits past 2**53, as the real sheet does),
`2026-11-22` into dates and TRUE/FALSE into booleans. JSON null in written values leaves the cell alone.
Writes past the grid answer 400 "exceeds grid limits" (as the real values.update does); append grows it.
Errors are `{"error": {"code", "message", "status"}}` with the real messages for 400/401/403/404/429/500.

Approximations, on purpose: append's table detection is simplified (whole-sheet ranges pick the right-most
block of used columns, which is how the real API can land a row beside a table); of formatting only the
number formats that batchUpdate's repeatCell sets are kept (`number_format`); no named ranges, no Drive API.

Tests drive it directly: seed and inspect spreadsheets (`create_spreadsheet`, `values`, `set_cell`,
`sort_rows`, …), inject faults (`fail_next`), deny access (`deny`), count requests by kind (`count`),
and run a hook before a request (`on_next`) to play "someone else edited the sheet just now".

gspread reaches it through `EmulatorHTTPClient`, an `HTTPClient` subclass that rewrites
`https://sheets.googleapis.com` to the emulator's address and refuses every other host, so a test can
never call Google. `make_client(emulator)` gives a gspread `Client` that needs no credentials.
"""

from __future__ import annotations

import ast
import base64
import copy
import json
import operator
import random
import re
import threading
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

import gspread
import requests
from gspread.http_client import HTTPClient

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26

READ_KINDS = frozenset({"values.get", "values.batchGet"})
WRITE_KINDS = frozenset({"values.update", "values.batchUpdate", "values.append", "values.clear",
                         "values.batchClear", "batchUpdate"})

_EPOCH = datetime(1899, 12, 30)
_EXACT = 2**53


# ------------------------------------------------------------------------------------------------ cells

@dataclass(frozen=True)
class Formula:
    """A formula cell: what was typed and the value it shows (computed once, when entered)."""

    text: str
    value: Any


@dataclass(frozen=True)
class Formatted:
    """A number with a display format: a date/time (serial number) or a number typed as `2,000.50`."""

    value: float | int
    display: str
    is_date: bool = False


def serial_number(moment: date | datetime) -> float | int:
    """The spreadsheet serial number of a date or naive datetime (days since 1899-12-30)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment - _EPOCH
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return int(serial) if float(serial).is_integer() else serial


def _number(value: float | int) -> float | int:
    """How a number leaves in JSON: integral doubles without a decimal point, as Google prints them;
    doubles past 2**53 stay floats (they have lost digits)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return int(value)
    return value


def _general_format(value: Any) -> str:
    """The sheet's automatic number format, as FORMATTED_VALUE shows it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1e15:
            mantissa, exponent = f"{value:.5E}".split("E")
            mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}E{exponent}"
        return format(value, ".10g")
    return str(value)


def _is_empty(cell: Any) -> bool:
    return cell is None or cell == ""


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def _evaluate(expression: str) -> Any:
    """Constant arithmetic only (`=4/2`, `= 1 / 1024`); anything else shows #NAME? as an unknown
    function would in the real sheet."""
    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        raise ValueError(expression)

    try:
        result = walk(ast.parse(expression.replace("^", "**").strip(), mode="eval"))
    except ZeroDivisionError:
        return "#DIV/0!"
    except (ValueError, SyntaxError, TypeError, OverflowError):
        return "#NAME?"
    return _number(float(result)) if isinstance(result, float) else result


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATE_TEXT = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _parse_user_entered(text: str) -> Any:
    """What the sheet makes of text typed by a person (valueInputOption=USER_ENTERED)."""
    if text == "":
        return None
    if text.startswith("'"):
        return text[1:]
    if text.startswith("="):
        return Formula(text, _evaluate(text[1:]))
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    stripped = text.strip()
    percent = stripped.endswith("%")
    body = stripped[:-1] if percent else stripped
    if body and any(ch.isdigit() for ch in body) and _NUMBER_TEXT.fullmatch(body):
        plain = body.replace(",", "")
        if re.fullmatch(r"[+-]?\d+", plain):
            number: float | int = int(plain)
            if abs(number) >= _EXACT:
                number = float(number)  # a double: the digits past 2**53 are gone
        else:
            number = _number(float(plain))
        if percent:
            return Formatted(_number(number / 100), stripped)
        if "," in body:
            return Formatted(number, stripped)
        return number
    match = _DATE_TEXT.fullmatch(stripped)
    if match:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            moment = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return text
        return Formatted(serial_number(moment), stripped, is_date=True)
    return text


class ApiError(Exception):
    """An error answer in the real API's shape."""

    STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
              429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}

    def __init__(self, code: int, message: str, status: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or self.STATUS.get(code, "UNKNOWN")
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def _stored(value: Any, value_input: str, where: str = "data.values") -> Any:
    """A JSON value from a request -> what the cell holds. `_SKIP` for null (cell left alone)."""
    if value is None:
        return _SKIP
    if isinstance(value, (list, dict)):
        raise ApiError(400, f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.ListValue), "
                            f"{json.dumps(value, ensure_ascii=False)}")
    if isinstance(value, str):
        if value_input == "USER_ENTERED":
            return _parse_user_entered(value)
        return value if value != "" else None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    raise ApiError(400, f"Invalid value at '{where}'")


_SKIP = object()


def _seed_value(value: Any, value_input: str) -> Any:
    """A Python value given by a test -> what the cell holds."""
    if isinstance(value, (Formula, Formatted)):
        return value
    if isinstance(value, datetime):
        return Formatted(serial_number(value), value.strftime("%Y-%m-%d %H:%M:%S"), is_date=True)
    if isinstance(value, date):
        return Formatted(serial_number(value), value.isoformat(), is_date=True)
    stored = _stored(value, value_input)
    return None if stored is _SKIP else stored


def _render(cell: Any, value_render: str, date_render: str) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        if value_render == "FORMULA":
            return cell.text
        value = cell.value
        if value_render == "FORMATTED_VALUE":
            return _general_format(value)
        return _number(value) if isinstance(value, float) else value
    if isinstance(cell, Formatted):
        if value_render == "FORMATTED_VALUE" or (cell.is_date and date_render == "FORMATTED_STRING"):
            return cell.display
        return _number(cell.value)
    if value_render == "FORMATTED_VALUE":
        return cell if isinstance(cell, str) else _general_format(cell)
    if isinstance(cell, float):
        return _number(cell)
    return cell


# ------------------------------------------------------------------------------------------- A1 ranges

def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


_PLAIN_TITLE = re.compile(r"[^\W\d]\w*")
_CELL_LIKE = re.compile(r"(?:[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*)")


def quote_title(title: str) -> str:
    """A sheet title as the API writes it in ranges: bare when it is a plain word, else quoted."""
    if _PLAIN_TITLE.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str | None, str | None]:
    """`'It''s'!A1:B2` -> ("It's", "A1:B2"); `Sheet1` -> (None, "Sheet1") (a title or an A1 range: the
    caller decides); `'Sheet1'` -> ("Sheet1", None)."""
    if text.startswith("'"):
        index, title = 1, []
        while index < len(text):
            ch = text[index]
            if ch == "'":
                if text[index + 1:index + 2] == "'":
                    title.append("'")
                    index += 2
                    continue
                rest = text[index + 1:]
                if rest == "":
                    return "".join(title), None
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                raise ValueError(text)
            title.append(ch)
            index += 1
        raise ValueError(text)
    if "!" in text:
        title, a1 = text.rsplit("!", 1)
        return title, a1
    return None, text


_A1_PART = re.compile(r"([A-Za-z]{0,3})(\d*)")


@dataclass
class Bounds:
    """Zero-based, end-exclusive; None = unbounded on that side."""

    row: int
    col: int
    end_row: int | None
    end_col: int | None
    single: bool = False


def parse_a1(a1: str) -> Bounds:
    parts = a1.split(":")
    if len(parts) > 2:
        raise ValueError(a1)
    first = _A1_PART.fullmatch(parts[0])
    if not first or not (first.group(1) or first.group(2)):
        raise ValueError(a1)
    c1, r1 = first.group(1), first.group(2)
    if len(parts) == 1:
        if not (c1 and r1):
            raise ValueError(a1)
        row, col = int(r1) - 1, column_index(c1)
        if row < 0:
            raise ValueError(a1)
        return Bounds(row, col, row + 1, col + 1, single=True)
    last = _A1_PART.fullmatch(parts[1])
    if not last or not (last.group(1) or last.group(2)):
        raise ValueError(a1)
    c2, r2 = last.group(1), last.group(2)
    if (not c1 and c2) or (not r1 and r2):
        raise ValueError(a1)  # `1:B2`, `A:B2` are not ranges
    row, end_row = 0, None
    if r1 and r2:
        low, high = sorted((int(r1), int(r2)))
        row, end_row = low - 1, high
    elif r1:
        row = int(r1) - 1
    col, end_col = 0, None
    if c1 and c2:
        low, high = sorted((column_index(c1), column_index(c2)))
        col, end_col = low, high + 1
    elif c1:
        col = column_index(c1)
    if row < 0:
        raise ValueError(a1)
    return Bounds(row, col, end_row, end_col)


def a1_text(row: int, col: int, end_row: int, end_col: int) -> str:
    start = f"{column_letter(col)}{row + 1}"
    if end_row - row == 1 and end_col - col == 1:
        return start
    return f"{start}:{column_letter(end_col - 1)}{end_row}"


# ------------------------------------------------------------------------------------------- the state

@dataclass
class Sheet:
    sheet_id: int
    title: str
    rows: int = DEFAULT_ROWS
    cols: int = DEFAULT_COLUMNS
    cells: list[list[Any]] = field(default_factory=list)
    frozen_rows: int = 0
    number_formats: dict[tuple[int, int], dict] = field(default_factory=dict)  # (row, col) -> numberFormat

    def get(self, row: int, col: int) -> Any:
        if row < len(self.cells):
            line = self.cells[row]
            if col < len(line):
                return line[col]
        return None

    def put(self, row: int, col: int, value: Any) -> None:
        while len(self.cells) <= row:
            self.cells.append([])
        line = self.cells[row]
        if col >= len(line):
            if value is None:
                return
            line.extend([None] * (col + 1 - len(line)))
        line[col] = value

    def used_rows(self) -> int:
        for index in range(len(self.cells) - 1, -1, -1):
            if any(not _is_empty(cell) for cell in self.cells[index]):
                return index + 1
        return 0

    def block(self, bounds: Bounds, value_render: str, date_render: str) -> tuple[str, list[list[Any]]]:
        """The echoed A1 range (clipped to the grid) and the trimmed values."""
        if bounds.row >= self.rows or bounds.col >= self.cols:
            start = a1_text(bounds.row, bounds.col, bounds.row + 1, bounds.col + 1)
            raise ApiError(400, f"Range ({quote_title(self.title)}!{start}) exceeds grid limits. "
                                f"Max rows: {self.rows}, max columns: {self.cols}")
        end_row = min(bounds.end_row or self.rows, self.rows)
        end_col = min(bounds.end_col or self.cols, self.cols)
        values: list[list[Any]] = []
        for row in range(bounds.row, min(end_row, len(self.cells))):
            line = self.cells[row][bounds.col:end_col]
            last = len(line)
            while last and _is_empty(line[last - 1]):
                last -= 1
            values.append([_render(cell, value_render, date_render) for cell in line[:last]])
        while values and not values[-1]:
            values.pop()
        return a1_text(bounds.row, bounds.col, end_row, end_col), values

    def properties(self, index: int) -> dict:
        grid: dict[str, int] = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {"sheetId": self.sheet_id, "title": self.title, "index": index, "sheetType": "GRID",
                "gridProperties": grid}


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Sheet]
    locale: str = "zh_CN"
    time_zone: str = "Asia/Shanghai"
    denied: bool = False

    def sheet(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        return None

    def metadata(self) -> dict:
        return {
            "spreadsheetId": self.key,
            "properties": {
                "title": self.title, "locale": self.locale, "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
                "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1},
                                  "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
                                  "textFormat": {"fontFamily": "arial,sans,sans-serif", "fontSize": 10}},
            },
            "sheets": [{"properties": sheet.properties(index)} for index, sheet in enumerate(self.sheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }


@dataclass
class RequestRecord:
    """One request the emulator answered: its kind (`metadata`, `values.batchGet`, …), method, path
    (percent-decoded) and the status it got."""

    number: int
    kind: str
    method: str
    path: str
    query: dict[str, list[str]]
    status: int = 0


@dataclass
class _Fault:
    status: int
    retry_after: float | str | None
    kinds: frozenset[str] | None
    message: str | None = None


_FAULT_MESSAGES = {
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
         "of service 'sheets.googleapis.com' for consumer 'project_number:100000000000'.",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
}


class SheetsEmulator:
    """The emulator: state, fault injection, counters, and (once started) an HTTP server."""

    def __init__(self, *, seed: int = 20261122):
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        self._spreadsheets: dict[str, Spreadsheet] = {}
        self._faults: list[_Fault] = []
        self._hooks: list[tuple[str | None, Callable[[RequestRecord], None]]] = []
        self._tokens: dict[str, str] = {}
        self.requests: list[RequestRecord] = []
        self.require_auth = False
        self.reject_tokens = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------------------------- server

    def start(self) -> "SheetsEmulator":
        if self._server is None:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            server.daemon_threads = True
            server.emulator = self  # type: ignore[attr-defined]
            self._server = server
            self._thread = threading.Thread(target=server.serve_forever, name="sheets-emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._thread = None

    def __enter__(self) -> "SheetsEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_uri(self) -> str:
        return self.base_url + "/token"

    @property
    def http_client_class(self) -> type[HTTPClient]:
        """An HTTPClient subclass bound to this emulator, for `gspread.Client(..., http_client=…)`."""
        return type("BoundEmulatorHTTPClient", (EmulatorHTTPClient,), {"base_url": self.base_url})

    def reset(self) -> None:
        """Forget every spreadsheet, fault, hook, token and counted request."""
        with self._lock:
            self._spreadsheets.clear()
            self._faults.clear()
            self._hooks.clear()
            self._tokens.clear()
            self.requests.clear()
            self.require_auth = False
            self.reject_tokens = False

    # ----------------------------------------------------------------------- seeding and inspecting

    def create_spreadsheet(self, title: str = "客服交接表", tabs: dict[str, Sequence[Sequence[Any]]] | None = None,
                           *, key: str | None = None, rows: int = DEFAULT_ROWS, cols: int = DEFAULT_COLUMNS,
                           value_input: str = "RAW") -> str:
        """A new spreadsheet with the given tabs (title -> rows of values; default one empty `Sheet1`).
        Values are stored as RAW input would store them (or USER_ENTERED); date/datetime become date
        cells; `Formula`/`Formatted` are stored as given. Grids grow to fit the data. Returns the key."""
        with self._lock:
            key = key or self._new_key()
            sheets = []
            for index, (tab, values) in enumerate((tabs or {"Sheet1": []}).items()):
                sheet = Sheet(0 if index == 0 else self._new_sheet_id(), tab, rows, cols)
                self._fill(sheet, values, value_input)
                sheets.append(sheet)
            self._spreadsheets[key] = Spreadsheet(key, title, sheets)
            return key

    def add_tab(self, key: str, title: str, values: Sequence[Sequence[Any]] = (), *, rows: int = DEFAULT_ROWS,
                cols: int = DEFAULT_COLUMNS, value_input: str = "RAW") -> int:
        with self._lock:
            spreadsheet = self._spreadsheets[key]
            sheet = Sheet(self._new_sheet_id(), title, rows, cols)
            self._fill(sheet, values, value_input)
            spreadsheet.sheets.append(sheet)
            return sheet.sheet_id

    def set_values(self, key: str, tab: str, values: Sequence[Sequence[Any]], *, value_input: str = "RAW") -> None:
        """Replace a tab's whole content (the grid keeps its size, growing if needed)."""
        with self._lock:
            sheet = self._sheet(key, tab)
            sheet.cells = []
            self._fill(sheet, values, value_input)

    def set_cell(self, key: str, tab: str, a1: str, value: Any, *, value_input: str = "RAW") -> None:
        """What a person typing in the browser does (value_input="USER_ENTERED" to be exact about it)."""
        with self._lock:
            sheet = self._sheet(key, tab)
            bounds = parse_a1(a1)
            sheet.rows = max(sheet.rows, bounds.row + 1)
            sheet.cols = max(sheet.cols, bounds.col + 1)
            sheet.put(bounds.row, bounds.col, _seed_value(value, value_input))

    def sort_rows(self, key: str, tab: str, column: int | str, *, reverse: bool = False,
                  header_rows: int = 1) -> None:
        """Sort the data rows (below `header_rows`) by a column (0-based index or letter), as the
        browser's "sort sheet" does; empty rows go last."""
        with self._lock:
            sheet = self._sheet(key, tab)
            index = column if isinstance(column, int) else column_index(column)
            head, body = sheet.cells[:header_rows], sheet.cells[header_rows:sheet.used_rows()]
            filled = [line for line in body if any(not _is_empty(c) for c in line)]
            empty = [line for line in body if not any(not _is_empty(c) for c in line)]

            def sort_key(line: list[Any]) -> tuple:
                cell = line[index] if index < len(line) else None
                value = _render(cell, "UNFORMATTED_VALUE", "SERIAL_NUMBER")
                return (value == "", isinstance(value, str), value if not isinstance(value, bool) else int(value))

            filled.sort(key=sort_key, reverse=reverse)
            sheet.cells = [*head, *filled, *empty]

    def insert_rows(self, key: str, tab: str, before_row: int, values: Sequence[Sequence[Any]], *,
                    value_input: str = "RAW") -> None:
        """Insert rows so that the first new one is sheet row `before_row` (1-based)."""
        with self._lock:
            sheet = self._sheet(key, tab)
            while len(sheet.cells) < before_row - 1:
                sheet.cells.append([])
            new = [[_seed_value(v, value_input) for v in line] for line in values]
            sheet.cells[before_row - 1:before_row - 1] = new
            sheet.rows += len(new)

    def delete_rows(self, key: str, tab: str, first_row: int, count: int = 1) -> None:
        with self._lock:
            sheet = self._sheet(key, tab)
            del sheet.cells[first_row - 1:first_row - 1 + count]
            sheet.rows -= count

    def values(self, key: str, tab: str, *, render: str = "UNFORMATTED_VALUE",
               dates: str = "SERIAL_NUMBER") -> list[list[Any]]:
        """The tab as values.get would answer it (trimmed), for assertions."""
        with self._lock:
            sheet = self._sheet(key, tab)
            return sheet.block(Bounds(0, 0, None, None), render, dates)[1]

    def cell(self, key: str, tab: str, a1: str) -> Any:
        """What is stored in a cell: str, number, bool, None, or `Formula` / `Formatted`."""
        with self._lock:
            bounds = parse_a1(a1)
            return self._sheet(key, tab).get(bounds.row, bounds.col)

    def tabs(self, key: str) -> list[str]:
        with self._lock:
            return [sheet.title for sheet in self._spreadsheets[key].sheets]

    def grid_size(self, key: str, tab: str) -> tuple[int, int]:
        with self._lock:
            sheet = self._sheet(key, tab)
            return sheet.rows, sheet.cols

    def number_format(self, key: str, tab: str, a1: str) -> dict | None:
        """The numberFormat a repeatCell gave this cell (`{"type": "NUMBER", "pattern": "#,##0.00"}`)."""
        bounds = parse_a1(a1)
        return self._sheet(key, tab).number_formats.get((bounds.row, bounds.col))

    def rename_tab(self, key: str, old: str, new: str) -> None:
        with self._lock:
            self._sheet(key, old).title = new

    def delete_tab(self, key: str, tab: str) -> None:
        with self._lock:
            spreadsheet = self._spreadsheets[key]
            spreadsheet.sheets.remove(self._sheet(key, tab))

    def deny(self, key: str, denied: bool = True) -> None:
        """Answer 403 PERMISSION_DENIED for this spreadsheet (not shared with the caller)."""
        with self._lock:
            self._spreadsheets[key].denied = denied

    def delete_spreadsheet(self, key: str) -> None:
        with self._lock:
            del self._spreadsheets[key]

    # ---------------------------------------------------------------------- faults, hooks, counting

    def fail_next(self, count: int = 1, status: int = 429, *, retry_after: float | str | None = None,
                  kinds: Iterable[str] | None = None, message: str | None = None) -> None:
        """Answer the next `count` Sheets requests (of these kinds, if given) with `status` (429, 500,
        503, …) and, when given, a Retry-After header; `message` replaces the real API's usual one.
        Failed requests are counted like any other."""
        with self._lock:
            fault = _Fault(status, retry_after, frozenset(kinds) if kinds else None, message)
            self._faults.extend([fault] * count)

    def on_next(self, kind: str | None, hook: Callable[[RequestRecord], None]) -> None:
        """Run `hook(record)` once, just before the next request of this kind (any kind: None) is
        handled: the moment to play another person editing the sheet."""
        with self._lock:
            self._hooks.append((kind, hook))

    def count(self, *kinds: str) -> int:
        """How many requests of these kinds (all kinds when none given) were answered."""
        with self._lock:
            if not kinds:
                return len(self.requests)
            return sum(1 for record in self.requests if record.kind in kinds)

    def counts(self) -> Counter:
        with self._lock:
            return Counter(record.kind for record in self.requests)

    def reads(self) -> int:
        return self.count(*READ_KINDS)

    def writes(self) -> int:
        return self.count(*WRITE_KINDS)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    # -------------------------------------------------------------------------------- internals

    def _new_key(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return "1" + "".join(self._random.choice(alphabet) for _ in range(43))

    def _new_sheet_id(self) -> int:
        return self._random.randrange(1, 2**31 - 1)

    def _fill(self, sheet: Sheet, values: Sequence[Sequence[Any]], value_input: str) -> None:
        for row, line in enumerate(values):
            for col, value in enumerate(line):
                stored = _seed_value(value, value_input)
                if stored is not None:
                    sheet.put(row, col, stored)
            sheet.cols = max(sheet.cols, len(line))
        sheet.rows = max(sheet.rows, len(values))

    def _sheet(self, key: str, tab: str) -> Sheet:
        sheet = self._spreadsheets[key].sheet(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in {key}")
        return sheet

    # ------------------------------------------------------------------------------ request routing

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, Any]:
        """Answer one HTTP request: (status, extra headers, JSON body)."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            if parts.path == "/token":
                return self._token(method, body)
            kind, key, range_text = _route(method, parts.path)
            record = RequestRecord(len(self.requests) + 1, kind, method, unquote(parts.path), query)
            self.requests.append(record)
            try:
                for index, (hook_kind, hook) in enumerate(self._hooks):
                    if hook_kind is None or hook_kind == kind:
                        del self._hooks[index]
                        hook(record)
                        break
                self._inject_fault(kind)
                if kind == "unknown":
                    raise ApiError(404, "Method not found.")
                self._check_auth(headers)
                spreadsheet = self._spreadsheets.get(key or "")
                if spreadsheet is None:
                    raise ApiError(404, "Requested entity was not found.")
                if spreadsheet.denied:
                    raise ApiError(403, "The caller does not have permission")
                payload = json.loads(body.decode("utf-8")) if body else {}
                answer = self._dispatch(kind, spreadsheet, range_text, query, payload)
                record.status = 200
                return 200, {}, answer
            except ApiError as error:
                record.status = error.code
                return error.code, error.headers, error.body()
            except json.JSONDecodeError:
                record.status = 400
                return 400, {}, ApiError(400, "Invalid JSON payload received.").body()
            except Exception as error:  # an emulator bug: say so loudly instead of dropping the connection
                traceback.print_exc()
                record.status = 500
                return 500, {}, ApiError(500, f"emulator bug: {error!r}").body()

    def _inject_fault(self, kind: str) -> None:
        for index, fault in enumerate(self._faults):
            if fault.kinds is None or kind in fault.kinds:
                del self._faults[index]
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                message = fault.message or _FAULT_MESSAGES.get(fault.status, "Error")
                if fault.status == 429 and kind in WRITE_KINDS and not fault.message:
                    message = message.replace("Read requests", "Write requests")
                raise ApiError(fault.status, message, headers=headers)

    def _check_auth(self, headers: dict[str, str]) -> None:
        if not self.require_auth:
            return
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if token not in self._tokens:
            raise ApiError(401, "Request is missing required authentication credential. Expected OAuth 2 "
                                "access token, login cookie or other valid authentication credential.")

    def _token(self, method: str, body: bytes) -> tuple[int, dict, Any]:
        self.requests.append(RequestRecord(len(self.requests) + 1, "token", method, "/token", {}, 200))
        form = parse_qs(body.decode("utf-8"))
        if self.reject_tokens:
            self.requests[-1].status = 400
            return 400, {}, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        who = "authorized_user"
        assertion = form.get("assertion", [""])[0]
        if assertion.count(".") == 2:
            payload = assertion.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            who = claims.get("iss", "unknown")
        token = f"ya29.emulator-{len(self._tokens) + 1}"
        self._tokens[token] = who
        return 200, {}, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def token_owner(self, token: str) -> str | None:
        """Who a token was issued to (the service account's email, or `authorized_user`)."""
        return self._tokens.get(token)

    def _dispatch(self, kind: str, spreadsheet: Spreadsheet, range_text: str | None,
                  query: dict[str, list[str]], payload: dict) -> Any:
        if kind == "metadata":
            if query.get("includeGridData", ["false"])[0].lower() == "true":
                raise ApiError(400, "The emulator does not serve includeGridData=true.")
            return spreadsheet.metadata()
        if kind == "values.get":
            return self._values_get(spreadsheet, range_text or "", query)
        if kind == "values.batchGet":
            ranges = query.get("ranges", [])
            return {"spreadsheetId": spreadsheet.key,
                    "valueRanges": [self._values_get(spreadsheet, text, query) for text in ranges]}
        if kind == "values.update":
            value_input = _value_input(query.get("valueInputOption", [""])[0])
            return self._values_update(spreadsheet, [(range_text or "", payload)], value_input)[0][0]
        if kind == "values.batchUpdate":
            value_input = _value_input(payload.get("valueInputOption", ""))
            data = payload.get("data", [])
            responses = self._values_update(spreadsheet, [(item.get("range", ""), item) for item in data],
                                            value_input)
            return _batch_update_totals(spreadsheet.key, responses)
        if kind == "values.append":
            return self._values_append(spreadsheet, range_text or "", query, payload)
        if kind == "values.clear":
            sheet, bounds = self._resolve(spreadsheet, range_text or "")
            return {"spreadsheetId": spreadsheet.key, "clearedRange": self._clear(sheet, bounds)}
        if kind == "values.batchClear":
            cleared = []
            for text in payload.get("ranges", []):
                sheet, bounds = self._resolve(spreadsheet, text)
                cleared.append(self._clear(sheet, bounds))
            return {"spreadsheetId": spreadsheet.key, "clearedRanges": cleared}
        if kind == "batchUpdate":
            return self._batch_update(spreadsheet, payload)
        raise ApiError(404, "Method not found.")

    def _resolve(self, spreadsheet: Spreadsheet, text: str) -> tuple[Sheet, Bounds]:
        try:
            title, a1 = split_range(text)
            if title is None:
                sheet = spreadsheet.sheet(a1 or "")
                if sheet is not None:
                    return sheet, Bounds(0, 0, None, None)
                sheet = spreadsheet.sheets[0]
            else:
                sheet = spreadsheet.sheet(title)
            if sheet is None:
                raise ValueError(text)
            return sheet, parse_a1(a1) if a1 else Bounds(0, 0, None, None)
        except ValueError:
            raise ApiError(400, f"Unable to parse range: {text}") from None

    def _values_get(self, spreadsheet: Spreadsheet, text: str, query: dict[str, list[str]]) -> dict:
        value_render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        date_render = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        major = query.get("majorDimension", ["ROWS"])[0]
        sheet, bounds = self._resolve(spreadsheet, text)
        echo, values = sheet.block(bounds, value_render, date_render)
        answer: dict[str, Any] = {"range": f"{quote_title(sheet.title)}!{echo}", "majorDimension": major}
        if values and major == "COLUMNS":
            width = max(len(line) for line in values)
            columns = [[line[c] if c < len(line) else "" for line in values] for c in range(width)]
            for column in columns:
                while column and column[-1] == "":
                    column.pop()
            values = columns
        if values:
            answer["values"] = values
        return answer

    def _values_update(self, spreadsheet: Spreadsheet, items: list[tuple[str, dict]],
                       value_input: str) -> list[tuple[dict, str, list[tuple[int, int]]]]:
        # Validate everything first: a batch is applied all or nothing, as the real API does.
        planned = []
        for text, item in items:
            sheet, bounds = self._resolve(spreadsheet, text)
            values = item.get("values", [])
            if not isinstance(values, list) or any(not isinstance(line, list) for line in values):
                raise ApiError(400, "Invalid value at 'data.values' (type.googleapis.com/"
                                    f"google.protobuf.ListValue), {json.dumps(values, ensure_ascii=False)[:80]}")
            if item.get("majorDimension") == "COLUMNS" and values:
                width = max(len(line) for line in values)
                values = [[line[r] if r < len(line) else None for line in values] for r in range(width)]
            height = len(values)
            width = max((len(line) for line in values), default=0)
            asked = a1_text(bounds.row, bounds.col, bounds.end_row or bounds.row + 1,
                            bounds.end_col or bounds.col + 1)
            echo_range = f"{quote_title(sheet.title)}!{asked}"
            if not bounds.single:
                if bounds.end_row is not None and bounds.row + height > bounds.end_row:
                    raise ApiError(400, f"Requested writing within range [{echo_range}], but tried writing "
                                        f"to row [{bounds.end_row + 1}]")
                if bounds.end_col is not None and bounds.col + width > bounds.end_col:
                    raise ApiError(400, f"Requested writing within range [{echo_range}], but tried writing "
                                        f"to column [{column_letter(bounds.end_col)}]")
            end_row, end_col = bounds.row + max(height, 1), bounds.col + max(width, 1)
            if end_row > sheet.rows or end_col > sheet.cols:
                written = a1_text(bounds.row, bounds.col, end_row, end_col)
                raise ApiError(400, f"Range ({quote_title(sheet.title)}!{written}) exceeds grid limits. "
                                    f"Max rows: {sheet.rows}, max columns: {sheet.cols}")
            stored = [[_stored(v, value_input) for v in line] for line in values]
            planned.append((sheet, bounds, stored, height, width))
        results = []
        for sheet, bounds, stored, height, width in planned:
            cells = []
            for r, line in enumerate(stored):
                for c, value in enumerate(line):
                    if value is not _SKIP:
                        sheet.put(bounds.row + r, bounds.col + c, value)
                        cells.append((bounds.row + r, bounds.col + c))
            answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
            if height and width:
                answer.update({
                    "updatedRange": f"{quote_title(sheet.title)}!"
                                    f"{a1_text(bounds.row, bounds.col, bounds.row + height, bounds.col + width)}",
                    "updatedRows": height, "updatedColumns": width, "updatedCells": len(cells)})
            results.append((answer, sheet.title, cells))
        return results

    def _values_append(self, spreadsheet: Spreadsheet, text: str, query: dict[str, list[str]],
                       payload: dict) -> dict:
        value_input = _value_input(query.get("valueInputOption", [""])[0])
        insert_rows = query.get("insertDataOption", ["OVERWRITE"])[0] == "INSERT_ROWS"
        sheet, bounds = self._resolve(spreadsheet, text)
        values = payload.get("values", [])
        if not isinstance(values, list) or any(not isinstance(line, list) for line in values):
            raise ApiError(400, "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
        whole_sheet = split_range(text)[1] in (None, sheet.title) and bounds.end_row is None \
            and bounds.end_col is None
        table = _find_table(sheet, bounds, whole_sheet)
        if table is None:
            row, col = bounds.row, bounds.col
        else:
            top, left, bottom, right = table
            row, col = bottom, left
        height = len(values)
        width = max((len(line) for line in values), default=0)
        stored = [[_stored(v, value_input) for v in line] for line in values]
        if insert_rows and height:
            sheet.cells[row:row] = [[] for _ in range(height)]
            sheet.rows += height
        sheet.rows = max(sheet.rows, row + height)  # append grows the grid, unlike values.update
        sheet.cols = max(sheet.cols, col + width)
        cells = 0
        for r, line in enumerate(stored):
            for c, value in enumerate(line):
                if value is not _SKIP:
                    sheet.put(row + r, col + c, value)
                    cells += 1
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        if table is not None:
            top, left, bottom, right = table
            answer["tableRange"] = f"{quote_title(sheet.title)}!{a1_text(top, left, bottom, right)}"
        updates: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        if height and width:
            updated = a1_text(row, col, row + height, col + width)
            updates.update({"updatedRange": f"{quote_title(sheet.title)}!{updated}",
                            "updatedRows": height, "updatedColumns": width, "updatedCells": cells})
        answer["updates"] = updates
        return answer

    def _clear(self, sheet: Sheet, bounds: Bounds) -> str:
        end_row = min(bounds.end_row or sheet.rows, sheet.rows)
        end_col = min(bounds.end_col or sheet.cols, sheet.cols)
        for row in range(bounds.row, min(end_row, len(sheet.cells))):
            line = sheet.cells[row]
            for col in range(bounds.col, min(end_col, len(line))):
                line[col] = None
        return f"{quote_title(sheet.title)}!{a1_text(bounds.row, bounds.col, end_row, end_col)}"

    def _batch_update(self, spreadsheet: Spreadsheet, payload: dict) -> dict:
        # Work on copies of the sheet records (cells shared until a shrink) and commit at the end.
        sheets = [copy.copy(sheet) for sheet in spreadsheet.sheets]
        replies = []
        for index, request in enumerate(payload.get("requests", [])):
            if len(request) != 1:
                raise ApiError(400, f"Invalid requests[{index}]: exactly one kind of request is expected.")
            name, body = next(iter(request.items()))
            where = f"Invalid requests[{index}].{name}"
            if name == "addSheet":
                props = body.get("properties", {})
                title = props.get("title") or f"Sheet{len(sheets) + 1}"
                if any(sheet.title == title for sheet in sheets):
                    raise ApiError(400, f'{where}: A sheet with the name "{title}" already exists. '
                                        "Please enter another name.")
                grid = props.get("gridProperties", {})
                sheet = Sheet(props.get("sheetId", self._new_sheet_id()), title,
                              grid.get("rowCount", DEFAULT_ROWS), grid.get("columnCount", DEFAULT_COLUMNS),
                              frozen_rows=grid.get("frozenRowCount", 0))
                position = props.get("index", len(sheets))
                sheets.insert(position, sheet)
                replies.append({"addSheet": {"properties": sheet.properties(sheets.index(sheet))}})
            elif name == "deleteSheet":
                sheet = _by_id(sheets, body.get("sheetId"), where)
                if len(sheets) == 1:
                    raise ApiError(400, f"{where}: You can't remove all the sheets in a document.")
                sheets.remove(sheet)
                replies.append({})
            elif name == "appendDimension":
                sheet = _by_id(sheets, body.get("sheetId"), where)
                length = int(body.get("length", 0))
                if length < 1:
                    raise ApiError(400, f"{where}: length must be at least 1")
                if body.get("dimension") == "ROWS":
                    sheet.rows += length
                elif body.get("dimension") == "COLUMNS":
                    sheet.cols += length
                else:
                    raise ApiError(400, f"{where}: dimension must be ROWS or COLUMNS")
                replies.append({})
            elif name == "updateSheetProperties":
                props = body.get("properties", {})
                sheet = _by_id(sheets, props.get("sheetId"), where)
                fields = {f.strip() for f in body.get("fields", "").split(",") if f.strip()}
                grid = props.get("gridProperties", {})
                if "title" in fields or "*" in fields:
                    title = props.get("title", sheet.title)
                    if any(other is not sheet and other.title == title for other in sheets):
                        raise ApiError(400, f'{where}: A sheet with the name "{title}" already exists. '
                                            "Please enter another name.")
                    sheet.title = title
                if "gridProperties/rowCount" in fields and "rowCount" in grid:
                    sheet.rows = grid["rowCount"]
                    sheet.cells = [line[:] for line in sheet.cells[:sheet.rows]]
                if "gridProperties/columnCount" in fields and "columnCount" in grid:
                    sheet.cols = grid["columnCount"]
                    sheet.cells = [line[:sheet.cols] for line in sheet.cells]
                if "gridProperties/frozenRowCount" in fields:
                    sheet.frozen_rows = grid.get("frozenRowCount", 0)
                replies.append({})
            elif name == "repeatCell":
                grid_range = body.get("range", {})
                sheet = _by_id(sheets, grid_range.get("sheetId"), where)
                if body.get("fields") != "userEnteredFormat.numberFormat":
                    raise ApiError(400, f"{where}: the emulator keeps number formats only.")
                number_format = body.get("cell", {}).get("userEnteredFormat", {}).get("numberFormat")
                sheet.number_formats = dict(sheet.number_formats)
                for row in range(grid_range.get("startRowIndex", 0), min(grid_range.get("endRowIndex", sheet.rows), sheet.rows)):
                    for col in range(grid_range.get("startColumnIndex", 0),
                                     min(grid_range.get("endColumnIndex", sheet.cols), sheet.cols)):
                        sheet.number_formats[(row, col)] = number_format
                replies.append({})
            else:
                raise ApiError(400, f"{where}: the emulator does not implement this request.")
        spreadsheet.sheets = sheets
        return {"spreadsheetId": spreadsheet.key, "replies": replies}


def _by_id(sheets: list[Sheet], sheet_id: Any, where: str) -> Sheet:
    for sheet in sheets:
        if sheet.sheet_id == sheet_id:
            return sheet
    raise ApiError(400, f"{where}: No grid with id: {sheet_id}")


def _value_input(option: str) -> str:
    if option in ("RAW", "USER_ENTERED"):
        return option
    if not option:
        raise ApiError(400, "'valueInputOption' is required but not specified")
    raise ApiError(400, f"Invalid value at 'value_input_option' (type.googleapis.com/"
                        f"google.apps.sheets.v4.ValueInputOption), \"{option}\"")


def _batch_update_totals(key: str, results: list[tuple[dict, str, list[tuple[int, int]]]]) -> dict:
    rows: set = set()
    cols: set = set()
    sheets: set = set()
    total = 0
    for _, title, cells in results:
        total += len(cells)
        if cells:
            sheets.add(title)
        rows.update((title, r) for r, _ in cells)
        cols.update((title, c) for _, c in cells)
    out: dict[str, Any] = {"spreadsheetId": key}
    if total:
        out.update({"totalUpdatedRows": len(rows), "totalUpdatedColumns": len(cols),
                    "totalUpdatedCells": total, "totalUpdatedSheets": len(sheets)})
    out["responses"] = [answer for answer, _, _ in results]
    return out


def _find_table(sheet: Sheet, bounds: Bounds, whole_sheet: bool) -> tuple[int, int, int, int] | None:
    """Where values.append finds its "table": (top, left, bottom, right), end-exclusive, or None.

    A simplification of the real search: from the range's first column (or, for a whole-sheet range,
    the first column of the right-most block of used columns), the table spans the used columns to
    its right and the rows from the first to the last one holding data there."""
    if bounds.single:
        bounds = Bounds(bounds.row, bounds.col, None, None)  # a start cell: search from there on
    end_row = min(bounds.end_row or sheet.rows, len(sheet.cells))
    used = set()
    for row in range(bounds.row, end_row):
        for col, cell in enumerate(sheet.cells[row]):
            if not _is_empty(cell) and col >= bounds.col and (bounds.end_col is None or col < bounds.end_col):
                used.add(col)
    if not used:
        return None
    if whole_sheet:
        left = max(used)
        while left - 1 in used:
            left -= 1
    else:
        left = bounds.col
        if left not in used:
            return None
    right = left
    while right in used:
        right += 1
    rows = [row for row in range(bounds.row, end_row)
            if any(not _is_empty(sheet.get(row, col)) for col in range(left, right))]
    return rows[0], left, rows[-1] + 1, right


_ROUTES = [
    ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)"), "metadata"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+):batchUpdate"), "batchUpdate"),
    ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchGet"), "values.batchGet"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchUpdate"), "values.batchUpdate"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchClear"), "values.batchClear"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values/([^/]+):append"), "values.append"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values/([^/]+):clear"), "values.clear"),
    ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)/values/([^/]+)"), "values.get"),
    ("PUT", re.compile(r"/v4/spreadsheets/([^/:]+)/values/([^/]+)"), "values.update"),
]


def _route(method: str, path: str) -> tuple[str, str | None, str | None]:
    """(kind, spreadsheet key, decoded range) for a request path (still percent-encoded)."""
    for route_method, pattern, kind in _ROUTES:
        match = pattern.fullmatch(path)
        if match and method == route_method:
            key = unquote(match.group(1))
            range_text = unquote(match.group(2)) if match.lastindex and match.lastindex > 1 else None
            return kind, key, range_text
    return "unknown", None, None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SheetsEmulator/1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator: SheetsEmulator = self.server.emulator  # type: ignore[attr-defined]
        status, headers, payload = emulator.handle(self.command, self.path, dict(self.headers), body)
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet, tests read counters
        pass


# ------------------------------------------------------------------------------------ gspread plumbing

class EmulatorHTTPClient(HTTPClient):
    """gspread's HTTPClient, sending Sheets API calls to the emulator instead of Google.

    Only the base URL changes; everything else is gspread's own code. Any other host (Drive, OAuth at
    Google) is refused, so a test can never reach the network. Use `emulator.http_client_class` (this
    class bound to one emulator's address) or `make_client(emulator)`."""

    base_url: str = ""

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        if not self.base_url:
            raise RuntimeError("EmulatorHTTPClient is not bound to an emulator; use emulator.http_client_class")
        if endpoint.startswith(GOOGLE_SHEETS_URL + "/"):
            endpoint = self.base_url + endpoint[len(GOOGLE_SHEETS_URL):]
        elif not endpoint.startswith(self.base_url + "/"):
            raise RuntimeError(f"the Sheets emulator does not serve {endpoint.split('?')[0]}; "
                               "refusing to go online")
        return super().request(method, endpoint, *args, **kwargs)


def make_client(emulator: SheetsEmulator) -> gspread.Client:
    """A gspread Client talking to the emulator, with no credentials at all."""
    return gspread.Client(auth=None, session=requests.Session(), http_client=emulator.http_client_class)
