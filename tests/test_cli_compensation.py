"""`handover compensation` end to end: dry run, --commit twice paying once (on both backends), the
finance workbook, JSON, and the at-risk orders in pull and the summary."""

import json
import shutil

import openpyxl
import pytest
from freezegun import freeze_time

from conftest import DATA

NOW = "2026-11-22 09:00:00+08:00"
EXPORTS = DATA / "compensation"
TAOBAO = ["--orders", str(EXPORTS / "taobao_orders.csv"), "--orders", str(EXPORTS / "taobao_refunds.csv"),
          "--affiliate", str(EXPORTS / "affiliate_settlement.csv")]


@freeze_time(NOW)
def test_commit_twice_pays_once(run, sheet):
    source = sheet.load("features.xlsx")
    first = run("compensation", *TAOBAO, "--commit", "--by", "财务小周", "--sheet", source)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("赔付核算　2026-11-22 09:00　财务小周　已记入赔付记录")
    ledger = sheet.rows("赔付记录")
    assert ledger[0][:5] == ["订单号", "赔付类型", "基数金额", "比例", "金额"]
    paid = {(row[0], row[1]): row[4] for row in ledger[1:]}
    assert paid == {("3958000000000000001", "预售延迟发货"): 26.66, ("3958000000000000002", "预售延迟发货"): 389.7,
                    ("3958000000000000010", "预售延迟发货"): 240, ("3958000000000000006", "淘客佣金扣除"): 30}

    again = run("compensation", *TAOBAO, "--orders", str(EXPORTS / "taobao_orders.csv"), "--commit", "--sheet", source)
    assert again.exit_code == 0, again.output
    assert "没有新的赔付" in again.stdout and "【已在赔付记录里，这次不再计入】4 笔" in again.stdout
    assert sheet.rows("赔付记录") == ledger


@freeze_time(NOW)
def test_dry_run_writes_nothing_and_lists_bad_rows(run, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    result = run("compensation", "--orders", str(EXPORTS / "bad_rows.csv"), "--sheet", "features.xlsx")
    assert result.exit_code == 0
    assert "bad_rows.csv 第 2 行「订单编号」" in result.stdout and "试算，未记录" in result.stdout
    assert path.read_bytes() == before
    strict = run("compensation", "--orders", str(EXPORTS / "bad_rows.csv"), "--strict", "--sheet", "features.xlsx")
    assert strict.exit_code == 1


@freeze_time(NOW)
def test_json_money_has_two_decimals(run, data_file):
    data_file("features.xlsx")
    result = run("compensation", *TAOBAO, "--format", "json", "--sheet", "features.xlsx")
    data = json.loads(result.stdout)
    first = data["payouts"][0]
    assert {k: first[k] for k in ("order_id", "kind", "base_amount", "rate", "amount")} == {
        "order_id": "3958000000000000001", "kind": "presale_late", "base_amount": "88.88", "rate": "0.30", "amount": "26.66"}
    affiliate = next(p for p in data["payouts"] if p["kind"] == "affiliate_deduction")
    assert (affiliate["amount"], affiliate["refund"]) == ("30.00", "270.00")
    assert data["totals"]["presale_late"] == {"count": 3, "amount": "656.36"}
    assert [r["row"] for r in data["rejected"]] == [6]
    assert "affiliate_settlement.csv 第 6 行" in result.stderr


@freeze_time(NOW)
def test_out_xlsx_is_a_sheet_finance_can_use(run, data_file, tmp_path):
    data_file("features.xlsx")
    result = run("compensation", *TAOBAO, "--out", "payouts.xlsx", "--sheet", "features.xlsx")
    assert result.exit_code == 0
    assert "已写入 payouts.xlsx（4 笔赔付）" in result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "payouts.xlsx")["赔付明细"]
    header = [cell.value for cell in sheet[1]]
    amount = header.index("赔付/扣佣金额")
    rows = [row for row in sheet.iter_rows(min_row=2) if any(cell.value is not None for cell in row)]
    payouts = [row for row in rows if row[0].value]
    assert [row[0].value for row in payouts][:1] == ["3958000000000000001"]
    assert all(row[0].data_type == "s" for row in payouts)  # ids as text, every digit
    assert all(row[amount].number_format == "#,##0.00" for row in rows if row[amount].value is not None)
    totals = {row[1].value: row[amount].value for row in rows if str(row[1].value or "").endswith("合计")}
    assert totals["预售延迟发货赔付合计"] == pytest.approx(656.36)


@freeze_time(NOW)
def test_pull_shows_pre_sale_orders_at_risk(run, data_file):
    data_file("features.xlsx")
    result = run("pull", "--orders", str(EXPORTS / "taobao_orders.csv"), "--sheet", "features.xlsx")
    assert result.exit_code == 0
    text = result.stdout
    assert "【预售快超时】" in text and text.index("【预售快超时】") < text.index("【仓库】")
    data = json.loads(run("pull", "--orders", str(EXPORTS / "taobao_orders.csv"), "--format", "json",
                          "--sheet", "features.xlsx").stdout)
    assert data["at_risk"]["at_risk"][0]["order_id"] == "3958000000000000008"


@freeze_time(NOW)
def test_orders_from_config_and_summary_money(run, data_file, tmp_path):
    data_file("features.xlsx")
    (tmp_path / "exports").mkdir()
    shutil.copyfile(EXPORTS / "taobao_orders.csv", tmp_path / "exports" / "taobao_orders.csv")
    (tmp_path / "handover.toml").write_text('sheet = "features.xlsx"\n[compensation]\norders = ["exports/*.csv"]\n',
                                           encoding="utf-8")
    assert "【预售快超时】" in run("pull").stdout
    assert run("compensation", *TAOBAO, "--commit").exit_code == 0
    summary = run("summary").stdout
    assert "今天已赔付 4 笔，共 ¥686.36" in summary
    assert "可能要赔" in summary


def test_compensation_needs_orders(run, data_file):
    data_file("features.xlsx")
    assert run("compensation", "--sheet", "features.xlsx").exit_code == 2


def test_an_unreadable_export_is_one_line(run, data_file, tmp_path):
    data_file("features.xlsx")
    (tmp_path / "orders.csv").write_text("nothing,to,see\n1,2,3\n", encoding="utf-8")
    result = run("compensation", "--orders", "orders.csv", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
