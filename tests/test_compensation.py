"""The compensation rules pinned to the fen, their settings, and the report finance reads."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from handover.commands import order_exports
from handover.compensation.run import at_risk_for_pull, run_compensation
from handover.compensation.settings import Rule, parse_settings
from handover.errors import ConfigError
from handover.model.config import parse_config
from handover.render.finance_views import rate_text, render_at_risk, render_report, report_json
from handover.sheet import Grid

DATA = Path(__file__).resolve().parent / "data" / "compensation"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
ORDERS = [DATA / n for n in ("taobao_orders.csv", "taobao_refunds.csv", "douyin_orders.csv", "pinduoduo_orders.csv",
                             "kuaishou_orders.xlsx", "bad_rows.csv")]
AFFILIATE = [DATA / "affiliate_settlement.csv", DATA / "affiliate_disputes.csv"]


def config(text: str = "", path: Path | None = None):
    return parse_config(tomllib.loads(text), path)


def run(orders=ORDERS, affiliate=AFFILIATE, text="", **options):
    return run_compensation(orders, affiliate, config(text), None, options.pop("now", NOW), by="财务小周", **options)


def money(payouts):
    return {(p.order_id, p.kind): (str(p.base_amount), str(p.amount), None if p.refund is None else str(p.refund))
            for p in payouts}


# ------------------------------------------------------------------------------------ money rules

@pytest.mark.parametrize("base, minimum, maximum, expected", [
    ("88.88", None, None, "26.66"),    # 26.664 -> 26.66
    ("0.05", None, None, "0.02"),      # 0.015 -> 0.02, half-up
    ("0.01", None, None, "0.00"),      # 0.003 -> 0.00
    ("1299.00", None, None, "389.70"),
    ("800", "5", "500", "240.00"),     # the Taobao 2023 worked examples
    ("2600", "5", "500", "500.00"),
    ("10", "5", "500", "5.00"),
])
def test_amount_is_rate_times_base_half_up_then_floor_and_cap(base, minimum, maximum, expected):
    rule = Rule(Decimal("0.30"), Decimal(minimum) if minimum else None, Decimal(maximum) if maximum else None, 15, "test")
    assert str(rule.amount(Decimal(base))) == expected


@given(cents=st.integers(min_value=0, max_value=10**10), percent_bp=st.integers(min_value=0, max_value=10000))
def test_amount_matches_integer_arithmetic(cents, percent_bp):
    """rate in basis points, base in fen: half-up rounding done with integers is the oracle."""
    rule = Rule(Decimal(percent_bp) / 10000, None, None, 15, "test")
    expected = (cents * percent_bp * 2 + 10000) // 20000  # round half up of cents * bp / 10000
    assert rule.amount(Decimal(cents) / 100) == Decimal(expected) / 100


def test_default_settings_are_the_seeds():
    settings = parse_settings(config())
    rule = settings.rule_for("taobao")
    assert (rule.rate, rule.minimum, rule.maximum, rule.presale_days) == (Decimal("0.30"), None, None, 15)
    assert settings.warn.days == 2 and settings.reasons == ("未按约定时间发货", "缺货")


def test_presets_and_platform_overrides():
    settings = parse_settings(config('''
        [compensation]
        warn_days = 1
        [compensation.platforms.taobao]
        preset = "taobao_2023"
        [compensation.platforms."抖音"]
        rate = "20%"
        presale_days = 30
        [compensation.platforms.kuaishou]
        preset = "taobao_2023"
        max = false
    '''))
    taobao = settings.rule_for("taobao")
    assert [str(taobao.amount(Decimal(b))) for b in ("800", "2600", "10")] == ["240.00", "500.00", "5.00"]
    assert taobao.describe() == "商品实付的 30%，最低 5 元，最高 500 元（淘宝缺货、延迟发货规则，约 2023 年）"
    douyin = settings.rule_for("douyin")
    assert (douyin.rate, douyin.presale_days, douyin.maximum) == (Decimal("0.2"), 30, None)
    assert settings.rule_for("kuaishou").describe() == "商品实付的 30%，最低 5 元（淘宝缺货、延迟发货规则，约 2023 年，改了最高）"
    assert settings.rule_for("pinduoduo").rate == Decimal("0.30") and settings.warn.days == 1


@pytest.mark.parametrize("text, message", [
    ("[compensation]\nrate = \"三成\"", "rate = '三成'：比例请写成 0.30"),
    ("[compensation]\nrat = 0.3", "不认识 rat"),
    ("[compensation]\npreset = \"taobao_2099\"", "没有这个预设"),
    ("[compensation]\npreset = [1, 2]", "没有这个预设"),
    ("[compensation.platforms.taobao]\npreset = {a = 1}", "没有这个预设"),
    ("[compensation]\nmin = 600\nmax = 500", "min（600.00）大于 max（500.00）"),
    ("[compensation.platforms.amazon]\nrate = 0.1", "platforms.amazon: 不认识的平台"),
    ("[compensation]\nreasons = \"\"", "reasons 应该是文字列表"),
    ("[compensation]\npresale_days = 7.5", "presale_days 应该是整天数"),
    ("[compensation]\nwarn_days = -1", "warn_days = -1：应该是天数"),
    ("[compensation]\npresale_only = \"yes\"", "presale_only 应该是 true 或 false"),
    ("[columns]\norder = \"单号\"", "[columns] 里不认识 order"),
])
def test_config_mistakes_are_one_line_errors(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(text))
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("reason, owed", [
    ("缺货", True), ("卖家缺货", True), ("未按约定时间发货", True), ("未按约定时间发货（预售）", True),
    ("未按照约定时间发货", True), ("未按 约定时间 发货", True), ("七天无理由退换货", False), ("描述不符", False), ("", False),
])
def test_refund_reasons_match_loosely(reason, owed):
    assert parse_settings(config()).reason_matches(reason) is owed


# ----------------------------------------------------------------------------------- fixture run

def test_the_fixture_exports_give_exactly_these_payouts():
    report = run()
    assert money(report.payouts) == {
        ("3958000000000000001", "presale_late"): ("88.88", "26.66", None),
        ("3958000000000000002", "presale_late"): ("1299.00", "389.70", None),
        ("6930000000000000101", "presale_late"): ("88.88", "26.66", None),  # two sub-orders, 50.00 + 38.88
        ("6930000000000000104", "presale_late"): ("0.05", "0.02", None),
        ("2411200000000001", "presale_late"): ("2600.00", "780.00", None),
        ("2411200000000002", "presale_late"): ("10.00", "3.00", None),
        ("3958000000000000006", "affiliate_deduction"): ("300.00", "30.00", "270.00"),
        ("3958000000000000013", "affiliate_deduction"): ("150.00", "10.00", "140.00"),
    }
    totals = report.totals()
    assert str(totals["presale_late"].amount) == "1226.04" and totals["presale_late"].count == 6
    assert (str(totals["affiliate_deduction"].amount), str(totals["affiliate_deduction"].refund)) == ("40.00", "410.00")
    assert [(a.order_id, a.hours_left, a.overdue) for a in report.at_risk] == [
        ("3958000000000000008", -96, True), ("241106-123456789012345", -23, True), ("3958000000000000204", 3, False),
        ("3958000000000000003", 11, False), ("6930000000000000102", 23, False)]
    assert {c.order_id for c in report.checks} == {"3958000000000000010", "3958000000000000011", "3958000000000000012",
                                                   "6930000000000000103"}
    assert [(r.file, r.row) for r in report.rejected] == [
        ("affiliate_settlement.csv", 6), ("kuaishou_orders.xlsx", 4), ("bad_rows.csv", 2), ("bad_rows.csv", 3),
        ("bad_rows.csv", 4), ("bad_rows.csv", 5), ("bad_rows.csv", 6)]
    assert [(d.file, d.row) for d in report.duplicates] == [("affiliate_settlement.csv", 3)]


def test_the_order_files_can_come_in_any_order():
    forward = run([DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"], [])
    backward = run([DATA / "taobao_refunds.csv", DATA / "taobao_orders.csv"], [])
    assert money(forward.payouts) == money(backward.payouts) != {}


def test_the_order_report_alone_owes_nothing_but_shows_the_late_orders():
    report = run([DATA / "taobao_orders.csv"], [])
    assert report.payouts == []
    assert [(a.order_id, a.hours_left) for a in report.at_risk if a.overdue] == [
        ("3958000000000000008", -96), ("3958000000000000002", -45)]


def test_platform_presets_apply_per_platform():
    report = run([DATA / "kuaishou_orders.xlsx", DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"], [],
                 text='[compensation.platforms.kuaishou]\npreset = "taobao_2023"')
    amounts = {p.order_id: str(p.amount) for p in report.payouts}
    assert amounts["2411200000000001"] == "500.00" and amounts["2411200000000002"] == "5.00"
    assert amounts["3958000000000000002"] == "389.70"


def test_without_presale_only_every_order_counts():
    columns = '''[columns]
        order_id = "单号"
        paid = "成交金额"
        paid_at = "付款日期"
        order_status = "状态"
        presale_flag = "预售"
        refund_reason = "退款理由"
        '''
    strict = run([DATA / "custom_orders.csv"], [], text=columns)
    assert [p.order_id for p in strict.payouts] == ["C20261101001"]
    assert [c.order_id for c in strict.checks] == ["C20261101002"]
    everything = run([DATA / "custom_orders.csv"], [], text=columns + "[compensation]\npresale_only = false\n")
    assert [p.order_id for p in everything.payouts] == ["C20261101001", "C20261101002"]


# ------------------------------------------------------------------------------- the boundary second

BOUNDARY = """主订单编号,订单应付金额,支付完成时间,承诺发货时间,发货时间,订单状态,售后状态,售后原因
6930000000000000901,100.00,2026-11-07 12:00:00,2026-11-22 12:00:00,,待发货,待商家处理,缺货
6930000000000000902,100.00,2026-11-07 12:00:00,2026-11-22 12:00:00,,待发货,,
6930000000000000903,100.00,2026-11-07 12:00:00,2026-11-22 12:00:00,2026-11-22 12:00:00,已发货,待商家处理,未按约定时间发货
6930000000000000904,100.00,2026-11-07 12:00:00,2026-11-22 12:00:00,2026-11-22 12:00:01,已发货,待商家处理,未按约定时间发货
"""


@pytest.mark.parametrize("moment, claimed_result, unclaimed_seconds", [
    ("2026-11-22T11:59:59+08:00", "at_risk", 1),
    ("2026-11-22T12:00:00+08:00", "at_risk", 0),
    ("2026-11-22T12:00:01+08:00", "payout", -1),
])
def test_lateness_turns_exactly_after_the_promised_second(tmp_path, moment, claimed_result, unclaimed_seconds):
    path = tmp_path / "douyin.csv"
    path.write_text(BOUNDARY, encoding="utf-8-sig")
    with freeze_time(moment):
        report = run_compensation([path], [], config(), None, by="财务小周")
    kinds = {p.order_id: "payout" for p in report.payouts} | {a.order_id: "at_risk" for a in report.at_risk}
    assert kinds["6930000000000000901"] == claimed_result
    unclaimed = next(a for a in report.at_risk if a.order_id == "6930000000000000902")
    assert unclaimed.seconds_left == unclaimed_seconds and unclaimed.overdue is (unclaimed_seconds < 0)
    # shipped at the promised second is on time; one second later is late, whatever the clock says now
    assert [c.order_id for c in report.checks] == ["6930000000000000903"]
    assert "6930000000000000904" in {p.order_id for p in report.payouts}
    if claimed_result == "payout":
        assert str(report.payouts[0].amount) == "30.00"


# ------------------------------------------------------------------------------------ affiliates

def test_affiliate_rule_with_returns_tab_and_service_fee(tmp_path):
    returns = Grid("退货", ["退货单号", "订单号", "原因"], [["YT1", "3958000000000000015", "不喜欢"], ["YT2", 3.95e18, "x"]])
    report = run([], AFFILIATE, returns_grid=returns)
    assert money(report.payouts)[("3958000000000000015", "affiliate_deduction")] == ("99.00", "9.90", "89.10")
    assert [(r.file, r.row, r.column) for r in report.rejected if r.file == "退货"] == [("退货", 3, "订单号")]


def test_commission_from_the_rate_and_the_service_fee_when_the_shop_includes_it(tmp_path):
    path = tmp_path / "affiliate.csv"
    path.write_text("淘宝父订单编号,付款金额,佣金比率,服务费金额,确认收货时间,维权状态\n"
                    "3958000000000000501,88.88,30%,1.00,2026-11-10 10:00,维权创建\n", encoding="utf-8")
    plain = run([], [path])
    assert money(plain.payouts) == {("3958000000000000501", "affiliate_deduction"): ("88.88", "26.66", "62.22")}
    assert plain.payouts[0].rate == Decimal("0.3")
    with_fee = run([], [path], text="[compensation]\ninclude_service_fee = true")
    assert money(with_fee.payouts)[("3958000000000000501", "affiliate_deduction")] == ("88.88", "27.66", "61.22")


def test_unearned_commission_is_never_deducted(tmp_path):
    path = tmp_path / "affiliate.csv"
    path.write_text("淘宝父订单编号,付款金额,佣金,确认收货时间,订单状态,维权状态\n"
                    "3958000000000000601,100.00,10.00,,已付款,维权创建\n"
                    "3958000000000000602,100.00,10.00,2026-11-10 10:00,已失效,维权创建\n", encoding="utf-8")
    assert run([], [path]).payouts == []


# ------------------------------------------------------------------------------------------ output

def test_json_follows_the_spec():
    data = report_json(run())
    assert data["computed_at"] == "2026-11-22T09:00:00+08:00" and data["committed"] is False
    presale = data["payouts"][0]
    assert {k: presale[k] for k in ("order_id", "kind", "base_amount", "rate", "amount")} == {
        "order_id": "3958000000000000001", "kind": "presale_late", "base_amount": "88.88", "rate": "0.30", "amount": "26.66"}
    assert "refund" not in presale
    affiliate = next(p for p in data["payouts"] if p["kind"] == "affiliate_deduction")
    assert (affiliate["amount"], affiliate["refund"], affiliate["rate"]) == ("30.00", "270.00", "0.10")
    assert data["totals"] == {"presale_late": {"count": 6, "amount": "1226.04"},
                              "affiliate_deduction": {"count": 2, "amount": "40.00", "refund": "410.00"}}
    assert data["at_risk"][2] | {"title": ""} == {
        "order_id": "3958000000000000204", "platform": "taobao", "promised_ship_at": "2026-11-22T12:00:00+08:00",
        "hours_left": 3, "overdue": False, "claimed": False, "paid_amount": "66.00", "potential_amount": "19.80",
        "title": "", "file": "bad_rows.csv", "row": 8}
    assert data["rejected"][2] == {"file": "bad_rows.csv", "row": 2, "column": "订单编号",
                                   "message": data["rejected"][2]["message"]}
    money_values = [p[k] for p in data["payouts"] for k in ("base_amount", "amount")]
    assert all(v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in money_values)
    json.dumps(data)  # nothing but JSON types


@pytest.mark.parametrize("rate, text", [(Decimal("0.3"), "0.30"), (Decimal("0.055"), "0.055"), (Decimal("1"), "1.00"),
                                        (Decimal("0.30000"), "0.30"), (None, None)])
def test_rate_text(rate, text):
    assert rate_text(rate) == text


def test_text_report_matches_the_golden_file():
    text = render_report(run())
    golden = DATA / "report.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_json_format_of_render_report_is_the_same_data():
    report = run()
    assert json.loads(render_report(report, "json")) == report_json(report)


# ------------------------------------------------------------------------------------ pull's list

def test_pull_gets_its_orders_from_the_config(tmp_path):
    (tmp_path / "exports").mkdir()
    for name in ("taobao_orders.csv", "douyin_orders.csv"):
        shutil.copy(DATA / name, tmp_path / "exports" / name)
    toml = tmp_path / "handover.toml"
    toml.write_text('[compensation]\norders = ["exports/*.csv", "missing/*.csv"]\n', encoding="utf-8")
    cfg = config(toml.read_text(encoding="utf-8"), toml)
    files, unmatched = order_exports(cfg, parse_settings(cfg).orders)
    result = at_risk_for_pull(files, cfg, NOW, unmatched=unmatched)
    assert [(a.order_id, a.hours_left) for a in result.items] == [
        ("3958000000000000008", -96), ("3958000000000000002", -45), ("3958000000000000003", 11),
        ("6930000000000000102", 23)]
    assert result.unmatched == ["missing/*.csv"] and len(result.files) == 2
    text = render_at_risk(result)
    assert "【预售已超时】2 单过了承诺发货时间还没发货" in text and "【预售快超时】2 单还没发货" in text
    overdue, near = text.split("【预售快超时】")
    assert "超时 4 天" in overdue and "剩 11 小时" not in overdue
    assert "剩 11 小时" in near and "超时 4 天" not in near
    assert "没有找到订单导出文件 missing/*.csv" in text
    markdown = render_at_risk(result, "markdown")
    assert "| 3958000000000000003 | 淘宝 | 剩 11 小时 | 11-22 20:00 | 199.00 | 59.70 |" in markdown
    data = json.loads(render_at_risk(result, "json", tz=TZ))
    assert data["at_risk"][0]["overdue"] is True and data["unmatched"] == ["missing/*.csv"]


def test_pull_with_explicit_paths_and_nothing_configured(tmp_path):
    assert at_risk_for_pull([], config(), NOW).items == []
    result = at_risk_for_pull([DATA / "pinduoduo_orders.csv"], config(), NOW)
    assert [(a.order_id, a.hours_left, str(a.paid_amount)) for a in result.items] == [
        ("241106-123456789012345", -23, "1289.00")]  # ¥1,299.00 paid less ¥10 postage


def test_pull_names_an_unreadable_export_and_reads_the_rest(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("日期,金额\n2026-11-01,1\n", encoding="utf-8")
    result = at_risk_for_pull([broken, DATA / "pinduoduo_orders.csv"], config(), NOW)
    assert [a.order_id for a in result.items] == ["241106-123456789012345"]
    assert len(result.errors) == 1 and result.errors[0].startswith("broken.csv：表头里找不到订单号列")
    assert "读不了订单导出文件：broken.csv" in render_at_risk(result)


MISSING = """订单编号,订单状态,宝贝标题,买家实际支付金额,订单付款时间,买家退款原因
3958000000000000701,买家已付款，等待卖家发货,【预售】外套,88.00,,
3958000000000000702,卖家已发货，等待买家确认,【预售】外套,88.00,2026-11-01 10:00,缺货
3958000000000000703,买家已付款，等待卖家发货,【预售】外套,,2026-11-01 10:00,缺货
3958000000000000704,买家已付款，等待卖家发货,【预售】外套,,2026-11-20 10:00,
"""


def test_orders_missing_what_a_rule_needs_are_reported_not_guessed(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(MISSING, encoding="utf-8")
    report = run([path], [])
    assert report.payouts == [] and report.at_risk == []
    assert [(r.row, r.message.split("，")[0]) for r in report.rejected] == [
        (2, "订单 3958000000000000701 缺少付款时间（或承诺发货时间）"), (4, "订单 3958000000000000703 缺少实付金额")]
    # 702 shipped at a time the file does not give, and the claim has no date: a person decides
    assert [(c.order_id, c.message[:11]) for c in report.checks] == [("3958000000000000702", "已发货但不知道发货时间")]
    # 704 has no paid amount either, but its promise (12-05) is far off: nothing to report yet


def test_a_late_claim_on_an_order_shipped_at_an_unknown_time_goes_to_a_person(tmp_path):
    """Taobao's order report has no ship time: an order it shows shipped may have left before its promise,
    whenever the buyer asked for the refund. It was paid 240.00 on that guess before issue 16."""
    path = tmp_path / "orders.csv"
    path.write_text("订单编号,订单状态,宝贝标题,买家实际支付金额,订单付款时间,物流单号,买家退款原因,退款的申请时间\n"
                    "3958000000000000710,卖家已发货，等待买家确认,【预售】皮靴,800.00,2026-11-02 08:00,YD4321098765432,"
                    "缺货,2026-11-21 10:00\n"
                    "3958000000000000711,卖家已发货，等待买家确认,【预售】皮靴,800.00,2026-11-02 08:00,YD4321098765433,"
                    "缺货,2026-11-10 10:00\n", encoding="utf-8")
    report = run([path], [])
    assert report.payouts == [] and report.at_risk == []
    assert [(c.order_id, c.message) for c in report.checks] == [(
        "3958000000000000710", "已发货但不知道发货时间，买家 11-21 10:00 以「缺货」申请退款，已过承诺的 11-17 08:00："
                               "请查物流的揽收时间，晚于承诺才赔付")]
    # 711's buyer asked before the promise: whenever it shipped, that claim was not for a late shipment


@pytest.mark.parametrize("hours, text", [(5, "5 小时"), (23, "23 小时"), (24, "1 天"), (47, "1 天 23 小时"), (48, "2 天"),
                                         (205, "8 天 13 小时")])
def test_time_left_reads_in_days_and_hours_as_the_return_timers_do(hours, text):
    from handover.model.values import hours_text

    assert hours_text(hours) == text


# ------------------------------------------------------------------------------ what finance reads (issue 15)

def test_a_payout_the_floor_or_cap_gave_says_so():
    report = run([DATA / "kuaishou_orders.xlsx"], [], text='[compensation.platforms.kuaishou]\npreset = "taobao_2023"')
    how = {p.order_id: (p.how, p.limit, str(p.amount)) for p in report.payouts}
    assert how == {"2411200000000001": ("30%，最高 500 元", "max", "500.00"), "2411200000000002": ("30%，最低 5 元", "min", "5.00")}
    text = render_report(report)
    assert "2600.00  30%，最高 500 元  500.00" in text and "10.00  30%，最低 5 元      5.00" in text
    assert "按：快手 商品实付的 30%，最低 5 元，最高 500 元（淘宝缺货、延迟发货规则，约 2023 年）" in text
    assert [p["limit"] for p in report_json(report)["payouts"]] == ["max", "min"]
    plain = run([DATA / "kuaishou_orders.xlsx"], [])
    assert [p.how for p in plain.payouts] == ["30%", "30%"] and report_json(plain)["payouts"][0]["limit"] is None


def test_the_rule_reads_like_finance_wording_not_like_a_setting():
    text = render_report(run())
    assert "按：淘宝、抖音、快手 商品实付的 30%（默认规则）" in text
    for jargon in ("seed", "taobao_2023", "不设上下限", "presale_late", "affiliate_deduction"):
        assert jargon not in text


def test_each_payout_kind_has_one_name_everywhere(tmp_path):
    """The names finance reads: the report, the workbook, the ledger, the summary and the README."""
    import openpyxl

    from handover.compensation.ledger import ledger_write
    from handover.compensation.rules import KIND_LABELS
    from handover.render.payouts_xlsx import workbook_bytes
    from handover.summary import Payout as SummaryPayout

    report = run()
    assert KIND_LABELS == {"presale_late": "预售延迟发货赔付", "affiliate_deduction": "淘宝客扣佣退款"}
    assert {kind: SummaryPayout("1", kind, Decimal(1), NOW).label for kind in KIND_LABELS} == KIND_LABELS
    (tmp_path / "payouts.xlsx").write_bytes(workbook_bytes(report))
    book = openpyxl.load_workbook(tmp_path / "payouts.xlsx")
    kinds_in_book = {row[1] for row in book["赔付明细"].iter_rows(min_row=3, values_only=True) if row[0]}
    kinds_in_ledger = {row[1] for row in ledger_write(None, report.payouts, computed_at=NOW, by="", tz=TZ).appends}
    assert kinds_in_book == kinds_in_ledger == set(KIND_LABELS.values())
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    everything = render_report(report) + readme
    for old_name in ("预售超时赔付", "预售延迟发货 ", "淘客佣金扣除", "淘客订单扣佣金退款"):
        assert old_name not in everything
    assert all(f"【{label}】" in render_report(report) for label in KIND_LABELS.values())


def test_readme_documents_every_compensation_setting():
    from handover.compensation.settings import _SECTION_KEYS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for key in _SECTION_KEYS:
        assert f"\n{key} = " in readme or (key == "platforms" and "\n[compensation.platforms." in readme), key


def test_an_amount_a_clerk_cannot_trust_costs_no_payout(tmp_path):
    """`1 234,5` was paid as 3703.50 before issue 15."""
    path = tmp_path / "抖店订单.csv"
    path.write_text("主订单编号,订单应付金额,支付完成时间,承诺发货时间,订单状态,售后状态,售后原因\n"
                    '6930000000000000911,"1 234,5",2026-11-01 12:00:00,2026-11-16 12:00:00,待发货,退款中,缺货\n',
                    encoding="utf-8")
    report = run([path], [])
    assert report.payouts == []
    assert [r.as_json() for r in report.rejected] == [{"file": "抖店订单.csv", "row": 2, "column": "订单应付金额",
                                                       "message": report.rejected[0].message}]
    assert "金额看不准：1 234,5" in report.rejected[0].message


def edited_export(tmp_path: Path, name: str, order_id: str, column: str, value: str, copy: str) -> Path:
    """A fixture export with one cell of one order changed, as a clerk would in Excel, kept GB18030."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO((DATA / name).read_text(encoding="gb18030"), newline="")))
    position = [cell.strip().strip('"') for cell in rows[0]].index(column)
    next(row for row in rows if order_id in row[0])[position] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path = tmp_path / copy
    path.write_bytes(text.getvalue().encode("gb18030"))
    return path


