from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handover.model.values import (
    ValueProblem,
    from_serial,
    mask_phone,
    money_text,
    parse_datetime,
    parse_money,
    parse_order_id,
    parse_phone,
    parse_rate,
    parse_tracking_no,
    short_name,
    to_fen,
    to_serial,
)
from handover.sheet import clean_text

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("raw, expected", [
    ("¥1,299.00", Decimal("1299.00")),
    ("￥1,299.00", Decimal("1299.00")),
    ("1299元", Decimal("1299")),
    ("１２９９", Decimal("1299")),
    ('"=""59.90"""', Decimal("59.90")),
    ('="59.90"', Decimal("59.90")),
    (59.9, Decimal("59.9")),
    (12, Decimal("12")),
    (" 0.05 ", Decimal("0.05")),
    ("RMB 88.88", Decimal("88.88")),
    ("-5.00", Decimal("-5.00")),
])
def test_money_as_shops_write_it(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12.3.4", "1,2a", True])
def test_not_money(raw):
    with pytest.raises(ValueProblem):
        parse_money(raw)


@pytest.mark.parametrize("amount, rate, expected", [
    ("88.88", "0.30", "26.66"),  # 26.664
    ("0.05", "0.30", "0.02"),  # 0.015 rounds half up
    ("0.01", "0.50", "0.01"),  # 0.005 rounds half up
    ("800", "0.30", "240.00"),
    ("59.90", "0.30", "17.97"),
])
def test_half_up_to_the_fen(amount, rate, expected):
    assert money_text(Decimal(amount) * Decimal(rate)) == expected


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_money_survives_every_way_it_is_written(amount):
    text = f"{amount:,.2f}"
    for written in (text, f"¥{text}", f"{text}元", f'="{text}"', text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert parse_money(written) == amount
    assert parse_money(float(amount)) == amount


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_to_fen_is_half_up_and_within_half_a_fen(amount):
    rounded = to_fen(amount)
    assert abs(rounded - amount) <= Decimal("0.005")
    assert rounded == rounded.quantize(Decimal("0.01"))


@pytest.mark.parametrize("raw, expected", [("30%", "0.30"), ("0.3", "0.3"), ("30", "0.30"), ("５%", "0.05")])
def test_rates(raw, expected):
    assert parse_rate(raw) == Decimal(expected)


@pytest.mark.parametrize("raw, expected", [
    (datetime(2026, 11, 22, 23, 40), datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    (date(2026, 11, 22), datetime(2026, 11, 22, tzinfo=TZ)),
    (46348.98611111111, datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("46348.98611111111", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("2026/11/22 23:40", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("2026-11-22", datetime(2026, 11, 22, tzinfo=TZ)),
    ("2026-11-22 23:40:05", datetime(2026, 11, 22, 23, 40, 5, tzinfo=TZ)),
    ("2026年11月22日 23:40", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("2026年11月22日23时40分", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("2026.11.22", datetime(2026, 11, 22, tzinfo=TZ)),
    ("20261122", datetime(2026, 11, 22, tzinfo=TZ)),
    ("２０２６／１１／２２　２３：４０", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("2026-11-22T15:40:00Z", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("2026-11-22T23:40:00+08:00", datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
])
def test_dates_in_every_form_a_sheet_holds(raw, expected):
    assert parse_datetime(raw, TZ) == expected


@pytest.mark.parametrize("raw, reference, expected", [
    ("11月22日 23:40", datetime(2026, 11, 23, 9, 0, tzinfo=TZ), datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
    ("12月31日 23:40", datetime(2027, 1, 2, 9, 0, tzinfo=TZ), datetime(2026, 12, 31, 23, 40, tzinfo=TZ)),
    ("1月2日", datetime(2026, 12, 31, 9, 0, tzinfo=TZ), datetime(2027, 1, 2, tzinfo=TZ)),
    ("11-22 23:40", datetime(2026, 11, 23, 9, 0, tzinfo=TZ), datetime(2026, 11, 22, 23, 40, tzinfo=TZ)),
])
def test_year_inferred_from_the_log_date(raw, reference, expected):
    assert parse_datetime(raw, TZ, reference=reference) == expected


@pytest.mark.parametrize("raw", ["昨晚", "2026-13-01", "2月30日", "25:00", "11月31日 10:00", True])
def test_not_dates(raw):
    with pytest.raises(ValueProblem):
        parse_datetime(raw, TZ, reference=datetime(2026, 11, 23, tzinfo=TZ))


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)))
def test_serials_round_trip_to_the_second(moment):
    moment = moment.replace(microsecond=0, tzinfo=TZ)
    assert from_serial(to_serial(moment, TZ), TZ) == moment


@pytest.mark.parametrize("raw, expected", [
    ("3958120345678901234", "3958120345678901234"),
    ('="3958120345678901234"', "3958120345678901234"),
    ("3958120345678901234\t", "3958120345678901234"),
    ("'3958120345678901234", "3958120345678901234"),
    ("231122-508812345678901", "231122-508812345678901"),
    (123456789012.0, "123456789012"),
    (123456789012, "123456789012"),
    ("３９５８１２０３４５６７８９０１２３４", "3958120345678901234"),
])
def test_order_ids_are_exact_text(raw, expected):
    assert parse_order_id(raw) == expected


@pytest.mark.parametrize("raw", ["3.45678901234568E+18", "3.45678901234568e18", 3.456789012345679e18,
                                 "3456789012345678901.0", 9.1e15])
def test_float_mangled_ids_are_refused_never_guessed(raw):
    with pytest.raises(ValueProblem, match="丢失"):
        parse_order_id(raw)


@given(st.integers(min_value=10**17, max_value=10**19 - 1))
def test_long_ids_survive_as_text(number):
    assert parse_order_id(str(number)) == str(number)
    assert parse_order_id(f'="{number}"') == str(number)
    assert parse_order_id(f"{number}\t") == str(number)


@pytest.mark.parametrize("raw, expected", [
    ("SF 1409 8765 4321 0", "SF1409876543210"),
    ("ｓｆ１４０９８７６５４３２１０", "SF1409876543210"),
    ("  773012345678901 ", "773012345678901"),
    (773012345678901.0, "773012345678901"),
    ("YT\u30008823456789012", "YT8823456789012"),
])
def test_tracking_numbers_lose_spaces_and_full_width(raw, expected):
    assert parse_tracking_no(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 13812345678", "13812345678"),
    (13812345678, "13812345678"),
    ("13812345678-1234", "13812345678-1234"),
    ("13812345678转1234", "13812345678-1234"),
    ("021-12345678", "021-12345678"),
])
def test_phones(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "电话"])
def test_not_phones(raw):
    with pytest.raises(ValueProblem):
        parse_phone(raw)


def test_privacy_helpers():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("13812345678-1234") == "138****5678"
    assert short_name("张三丰") == "张*"
    assert short_name("tb_lily2020") == "tb***"


def test_free_text_keeps_chinese_punctuation():
    assert clean_text("  少了腰带，赠品也没有！ ") == "少了腰带，赠品也没有！"
