"""The daily summary: counts as of the day's end, privacy, compensation, the chart, and the three
formats (goldens in tests/data/messages/golden/, `UPDATE_GOLDEN=1` to regenerate)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import conftest
import pytest
from freezegun import freeze_time

from handover.model.config import parse_config
from handover.model.handover_tab import parse_handover
from handover.render.chart import Series, nice_step, stacked_bars
from handover.render.environment import TemplateError
from handover.render.views import render_summary
from handover.sheet import Grid
from handover.summary import AtRisk, build_summary

DATA = Path(__file__).parent / "data" / "messages"
GOLDEN = DATA / "golden"
EVENING = "2026-11-22 14:30:00"  # UTC: 22:30 in Shanghai, the evening the summary is written
DAY = date(2026, 11, 22)


def check_golden(name: str, text: str) -> None:
    conftest.check_golden(GOLDEN / name, text)


@pytest.fixture
def config(shop_config):
    return shop_config


@pytest.fixture
def items(config):
    return conftest.shop_items(config, EVENING)


def ledger(tz):
    payouts = [
        ("3958111200000000001", "presale_late", Decimal("59.70"), datetime(2026, 11, 22, 15, 3, tzinfo=tz)),
        ("3958110900000000007", "affiliate_deduction", Decimal("268.00"), datetime(2026, 11, 22, 16, 40, tzinfo=tz)),
        ("3958111000000000009", "presale_late", Decimal("29.85"), datetime(2026, 11, 22, 17, 5, tzinfo=tz)),
        ("3958110900000000008", "presale_late", Decimal("35.70"), datetime(2026, 11, 21, 16, 40, tzinfo=tz)),  # not today
    ]
    at_risk = [("3958110800000000011", 30, Decimal("89.70")), ("4812110700000000012", 5.5, Decimal("44.70")),
               ("3958110600000000013", -2.5, Decimal("17.70"))]
    return payouts, at_risk


@pytest.fixture
def summary(items, config):
    payouts, at_risk = ledger(config.timezone)
    with freeze_time(EVENING):
        return build_summary(items, DAY, config, datetime.now(config.timezone), payouts=payouts, at_risk=at_risk)


# ------------------------------------------------------------------------------------------- goldens

@pytest.mark.parametrize("fmt, name", [("text", "summary.txt"), ("markdown", "summary.md"), ("html", "summary.html")])
def test_golden(summary, fmt, name):
    check_golden(name, render_summary(summary, fmt))


# -------------------------------------------------------------------------------------------- counts

def test_counts_of_the_day(summary):
    assert summary.logged == 19  # 2 during the day, 17 at night (one without 编号)
    assert (summary.done, summary.cancelled, summary.handled) == (5, 1, 6)
    assert summary.open == 20  # 2 carried over + 17 tonight + 1 without 登记时间
    assert (summary.carried_in, summary.carried_handled, summary.carried_open) == (6, 4, 2)
    assert summary.undated == 1
    assert summary.oldest.id == "H20261118-002" and summary.oldest.waiting_text == "已等 3 天 23 小时"
    assert [o.id for o in summary.open_items[:2]] == ["H20261118-002", "H20261120-001"]
    assert summary.open_items[-1].id == "H20261122-020"  # no 登记时间: last


def test_by_route_and_category(summary):
    routes = {r.key: r for r in summary.routes}
    assert list(routes) == ["warehouse", "courier", "customer"]
    courier = routes["courier"]
    assert (courier.counts.logged, courier.counts.handled, courier.counts.open) == (10, 2, 10)
    assert [c.key for c in courier.categories] == ["address_change", "intercept", "weight_query"]
    unreachable = next(c for c in routes["customer"].categories if c.key == "address_unreachable")
    assert (unreachable.counts.logged, unreachable.counts.handled, unreachable.counts.open) == (0, 0, 1)


def test_a_past_day_is_told_as_it_stood_then(items, config):
    # Yesterday's items handled today were still open when yesterday ended.
    with freeze_time(EVENING):
        past = build_summary(items, date(2026, 11, 21), config, datetime.now(config.timezone))
    assert (past.logged, past.handled, past.cancelled) == (3, 0, 0)
    # 18-002, 20-001, 20-002, the three of the 21st, and the undated row.
    assert past.open == 7
    assert past.as_of_text == "当天结束" and past.as_of_phrase == "截至当天结束"
    # 20-002 was done and 21-003 cancelled on the 22nd: open at the end of the 21st, and called neither
    # 已完成 nor 已取消; the 22nd counts them handled, once.
    statuses = {o.id: o.status for o in past.open_items}
    assert (statuses["H20261120-002"], statuses["H20261121-003"]) == ("11月22日才完成", "11月22日才取消")
    assert past.payouts is None and past.at_risk is None


def test_history_covers_seven_days_by_category(summary):
    assert [d.day for d in summary.history] == [date(2026, 11, d) for d in range(16, 23)]
    assert [d.total for d in summary.history] == [2, 0, 3, 2, 2, 3, 19]
    assert summary.history[-1].counts["intercept"] == 4
    assert [c.key for c in summary.history_categories][:3] == ["missing_item", "no_tracking", "urge_shipment"]


# ------------------------------------------------------------------------------------------ privacy

@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_phones_masked_and_names_shortened(summary, fmt):
    text = render_summary(summary, fmt)
    assert not re.search(r"1[3-9]\d{9}", text), "a full phone number in the summary"
    assert "135****5678" in text and "吴*" in text
    for name in ("张晓梅", "马建国", "tb_lily2020"):
        assert name not in text


# ------------------------------------------------------------------------------------- compensation

def test_compensation_of_the_day(summary):
    assert [p.order_id for p in summary.payouts] == ["3958111200000000001", "3958110900000000007", "3958111000000000009"]
    assert [(t.kind, t.count, t.amount_text) for t in summary.payout_totals] == [
        ("presale_late", 2, "¥89.55"), ("affiliate_deduction", 1, "扣佣金 ¥268.00")]
    assert [r.order_id for r in summary.at_risk] == ["3958110600000000013", "4812110700000000012", "3958110800000000011"]
    assert summary.at_risk_total_text == "¥152.10"
    text = render_summary(summary, "text")
    # one name per payout kind; a commission kept back is never added to compensation paid
    assert "今天记入赔付记录 3 笔：预售延迟发货赔付 2 笔 ¥89.55；淘宝客扣佣退款 1 笔 扣佣金 ¥268.00。" in text
    assert "预售已过承诺发货时间、还没发货 1 单，可能要赔 ¥17.70；超时最久的是订单 3958110600000000013，超时 2 小时。" in text
    assert "预售快到承诺发货时间 2 单，超时就可能要赔 ¥134.40；最急的是订单 4812110700000000012，剩 5 小时。" in text


def test_compensation_left_out_without_a_ledger_and_said_when_empty(items, config):
    now = datetime(2026, 11, 22, 22, 30, tzinfo=config.timezone)
    without = render_summary(build_summary(items, DAY, config, now), "text")
    assert "赔付" not in without
    empty = render_summary(build_summary(items, DAY, config, now, payouts=[], at_risk=()), "text")
    assert "今天没有记入赔付记录的赔付。" in empty and "目前没有快到期要赔付的订单。" in empty


def test_a_script_asking_a_past_days_summary_with_todays_pre_sale_orders_gets_them_left_out(items, config):
    """The at-risk list is how the orders stand now: a day already over cannot be told from it."""
    payouts, at_risk = ledger(config.timezone)
    now = datetime(2026, 11, 22, 22, 30, tzinfo=config.timezone)
    past = build_summary(items, date(2026, 11, 21), config, now, payouts=payouts, at_risk=at_risk,
                         orders_missing=["exports/*.csv"])
    assert (past.at_risk, past.at_risk_today_only, past.orders_missing) == (None, True, [])
    text = render_summary(past, "text")
    assert text.endswith("\n■ 赔付\n当天记入赔付记录 1 笔：预售延迟发货赔付 1 笔 ¥35.70。\n"
                         "预售订单的超时提醒只在今天的日报里有：订单导出文件是订单现在的样子，看不出当天的情况。\n")
    today = build_summary(items, DAY, config, now, at_risk=at_risk)
    assert len(today.at_risk) == 3 and not today.at_risk_today_only


def test_a_script_whose_order_exports_were_not_all_read_is_not_told_none_are_at_risk(items, config):
    now = datetime(2026, 11, 22, 22, 30, tzinfo=config.timezone)
    summary = build_summary(items, DAY, config, now, at_risk=[], orders_unreadable=["broken.csv：表头里找不到订单号列"])
    text = render_summary(summary, "text")
    assert text.endswith("\n■ 赔付\n读不了订单导出文件：broken.csv：表头里找不到订单号列\n")


def test_a_script_asking_the_summary_of_a_day_not_yet_come_is_refused(items, config):
    from handover.errors import ConfigError

    with pytest.raises(ConfigError, match="^2026年11月23日还没到（今天是 2026年11月22日）"):
        build_summary(items, date(2026, 11, 23), config, datetime(2026, 11, 22, 23, 59, tzinfo=config.timezone))


@pytest.mark.parametrize("hours, text", [(-0.2, "刚超时"), (-121, "超时 5 天 1 小时"), (-120.5, "超时 5 天"),
                                         (0.5, "剩不到 1 小时"), (5.9, "剩 5 小时"), (47, "剩 1 天 23 小时"),
                                         (50, "剩 2 天 2 小时")])
def test_hours_left(hours, text):
    assert AtRisk("1", hours, Decimal(1)).hours_text == text


# --------------------------------------------------------------------------------------------- html

class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.meta: list[dict] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        self.links += [attrs[name] for name in ("src", "href", "xlink:href", "action", "data") if attrs.get(name)]
        if tag == "meta":
            self.meta.append(attrs)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def test_html_is_one_self_contained_phone_page(summary):
    html = render_summary(summary, "html")
    page = _Page()
    page.feed(html)
    assert "svg" in page.tags and "rect" in page.tags
    assert any(m.get("name") == "viewport" and "width=device-width" in m.get("content", "") for m in page.meta)
    assert any(m.get("charset", "").lower() == "utf-8" for m in page.meta)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    assert not [link for link in page.links if re.match(r"(https?:)?//", link)]
    assert "http" not in html  # nothing points anywhere: no fonts, no images, no scripts
    assert "@import" not in page.style and "url(" not in page.style
    assert "@media (min-width" in page.style  # phone first, widening on a desktop


def test_html_escapes_what_the_sheet_says(config):
    header = ["编号", "登记时间", "类型", "订单号", "买家", "电话"]
    rows = [["<b>H1</b>", "2026-11-22 20:00", "其他", "1", "<script>x</script>", "13812345678"]]
    table = parse_handover(Grid("交接", header, rows), config.timezone)
    html = render_summary(build_summary(table.items, DAY, config, datetime(2026, 11, 22, 23, 0, tzinfo=config.timezone)), "html")
    assert "<b>H1</b>" not in html and "&lt;b&gt;H1&lt;/b&gt;" in html
    assert "<script>" not in html


def test_an_empty_day(config):
    now = datetime(2026, 11, 22, 23, 0, tzinfo=config.timezone)
    summary = build_summary([], DAY, config, now)
    text = render_summary(summary, "text")
    assert "今天新登记 0 件，处理 0 件（完成 0，取消 0）。截至 11月22日 23:00，还有 0 件没处理完。" in text
    assert "■" not in text
    html = render_summary(summary, "html")
    assert "<svg" in html and "这 7 天没有登记。" in html


def test_unknown_format(summary):
    with pytest.raises(ValueError):
        render_summary(summary, "pdf")


# -------------------------------------------------------------------------------------------- chart

@pytest.mark.parametrize("top, step", [(1, 1), (5, 1), (6, 2), (10, 2), (11, 5), (25, 5), (26, 10), (101, 50)])
def test_nice_step(top, step):
    assert nice_step(top) == step


def test_stacked_bars_draw_one_rect_per_nonzero_value():
    svg = stacked_bars([("11/21", "周六"), ("11/22", "周日")],
                       [Series("漏发", "#d9480f", (1, 0)), Series("拦截", "#4dabf7", (2, 3))], title="测试<图>")
    assert svg.count("<rect") == 3
    assert "测试&lt;图&gt;" in svg and ">3<" in svg  # totals written above the bars
    with pytest.raises(ValueError):
        stacked_bars([("a", "b")], [Series("x", "#000", (1, 2))], title="t")


# ---------------------------------------------------------------------------------------- templates

def test_an_overriding_summary_template_wins(summary, tmp_path):
    (tmp_path / "summary.txt.j2").write_text("{{ summary.date_text }}：新 {{ summary.logged }}，欠 {{ summary.open }}\n",
                                             encoding="utf-8")
    assert render_summary(summary, "text", tmp_path) == "2026年11月22日 周日：新 19，欠 20\n"
    assert render_summary(summary, "markdown", tmp_path).startswith("# 交接日报")  # others still shipped


def test_a_summary_template_naming_a_missing_field_fails_loudly(summary, tmp_path):
    (tmp_path / "summary.md.j2").write_text("{{ summary.refund_rate }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        render_summary(summary, "markdown", tmp_path)
    assert "summary.md.j2" in str(error.value) and "refund_rate" in str(error.value)


def test_summary_without_shop_name():
    config = parse_config({})
    summary = build_summary([], DAY, config, datetime(2026, 11, 22, 23, 0, tzinfo=config.timezone))
    assert render_summary(summary, "text").startswith("【交接日报】2026年11月22日 周日\n")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_owner_reads_pre_sale_orders_past_their_promise_apart_from_those_about_to_pass_it(summary, items, config, fmt):
    text = render_summary(summary, fmt)
    late, near = text.index("预售已过承诺发货时间、还没发货"), text.index("预售快到承诺发货时间")
    assert late < near
    assert "超时 2 小时" in text[late:near] and "剩 " not in text[late:near]
    assert "剩 5 小时" in text[near:] and "超时 " not in text[near:].replace("超时就可能要赔", "")
    only_near = build_summary(items, DAY, config, datetime(2026, 11, 22, 22, 30, tzinfo=config.timezone), payouts=[],
                              at_risk=[("4812110700000000012", 5.5, Decimal("44.70"))])
    assert "已过承诺发货时间" not in render_summary(only_near, fmt)
