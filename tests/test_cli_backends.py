"""The core commands, run the same way on a local workbook and on a Google Sheet (issue 3: one suite,
two backends). Backend-specific behaviour has its own tests in test_xlsx.py and test_google.py."""

import json

from freezegun import freeze_time

MORNING = "2026-11-23 10:30:00+08:00"


@freeze_time(MORNING)
def test_pull_lists_the_same_items(run, sheet):
    source = sheet.load("features.xlsx")
    result = run("pull", "--sheet", source, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [[item["id"] for item in group["items"]] for group in data["routes"]] == [
        ["H20261121-009", "H20261122-001"], ["H20261122-002"], ["H20261122-003"]]
    assert data["routes"][0]["items"][1]["order_id"] == "3958120345678901234"
    assert data["routes"][0]["items"][0]["logged_at"] == "2026-11-21T23:05:00+08:00"


@freeze_time(MORNING)
def test_done_on_a_sorted_sheet_changes_the_right_rows_only(run, sheet):
    source = sheet.load("sorted.xlsx")
    before = sheet.rows()
    result = run("done", "H20261122-002", "H20261121-009", "--by", "阿杰", "--result", "已处理", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("H20261122-002（第 5 行）→ 已完成，处理人 阿杰\n"
                             "H20261121-009（第 4 行）→ 已完成，处理人 阿杰\n")
    for row_id in ("H20261122-002", "H20261121-009"):
        record = sheet.record(row_id)
        assert (record["状态"], record["处理人"], record["处理时间"], record["处理结果"]) == \
            ("已完成", "阿杰", "2026-11-23 10:30", "已处理")
    after = sheet.rows()
    untouched = [i for i, row in enumerate(before) if row and row[0] in ("H20261122-001", "H20261122-003")]
    assert all(after[i][:13] == before[i][:13] for i in untouched)
    assert sheet.record("H20261122-001")["我们的备注"] == "老客户"


def test_an_unknown_id_writes_nothing(run, sheet):
    source = sheet.load("features.xlsx")
    before = sheet.rows()
    result = run("done", "H20261122-002", "H404", "--sheet", source)
    assert (result.exit_code, result.stderr) == (1, "Error: 表格里没有这些编号：H404（什么都没有写入）\n")
    assert sheet.rows() == before


@freeze_time(MORNING)
def test_log_appends_text_exactly(run, sheet):
    source = sheet.load("features.xlsx")
    result = run("log", "--category", "拦截", "--order", "3958120345678999999", "--old-address", "=杭州市西湖区",
                 "--by", "小周", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记 H20261123-001（第 6 行）：拦截 3958120345678999999\n"
    record = sheet.record("H20261123-001")
    assert (record["订单号"], record["原地址"], record["登记人"]) == ("3958120345678999999", "=杭州市西湖区", "小周")


@freeze_time(MORNING)
def test_check_reports_and_assigns_missing_ids(run, sheet):
    source = sheet.load("../../examples/handover.xlsx")
    result = run("check", "--assign-ids", "--sheet", source)
    assert result.exit_code == 1
    assert "第 13 行  H20261122-010  「订单号」" in result.stdout
    assert result.stdout.endswith("第 22 行没有编号，已补上 H20261122-020\n")
    assert sheet.rows()[21][:2] == ["H20261122-020", "11月22日 23:52"]


@freeze_time(MORNING)
def test_log_a_return_then_see_its_timer(run, sheet):
    source = sheet.load("features.xlsx")
    result = run("log", "--return", "--platform", "拼多多", "--order", "231123-508812345678901", "--buyer", "小林",
                 "--requested-at", "2026-11-23 09:00", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert sheet.rows("退货")[1][:3] == ["R20261123-001", "拼多多", "231123-508812345678901"]
    timers = json.loads(run("deadlines", "--format", "json", "--sheet", source).stdout)
    assert [d["id"] for d in timers["deadlines"]] == ["R20261123-001"]


@freeze_time("2026-11-23 09:10:00+08:00")
def test_courier_messages_are_the_same(run, sheet, tmp_path):
    import shutil

    from conftest import DATA

    shutil.copyfile(DATA / "messages" / "handover.toml", tmp_path / "handover.toml")
    source = sheet.load("messages/handover.xlsx")
    result = run("courier", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert result.stdout == (DATA / "messages" / "golden" / "courier.txt").read_text(encoding="utf-8")


@freeze_time("2026-11-22 22:30:00+08:00")
def test_summary_is_the_same(run, sheet, tmp_path):
    import shutil

    from conftest import DATA

    shutil.copyfile(DATA / "messages" / "handover.toml", tmp_path / "handover.toml")
    source = sheet.load("messages/handover.xlsx")
    result = run("summary", "--date", "2026-11-22", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("【交接日报】2026年11月22日 周日　小鹿服饰旗舰店\n今天新登记 19 件，处理 6 件")


@freeze_time(MORNING)
def test_done_on_ids_stored_with_an_apostrophe_or_as_a_formula_text_finds_them(run, sheet, tmp_path):
    """Excel users type `'H2` to keep an id as text, and exports write `="H3"`: check and pull read them
    as H2 and H3, so done must find those rows by the same ids."""
    import openpyxl

    book = openpyxl.Workbook()
    tab = book.active
    tab.title = "交接"
    tab.append(["编号", "类型", "订单号", "状态"])
    tab.append(["'H2", "漏发", "3958120345678901234", "待处理"])
    tab.append(['="H3"', "催发货", "3958120345678905678", "待处理"])
    tab["A3"].data_type = "s"  # text that looks like a formula, as an export writes it
    book.save(tmp_path / "typed.xlsx")
    source = sheet.load(tmp_path / "typed.xlsx")
    result = run("done", "H2", "H3", "--by", "阿杰", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert result.stdout == "H2（第 2 行）→ 已完成，处理人 阿杰\nH3（第 3 行）→ 已完成，处理人 阿杰\n"
    assert [row[3] for row in sheet.rows()[1:]] == ["已完成", "已完成"]
    assert [row[0] for row in sheet.rows()[1:]] == ["'H2", '="H3"']  # the ids stay as the team typed them
