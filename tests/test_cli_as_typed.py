"""What the team types on the command line is read the way the sheet reads it (issue 11): a date in any
form a cell may hold it, and an 编号 in either case."""

from __future__ import annotations

import json

import openpyxl
import pytest
from freezegun import freeze_time
from test_cli_chinese import told
from test_cli_courier import shop  # noqa: F401 - the fixture: the message tests' shop
from test_cli_returns import example  # noqa: F401 - the fixture: the example workbook

EVENING = "2026-11-22 22:30:00+08:00"




# ------------------------------------------------------------------------------------------ dates

@freeze_time(EVENING)
@pytest.mark.parametrize("typed", ["2026/11/22", "2026.11.22", "11月22日", "2026年11月22日", "11-22", "20261122",
                                   "２０２６－１１－２２", "2026-11-22 23:40", " 2026-11-22 "])
def test_summary_for_a_date_typed_as_the_sheet_takes_it(run, shop, typed):
    wanted = run("summary", "--date", "2026-11-22", "--sheet", "handover.xlsx")
    result = run("summary", "--date", typed, "--sheet", "handover.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == wanted.stdout
    assert result.stdout.startswith("【交接日报】2026年11月22日 周日\u3000")


@freeze_time("2027-01-02 09:00:00+08:00")
def test_summary_for_a_day_without_its_year_just_after_new_year_is_last_years(run, shop):
    result = run("summary", "--date", "12月31日", "--sheet", "handover.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("【交接日报】2026年12月31日 周四\u3000")


@pytest.mark.parametrize("typed, says", [
    ("2026/13/45", "没有这个日期或时间：2026/13/45"),
    ("yesterday", "看不懂的时间：yesterday（请写成 2026-11-22 23:40）"),
])
def test_summary_for_a_date_that_is_none_is_a_usage_error_before_the_sheet_is_read(run, typed, says):
    result = run("summary", "--date", typed, "--sheet", "missing.xlsx")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == told("handover summary [选项]", f"'--date' 的值不对：{says}")


@freeze_time("2026-11-23 09:05:00+08:00")
@pytest.mark.parametrize("flag, column", [("--requested-at", "申请时间"), ("--approved-at", "同意时间"),
                                          ("--waybill-at", "填单时间"), ("--signed-at", "签收时间")])
@pytest.mark.parametrize("typed", ["2026/11/22 23:40", "11月22日 23:40", "2026年11月22日 23时40分", "2026-11-22T23:40"])
def test_log_return_takes_each_time_as_the_sheet_does_and_stores_it_whole(run, example, flag, column, typed):
    result = run("log", "--return", "--platform", "抖音", "--order", "6938471029389999999", flag, typed)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(example)["退货"]
    row = {sheet.cell(1, c).value: sheet.cell(8, c).value for c in range(1, sheet.max_column + 1)}
    assert row[column] == "2026-11-22 23:40"


# -------------------------------------------------------------------------------------------- ids

def _workbook(path, *rows, header=("编号", "类型", "订单号", "状态", "登记时间")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)


def _column(path, column: int) -> list:
    sheet = openpyxl.load_workbook(path)["交接"]
    return [sheet.cell(row, column).value for row in range(2, sheet.max_row + 1)]


MORNING = "2026-12-03 10:30:00+08:00"
DECEMBER = [("H20261202-001", "漏发", "1", None, "2026-12-02 21:00"),
            ("H20261202-003", "漏发", "3", None, "2026-12-02 21:30"),
            ("h20261202-004", "催货", "4", None, "2026-12-02 22:00")]


@freeze_time(MORNING)
@pytest.mark.parametrize("typed", ["h20261202-003", "H20261202-003", "Ｈ２０２６１２０２－００３", " h20261202-003 "])
def test_done_with_an_id_typed_in_either_case_marks_its_row_as_the_sheet_spells_it(run, tmp_path, typed):
    _workbook(tmp_path / "h.xlsx", *DECEMBER)
    result = run("done", typed, "--by", "阿杰", "--sheet", "h.xlsx")
    assert (result.exit_code, result.stdout) == (0, "H20261202-003（第 3 行）→ 已完成，处理人 阿杰\n")
    assert _column(tmp_path / "h.xlsx", 1) == ["H20261202-001", "H20261202-003", "h20261202-004"]
    assert _column(tmp_path / "h.xlsx", 4) == [None, "已完成", None]


@freeze_time(MORNING)
def test_done_on_an_id_the_sheet_holds_in_lower_case_prints_it_as_the_sheet_has_it(run, sheet):
    source = sheet.load(_made(sheet, *DECEMBER))
    result = run("done", "H20261202-004", "h20261202-001", "--by", "阿杰", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("h20261202-004（第 4 行）→ 已完成，处理人 阿杰\n"
                             "H20261202-001（第 2 行）→ 已完成，处理人 阿杰\n")
    assert sheet.record("h20261202-004")["状态"] == "已完成" and sheet.record("H20261202-001")["状态"] == "已完成"


def _made(sheet, *rows):
    path = sheet.tmp_path / "made" / "h.xlsx"
    path.parent.mkdir(exist_ok=True)
    _workbook(path, *rows)
    return path


@freeze_time(MORNING)
def test_done_on_an_id_two_rows_hold_in_different_cases_is_refused_not_guessed(run, sheet):
    source = sheet.load(_made(sheet, ("H1", "漏发", "1"), ("H2", "漏发", "2"), ("h1", "催货", "3")))
    before = sheet.rows()
    for typed in ("H1", "h1"):
        result = run("done", "H2", typed, "--sheet", source)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (f"Error: 编号重复，不知道该改哪一行：{typed} 可能是第 2 行的 H1，也可能是第 4 行的 h1"
                                 "（编号不分大小写）。请先把重复的编号改掉（什么都没有写入）\n")
    assert sheet.rows() == before


def test_done_on_an_id_typed_twice_in_two_cases_marks_its_row_once(run, tmp_path):
    _workbook(tmp_path / "h.xlsx", *DECEMBER)
    result = run("done", "H20261202-003", "h20261202-003", "--by", "阿杰", "--sheet", "h.xlsx")
    assert result.stdout.count("H20261202-003") == 1


def test_done_on_an_unknown_id_names_it_as_typed(run, tmp_path):
    _workbook(tmp_path / "h.xlsx", *DECEMBER)
    result = run("done", "h20261202-002", "--sheet", "h.xlsx")
    assert (result.exit_code, result.stderr) == (1, "Error: 表格里没有这些编号：h20261202-002（什么都没有写入）\n")


def test_check_reports_two_rows_whose_ids_differ_only_in_case(run, tmp_path):
    _workbook(tmp_path / "h.xlsx", ("H1", "漏发", "1"), ("h1", "催货", "3"))
    result = run("check", "--format", "json", "--sheet", "h.xlsx")
    assert result.exit_code == 1

    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["row"], problem["column"], problem["message"]) == (
        3, "编号", "编号 h1 和第 2 行的 H1 重复（编号不分大小写）：请改成不同的编号")


@freeze_time(MORNING)
def test_a_new_id_skips_one_the_team_typed_in_lower_case(run, tmp_path):
    _workbook(tmp_path / "h.xlsx", ("h20261203-001", "漏发", "1", None, "2026-12-03 09:00"),
              (None, "催货", "2", None, "2026-12-03 09:30"))
    result = run("check", "--assign-ids", "--sheet", "h.xlsx")
    assert result.exit_code == 0, result.output
    assert _column(tmp_path / "h.xlsx", 1) == ["h20261203-001", "H20261203-002"]


@freeze_time("2026-11-23 09:05:00+08:00")
@pytest.mark.parametrize("typed", ["jt5001230004444", "Jt 5001 2300 04444", "ｊｔ５００１２３０００４４４４"])
def test_returns_find_with_the_letters_of_a_tracking_number_in_lower_case(run, example, typed):
    result = run("returns", "find", typed)
    assert result.exit_code == 0, result.output
    assert "R20261120-002" in result.stdout
