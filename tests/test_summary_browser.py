"""The html summary in a real browser: headless Chromium at a phone's width (375 px and 390 px).

The page is loaded in a phone-wide iframe of a small harness page (headless windows cannot be narrower
than 500 px); a copy of the summary with a measuring script reports back whether anything sticks out
sideways and how big the chart came out. The summary itself never carries a script.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from handover.backends.xlsx import XlsxBackend
from handover.model.config import load_config
from handover.model.handover_tab import parse_handover
from handover.render.views import render_summary
from handover.summary import build_summary

DATA = Path(__file__).parent / "data" / "messages"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install -y chromium fonts-wqy-microhei)")

PROBE = """<script>
var root = document.documentElement, chart = document.querySelector("svg");
var box = chart ? chart.getBoundingClientRect() : {width: 0, height: 0};
parent.postMessage(JSON.stringify({scroll: root.scrollWidth, client: root.clientWidth,
                                   chart: [box.width, box.height]}), "*");
</script></body>"""

HARNESS = """<!doctype html><html><body style="margin:0">
<iframe src="probe.html" width="{width}" height="1200" style="border:0"></iframe><pre id="out"></pre>
<script>addEventListener("message", function (e) { document.getElementById("out").textContent = e.data; });</script>
</body></html>"""


def chromium(tmp_path: Path, *args: str) -> str:
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def measure(tmp_path: Path, html: str, width: int = 375) -> dict:
    (tmp_path / "probe.html").write_text(html.replace("</body>", PROBE), encoding="utf-8")
    (tmp_path / "harness.html").write_text(HARNESS.replace("{width}", str(width)), encoding="utf-8")
    dom = chromium(tmp_path, "--window-size=800,1300", "--virtual-time-budget=5000", "--dump-dom",
                   (tmp_path / "harness.html").as_uri())
    found = re.search(r'<pre id="out">([^<]*)</pre>', dom)
    assert found and found.group(1), "the page did not report its measurements"
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.fixture(scope="module")
def html():
    config = load_config(str(DATA / "handover.toml"))
    tz = config.timezone
    now = datetime(2026, 11, 22, 22, 30, tzinfo=tz)
    grid = XlsxBackend(DATA / "handover.xlsx").read(["交接"])["交接"]
    items = parse_handover(grid, tz, now=now).items
    return render_summary(build_summary(items, date(2026, 11, 22), config, now, payouts=[], at_risk=[]), "html")


@pytest.fixture(scope="module")
def example_html():
    """The example workbook the morning after: a row of unknown 类型, a long 其他 row in the table."""
    root = Path(__file__).resolve().parent.parent / "examples"
    config = load_config(str(root / "handover.toml"))
    now = datetime(2026, 11, 23, 9, 5, tzinfo=config.timezone)
    items = parse_handover(XlsxBackend(root / "handover.xlsx").read(["交接"])["交接"], config.timezone).items
    return render_summary(build_summary(items, date(2026, 11, 22), config, now, payouts=[],
                                        at_risk=[("3958000000000000008", -121.2, 36)]), "html")


@pytest.mark.parametrize("page", ["html", "example_html"])
@pytest.mark.parametrize("width", [375, 390])
def test_fits_a_phone_screen(tmp_path, request, page, width):
    found = measure(tmp_path, request.getfixturevalue(page), width)
    assert found["client"] == width
    assert found["scroll"] <= found["client"], f"the page scrolls sideways at {width} px: {found}"
    width, height = found["chart"]
    assert width >= found["client"] - 40, "the chart should use the width of the screen"
    assert 120 < height < 300


def test_the_measurement_catches_a_page_too_wide(tmp_path, html):
    # The check above can fail: a 600 px table is caught.
    wide = html.replace("</main>", '<table style="width:600px"><tr><td>太宽</td></tr></table></main>')
    found = measure(tmp_path, wide)
    assert found["scroll"] > found["client"]


def test_screenshot_at_375(tmp_path, html):
    page = tmp_path / "summary.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "summary.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=375,1200", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (375, 1200)
    assert len(data) > 20_000  # a blank page compresses to almost nothing
