"""What the team types on the command line is read the way the sheet reads it (issue 11): a date in any
form a cell may hold it, and an 编号 in either case."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from conftest import DATA
from freezegun import freeze_time

EVENING = "2026-11-22 22:30:00+08:00"


@pytest.fixture
def shop(tmp_path):
    for name in ("handover.xlsx", "handover.toml"):
        shutil.copyfile(DATA / "messages" / name, tmp_path / name)
    return tmp_path


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
    assert result.stderr == ("用法：handover summary [选项]\n运行 'handover summary --help' 查看帮助。\n\n"
                             f"Error: '--date' 的值不对：{says}\n")


@pytest.fixture
def example(data_file):
    data_file("../../examples/handover.toml", "handover.toml")
    return data_file("../../examples/handover.xlsx", "handover.xlsx")


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