@pytest.mark.parametrize("refunds_first", [False, True])
def test_a_refund_export_claiming_more_than_the_order_report_total_is_a_rejected_row_not_a_payout(tmp_path, refunds_first):
    """Order …002 is 1,299.00 in the order report (总金额 and 买家实际支付金额); the refund export was edited to say
    1500.00. It was paid 450.00 (60.30 too much) before issue 16."""
    above = edited_export(tmp_path, "taobao_refunds.csv", "3958000000000000002", "买家实际支付金额", "1500.00", "r_above.csv")
    files = [DATA / "taobao_orders.csv", above]
    report = run(files[::-1] if refunds_first else files, [])
    assert [p.order_id for p in report.payouts] == ["3958000000000000001"]
    assert [r.as_json() for r in report.rejected] == [{
        "file": "r_above.csv", "row": 3, "column": "买家实际支付金额",
        "message": "1500.00 元超过订单 3958000000000000002 在 taobao_orders.csv 第 3 行的「总金额」1299.00 元："
                   "同一笔订单，两个文件的金额对不上，请核对这一行；这笔订单这次不算赔付"}]
    assert "3958000000000000002" not in {c.order_id for c in report.checks}


def test_an_order_whose_report_row_was_rejected_for_its_amount_gets_no_pre_sale_advice(tmp_path):
    """The order report row of …002 is rejected (its 买家实际支付金额 above its own 总金额): the refund export alone
    does not show it is pre-sale, and the report used to add 看不出是预售订单 … 或设 presale_only = false."""
    above = edited_export(tmp_path, "taobao_orders.csv", "3958000000000000002", "买家实际支付金额", "1500.00", "o_above.csv")
    report = run([above, DATA / "taobao_refunds.csv"], [])
    assert [(r.file, r.row, r.column) for r in report.rejected] == [("o_above.csv", 3, "买家实际支付金额")]
    assert "3958000000000000002" not in {c.order_id for c in report.checks} | {p.order_id for p in report.payouts}
    assert [c.order_id for c in report.checks if "看不出是预售订单" in c.message] == ["3958000000000000011"]


