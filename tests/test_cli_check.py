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


@freeze_time("2026-11-23 09:00:00+08:00")
def test_check_covers_the_returns_tab(run, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "交接"
    book.active.append(["编号", "类型", "订单号"])
    book.active.append(["H1", "漏发", "1001"])
    returns = book.create_sheet("退货")
    returns.append(["编号", "平台", "订单号", "申请时间", "填单时间"])
    returns.append(["R1", "抖音", "6938471029380002222", "2026-11-20 10:00", "11月32日"])
    book.save(tmp_path / "h.xlsx")
    result = run("check", "--sheet", "h.xlsx")
    assert result.exit_code == 1
    assert result.stdout.startswith("检查了 1 行，没有发现问题。\n「退货」检查了 1 行，发现 1 个问题：\n  问题  第 2 行  R1  「填单时间」")
    data = json.loads(run("check", "--sheet", "h.xlsx", "--format", "json").stdout)
    assert [(p["tab"], p["row"], p["column"]) for p in data["problems"]] == [("退货", 2, "填单时间")]
    assert data["tabs"] == [{"tab": "交接", "rows": 1}, {"tab": "退货", "rows": 1}]
