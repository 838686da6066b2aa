import json

from freezegun import freeze_time


@freeze_time("2026-11-23 09:00:00+08:00")
def test_check_lists_every_problem_with_row_and_column(run, data_file, golden):
    data_file("../../examples/handover.xlsx", "handover.xlsx")
    result = run("check", "--sheet", "handover.xlsx")
    assert result.exit_code == 1
    golden("check.txt", result.stdout)


@freeze_time("2026-11-23 09:00:00+08:00")
def test_check_json(run, data_file):
    data_file("english.xlsx")
    result = run("check", "--sheet", "english.xlsx", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["rows"] == 3
    assert [(p["row"], p["column"], p["severity"]) for p in data["problems"]] == [(4, "Order ID", "error")]


def test_check_passes_on_a_clean_sheet(run, data_file):
    data_file("features.xlsx")
    result = run("check", "--sheet", "features.xlsx")
    assert (result.exit_code, result.stdout) == (0, "检查了 4 行，没有发现问题。\n")
