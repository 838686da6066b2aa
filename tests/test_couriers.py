"""The courier registry: recognising the company from real-shaped waybill numbers, aliases, the
"number does not fit the named courier" warning, and the shop's contacts from handover.toml."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handover.errors import ConfigError
from handover.model.config import parse_config
from handover.model.couriers import (
    COURIER_BY_KEY,
    COURIERS,
    courier_contacts,
    courier_of,
    recognise,
)
from handover.model.handover_tab import WARNING, parse_handover
from handover.sheet import Grid

TZ = ZoneInfo("Asia/Shanghai")

# Numbers shaped like those printed on current labels (several from public courier-recognition tables).
REAL_SHAPED = [
    ("sto", "773277027280336"),  # 15 digits from 77
    ("sto", "77316523125896"),  # 14 digits from 773
    ("zto", "73610555582883"),
    ("zto", "75412345678901"),
    ("zto", "78312345678901"),
    ("yto", "YT8962646785389"),
    ("yunda", "463431409940372"),
    ("yunda", "432542035598773"),
    ("yunda", "312345678901234"),
    ("sf", "SF1385628716739"),
    ("jt", "JT5261988016578"),
    ("jt", "JT0006968326954"),
    ("ems", "1207119765021"),
    ("ems", "9891234567890"),
    ("ems", "EA123456789CN"),
    ("jd", "JDX024407261700"),
    ("jd", "JDVA11408814483"),
    ("jd", "JDVA11408814483-1-2-"),  # parcel suffix of a multi-parcel order
    ("deppon", "DPK202252612836"),
]


@pytest.mark.parametrize("key, number", REAL_SHAPED)
def test_recognises_real_shaped_numbers(key, number):
    courier = recognise(number)
    assert courier is not None and courier.key == key
    # Current shapes never overlap, or recognition would depend on the order of the registry.
    assert [c.key for c in COURIERS if c.marks(number)] == [key]
    assert COURIER_BY_KEY[key].fits(number)


@pytest.mark.parametrize("key, number", [
    ("sto", "268123456789"),  # 12 digits from 268: also an old SF or ZTO shape
    ("yunda", "3100123456789"),  # old 13-digit Yunda
    ("sf", "612345678901"),  # old 12-digit SF
    ("deppon", "5012345678"),  # old 10-digit Deppon
    ("yto", "YT1234567890"),  # early YT + 10 digits
])
def test_older_numbers_fit_their_courier_but_are_not_guessed(key, number):
    assert COURIER_BY_KEY[key].fits(number)
    assert recognise(number) is None


def test_numbers_no_courier_prints_are_not_recognised():
    assert recognise("1234567890123456") is None
    assert recognise("ABC") is None
    assert not any(c.fits("1234567890123456") for c in COURIERS)


@pytest.mark.parametrize("text, key", [
    ("申通", "sto"), ("申通快递", "sto"), ("STO", "sto"), ("sto express", "sto"), ("ＳＴＯ", "sto"),
    ("中通快递", "zto"), ("ZTO", "zto"), ("圆通速递", "yto"), ("韵达快递", "yunda"), ("顺丰速运", "sf"),
    ("SF Express", "sf"), ("J&T", "jt"), ("极兔速递", "jt"), ("EMS", "ems"), ("中国邮政", "ems"),
    ("邮政快递包裹", "ems"), ("京东物流", "jd"), ("德邦快递", "deppon"), (" 德邦物流 ", "deppon"),
])
def test_aliases(text, key):
    courier = courier_of(text)
    assert courier is not None and courier.key == key


def test_unknown_name():
    assert courier_of("百世快递") is None
    assert courier_of("") is None


@pytest.mark.parametrize("key, number", [
    ("zto", "JT0006968326954"),  # a J&T number under 中通
    ("zto", "77316523125896"),  # STO's 77… under 中通: the usual mix-up of the two 通
    ("sto", "78312345678901"),  # and the other way round
    ("sf", "YT8962646785389"),
    ("jt", "773277027280336"),
])
def test_number_fitting_no_shape_of_the_named_courier(key, number):
    assert not COURIER_BY_KEY[key].fits(number)


def _parse(rows):
    header = ["编号", "类型", "订单号", "快递公司", "快递单号", "原地址", "新地址"]
    return parse_handover(Grid("交接", header, rows), TZ, now=datetime(2026, 11, 23, 9, 0, tzinfo=TZ)).items


def test_sheet_row_warns_when_the_number_does_not_fit_the_named_courier():
    [item] = _parse([["H1", "查重量", "1", "中通", "JT0006968326954", None, None]])
    assert item.courier.key == "zto" and not item.courier_recognised
    [problem] = item.problems
    assert problem.severity == WARNING and problem.column == "快递单号"
    assert "JT0006968326954" in problem.message and "中通" in problem.message


def test_sheet_row_recognises_a_blank_courier_from_the_number():
    recognised, unknown = _parse([
        ["H1", "查重量", "1", None, "YT8962646785389", None, None],
        ["H2", "查重量", "2", None, "1234567890123456", None, None],
    ])
    assert recognised.courier.key == "yto" and recognised.courier_recognised
    assert unknown.courier is None and not unknown.courier_recognised


# ------------------------------------------------------------------------------------------ contacts

def _config(raw):
    return parse_config(raw)


def test_contacts_from_config():
    contacts = courier_contacts(_config({"couriers": {
        "sto": {"contact": " 申通余杭网点 王师傅 ", "qq": "123456789"},
        "中通": {"qq": 87654321, "sign_off": "小鹿服饰 售后"},
    }}))
    assert set(contacts) == {c.key for c in COURIERS}
    assert contacts["sto"].contact == "申通余杭网点 王师傅"
    assert contacts["sto"].where == "QQ 123456789，联系人 申通余杭网点 王师傅"
    assert contacts["zto"].qq == "87654321"  # a QQ number written without quotes
    assert contacts["zto"].sign_off == "小鹿服饰 售后"
    assert contacts["sf"].where == ""


@pytest.mark.parametrize("raw, fragment", [
    ({"couriers": {"baishi": {"qq": "1"}}}, "[couriers.baishi] 不是认识的快递公司"),
    ({"couriers": {"sto": {"cotnact": "王师傅"}}}, "不认识 cotnact"),
    ({"couriers": {"sto": {"qq": ["1", "2"]}}}, "qq 应该是文字"),
    ({"couriers": {"sto": "王师傅"}}, "应该是一个表"),
    ({"couriers": {"sto": {"qq": "1"}, "申通": {"qq": "2"}}}, "是同一家快递公司"),
])
def test_contact_config_errors_name_the_section(raw, fragment):
    with pytest.raises(ConfigError) as error:
        courier_contacts(_config(raw))
    assert fragment in str(error.value)
    assert "handover.toml" in str(error.value)
