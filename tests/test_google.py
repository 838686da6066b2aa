"""GoogleBackend through the real gspread client over HTTP, against the local Sheets API emulator."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import gspread
import pytest
import requests
from google_fixtures import SERVICE_ACCOUNT_EMAIL, write_service_account
from sheets_emulator import EmulatorHTTPClient, Formula, make_client

from handover.backends.google import GoogleBackend, find_credentials, load_credentials, open_google
from handover.backends.google_http import Retrier, retry_after_seconds
from handover.errors import ConfigError, SheetChangedError, SheetError
from handover.sheet import CellChange, TabWrite

HEADER = ["编号", "登记时间", "平台", "类型", "订单号", "状态", "处理人", "处理时间", "处理结果"]
STATUS, HANDLER, RESULT = "状态", "处理人", "处理结果"


def handover_rows(count: int, *, start: int = 1) -> list[list]:
    rows = [HEADER]
    for n in range(start, start + count):
        rows.append([f"H20261122-{n:03d}", 46348.5 + n / 1000, "淘宝", "漏发", f"34567890123456789{n % 100:02d}",
                     "待处理", "", "", ""])
    return rows


def done(row: int, row_id: str, column: str = STATUS, old="待处理", new="已完成") -> CellChange:
    return CellChange(row=row, row_id=row_id, column=column, old=old, new=new)


def column(values: list[list], name: str) -> list:
    index = values[0].index(name)
    return [line[index] if index < len(line) else "" for line in values[1:]]


# ---------------------------------------------------------------------------------------------- read

def test_read_of_several_tabs_is_one_request(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(3), "退货登记": [["买家", "原因"], ["小明", "尺码不合适"]],
                                   "说明": [["随便写写"]]})
    grids = backend.read(["交接", "退货登记"])
    assert sheets_emulator.counts() == {"values.batchGet": 1}  # no metadata request: the read tells
    handover = grids["交接"]
    assert handover.header == HEADER
    assert handover.rows[0] == ["H20261122-001", 46348.501, "淘宝", "漏发", "3456789012345678901", "待处理"]
    assert handover.cell(0, 6) is None
    assert grids["退货登记"].rows == [["小明", "尺码不合适"]]
    assert backend.label == f"Google 表格 {key}"


def test_a_missing_tab_costs_the_metadata_and_reads_as_none(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(3)})
    grids = backend.read(["交接", "赔付记录"])
    assert grids["赔付记录"] is None and len(grids["交接"].rows) == 3
    # The batch is refused for the missing tab, the metadata says which exist, the batch is asked again.
    assert sheets_emulator.counts() == {"values.batchGet": 2, "metadata": 1}
    assert backend.label == f"Google 表格「客服交接表」（{key}）"
    sheets_emulator.reset_counts()
    assert backend.read(["交接", "赔付记录"])["赔付记录"] is None
    assert sheets_emulator.counts() == {"values.batchGet": 1}


def test_read_of_5000_rows_is_still_one_request(sheets_emulator, google_backend):
    backend, _ = google_backend({"交接": handover_rows(5000)})
    assert len(backend.read(["交接"])["交接"].rows) == 5000
    assert sheets_emulator.counts() == {"values.batchGet": 1}


def test_read_asks_for_unformatted_values_and_serial_dates(sheets_emulator, google_backend):
    backend, _ = google_backend({"交接": [["编号", "金额", "登记时间"], ["H1", "=1+1", "2026-11-22 23:40"]]})
    key = backend.key
    sheets_emulator.set_values(key, "交接", [["编号", "金额", "登记时间"], ["H1", "=40+19.9", "2026-11-22 23:40"]],
                               value_input="USER_ENTERED")
    grid = backend.read(["交接"])["交接"]
    assert grid.rows == [["H1", 59.9, 46348 + (23 * 60 + 40) / 1440]]
    record = sheets_emulator.requests[-1]
    assert record.query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert record.query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


def test_a_tab_deleted_since_opening_reads_as_missing(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(1), "赔付记录": [["订单号"]]})
    backend.read(["交接"])
    sheets_emulator.delete_tab(key, "赔付记录")
    grids = backend.read(["交接", "赔付记录"])
    assert grids["赔付记录"] is None and len(grids["交接"].rows) == 1


# --------------------------------------------------------------------------------------------- write

def test_a_plan_of_50_changes_is_one_reread_and_one_write(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(200)})
    backend.read(["交接"])
    sheets_emulator.reset_counts()
    changes = []
    for n in range(1, 51):
        row = n * 3 + 1
        changes.append(done(row, f"H20261122-{row - 1:03d}"))
    result = backend.write([TabWrite("交接", HEADER, id_column="编号", changes=changes)])
    assert sheets_emulator.counts() == {"values.batchGet": 1, "values.batchUpdate": 1}
    statuses = column(sheets_emulator.values(key, "交接"), STATUS)
    assert statuses.count("已完成") == 50
    assert all(statuses[n * 3 - 1] == "已完成" for n in range(1, 51))
    assert result.moved_rows == {} and result.appended_rows == {}
    record = sheets_emulator.requests[-1]
    assert record.kind == "values.batchUpdate"


def test_a_done_plan_writes_adjacent_cells_as_one_range(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(3)})
    backend.read(["交接"])
    seen = []
    sheets_emulator.on_next("values.batchUpdate", lambda record: seen.append(record))
    backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[
        done(3, "H20261122-002"), done(3, "H20261122-002", HANDLER, None, "小王"),
        done(3, "H20261122-002", "处理时间", None, "2026-11-23 09:10"),
        done(3, "H20261122-002", RESULT, None, "已补发")])])
    assert sheets_emulator.values(key, "交接")[2][5:] == ["已完成", "小王", "2026-11-23 09:10", "已补发"]
    assert seen and seen[0].kind == "values.batchUpdate"


def test_text_is_written_raw_so_formulas_and_long_ids_stay_text(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(1)})
    backend.read(["交接"])
    backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[
        done(2, "H20261122-001", RESULT, None, "=1+1"),
        done(2, "H20261122-001", HANDLER, None, "+8613812345678")],
        appends=[["H20261122-002", None, "抖音", "催发货", "3456789012345678901", "-", "@小李", None,
                  '=HYPERLINK("x")']])])
    values = sheets_emulator.values(key, "交接")
    assert values[1][6] == "+8613812345678" and values[1][8] == "=1+1"
    assert values[2][4] == "3456789012345678901" and values[2][6] == "@小李" and values[2][8] == '=HYPERLINK("x")'
    assert not isinstance(sheets_emulator.cell(key, "交接", "I2"), Formula)
    assert sheets_emulator.requests[-1].kind == "values.batchUpdate"
    reread = backend.read(["交接"])["交接"]
    assert reread.rows[1][4] == "3456789012345678901"


def test_decimal_is_written_as_a_number_and_none_clears(sheets_emulator, google_backend):
    backend, key = google_backend({"赔付记录": [["订单号", "金额", "备注"], ["1", 10, "旧备注"]]})
    backend.read(["赔付记录"])
    backend.write([TabWrite("赔付记录", ["订单号", "金额", "备注"], changes=[
        CellChange(2, "", "备注", "旧备注", None, row_cells=["1", 10, "旧备注"])],
        appends=[["2", Decimal("59.70"), None], ["3", Decimal("60.00"), "整"]])])
    assert sheets_emulator.values(key, "赔付记录") == [["订单号", "金额", "备注"], ["1", 10], ["2", 59.7],
                                                    ["3", 60, "整"]]


def test_rows_sorted_since_the_read_are_found_by_their_id(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(10)})
    backend.read(["交接"])
    sheets_emulator.sort_rows(key, "交接", "A", reverse=True)  # someone sorted newest first
    result = backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[
        done(2, "H20261122-001"), done(5, "H20261122-004", HANDLER, None, "小王")])])
    values = sheets_emulator.values(key, "交接")
    by_id = {line[0]: line for line in values[1:]}
    assert by_id["H20261122-001"][5] == "已完成" and by_id["H20261122-004"][6] == "小王"
    assert [line[5] for line in values[1:]].count("已完成") == 1
    assert result.moved_rows == {"交接": {"H20261122-001": 11, "H20261122-004": 8}}
    assert values[10][0] == "H20261122-001" and values[10][5] == "已完成"


def test_rows_inserted_above_shift_the_write(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(3)})
    backend.read(["交接"])
    sheets_emulator.insert_rows(key, "交接", 2, [["H20261122-100", "", "京东", "改地址"], []])
    result = backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[done(3, "H20261122-002")])])
    assert result.moved_rows == {"交接": {"H20261122-002": 5}}
    assert sheets_emulator.values(key, "交接")[4][:6] == handover_rows(3)[2][:5] + ["已完成"]


def test_a_cell_edited_by_someone_else_stops_the_whole_write(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(5)})
    backend.read(["交接"])
    sheets_emulator.set_cell(key, "交接", "F4", "已取消", value_input="USER_ENTERED")  # a colleague, in the browser
    before = sheets_emulator.values(key, "交接")
    sheets_emulator.reset_counts()
    with pytest.raises(SheetChangedError) as caught:
        backend.write([TabWrite("交接", HEADER, id_column="编号",
                                changes=[done(2, "H20261122-001"), done(4, "H20261122-003"),
                                         done(6, "H20261122-005")],
                                appends=[["H20261122-006", None, "淘宝", "漏发"]])])
    message = str(caught.value)
    assert "第 4 行（编号 H20261122-003）" in message and "「状态」" in message
    assert "「待处理」" in message and "「已取消」" in message and "\n" not in message
    assert sheets_emulator.values(key, "交接") == before
    assert sheets_emulator.counts() == {"values.batchGet": 1}


def test_an_edit_is_caught_on_a_row_that_also_moved(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(4)})
    backend.read(["交接"])
    sheets_emulator.sort_rows(key, "交接", "A", reverse=True)
    sheets_emulator.set_cell(key, "交接", "G2", "小张")  # H…-004 is row 2 now
    with pytest.raises(SheetChangedError, match="第 2 行（编号 H20261122-004）的「处理人」"):
        backend.write([TabWrite("交接", HEADER, id_column="编号",
                                changes=[done(5, "H20261122-004", HANDLER, None, "小王")])])


def test_a_deleted_row_stops_the_write(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(3)})
    backend.read(["交接"])
    sheets_emulator.delete_rows(key, "交接", 3)
    with pytest.raises(SheetChangedError, match="找不到编号 H20261122-002"):
        backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[done(3, "H20261122-002")])])


def test_a_row_without_id_is_written_only_where_it_still_is_unchanged(sheets_emulator, google_backend):
    rows = handover_rows(3)
    rows[2][0] = ""
    backend, key = google_backend({"交接": rows})
    grid = backend.read(["交接"])["交接"]
    seen = grid.rows[1]
    result = backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[
        CellChange(3, "", "编号", None, "H20261122-777", row_cells=seen),
        CellChange(3, "", STATUS, "待处理", "处理中", row_cells=seen)])])
    assert sheets_emulator.values(key, "交接")[2][:6] == ["H20261122-777"] + rows[2][1:5] + ["处理中"]
    assert result.skipped_rows == {}

    rows[2][0], rows[3][0] = "H20261122-002", ""
    sheets_emulator.set_values(key, "交接", rows)
    grid = backend.read(["交接"])["交接"]
    sheets_emulator.insert_rows(key, "交接", 2, [["H20261122-100", "", "京东", "改地址"]])  # row 4 is now row 5
    result = backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[
        CellChange(4, "", "编号", None, "H20261122-778", row_cells=grid.rows[2])])])
    assert result.skipped_rows == {"交接": [4]}
    values = sheets_emulator.values(key, "交接")
    assert [line[0] for line in values[1:]] == ["H20261122-100", "H20261122-001", "H20261122-002", ""]


def test_appends_go_after_the_last_used_row_never_beside_the_table(sheets_emulator, google_backend):
    rows = handover_rows(4)
    rows[3] = []  # a blank row in the middle
    rows[1] += ["", "", "", "备注：这列没有表头"]  # a note far right, on row 2
    backend, key = google_backend({"交接": rows})
    backend.read(["交接"])
    result = backend.write([TabWrite("交接", HEADER, id_column="编号", appends=[
        ["H20261122-010", None, "拼多多", "催发货"], ["H20261122-011", None, "快手", "漏发"]])])
    assert result.appended_rows == {"交接": [6, 7]}
    values = sheets_emulator.values(key, "交接")
    assert values[5][:4] == ["H20261122-010", "", "拼多多", "催发货"]
    assert values[6][0] == "H20261122-011" and values[3] == []
    assert sheets_emulator.count("values.append") == 0


def test_appends_follow_the_headers_where_they_are_now(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": [["编号", "平台", "类型"], ["H1", "淘宝", "漏发"]]})
    backend.read(["交接"])
    sheets_emulator.set_values(key, "交接", [["类型", "编号", "备注", "平台"], ["漏发", "H1", "", "淘宝"]])
    backend.write([TabWrite("交接", ["编号", "平台", "类型"], appends=[["H2", "抖音", "催发货"]])])
    assert sheets_emulator.values(key, "交接")[2] == ["催发货", "H2", "", "抖音"]


def test_add_columns_go_after_the_last_header_and_take_values(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": [["编号", "状态"], ["H1", "待处理"]]})
    backend.read(["交接"])
    backend.write([TabWrite("交接", ["编号", "状态"], id_column="编号", add_columns=["处理人", "处理结果"],
                            changes=[CellChange(2, "H1", "处理结果", None, "已补发")],
                            appends=[["H2", "待处理", "小王", None]])])
    assert sheets_emulator.values(key, "交接") == [["编号", "状态", "处理人", "处理结果"], ["H1", "待处理", "", "已补发"],
                                                  ["H2", "待处理", "小王"]]
    backend.read(["交接"])
    backend.write([TabWrite("交接", ["编号", "状态", "处理人", "处理结果"], add_columns=["处理人"])])
    assert sheets_emulator.values(key, "交接")[0] == ["编号", "状态", "处理人", "处理结果"]


def test_a_missing_tab_is_created_when_asked(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(1)})
    backend.read(["交接", "赔付记录"])
    sheets_emulator.reset_counts()
    result = backend.write([TabWrite("赔付记录", ["订单号", "类型", "金额"], create=True,
                                     appends=[["3456789012345678901", "presale_late", Decimal("26.97")]])])
    assert sheets_emulator.counts() == {"batchUpdate": 1, "values.batchUpdate": 1}
    assert sheets_emulator.values(key, "赔付记录") == [["订单号", "类型", "金额"],
                                                    ["3456789012345678901", "presale_late", 26.97]]
    assert result.appended_rows == {"赔付记录": [2]}
    assert backend.read(["赔付记录"])["赔付记录"].rows == [["3456789012345678901", "presale_late", 26.97]]


def test_a_tab_created_by_someone_else_meanwhile_is_used(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(1)})
    backend.read(["交接", "赔付记录"])
    sheets_emulator.add_tab(key, "赔付记录", [["订单号", "金额"], ["1", 3]])
    result = backend.write([TabWrite("赔付记录", ["订单号", "金额"], create=True, appends=[["2", 4]])])
    assert sheets_emulator.values(key, "赔付记录") == [["订单号", "金额"], ["1", 3], ["2", 4]]
    assert result.appended_rows == {"赔付记录": [3]}


def test_a_missing_tab_without_create_is_one_clear_error(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(1), "退货登记": [["买家"]]})
    with pytest.raises(SheetError, match="没有「赔付记录」这一页"):
        backend.write([TabWrite("赔付记录", ["订单号"], appends=[["1"]])])
    sheets_emulator.delete_tab(key, "退货登记")  # gone after the metadata was read
    with pytest.raises(SheetError, match="没有「退货登记」这一页"):
        backend.write([TabWrite("退货登记", ["买家"], appends=[["小明"]])])
    assert sheets_emulator.tabs(key) == ["交接"] and sheets_emulator.writes() == 0


def test_the_grid_grows_when_appends_need_more_rows(sheets_emulator, google_backend):
    key = sheets_emulator.create_spreadsheet("满的表", {"交接": handover_rows(2)}, rows=3, cols=9)
    backend = GoogleBackend(key, client=make_client(sheets_emulator), sleep=lambda s: None)
    backend.read(["交接"])
    sheets_emulator.reset_counts()
    backend.write([TabWrite("交接", HEADER, add_columns=["备注"], appends=[["H20261122-003"], ["H20261122-004"]])])
    # Growing the grid is the one write that needs the metadata (for the tab's sheetId).
    assert sheets_emulator.counts() == {"values.batchGet": 1, "metadata": 1, "batchUpdate": 1,
                                        "values.batchUpdate": 1}
    assert sheets_emulator.grid_size(key, "交接") == (5 + 500, 10)
    assert [line[0] for line in sheets_emulator.values(key, "交接")][-2:] == ["H20261122-003", "H20261122-004"]


def test_an_empty_plan_makes_no_request(sheets_emulator, google_backend):
    backend, _ = google_backend({"交接": handover_rows(1)})
    assert backend.write([TabWrite("交接", HEADER)]).appended_rows == {}
    assert sheets_emulator.count() == 0


# ------------------------------------------------------------------------------- quota and retries

def test_429_with_retry_after_is_waited_out_visibly(sheets_emulator, google_backend):
    messages = []
    backend, _ = google_backend({"交接": handover_rows(2)}, notify=messages.append)
    backend.retrier.random = lambda: 0.0
    sheets_emulator.fail_next(2, 429, retry_after=4)
    assert len(backend.read(["交接"])["交接"].rows) == 2
    assert backend.slept == [4.0, 4.0]
    assert messages == ["Google Sheets 限流，等待 4 秒后重试（第 1 次）", "Google Sheets 限流，等待 4 秒后重试（第 2 次）"]
    assert sheets_emulator.counts() == {"values.batchGet": 3}


def test_5xx_backs_off_exponentially_with_jitter_on_the_write(sheets_emulator, google_backend):
    messages = []
    backend, key = google_backend({"交接": handover_rows(2)}, notify=messages.append)
    backend.retrier.random = lambda: 0.5
    backend.read(["交接"])
    sheets_emulator.fail_next(3, 503, kinds=["values.batchUpdate"])
    backend.write([TabWrite("交接", HEADER, id_column="编号", changes=[done(2, "H20261122-001")])])
    assert backend.slept == [1.5, 2.5, 4.5]
    assert messages[0] == "Google Sheets 暂时出错（503），等待 2 秒后重试（第 1 次）"
    assert sheets_emulator.values(key, "交接")[1][5] == "已完成"


def test_server_errors_beyond_max_attempts_give_up_with_one_line(sheets_emulator, google_backend):
    backend, _ = google_backend({"交接": handover_rows(1)}, max_attempts=4)
    backend.retrier.random = lambda: 0.0
    sheets_emulator.fail_next(10, 500)
    with pytest.raises(SheetError) as caught:
        backend.read(["交接"])
    assert str(caught.value) == "Google Sheets 服务器一直出错（500），试了 4 次仍不行：请稍后再运行"
    assert backend.slept == [1.0, 2.0, 4.0]
    assert sheets_emulator.count() == 4


def test_backoff_is_capped_and_retry_after_can_be_a_date():
    retrier = Retrier(lambda m: None, max_delay=10, random=lambda: 0.0)
    assert [retrier.delay(n, None) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 10, 10]
    assert retrier.delay(1, 7.0) == 7.0
    from datetime import datetime, timezone
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Sun, 22 Nov 2026 12:00:30 GMT", now=now) == 30
    assert retry_after_seconds("soon") is None and retry_after_seconds("-3") == 0.0


def test_only_quota_and_server_errors_are_retried(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(1)})
    sheets_emulator.deny(key)
    with pytest.raises(SheetError):
        backend.read(["交接"])
    assert sheets_emulator.count() == 1 and backend.slept == []


# ---------------------------------------------------------------------------------- access errors

def test_403_names_the_service_account_to_share_with(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": []}, client_email=SERVICE_ACCOUNT_EMAIL)
    sheets_emulator.deny(key)
    with pytest.raises(SheetError) as caught:
        backend.read(["交接"])
    message = str(caught.value)
    assert SERVICE_ACCOUNT_EMAIL in message and "共享" in message and "403" in message and "\n" not in message


def test_404_says_the_key_is_wrong(sheets_emulator):
    backend = GoogleBackend("1" + "x" * 43, client=make_client(sheets_emulator), sleep=lambda s: None)
    with pytest.raises(SheetError, match="找不到 Google 表格 1x+（404）：请检查链接或表格 ID"):
        backend.read(["交接"])


def test_a_disabled_api_and_a_refused_token_say_what_to_do(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": []})
    disabled = ("Google Sheets API has not been used in project 1 before or it is disabled. "
                "Enable it by visiting https://console.developers.google.com")
    sheets_emulator.fail_next(1, 403, message=disabled)
    with pytest.raises(SheetError, match="还没有启用 Google Sheets API（403）"):
        backend.read(["交接"])
    sheets_emulator.require_auth = True  # our client sends no token at all
    with pytest.raises(SheetError, match="Google 不认这份凭据（401）"):
        backend.read(["交接"])


def test_an_unreachable_server_is_retried_then_one_line(sheets_emulator):
    dead = type("Dead", (EmulatorHTTPClient,), {"base_url": "http://127.0.0.1:9"})
    client = gspread.Client(auth=None, session=requests.Session(), http_client=dead)
    messages, slept = [], []
    backend = GoogleBackend("1" + "k" * 43, client=client, max_attempts=3, notify=messages.append,
                            sleep=slept.append)
    with pytest.raises(SheetError, match=r"^连不上 Google Sheets（ConnectionError），已试 3 次：请检查网络"):
        backend.read(["交接"])
    assert len(slept) == 2 and messages[0].startswith("Google Sheets 连接失败，等待")


def test_the_whole_credentials_path_against_the_emulator(sheets_emulator, fake_service_account):
    key = sheets_emulator.create_spreadsheet("客服交接表", {"交接": handover_rows(2)})
    sheets_emulator.require_auth = True
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
    backend = open_google(url, str(fake_service_account), None, http_client=sheets_emulator.http_client_class,
                          sleep=lambda s: None)
    assert backend.client_email == SERVICE_ACCOUNT_EMAIL and backend.gid == 0
    assert len(backend.read(["交接"])["交接"].rows) == 2
    assert sheets_emulator.counts() == {"token": 1, "values.batchGet": 1}
    sheets_emulator.deny(key)
    with pytest.raises(SheetError) as caught:
        backend.write([TabWrite("交接", HEADER, appends=[["H3"]])])
    assert f"共享给 {SERVICE_ACCOUNT_EMAIL}" in str(caught.value)
    secret = json.loads(fake_service_account.read_text())["private_key"]
    assert secret[40:80] not in str(caught.value) and "ya29" not in str(caught.value)


def test_a_revoked_key_is_one_clear_line(sheets_emulator, fake_service_account):
    key = sheets_emulator.create_spreadsheet("T", {"交接": []})
    sheets_emulator.reject_tokens = True
    backend = open_google(key, str(fake_service_account), None, http_client=sheets_emulator.http_client_class,
                          sleep=lambda s: None)
    with pytest.raises(SheetError) as caught:
        backend.read(["交接"])
    assert str(caught.value).startswith("Google 拒绝为这份凭据签发令牌（invalid_grant）")


def test_open_google_rejects_what_is_not_a_google_sheet():
    with pytest.raises(ConfigError, match="不是 Google 表格的链接或 ID"):
        open_google("交接表.xlsx", None)


# ------------------------------------------------------------------------------------- credentials

def test_missing_credentials_file_is_one_clear_line(tmp_path):
    with pytest.raises(SheetError) as caught:
        load_credentials(tmp_path / "nope.json")
    assert str(caught.value) == f"找不到 Google 凭据文件 {tmp_path / 'nope.json'}：请下载服务账号密钥（.json）并改正路径"


@pytest.mark.parametrize(("content", "expected"), [
    ("not json {", "不是有效的 JSON"),
    ('["a list"]', "不是有效的 JSON"),
    ('{"type": "service_account", '
     '"private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}',
     "不完整或已损坏（缺少 client_email, token_uri）"),
    ('{"type": "service_account", "client_email": "a@b", "token_uri": "https://oauth2.googleapis.com/token", '
     '"private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}',
     "不完整或已损坏（私钥或字段无法解析）"),
    ('{"installed": {"client_id": "x", "client_secret": "SECRETVALUE"}}', "是 OAuth 客户端文件"),
    ('{"type": "external_account"}', "类型「external_account」不认识"),
])
def test_unreadable_credentials_are_one_clear_line(tmp_path, content, expected):
    path = tmp_path / "key.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SheetError) as caught:
        load_credentials(path)
    message = str(caught.value)
    assert expected in message and str(path) in message and "\n" not in message
    assert "AAAA" not in message and "SECRETVALUE" not in message


def test_a_directory_or_binary_file_is_not_a_key(tmp_path):
    with pytest.raises(SheetError, match="是一个文件夹"):
        load_credentials(tmp_path)
    binary = tmp_path / "key.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SheetError, match="读不了 Google 凭据文件"):
        load_credentials(binary)


def test_service_account_and_authorized_user_files_load(tmp_path, sheets_emulator, fake_service_account):
    creds, email = load_credentials(fake_service_account)
    assert email == SERVICE_ACCOUNT_EMAIL
    assert list(creds.scopes) == ["https://www.googleapis.com/auth/spreadsheets"]
    user = tmp_path / "authorized_user.json"
    user.write_text(json.dumps({"type": "authorized_user", "client_id": "id", "client_secret": "s",
                                "refresh_token": "r", "account": "kefu@example.com"}), encoding="utf-8")
    creds, email = load_credentials(user)
    assert email == "kefu@example.com" and creds.refresh_token == "r"


def test_find_credentials_order(tmp_path):
    default = tmp_path / "gspread"
    default.mkdir()
    env_key = tmp_path / "env.json"
    toml_key = tmp_path / "toml.json"
    for path in (env_key, toml_key, default / "service_account.json", default / "authorized_user.json"):
        path.write_text("{}")
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(env_key)}
    assert find_credentials(str(toml_key), environ=env, default_dir=default) == env_key
    assert find_credentials(str(toml_key), environ={}, default_dir=default) == toml_key
    assert find_credentials(None, environ={"GOOGLE_APPLICATION_CREDENTIALS": " "}, default_dir=default) == \
        default / "service_account.json"
    (default / "service_account.json").unlink()
    assert find_credentials("", environ={}, default_dir=default) == default / "authorized_user.json"
    (default / "authorized_user.json").unlink()
    with pytest.raises(SheetError, match=r"没有找到 Google 凭据：.*\[google\] credentials.*GOOGLE_APPLICATION"):
        find_credentials(None, environ={}, default_dir=default)


def test_find_credentials_does_not_skip_a_setting_that_points_nowhere(tmp_path):
    (tmp_path / "service_account.json").write_text("{}")
    with pytest.raises(SheetError, match="环境变量 GOOGLE_APPLICATION_CREDENTIALS 指向的 Google 凭据文件不存在"):
        find_credentials(None, environ={"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "gone.json")},
                         default_dir=tmp_path)
    with pytest.raises(SheetError, match=r"handover.toml 里 \[google\] credentials 指向的 Google 凭据文件不存在"):
        find_credentials("~/nowhere/key.json", environ={}, default_dir=tmp_path)


def test_find_credentials_defaults_to_the_real_environment(tmp_path, monkeypatch):
    key = tmp_path / "k.json"
    key.write_text("{}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    assert find_credentials(None) == key


def test_write_service_account_helper_makes_a_loadable_key(tmp_path, sheets_emulator):
    pytest.importorskip("cryptography")
    path = write_service_account(tmp_path / "other.json", sheets_emulator.token_uri,
                                 email="x@y.iam.gserviceaccount.com")
    assert load_credentials(Path(path))[1] == "x@y.iam.gserviceaccount.com"


# ------------------------------------------------------------------------- the CLI on a Google Sheet

def test_the_cli_runs_on_an_emulated_google_sheet(google_cli, tmp_path, monkeypatch):
    """The production path end to end: `--sheet URL`, credentials from the environment, a real token
    from the emulator, one read for `pull`, and two reads (the second right before writing) plus one
    write for `done` (SPEC "Quota")."""
    import openpyxl
    from click.testing import CliRunner

    from handover.cli import cli

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(["编号", "登记时间", "平台", "类型", "订单号", "买家", "电话", "状态", "处理人", "处理时间", "处理结果"])
    sheet.append(["H20261122-001", datetime(2026, 11, 22, 23, 40), "淘宝", "漏发", "3958120345678901234", "阿may",
                  "13812345678", "待处理"])
    sheet.append(["H20261122-002", datetime(2026, 11, 22, 23, 50), "抖音", "催发货", "6938471029384756102", "陈女士",
                  "13987654321", ""])
    # With every tab pull reads present, the read is one request (a missing tab costs the metadata).
    book.create_sheet("退货").append(["编号", "平台", "订单号", "退货单号", "填单时间", "退款状态"])
    book.save(tmp_path / "交接表.xlsx")
    key = google_cli.upload(tmp_path / "交接表.xlsx")
    emulator = google_cli.emulator
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    pulled = runner.invoke(cli, ["pull", "--sheet", google_cli.url(key), "--format", "json"])
    assert pulled.exit_code == 0, pulled.output
    assert {item["id"] for route in json.loads(pulled.stdout)["routes"] for item in route["items"]} == \
        {"H20261122-001", "H20261122-002"}
    assert emulator.count("metadata", "values.batchGet", "values.batchUpdate") == 1

    emulator.reset_counts()
    marked = runner.invoke(cli, ["done", "H20261122-002", "--by", "阿杰", "--sheet", key])
    assert marked.exit_code == 0, marked.output
    assert emulator.count("metadata", "values.batchGet", "values.batchUpdate") == 3
    assert (emulator.count("values.batchGet"), emulator.count("values.batchUpdate")) == (2, 1)
    row = emulator.values(key, "交接")[2]
    assert row[4] == "6938471029384756102" and row[7:9] == ["已完成", "阿杰"]
    assert google_cli.slept == []


def test_a_write_reads_again_however_fresh_its_read(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": handover_rows(3)})
    grid = backend.read(["交接"])["交接"]
    sheets_emulator.on_next("values.batchGet", lambda record: sheets_emulator.set_cell(key, "交接", "F3", "处理中"))
    sheets_emulator.reset_counts()
    with pytest.raises(SheetChangedError, match="第 3 行（编号 H20261122-002）的「状态」读取时是「待处理」，现在是「处理中」"):
        backend.write([TabWrite("交接", HEADER, "编号", changes=[
            CellChange(3, "H20261122-002", "状态", grid.rows[1][5], "已完成")])])
    assert sheets_emulator.counts() == {"values.batchGet": 1}
    assert sheets_emulator.values(key, "交接")[2][5] == "处理中"


def test_a_relative_credentials_path_in_handover_toml_is_relative_to_it(tmp_path, monkeypatch):
    from handover import workspace
    from handover.model.config import parse_config

    seen = {}
    monkeypatch.setattr("handover.backends.google.open_google", lambda source, credentials, notify: seen.setdefault("c", credentials))
    config = parse_config({"google": {"credentials": "keys/sa.json"}}, tmp_path / "shop" / "handover.toml")
    workspace.open_backend("1" * 44, config)
    assert seen["c"] == str(tmp_path / "shop" / "keys" / "sa.json")
