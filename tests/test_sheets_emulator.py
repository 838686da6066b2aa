"""The emulator answers like Google Sheets API v4 does (shapes learnt from gspread's recorded traffic),
through the real gspread client and as raw JSON; and its test controls (faults, counters, hooks) work."""

from __future__ import annotations

from datetime import date, datetime

import gspread
import pytest
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound
from sheets_emulator import Formula, SheetsEmulator, make_client, parse_a1, quote_title, serial_number


def raw(emulator: SheetsEmulator, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, emulator.base_url + path, timeout=5, **kwargs)


GRID_4X4 = [["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""], ["A4", "B4", "", "D4"]]


# ------------------------------------------------------------------------------------------- metadata

def test_metadata_has_the_real_shape(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("客服交接表", {"交接": [["编号"]], "赔付记录": []})
    body = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}?includeGridData=false").json()
    assert body["spreadsheetId"] == key
    assert body["properties"]["title"] == "客服交接表"
    assert {"locale", "autoRecalc", "timeZone", "defaultFormat"} <= body["properties"].keys()
    first, second = body["sheets"]
    assert first["properties"] == {"sheetId": 0, "title": "交接", "index": 0, "sheetType": "GRID",
                                   "gridProperties": {"rowCount": 1000, "columnCount": 26}}
    assert second["properties"]["index"] == 1 and second["properties"]["sheetId"] > 0
    assert body["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{key}/edit"


def test_gspread_opens_by_key_with_one_metadata_request(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    spreadsheet = gspread_client.open_by_key(key)
    assert spreadsheet.title == "T" and spreadsheet.timezone == "Asia/Shanghai"
    assert sheets_emulator.counts() == {"metadata": 1}
    assert [ws.title for ws in spreadsheet.worksheets()] == ["Sheet1"]


# ---------------------------------------------------------------------------------------------- reads

def test_values_get_trims_trailing_cells_and_rows_like_the_api(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", {"Sheet1": GRID_4X4}, rows=4, cols=4)
    body = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}/values/%27Sheet1%27").json()
    assert body == {"range": "Sheet1!A1:D4", "majorDimension": "ROWS",
                    "values": [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4", "B4", "", "D4"]]}


def test_an_empty_range_has_no_values_key(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", rows=4, cols=4)
    body = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}/values/%27Sheet1%27%21A1%3AD1").json()
    assert body == {"range": "Sheet1!A1:D1", "majorDimension": "ROWS"}


@pytest.mark.parametrize(("title", "asked", "echo"), [
    ("Sheet1", "'Sheet1'!A1:C", "Sheet1!A1:C1000"),
    ("Sheet1", "'Sheet1'", "Sheet1!A1:Z1000"),
    ("Sheet1", "'Sheet1'!B1", "Sheet1!B1"),
    ("Sheet1", "'Sheet1'!A1:1", "Sheet1!A1:Z1"),
    ("D3", "'D3'!A1:D1", "'D3'!A1:D1"),
    ("交接", "'交接'", "交接!A1:Z1000"),
    ("🌵 test 1", "🌵 test 1!A:A", "'🌵 test 1'!A1:A1000"),
    ("It's", "'It''s'!A1:B2", "'It''s'!A1:B2"),
])
def test_ranges_are_echoed_clipped_to_the_grid_with_titles_quoted_when_needed(sheets_emulator, title, asked,
                                                                              echo):
    key = sheets_emulator.create_spreadsheet("T", {title: [["x"]]})
    body = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}/values/{requests.utils.quote(asked, safe='')}")
    assert body.json()["range"] == echo


def test_batch_get_answers_one_value_range_per_range(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T", {"Sheet1": GRID_4X4})
    spreadsheet = gspread_client.open_by_key(key)
    body = spreadsheet.values_batch_get(["'Sheet1'!A1:B1", "'Sheet1'!B4:D4"])
    assert body == {"spreadsheetId": key, "valueRanges": [
        {"range": "Sheet1!A1:B1", "majorDimension": "ROWS", "values": [["A1", "B1"]]},
        {"range": "Sheet1!B4:D4", "majorDimension": "ROWS", "values": [["B4", "", "D4"]]}]}
    assert sheets_emulator.count("values.batchGet") == 1


def test_value_and_date_render_options(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T", rows=2, cols=4)
    worksheet = gspread_client.open_by_key(key).sheet1
    worksheet.update([["=4/2", "2020-01-01", "string", 53], ["=3/2", 0.12, "1999-01-02", ""]], "A1:D2",
                     value_input_option="USER_ENTERED")

    def get(value: str, dates: str):
        return worksheet.spreadsheet.values_get(
            "'Sheet1'", params={"valueRenderOption": value, "dateTimeRenderOption": dates})["values"]

    assert get("UNFORMATTED_VALUE", "SERIAL_NUMBER") == [[2, 43831, "string", 53], [1.5, 0.12, 36162]]
    assert get("UNFORMATTED_VALUE", "FORMATTED_STRING") == [[2, "2020-01-01", "string", 53],
                                                            [1.5, 0.12, "1999-01-02"]]
    assert get("FORMATTED_VALUE", "SERIAL_NUMBER") == [["2", "2020-01-01", "string", "53"],
                                                       ["1.5", "0.12", "1999-01-02"]]
    assert get("FORMULA", "SERIAL_NUMBER")[0][0] == "=4/2"


def test_raw_input_keeps_text_and_user_entered_parses_it(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    worksheet = gspread_client.open_by_key(key).sheet1
    typed = [["=1+1", "0042", "3456789012345678901", "'0042", "TRUE", "2,000,000.01"]]
    worksheet.update(typed, "A1", value_input_option="RAW")
    worksheet.update(typed, "A2", value_input_option="USER_ENTERED")
    unformatted = worksheet.get_all_values(value_render_option="UNFORMATTED_VALUE")
    assert unformatted[0] == ["=1+1", "0042", "3456789012345678901", "'0042", "TRUE", "2,000,000.01"]
    assert unformatted[1][:5] == [2, 42, 3.456789012345679e18, "0042", True]
    assert unformatted[1][5] == 2000000.01
    formatted = worksheet.get_all_values()
    assert formatted[1] == ["2", "42", "3.45679E+18", "0042", "TRUE", "2,000,000.01"]
    assert isinstance(sheets_emulator.cell(key, "Sheet1", "A2"), Formula)
    assert sheets_emulator.cell(key, "Sheet1", "A1") == "=1+1"


# --------------------------------------------------------------------------------------------- writes

def test_values_update_answers_the_updated_range(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", {"🌵 test 1": []}, rows=10, cols=10)
    answer = raw(sheets_emulator, "PUT", f"/v4/spreadsheets/{key}/values/%F0%9F%8C%B5%20test%201%21A1",
                 params={"valueInputOption": "RAW"}, json={"values": [["🍇", "🍉", "🍋"], ["🍐", "🍎", "🍓"]]})
    assert answer.json() == {"spreadsheetId": key, "updatedRange": "'🌵 test 1'!A1:C2", "updatedRows": 2,
                             "updatedColumns": 3, "updatedCells": 6}
    body = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}/values/%F0%9F%8C%B5%20test%201").json()
    assert body == {"range": "'🌵 test 1'!A1:J10", "majorDimension": "ROWS",
                    "values": [["🍇", "🍉", "🍋"], ["🍐", "🍎", "🍓"]]}


def test_values_batch_update_answers_totals_and_responses(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    worksheet = gspread_client.open_by_key(key).sheet1
    answer = worksheet.batch_update([{"range": "A1:D1", "values": [["A1", "B1", "", "D1"]]},
                                     {"range": "A4:D4", "values": [["A4", "B4", "", "D4"]]}])
    assert answer["totalUpdatedRows"] == 2 and answer["totalUpdatedColumns"] == 4
    assert answer["totalUpdatedCells"] == 8 and answer["totalUpdatedSheets"] == 1
    assert [r["updatedRange"] for r in answer["responses"]] == ["Sheet1!A1:D1", "Sheet1!A4:D4"]
    assert worksheet.get("A1:D4") == [["A1", "B1", "", "D1"], [], [], ["A4", "B4", "", "D4"]]


def test_null_leaves_a_cell_alone_and_empty_text_clears_it(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", {"Sheet1": [["a", "b", "c"]]})
    raw(sheets_emulator, "PUT", f"/v4/spreadsheets/{key}/values/Sheet1%21A1",
        params={"valueInputOption": "RAW"}, json={"values": [[None, "", "C"]]})
    assert sheets_emulator.values(key, "Sheet1") == [["a", "", "C"]]


def test_a_batch_update_is_all_or_nothing(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", {"Sheet1": [["a"]]})
    answer = raw(sheets_emulator, "POST", f"/v4/spreadsheets/{key}/values:batchUpdate", json={
        "valueInputOption": "RAW",
        "data": [{"range": "Sheet1!A1", "values": [["changed"]]}, {"range": "Nope!A1", "values": [["x"]]}]})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Unable to parse range: Nope!A1"
    assert sheets_emulator.values(key, "Sheet1") == [["a"]]


def test_writing_past_the_grid_is_refused_as_the_api_does(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", rows=3, cols=2)
    answer = raw(sheets_emulator, "PUT", f"/v4/spreadsheets/{key}/values/Sheet1%21A3",
                 params={"valueInputOption": "RAW"}, json={"values": [["x"], ["y"]]})
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message":
                                       "Range (Sheet1!A3:A4) exceeds grid limits. Max rows: 3, max columns: 2"}}


def test_values_must_fit_an_explicit_range(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T")
    answer = raw(sheets_emulator, "PUT", f"/v4/spreadsheets/{key}/values/Sheet1%21A1%3AB1",
                 params={"valueInputOption": "RAW"}, json={"values": [["a", "b", "c"]]})
    assert answer.status_code == 400
    assert "tried writing to column [C]" in answer.json()["error"]["message"]


def test_value_input_option_is_required(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T")
    answer = raw(sheets_emulator, "POST", f"/v4/spreadsheets/{key}/values:batchUpdate",
                 json={"data": [{"range": "Sheet1!A1", "values": [["a"]]}]})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "'valueInputOption' is required but not specified"


def test_append_finds_the_table_like_the_recorded_traffic(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    worksheet = gspread_client.open_by_key(key).sheet1
    first = worksheet.append_row(["v1", "", "v3"])
    assert "tableRange" not in first and first["updates"]["updatedRange"] == "Sheet1!A1:C1"
    # A whole-sheet append can land beside the table: why the backend never uses append.
    second = worksheet.append_row(["w1", "", "w3"])
    assert second["tableRange"] == "Sheet1!C1"
    assert second["updates"]["updatedRange"] == "Sheet1!C2:E2"
    third = worksheet.append_row(["x1", "", "x3"], table_range="A1")
    assert third["tableRange"] == "Sheet1!A1" and third["updates"]["updatedRange"] == "Sheet1!A2:C2"


def test_append_grows_the_grid(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T", {"Sheet1": [["h"], ["1"]]}, rows=2, cols=1)
    worksheet = gspread_client.open_by_key(key).sheet1
    answer = worksheet.append_rows([["2", "x"], ["3", "y"]], table_range="A1")
    assert answer["updates"]["updatedRange"] == "Sheet1!A3:B4"
    assert sheets_emulator.grid_size(key, "Sheet1") == (4, 2)


def test_add_worksheet_and_duplicate_title(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    spreadsheet = gspread_client.open_by_key(key)
    worksheet = spreadsheet.add_worksheet("赔付记录", rows=10, cols=5)
    assert worksheet.title == "赔付记录" and worksheet.row_count == 10 and worksheet.col_count == 5
    assert sheets_emulator.tabs(key) == ["Sheet1", "赔付记录"]
    with pytest.raises(APIError) as caught:
        spreadsheet.add_worksheet("赔付记录", rows=10, cols=5)
    assert caught.value.code == 400
    assert 'A sheet with the name "赔付记录" already exists' in caught.value.error["message"]


def test_structural_batch_update_requests(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T", rows=10, cols=3)
    spreadsheet = gspread_client.open_by_key(key)
    spreadsheet.batch_update({"requests": [
        {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 5}},
        {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 2}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "交接",
                                                  "gridProperties": {"frozenRowCount": 1}},
                                   "fields": "title,gridProperties/frozenRowCount"}}]})
    assert sheets_emulator.grid_size(key, "交接") == (15, 5)
    spreadsheet.sheet1.resize(rows=4)
    assert sheets_emulator.grid_size(key, "交接") == (4, 5)
    bad = raw(sheets_emulator, "POST", f"/v4/spreadsheets/{key}:batchUpdate",
              json={"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 1}},
                                 {"deleteSheet": {"sheetId": 99}}]})
    assert bad.status_code == 400 and "No grid with id: 99" in bad.json()["error"]["message"]
    assert sheets_emulator.grid_size(key, "交接") == (4, 5)  # all or nothing


# --------------------------------------------------------------------------------------------- errors

def test_unknown_spreadsheet_is_404_with_the_real_body(sheets_emulator, gspread_client):
    answer = raw(sheets_emulator, "GET", "/v4/spreadsheets/test?includeGridData=false")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": 404, "message": "Requested entity was not found.",
                                       "status": "NOT_FOUND"}}
    with pytest.raises(SpreadsheetNotFound):
        gspread_client.open_by_key("test")


def test_denied_spreadsheet_is_403_with_the_real_body(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    sheets_emulator.deny(key)
    answer = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}/values/Sheet1")
    assert answer.json() == {"error": {"code": 403, "message": "The caller does not have permission",
                                       "status": "PERMISSION_DENIED"}}
    with pytest.raises(PermissionError):
        gspread_client.open_by_key(key)


def test_unknown_tab_is_unable_to_parse_range(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T")
    answer = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}/values:batchGet",
                 params={"ranges": ["'Sheet1'", "'交接'"]})
    assert answer.status_code == 400
    assert answer.json()["error"] == {"code": 400, "message": "Unable to parse range: '交接'",
                                      "status": "INVALID_ARGUMENT"}


def test_missing_credentials_when_required_is_401(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T")
    sheets_emulator.require_auth = True
    answer = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}")
    assert answer.status_code == 401 and answer.json()["error"]["status"] == "UNAUTHENTICATED"
    token = raw(sheets_emulator, "POST", "/token", data={"grant_type": "refresh_token", "refresh_token": "r"})
    access = token.json()["access_token"]
    ok = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}", headers={"Authorization": f"Bearer {access}"})
    assert ok.status_code == 200


# ------------------------------------------------------------------------------------ faults and counts

def test_fail_next_answers_429_with_retry_after_then_recovers(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T")
    sheets_emulator.fail_next(2, 429, retry_after=4)
    for _ in range(2):
        answer = raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}")
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "4"
        assert answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert "Quota exceeded" in answer.json()["error"]["message"]
    assert raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}").status_code == 200
    assert [r.status for r in sheets_emulator.requests] == [429, 429, 200]


def test_fail_next_500_and_by_kind(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    sheets_emulator.fail_next(1, 500, kinds=["values.batchUpdate"])
    worksheet = gspread_client.open_by_key(key).sheet1  # not a batchUpdate: untouched
    with pytest.raises(APIError) as caught:
        worksheet.batch_update([{"range": "A1", "values": [["x"]]}])
    assert caught.value.code == 500
    assert caught.value.error == {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
    worksheet.batch_update([{"range": "A1", "values": [["x"]]}])
    assert sheets_emulator.values(key, "Sheet1") == [["x"]]


def test_requests_are_counted_by_kind(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T")
    worksheet = gspread_client.open_by_key(key).sheet1  # gspread: metadata to open, again for sheet1
    worksheet.update_cell(1, 1, "a")
    worksheet.update_cell(1, 2, "b")
    worksheet.get_all_values()
    assert sheets_emulator.counts() == {"metadata": 2, "values.update": 2, "values.get": 1}
    assert sheets_emulator.reads() == 1 and sheets_emulator.writes() == 2 and sheets_emulator.count() == 5
    sheets_emulator.reset_counts()
    assert sheets_emulator.count() == 0


def test_on_next_runs_once_before_the_request_of_that_kind(sheets_emulator, gspread_client):
    key = sheets_emulator.create_spreadsheet("T", {"Sheet1": [["mine"]]})
    worksheet = gspread_client.open_by_key(key).sheet1
    seen = []
    sheets_emulator.on_next("values.get", lambda record: (seen.append(record.kind),
                                                          sheets_emulator.set_cell(key, "Sheet1", "A1", "theirs")))
    assert worksheet.acell("A1").value == "theirs"
    assert worksheet.acell("A1").value == "theirs" and seen == ["values.get"]


def test_the_http_client_refuses_anything_but_the_emulator(sheets_emulator, gspread_client):
    with pytest.raises(RuntimeError, match="refusing to go online"):
        gspread_client.list_spreadsheet_files()


def test_reset_forgets_everything(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T")
    sheets_emulator.fail_next(3, 500)
    sheets_emulator.reset()
    assert sheets_emulator.count() == 0
    assert raw(sheets_emulator, "GET", f"/v4/spreadsheets/{key}").status_code == 404


# ------------------------------------------------------------------------------------ seeding helpers

def test_seeding_dates_sorting_and_inserting(sheets_emulator):
    key = sheets_emulator.create_spreadsheet("T", {"交接": [
        ["编号", "登记时间"], ["H2", datetime(2026, 11, 22, 23, 40)], ["H1", date(2026, 11, 21)], ["H3", ""]]})
    assert sheets_emulator.values(key, "交接")[1][1] == serial_number(datetime(2026, 11, 22, 23, 40))
    assert sheets_emulator.values(key, "交接", dates="FORMATTED_STRING")[2][1] == "2026-11-21"
    sheets_emulator.sort_rows(key, "交接", "A")
    assert [row[0] for row in sheets_emulator.values(key, "交接")] == ["编号", "H1", "H2", "H3"]
    sheets_emulator.insert_rows(key, "交接", 2, [["H0"]])
    assert [row[0] for row in sheets_emulator.values(key, "交接")] == ["编号", "H0", "H1", "H2", "H3"]
    assert sheets_emulator.grid_size(key, "交接") == (1001, 26)


def test_a1_parsing():
    assert (parse_a1("B2:A1").row, parse_a1("B2:A1").col, parse_a1("B2:A1").end_row) == (0, 0, 2)
    bounds = parse_a1("C5:D")
    assert (bounds.row, bounds.col, bounds.end_row, bounds.end_col) == (4, 2, None, 4)
    assert parse_a1("AA10").col == 26 and parse_a1("AA10").single
    for bad in ("", "1", "A0", "A:B2", "A1:B2:C3", "!!"):
        with pytest.raises(ValueError):
            parse_a1(bad)
    assert quote_title("Sheet1") == "Sheet1" and quote_title("A1") == "'A1'" and quote_title("R1C1") == "'R1C1'"


def test_make_client_is_a_real_gspread_client(sheets_emulator):
    client = make_client(sheets_emulator)
    assert isinstance(client, gspread.Client)
    assert type(client.http_client).__mro__[2] is gspread.http_client.HTTPClient
