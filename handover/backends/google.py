"""The Google Sheets backend: a shared sheet read in one request and written with one batched request.

Quota (SPEC "Quota"): a command that only reads makes one read; a command that writes makes at most two
reads and one write, whatever the number of rows. `read` is one values.batchGet for every tab asked, with
no metadata request (which tabs exist and how big their grids are is learned from the read itself).
`write` is one more values.batchGet of the tabs it writes, right before writing, then one
values.batchUpdate with RAW input. Two things cost more, and only when they happen: a tab asked for that
the sheet lacks costs the metadata and the batch once more (the API refuses a batch naming a missing
tab), and a write that must create a tab or grow a grid sends one spreadsheets.batchUpdate first (growing
needs the tab's sheetId: one metadata request).

No lost edits: the plan is laid onto the tabs as the second read shows them (`rebase.lay`): every
changed row is found again by its 编号 (a sorted sheet is fine: we write where the row is now), each cell
we change must still hold what we read, and a row without 编号 is only written where it still is,
unchanged. If not, nothing is written and SheetChangedError says where. The API has no conditional
write, so an edit landing between the second read and the write (one round trip) cannot be seen; the
write sets only the cells it changes, so an edit to any other cell in that moment is kept.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import gspread
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.utils import absolute_range_name

from ..errors import ConfigError, SheetError
from ..sheet import Backend, Grid, TabWrite, WriteResult, cell_text, column_index
from . import google_key
from .google_http import (
    CREDENTIALS_ENV,
    SCOPES,
    Notify,
    Retrier,
    find_credentials,
    load_credentials,
)
from .google_plan import cell_value, value_ranges
from .rebase import Laid, lay, refuse

__all__ = ["CREDENTIALS_ENV", "SCOPES", "GoogleBackend", "find_credentials", "load_credentials", "open_google"]

_UNFORMATTED = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS"}
# Seams for tests that run the CLI against the local emulator (tests/google_fixtures.py, `google_cli`):
# the gspread HTTP client class and the sleep used between retries, looked up when a backend is made.
HTTP_CLIENT: type[HTTPClient] = HTTPClient
SLEEP: Callable[[float], None] = time.sleep

_SPARE_ROWS = 500  # rows added beyond the need when the grid must grow, so it rarely grows twice
_NEW_TAB_ROWS, _NEW_TAB_COLUMNS = 1000, 26  # what the Google Sheets UI gives a new tab


# --------------------------------------------------------------------------------------------- backend

@dataclass
class _TabInfo:
    sheet_id: int
    rows: int
    columns: int


class GoogleBackend(Backend):
    """A Google Sheet as a handover backend (see module docstring for the request budget).

    Give `credentials` (a key file; found with `find_credentials` when neither it nor `client` is
    given) or a ready gspread `client` (tests: `make_client(emulator)`). `notify` shows each retry
    wait; `sleep` and `http_client` are seams for tests and the emulator."""

    def __init__(self, key: str, *, gid: int | None = None, credentials: Path | None = None,
                 client: gspread.Client | None = None, client_email: str | None = None,
                 notify: Notify | None = None, max_attempts: int = 6,
                 sleep: Callable[[float], None] | None = None, http_client: type[HTTPClient] | None = None,
                 timeout: float | tuple[float, float] | None = (10, 120)):
        self.key = key
        self.gid = gid
        if client is None:
            creds, found_email = load_credentials(credentials or find_credentials(None))
            client = gspread.Client(auth=creds, http_client=http_client or HTTP_CLIENT)
            client.set_timeout(timeout)
            client_email = client_email or found_email
        if client_email is None:
            client_email = getattr(getattr(client.http_client, "auth", None), "service_account_email", None)
        self.client_email = client_email
        self._http = client.http_client
        self.retrier = Retrier(notify, max_attempts=max_attempts, sleep=sleep or SLEEP)
        self.title: str | None = None
        self._tabs: dict[str, _TabInfo] | None = None  # from the metadata, fetched only when needed
        self._sizes: dict[str, tuple[int, int]] = {}  # grid (rows, columns) per tab, from echoed ranges

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"Google 表格「{self.title}」（{self.key}）" if self.title else f"Google 表格 {self.key}"

    # --------------------------------------------------------------------------------- reading

    def read(self, tabs: Sequence[str], *, parts: bool = False) -> dict[str, Grid | None]:
        wanted = list(dict.fromkeys(tabs))
        known = self._tabs
        values = self._values([tab for tab in wanted if known is None or tab in known])
        grids: dict[str, Grid | None] = {}
        for tab in wanted:
            if tab not in values:
                grids[tab] = None
                continue
            rows = values[tab]
            header = [cell_text(value) for value in rows[0]] if rows else []
            grids[tab] = Grid(tab, header, [[cell_value(value) for value in row] for row in rows[1:]])
        return grids

    def _tab_info(self, refresh: bool = False) -> dict[str, _TabInfo]:
        if self._tabs is None or refresh:
            data = self._api("打开", self._http.fetch_sheet_metadata, self.key)
            self.title = data.get("properties", {}).get("title")
            self._tabs = {}
            for sheet in data.get("sheets", []):
                props = sheet.get("properties", {})
                grid = props.get("gridProperties", {})
                self._tabs[props["title"]] = _TabInfo(props.get("sheetId", 0), grid.get("rowCount", 0),
                                                      grid.get("columnCount", 0))
        return self._tabs

    def _values(self, tabs: list[str], *, stale_ok: bool = True) -> dict[str, list[list[Any]]]:
        """Whole tabs, unformatted, in one values.batchGet; also learns each grid's current size from
        the echoed range. A missing tab makes the API refuse the whole batch: then the metadata says
        which tabs exist and the batch is asked once more without the missing ones. Only tabs that
        exist are in the answer."""
        if not tabs:
            return {}
        ranges = [absolute_range_name(tab) for tab in tabs]
        try:
            data = self.retrier.call(self._http.values_batch_get, self.key, ranges, params=dict(_UNFORMATTED))
        except APIError as error:
            if stale_ok and error.response.status_code == 400 and "Unable to parse range" in str(error):
                info = self._tab_info(refresh=True)
                return self._values([tab for tab in tabs if tab in info], stale_ok=False)
            raise self._error(error, "读取") from error
        except auth_exceptions.GoogleAuthError as error:
            raise _auth_error(error) from error
        out: dict[str, list[list[Any]]] = {}
        for tab, value_range in zip(tabs, data.get("valueRanges", [])):
            out[tab] = value_range.get("values", [])
            size = _grid_size(value_range.get("range", ""))
            if size:
                self._sizes[tab] = size
        return out

    # --------------------------------------------------------------------------------- writing

    def write(self, writes: Sequence[TabWrite]) -> WriteResult:
        plan = [w for w in writes if not w.is_empty()]
        if len({w.tab for w in plan}) != len(plan):
            raise ValueError("write() takes at most one TabWrite per tab")
        if not plan:
            return WriteResult()
        return self._write(plan, retry_if_stale=True)

    def _write(self, plan: list[TabWrite], retry_if_stale: bool) -> WriteResult:
        # Read again right before writing, never trusting an earlier read however fresh (SPEC "Quota").
        current = self._values([w.tab for w in plan if self._tabs is None or w.tab in self._tabs])
        for w in plan:
            if w.tab not in current and not w.create:
                raise SheetError(f"Google 表格里没有「{w.tab}」这一页：请先建好这一页（表头可参考 handover init）")
        result = WriteResult()
        conflicts: list[str] = []
        laid = [lay(w, current.get(w.tab), result, conflicts) for w in plan]
        refuse(self.label, conflicts)

        structure = []
        for w, tab in zip(plan, laid):
            rows, columns = tab.size()
            if w.tab not in current:
                structure.append({"addSheet": {"properties": {
                    "title": tab.tab, "sheetType": "GRID",
                    "gridProperties": {"rowCount": max(_NEW_TAB_ROWS, rows + _SPARE_ROWS),
                                       "columnCount": max(_NEW_TAB_COLUMNS, columns), "frozenRowCount": 1}}}})
                continue
            grid_rows, grid_columns = self._sizes.get(tab.tab, (rows, columns))
            if rows > grid_rows or columns > grid_columns:
                # Growing a grid needs its sheetId: the one write that costs a metadata request.
                sheet_id = self._tab_info(refresh=True)[tab.tab].sheet_id
            if rows > grid_rows:
                structure.append({"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS",
                                                      "length": rows - grid_rows + _SPARE_ROWS}})
            if columns > grid_columns:
                structure.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                                      "length": columns - grid_columns}})
        structure += self._number_format_requests(laid, structure)
        if structure:
            try:
                reply = self.retrier.call(self._http.batch_update, self.key, {"requests": structure})
            except APIError as error:
                if retry_if_stale and error.response.status_code == 400 and "already exists" in str(error):
                    self._tab_info(refresh=True)  # someone made the tab meanwhile: plan again on it
                    return self._write(plan, retry_if_stale=False)
                raise self._error(error, "修改") from error
            except auth_exceptions.GoogleAuthError as error:
                raise _auth_error(error) from error
            self._learn_structure(structure, reply)

        data = [value_range for tab in laid for value_range in value_ranges(tab)]
        if data:
            self._api("写入", self._http.values_batch_update, self.key,
                      {"valueInputOption": "RAW", "data": data, "includeValuesInResponse": False})
        return result

    def _learn_structure(self, structure: list[dict], reply: Mapping[str, Any]) -> None:
        for request, answer in zip(structure, reply.get("replies", [])):
            if "addSheet" in request:
                props = answer.get("addSheet", {}).get("properties", {})
                grid = props.get("gridProperties", {})
                title = props.get("title", request["addSheet"]["properties"]["title"])
                self._sizes[title] = (grid.get("rowCount", 0), grid.get("columnCount", 0))
                if self._tabs is not None:
                    self._tabs[title] = _TabInfo(props.get("sheetId", 0), *self._sizes[title])
            elif "appendDimension" in request:
                dimension = request["appendDimension"]
                for title, info in (self._tabs or {}).items():
                    if info.sheet_id == dimension["sheetId"]:
                        rows, columns = self._sizes.get(title, (info.rows, info.columns))
                        if dimension["dimension"] == "ROWS":
                            rows += dimension["length"]
                        else:
                            columns += dimension["length"]
                        self._sizes[title] = (rows, columns)

    # ------------------------------------------------------------------------------- additions

    def tab_names(self) -> list[str]:
        return list(self._tab_info())

    def _number_format_requests(self, laid: list[Laid], structure: list[dict]) -> list[dict]:
        """TabWrite.number_formats, carried by the spreadsheets.batchUpdate the write already makes, never
        by a request of their own: a tab it creates gets them on the whole column below the header (so
        the rows appended later have them too); a grid it grows, on the appended and the added rows."""
        requests = []
        for tab in laid:
            if not tab.formats:
                continue
            for request in structure:
                if request.get("addSheet", {}).get("properties", {}).get("title") == tab.tab:
                    properties = request["addSheet"]["properties"]
                    # Chosen here, so that the formats can name the tab in the request that creates it.
                    properties.setdefault("sheetId", _unused_sheet_id({i.sheet_id for i in (self._tabs or {}).values()}))
                    span = (properties["sheetId"], 1, properties["gridProperties"]["rowCount"])
                elif (request.get("appendDimension", {}).get("dimension") == "ROWS" and tab.appends
                      and self._tabs and request["appendDimension"]["sheetId"] == self._tabs[tab.tab].sheet_id):
                    grown = request["appendDimension"]
                    span = (grown["sheetId"], tab.append_first - 1, self._sizes[tab.tab][0] + grown["length"])
                else:
                    continue
                sheet_id, top, bottom = span
                for column, code in tab.formats.items():
                    kind = "PERCENT" if "%" in code else "NUMBER"
                    requests.append({"repeatCell": {
                        "range": {"sheetId": sheet_id, "startRowIndex": top, "endRowIndex": bottom,
                                  "startColumnIndex": column, "endColumnIndex": column + 1},
                        "cell": {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": code}}},
                        "fields": "userEnteredFormat.numberFormat"}})
        return requests

    # ---------------------------------------------------------------------------------- errors

    def _api(self, doing: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return self.retrier.call(fn, *args, **kwargs)
        except APIError as error:
            raise self._error(error, doing) from error
        except auth_exceptions.GoogleAuthError as error:
            raise _auth_error(error) from error

    def _error(self, error: APIError, doing: str) -> SheetError:
        status = error.response.status_code
        message = " ".join(str(error.error.get("message", "")).split())
        if status == 403 and ("has not been used" in message or "SERVICE_DISABLED" in str(error.error)):
            return SheetError("这个 Google Cloud 项目还没有启用 Google Sheets API（403）：请在控制台的"
                              "「API 和服务」里启用 Google Sheets API，几分钟后再试")
        if status == 403:
            who = self.client_email or "你登录用的 Google 账号"
            return SheetError(f"没有权限{doing} Google 表格 {self.key}（403）：请在表格右上角「共享」里，"
                              f"把表格以编辑者身份共享给 {who}")
        if status == 404:
            return SheetError(f"找不到 Google 表格 {self.key}（404）：请检查链接或表格 ID 是否完整，"
                              "链接形如 https://docs.google.com/spreadsheets/d/<ID>/edit")
        if status == 401:
            return SheetError("Google 不认这份凭据（401）：请重新下载凭据文件，并确认电脑时间准确")
        return SheetError(f"Google Sheets {doing}失败（{status}）：{message or '没有说明'}")


def _auth_error(error: Exception) -> SheetError:
    if isinstance(error, auth_exceptions.RefreshError):
        reason = error.args[0] if error.args and isinstance(error.args[0], str) else ""
        code = reason.split(":")[0].strip()[:40] if reason else "refresh failed"
        return SheetError(f"Google 拒绝为这份凭据签发令牌（{code}）：密钥可能已被删除或停用，"
                          "请在 Google Cloud 控制台重新生成服务账号密钥")
    return SheetError("连不上 Google 的登录服务：请检查网络或代理设置后重试")


def _unused_sheet_id(used: set[int]) -> int:
    while True:
        sheet_id = random.randrange(1, 2**31 - 1)
        if sheet_id not in used:
            return sheet_id


_ECHO = re.compile(r"!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def _grid_size(echo: str) -> tuple[int, int] | None:
    """`交接!A1:Z1000` (a whole-tab range, as the API echoes it) -> (1000, 26)."""
    match = _ECHO.search(echo)
    if not match:
        return None
    letters, digits = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    return int(digits), column_index(letters) + 1


# -------------------------------------------------------------------------------------------- opening

def open_google(source: str, credentials_setting: str | None, notify: Notify | None = None,
                **options: Any) -> GoogleBackend:
    """The backend for `--sheet URL-or-key`: finds the credentials (see `find_credentials`) and loads
    them now, so a bad key file is reported before anything else happens. `options` go to
    GoogleBackend (tests pass `http_client`, `sleep`)."""
    parsed = google_key(source)
    if parsed is None:
        raise ConfigError(f"「{source}」不是 Google 表格的链接或 ID：链接形如 "
                          "https://docs.google.com/spreadsheets/d/<ID>/edit")
    key, gid = parsed
    return GoogleBackend(key, gid=gid, credentials=find_credentials(credentials_setting), notify=notify,
                         **options)
