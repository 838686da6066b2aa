"""`--out payouts.xlsx`: numbers finance can add up, ids that keep every digit, no formulas smuggled in."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from handover.compensation.rules import Payout
from handover.compensation.run import run_compensation
from handover.model.config import Config
from handover.render.payouts_xlsx import MONEY, workbook_bytes

DATA = Path(__file__).resolve().parent / "data" / "compensation"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
ORDERS = [DATA / n for n in ("taobao_orders.csv", "taobao_refunds.csv", "douyin_orders.csv", "bad_rows.csv")]
AFFILIATE = [DATA / "affiliate_settlement.csv", DATA / "affiliate_disputes.csv"]


def write_payouts_xlsx(report, path: Path) -> Path:
    path.write_bytes(workbook_bytes(report))
    return path


@pytest.fixture(scope="module")
def report():
    return run_compensation(ORDERS, AFFILIATE, Config(), None, NOW, by="财务小周")


def test_one_row_per_payout_with_money_numbers_and_text_ids(tmp_path, report):
    path = write_payouts_xlsx(report, tmp_path / "payouts.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["赔付明细", "预售已超时", "预售快超时", "未计入"]
    sheet = book["赔付明细"]
    header = [c.value for c in sheet[2]]
    assert header == ["订单号", "赔付类型", "平台", "实付金额", "比例", "赔付/扣佣金额", "线下退款金额", "依据", "来源"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in rows[:6]] == [p.order_id for p in report.payouts]
    for number in range(3, 9):
        id_cell = sheet.cell(row=number, column=1)
        assert id_cell.data_type == "s" and id_cell.number_format == "@"
        assert sheet.cell(row=number, column=6).number_format == MONEY
        assert isinstance(sheet.cell(row=number, column=6).value, (int, float))
    assert sheet.cell(row=3, column=5).number_format == "0%" and sheet.cell(row=3, column=5).value == pytest.approx(0.3)
    assert rows[0][3:6] == [pytest.approx(88.88), pytest.approx(0.3), pytest.approx(26.66)]
    totals = rows[6:]
    assert totals[0][1:3] == ["预售延迟发货赔付合计", "4 笔"] and totals[0][5] == pytest.approx(443.04)
    assert totals[1][1] == "淘宝客扣佣退款合计" and totals[1][5:7] == [pytest.approx(40), pytest.approx(410)]
    assert sheet.freeze_panes == "A3"


def test_left_out_and_at_risk_tabs(tmp_path, report):
    book = openpyxl.load_workbook(write_payouts_xlsx(report, tmp_path / "payouts.xlsx"))
    at_risk = [[c.value for c in row] for row in book["预售快超时"].iter_rows(min_row=2)]
    assert [r[0] for r in at_risk] == [a.order_id for a in report.at_risk if not a.overdue]
    left_out = [[c.value for c in row] for row in book["未计入"].iter_rows(min_row=2)]
    reasons = [r[1] for r in left_out]
    assert reasons.count("需要人工核对") == len(report.checks) and reasons.count("没能使用的行") == len(report.rejected)
    assert [None, "没能使用的行"] == left_out[-5][:2] and left_out[-5][3:] == ["bad_rows.csv", 2]


def test_finance_opening_the_workbook_sees_late_presale_orders_apart_from_nearly_late_ones(tmp_path, report):
    from dataclasses import replace

    near = next(a for a in report.at_risk if not a.overdue)
    late = replace(near, order_id="3958000000000000099", seconds_left=-(2 * 86400 + 5 * 3600))
    report = replace(report, at_risk=[near, late])
    book = openpyxl.load_workbook(write_payouts_xlsx(report, tmp_path / "payouts.xlsx"))
    overdue = [[c.value for c in row] for row in book["预售已超时"].iter_rows(min_row=1)]
    assert overdue[0][:4] == ["订单号", "平台", "承诺发货时间", "已超时小时"]
    assert [r[0] for r in overdue[1:]] == ["3958000000000000099"] and overdue[1][3] == 53
    nearly = [[c.value for c in row] for row in book["预售快超时"].iter_rows(min_row=1)]
    assert nearly[0][3] == "剩余小时" and [r[0] for r in nearly[1:]] == [near.order_id]
    assert nearly[1][3] == near.hours_left >= 0


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    sneaky = Payout("3958000000000000001", "presale_late", Decimal("10"), Decimal("0.3"), Decimal("3.00"), None, "taobao",
                    "=HYPERLINK(\"http://x\",\"点我\").csv", 2, "+cmd|' /C calc'!A0")
    report = run_compensation([], [], Config(), None, NOW, by="@财务")
    report.payouts = [sneaky]
    path = write_payouts_xlsx(report, tmp_path / "payouts.xlsx")
    sheet = openpyxl.load_workbook(path)["赔付明细"]
    for column in (8, 9):
        cell = sheet.cell(row=3, column=column)
        assert cell.data_type == "s" and cell.value.startswith(("=", "+"))
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("赔付明细").to_python()
    assert values[2][8] == '=HYPERLINK("http://x","点我").csv 第 2 行'


def test_an_empty_run_still_writes_a_usable_workbook(tmp_path):
    report = run_compensation([], [], Config(), None, NOW, by="财务小周")
    book = openpyxl.load_workbook(write_payouts_xlsx(report, tmp_path / "payouts.xlsx"))
    assert book["赔付明细"].cell(row=3, column=1).value == "没有新的赔付"
    # A tab with only its header could be a tab nobody filled: each says it has nothing.
    assert [book[tab]["A2"].value for tab in ("预售已超时", "预售快超时", "未计入")] == [
        "没有已超时的预售订单", "没有快超时的预售订单", "没有未计入的行"]


def test_libreoffice_shows_the_same_ids_and_amounts(tmp_path, report):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (libreoffice-calc-nogui) is not installed; .ci/run installs it")
    path = write_payouts_xlsx(report, tmp_path / "payouts.xlsx")
    done = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "payouts.csv").read_text(encoding="utf-8"))))
    assert rows[0][0].startswith("赔付核算　试算（未记录）")
    assert [r[0] for r in rows[2:8]] == [p.order_id for p in report.payouts]
    assert [r[5] for r in rows[2:8]] == [f"{p.amount:,.2f}" for p in report.payouts]


def test_a_payout_the_floor_or_cap_gave_says_so_in_the_workbook(tmp_path):
    import tomllib

    from handover.model.config import parse_config

    config = parse_config(tomllib.loads('[compensation.platforms.kuaishou]\npreset = "taobao_2023"'))
    report = run_compensation([DATA / "kuaishou_orders.xlsx"], [], config, None, NOW, by="财务小周")
    sheet = openpyxl.load_workbook(write_payouts_xlsx(report, tmp_path / "payouts.xlsx"))["赔付明细"]
    assert [(sheet.cell(row=r, column=5).value, sheet.cell(row=r, column=6).value) for r in (3, 4)] == [
        ("30%，最高 500 元", 500), ("30%，最低 5 元", 5)]


def test_a_workbook_from_files_that_lack_the_refund_reasons_says_so(tmp_path):
    report = run_compensation([DATA / "taobao_orders.csv"], [], Config(), None, NOW, by="财务小周")
    book = openpyxl.load_workbook(write_payouts_xlsx(report, tmp_path / "payouts.xlsx"))
    assert book["赔付明细"]["A3"].value == "算不出赔付：文件里缺少的信息见「未计入」"
    left_out = [row for row in book["未计入"].iter_rows(min_row=2, values_only=True)]
    assert ("文件里缺少的信息", "退款原因在退款报表里（买家退款原因）：请加 --orders 退款报表.csv") in [r[1:3] for r in left_out]