@pytest.mark.parametrize("text, message", [
    ("[compensation]\nmax_order_amount = 0", "max_order_amount 应该是大于 0 的金额"),
    ("[compensation]\nmax_order_amount = \"很多\"", "max_order_amount = '很多'：请写金额"),
])
def test_the_amount_cap_is_a_setting_checked_like_the_others(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_settings(config(text))
    assert parse_settings(config("[compensation]\nmax_order_amount = 500000")).max_order_amount == Decimal("500000.00")
    assert parse_settings(config()).max_order_amount == Decimal("100000")


def test_an_order_export_given_twice_pays_each_order_once_and_lists_every_row_again(tmp_path):
    again = tmp_path / "taobao_orders_again.csv"
    shutil.copyfile(DATA / "taobao_orders.csv", again)
    once, twice = run(), run(orders=[*ORDERS, again])
    assert money(twice.payouts) == money(once.payouts)
    assert {d.file for d in twice.duplicates} >= {"taobao_orders_again.csv"}
    assert len(twice.duplicates) == len(once.duplicates) + sum(1 for d in twice.duplicates if d.file == "taobao_orders_again.csv")


# ------------------------------------------------------------- issue 11: late apart from nearly late

def test_finance_sees_orders_already_past_their_promise_apart_from_those_about_to_pass_it():
    """The heading 快到承诺发货时间 used to list orders 4 days past their promise; now each list says which."""
    text = render_report(run())
    late = text.index("【预售订单已过承诺发货时间，还没发货】2 单")
    near = text.index("【预售订单快到承诺发货时间，还没发货】3 单")
    assert late < near
    late_block = text[late:near]
    near_block = text[near:text.index("【需要人工核对】")]
    assert "3958000000000000008" in late_block and "超时 4 天" in late_block and "剩 " not in late_block
    assert "3958000000000000204" in near_block and "剩 3 小时" in near_block and "超时 " not in near_block
    data = report_json(run())
    assert [(a["order_id"], a["overdue"]) for a in data["at_risk"]][:3] == [
        ("3958000000000000008", True), ("241106-123456789012345", True), ("3958000000000000204", False)]


def test_a_product_title_typed_with_a_line_break_keeps_the_pre_sale_list_on_its_lines(tmp_path):
    """A 宝贝标题 with a line break in the cell (an export someone opened and saved): the row stays one
    line, folded by the one rule of render.environment, its columns lined up."""
    from handover.textwidth import display_width

    text = (DATA / "taobao_orders.csv").read_text(encoding="gb18030").replace(",毛呢半身裙,", ',"毛呢\n半身裙",')
    orders = tmp_path / "taobao_orders.csv"
    orders.write_text(text, encoding="gb18030")
    result = at_risk_for_pull([orders], config(), NOW)
    for fmt in ("text", "markdown"):
        assert "毛呢\n半身裙" not in render_at_risk(result, fmt)
    lines = render_at_risk(result).splitlines()
    row = next(line for line in lines if "3958000000000000003" in line)
    assert row.endswith("毛呢，半身裙")
    header = next(line for line in lines if "承诺发货" in line and "剩余" in line)
    assert display_width(row[: row.index("11-22 20:00")]) == display_width(header[: header.index("承诺发货")])
    report = render_report(run([orders], []))
    assert "毛呢，半身裙" in report and "毛呢\n半身裙" not in report
