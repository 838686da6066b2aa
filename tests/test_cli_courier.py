"""`handover courier` and `handover summary` print what the library renders (its goldens pin the text)."""

import re
import shutil

import pytest
from conftest import DATA
from fake_clipboard import clipboard  # noqa: F401 - the fixture
from freezegun import freeze_time

MORNING = "2026-11-23 09:10:00+08:00"
EVENING = "2026-11-22 22:30:00+08:00"


@pytest.fixture
def shop(tmp_path):
    for name in ("handover.xlsx", "handover.toml"):
        shutil.copyfile(DATA / "messages" / name, tmp_path / name)
    return tmp_path


@freeze_time(MORNING)
def test_courier_prints_every_company_block(run, shop):
    result = run("courier", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    assert result.stdout == (DATA / "messages" / "golden" / "courier.txt").read_text(encoding="utf-8")


@freeze_time(MORNING)
def test_courier_for_one_company_by_alias(run, shop):
    result = run("courier", "--courier", "STO", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    assert result.stdout == (DATA / "messages" / "golden" / "courier_sto.txt").read_text(encoding="utf-8")


def test_an_unknown_courier_is_a_usage_error(run, shop):
    result = run("courier", "--courier", "安能", "--sheet", "handover.xlsx")
    assert result.exit_code == 2
    assert "安能" in result.stderr


@freeze_time(MORNING)
def test_copy_puts_only_the_messages_on_the_clipboard(run, shop, clipboard):
    result = run("courier", "--copy", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    copied = clipboard.read_text(encoding="utf-8")
    assert copied == (DATA / "messages" / "golden" / "courier_copy.txt").read_text(encoding="utf-8")
    assert "剪贴板" in result.stderr


@freeze_time(MORNING)
def test_copy_without_a_clipboard_says_so(run, shop, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    result = run("courier", "--copy", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    assert result.stdout  # the messages are still printed
    assert "剪贴板" in result.stderr


@freeze_time(EVENING)
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_summary_prints_the_library_summary(run, shop, fmt):
    from datetime import date, datetime

    from handover.backends.xlsx import XlsxBackend
    from handover.model.config import load_config
    from handover.model.handover_tab import parse_handover
    from handover.render.views import render_summary
    from handover.summary import build_summary

    result = run("summary", "--date", "2026-11-22", "--format", fmt, "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    config = load_config(str(shop / "handover.toml"))
    now = datetime.now(config.timezone)
    items = parse_handover(XlsxBackend(shop / "handover.xlsx").read(["交接"])["交接"], config.timezone, now=now).items
    # No ledger is read yet, so there is no money section (None), not an empty one.
    assert result.stdout == render_summary(build_summary(items, date(2026, 11, 22), config, now), fmt)
    assert "赔付" not in result.stdout


@freeze_time(EVENING)
def test_summary_html_to_a_file(run, shop, tmp_path):
    result = run("summary", "--format", "html", "--out", "summary.html", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert page.lower().startswith("<!doctype html>") and "<svg" in page and "http://" not in page.replace("http://www.w3.org", "")


@pytest.fixture
def example(tmp_path):
    for name in ("handover.xlsx", "handover.toml"):
        shutil.copyfile(DATA.parent.parent / "examples" / name, tmp_path / name)
    return tmp_path


@freeze_time("2026-11-23 09:05:00+08:00")
def test_owner_reading_yesterdays_summary_next_morning_sees_one_story(run, example):
    """Issue 11: the card said 20 新登记 and the chart 19, an item cancelled after midnight was listed as
    open with an 已取消 badge, "截至 当天结束", and 今天 for a day that was over. The item cancelled at 00:10
    on the 23rd was still open when the 22nd ended, and says when it was cancelled."""
    pages = {fmt: run("summary", "--date", "2026-11-22", "--format", fmt).stdout for fmt in ("text", "markdown", "html")}
    for page in pages.values():
        assert "今天" not in page and "今日" not in page and "截至 当天结束" not in page
        assert "已取消" not in page
    assert pages["text"].startswith("【交接日报】2026年11月22日 周日　悦衣旗舰店\n"
                                    "当天新登记 20 件，处理 1 件（完成 1，取消 0）。截至当天结束，还有 21 件没处理完，")
    assert re.search(r"\| H20261122-019 \| [^|]+ \| 11月23日才取消 \|", pages["markdown"])
    assert '<span class="id">H20261122-019</span> <span class="tag">改地址</span> <span class="tag">11月23日才取消</span>' in pages["html"]
    assert "  其他（含类型不明的 1 件）：2 / 0 / 2\n" in pages["text"]
    assert "| 11/22 | 2 | 1 | 4 | 4 | 2 | 2 | 2 | 1 | 2 | 20 |" in pages["markdown"]
    assert "<title>11/22 其他 2</title>" in pages["html"] and '<div class="stat"><b>20</b><span>新登记</span>' in pages["html"]
    assert "| H20261122-013 | 其他（类型不明） | 待处理 |" in pages["markdown"]


@freeze_time("2026-11-22 23:00:00+08:00")
def test_summary_written_the_same_evening_says_today(run, example):
    text = run("summary").stdout
    assert text.startswith("【交接日报】2026年11月22日 周日　悦衣旗舰店\n今天新登记 ")
    assert "截至 11月22日 23:00，还有 " in text


@freeze_time("2026-11-23 09:00:00+08:00")
def test_an_overdue_presale_order_reads_the_same_in_the_summary_as_in_the_morning_list(run, tmp_path):
    shutil.copyfile(DATA / "features.xlsx", tmp_path / "features.xlsx")
    orders = ["--orders", str(DATA / "compensation" / "taobao_orders.csv"), "--sheet", "features.xlsx"]
    pull = run("pull", *orders).stdout
    in_pull = dict(re.findall(r"^  (\d{19})  淘宝  (\S+(?: \S+)*)  ", pull, re.MULTILINE))
    summary = run("summary", "--format", "markdown", *orders).stdout
    in_summary = dict(re.findall(r"^\| (\d{19}) \| ([^|]+?) \|", summary, re.MULTILINE))
    assert in_pull == in_summary == {"3958000000000000008": "超时 5 天", "3958000000000000002": "超时 2 天 21 小时",
                                     "3958000000000000003": "超时 13 小时"}
    assert "超时最久的是订单 3958000000000000008，超时 5 天。" in run("summary", *orders).stdout
