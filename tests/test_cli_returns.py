"""`handover deadlines`, `handover returns find` and `handover log --return` on the example workbook."""

import json

import openpyxl
import pytest
from freezegun import freeze_time

MORNING = "2026-11-23 09:05:00+08:00"


@pytest.fixture
def example(data_file):
    data_file("../../examples/handover.toml", "handover.toml")
    return data_file("../../examples/handover.xlsx", "handover.xlsx")


@freeze_time(MORNING)
def test_deadlines_missed_first_then_soonest(run, example, golden):
    result = run("deadlines")
    assert result.exit_code == 0
    golden("deadlines.txt", result.stdout)
    lines = result.stdout.splitlines()
    first = next(line for line in lines if "R2026" in line)
    assert "【已超时】" in first and "R20261115-002" in first


@freeze_time(MORNING)
def test_deadlines_json_and_horizon(run, example):
    wide = json.loads(run("deadlines", "--format", "json", "--horizon", "72h").stdout)
    narrow = json.loads(run("deadlines", "--format", "json", "--horizon", "2h").stdout)
    assert wide["horizon_hours"] == 72 and narrow["horizon_hours"] == 2
    assert [d["id"] for d in narrow["deadlines"]] == ["R20261115-002", "R20261113-001", "R20261121-001"]
    assert len(wide["deadlines"]) >= len(narrow["deadlines"])
    first = wide["deadlines"][0]
    assert first["row"] == 4 and first["order_id"] == "231115-508812340003333"
    assert run("deadlines", "--horizon", "soon").exit_code == 2


@freeze_time(MORNING)
def test_pull_opens_with_the_timers(run, example):
    text = run("pull").stdout
    assert text.index("退货倒计时") < text.index("【仓库】")
    data = json.loads(run("pull", "--format", "json").stdout)
    assert data["deadlines"]["deadlines"][0]["id"] == "R20261115-002"


@freeze_time(MORNING)
@pytest.mark.parametrize("number", ["773098765432101", "7730 9876 5432 101", "７７３０９８７６５４３２１０１", "432101"])
def test_returns_find_by_full_spaced_or_partial_number(run, example, number):
    result = run("returns", "find", number)
    assert result.exit_code == 0, result.output
    assert "R20261113-001  第 2 行  淘宝  订单 3958120345670001111" in result.stdout
    assert "退货单号：773098765432101（申通）" in result.stdout


@freeze_time(MORNING)
def test_returns_find_nothing_or_too_short(run, example):
    missing = run("returns", "find", "999999999")
    assert missing.exit_code == 1 and missing.stdout.startswith("没有找到退货单号是 999999999 的退货")
    short = run("returns", "find", "123")
    assert short.exit_code == 1 and "至少输入后 6 位" in short.stderr
    found = json.loads(run("returns", "find", "JT5001230004444", "--format", "json").stdout)
    assert found["exact"] and [r["id"] for r in found["returns"]] == ["R20261120-002"]


@freeze_time(MORNING)
def test_log_return_appends_a_validated_row(run, example):
    result = run("log", "--return", "--platform", "抖音", "--order", "6938471029389999999", "--buyer", "小林",
                 "--reason", "尺码不合适", "--shipping-paid-by", "运费险", "--return-courier", "中通",
                 "--return-tracking", "7890 0011 1222 99", "--requested-at", "11月23日 08:30")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记退货 R20261123-001（第 8 行）：订单 6938471029389999999\n"
    sheet = openpyxl.load_workbook(example)["退货"]
    row = {sheet.cell(1, c).value: sheet.cell(8, c).value for c in range(1, sheet.max_column + 1)}
    assert row["退货单号"] == "78900011122299" and row["申请时间"] == "2026-11-23 08:30"
    assert row["运费承担"] == "运费险" and row["订单号"] == "6938471029389999999"


def test_log_return_refuses_bad_input_and_mixed_options(run, example):
    before = example.read_bytes()
    bad = run("log", "--return", "--platform", "抖音", "--order", "6.93847102938E+18", "--requested-at", "昨天")
    assert bad.exit_code == 1 and "--order：订单号" in bad.stderr and "；--requested-at：看不懂的时间：昨天" in bad.stderr
    assert run("log", "--return", "--category", "漏发", "--order", "1").exit_code == 2
    assert run("log", "--reason", "x", "--category", "漏发", "--order", "1").exit_code == 2
    assert run("log", "--order", "1").exit_code == 2
    assert example.read_bytes() == before


def test_init_creates_the_returns_tab(run, tmp_path):
    assert run("init", "shop.xlsx").exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "shop.xlsx")["退货"]
    assert [c.value for c in sheet[1]][:8] == ["编号", "平台", "订单号", "买家", "退货原因", "运费承担", "退货快递", "退货单号"]
    assert sheet.freeze_panes == "A2"
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert '"买家,商家,运费险"' in lists
