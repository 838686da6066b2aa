"""`handover courier` and `handover summary` print what the library renders (its goldens pin the text)."""

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
