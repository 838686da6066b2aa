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


# ---------------------------------------------------------------- issue 11: timers people can read

@freeze_time(MORNING)
def test_the_morning_shift_reads_one_deadline_per_row_labelled_by_what_happens_at_it(run, example):
    """The Taobao return past its "5 days left" point used to show 处理截止 11-19 … 已过 3 天 14 小时 beside
    到点：11-24 …（还有 1 天 9 小时）: two clocks, neither named. Now each row has one time, and says what
    happens then."""
    import re

    lines = run("deadlines").stdout.splitlines()
    rows = [line for line in lines if re.search(r"R2026\d{4}-\d{3}", line)]
    assert len(rows) == 5
    for line in rows:
        assert len(re.findall(r"\d\d-\d\d 周. \d\d:\d\d", line)) == 1, line
        assert "到点自动退款" in line or "前要处理" in line, line
    taobao = next(line for line in rows if "R20261113-001" in line)
    assert "【马上处理】" in taobao and taobao.endswith("11-24 周二 18:20 到点自动退款  剩 1 天 9 小时")
    below = lines[lines.index(taobao) + 1:lines.index(taobao) + 3]
    assert below == ["      说明：到点前 5 天就该处理（拒绝或延长收货），已经晚了",
                     "      要做：查退货物流；没有物流就拒绝；还没签收就延长收货（只能延长一次）"]
    assert not any(line.strip().startswith("到点：") for line in lines)


@freeze_time("2026-11-15 09:05:00+08:00")
def test_a_taobao_return_with_days_to_spare_says_by_when_to_reject_or_extend(run, example):
    """Four days after the waybill, the shop's own moment (5 days before the auto refund) is the deadline
    that matters: labelled as the time to act by, not as the refund."""
    data = json.loads(run("deadlines", "--format", "json", "--horizon", "5d").stdout)
    [taobao] = [d for d in data["deadlines"] if d["id"] == "R20261113-001"]
    assert (taobao["deadline"], taobao["deadline_at"], taobao["ends_at"]) == (
        "act_by", "2026-11-19T18:20:00+08:00", "2026-11-24T18:20:00+08:00")
    text = run("deadlines", "--horizon", "5d").stdout
    row = next(line for line in text.splitlines() if "R20261113-001" in line)
    assert row.endswith("11-19 周四 18:20 前要处理（拒绝或延长收货）  剩 4 天 9 小时")
    assert "      说明：到这时离到点自动退款只剩 5 天\n" in text


@freeze_time(MORNING)
@pytest.mark.parametrize("platform, order_id, flags, says", [
    ("京东", "268123456789", ["--waybill-at", "2026-11-22 10:00"],
     "京东「退货在途」这一步没有内置时限（没找到平台规则的出处）：请按京东规则中心，在 handover.toml 的 "
     "[timers.jd.in_transit] 里写上 length 和 at_zero；这一步不计时就写 enabled = false"),
    ("抖音", "6938471029389999999", ["--approved-at", "2026-11-23 08:00"],
     "抖音「待买家退货」这一步没有内置时限（没找到平台规则的出处）：请按抖音规则中心，在 handover.toml 的 "
     "[timers.douyin.awaiting_return] 里写上 length 和 at_zero；这一步不计时就写 enabled = false"),
    ("抖音", "6938471029389999999", [], "一个时间都没填：填上「申请时间」（或之后的时间）才能计时"),
])
def test_log_return_that_no_timer_covers_warns_and_still_logs(run, example, platform, order_id, flags, says):
    result = run("log", "--return", "--platform", platform, "--order", order_id, *flags)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已登记退货 R20261123-001（第 8 行）：订单 {order_id}\n"
    assert result.stderr == f"提醒：这笔退货没法计时，早班清单会把它列在「无法计时的退货」里：{says}\n"
    listed = json.loads(run("deadlines", "--format", "json").stdout)["untimed"]
    assert [u["id"] for u in listed] == ["R20261123-001"]


@freeze_time(MORNING)
@pytest.mark.parametrize("platform, order_id, flags", [
    ("快手", "2306123456789999", ["--requested-at", "2026-11-23 08:00"]),  # Kuaishou's 48 h preset
    ("京东", "268123456789", ["--requested-at", "2026-11-23 08:00"]),  # JD's 72 h preset
    ("京东", "268123456789", ["--waybill-at", "2026-11-22 10:00"]),  # the shop's own rule
])
def test_log_return_on_a_platform_with_a_rule_for_the_stage_says_nothing_more(run, example, platform, order_id, flags):
    example.with_name("handover.toml").write_text(
        example.with_name("handover.toml").read_text(encoding="utf-8")
        + '\n[timers.jd.in_transit]\nlength = "7d"\nat_zero = "auto_refund"\n', encoding="utf-8")
    result = run("log", "--return", "--platform", platform, "--order", order_id, *flags)
    assert (result.exit_code, result.stderr) == (0, "")
    timers = json.loads(run("deadlines", "--format", "json", "--horizon", "10d").stdout)
    assert "R20261123-001" in [d["id"] for d in timers["deadlines"]]


@freeze_time(MORNING)
def test_log_return_stage_the_shop_switched_off_says_nothing(run, example):
    example.with_name("handover.toml").write_text(
        example.with_name("handover.toml").read_text(encoding="utf-8")
        + "\n[timers.douyin.awaiting_return]\nenabled = false\n", encoding="utf-8")
    result = run("log", "--return", "--platform", "抖音", "--order", "6938471029389999999", "--approved-at", "2026-11-23 08:00")
    assert (result.exit_code, result.stderr) == (0, "")
