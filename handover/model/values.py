"""Parsing raw cell text into typed values, once, at the edge.

Every parser takes what a sheet or an export file holds (str, number, datetime, None) and returns a
clean value or raises ValueProblem with a message a shop assistant can act on. The caller adds the row
and column. Nothing here knows about files or sheets.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ..sheet import clean_text
from .schema import PLATFORM_LABELS

FEN = Decimal("0.01")

# Excel's day zero in the 1900 date system (serial 60 is Excel's phantom 1900-02-29, long past us).
_EXCEL_EPOCH = datetime(1899, 12, 30)
# A float has 53 bits of mantissa: integers above this may already have lost digits.
_EXACT_FLOAT_LIMIT = 2**53


class ValueProblem(ValueError):
    """A value that cannot be used; the message says why and what to do."""


def folded(value: object) -> str:
    """clean_text with full-width forms folded (NFKC): for codes and numbers, where `１２９９`, `ＳＦ`
    and `：` mean 1299, SF and `:`."""
    return clean_text(unicodedata.normalize("NFKC", value) if isinstance(value, str) else value)


# ---------------------------------------------------------------------------------------------- money

# A currency mark before the number (¥ and ￥, which NFKC folds to ¥; RMB, CNY) or 元 after it.
_CURRENCY = re.compile(r"^(?:¥|RMB|CNY)?\s*(?P<number>.*?)\s*元?$", re.IGNORECASE | re.DOTALL)
# Plain decimal form: thousands commas only every three digits, at most two decimals.
_PLAIN_MONEY = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?")


def parse_money(value: object) -> Decimal:
    """An amount exactly as written, or ValueProblem: a number cell, or text in plain decimal form
    (`¥1,299.00`, `1299元`, full-width digits, `="59.90"`). Text that could mean two amounts
    (`1 234,5`, `1.234,50`, three decimals, misplaced commas) is refused, never guessed."""
    if isinstance(value, bool):
        raise ValueProblem(f"不是金额：{value}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr gives the shortest text that round-trips: 59.9 stays 59.9, never 59.899999…
        number = Decimal(repr(value))
        if number.is_finite() and number.as_tuple().exponent < -2:  # type: ignore[operator]
            # A formula's float noise (0.1 + 0.2 = 0.30000000000000004) is the amount it shows; any
            # other third decimal (39.123) is an amount nobody can pay to the fen: refused, not rounded.
            fen = number.quantize(Decimal("0.01"))
            if abs(number - fen) > Decimal("1e-9"):
                raise ValueProblem(f"金额看不准：{value}（金额最多两位小数）")
            number = fen
    else:
        text = folded(value)
        if not text:
            raise ValueProblem("金额为空")
        plain = _CURRENCY.match(text).group("number")  # type: ignore[union-attr] - the pattern matches any text
        if not _PLAIN_MONEY.fullmatch(plain):
            if not re.search(r"\d", plain):
                raise ValueProblem(f"不是金额：{text}（请写成 59.90 这样）")
            raise ValueProblem(f"金额看不准：{text}（{_money_hint(plain)}）")
        return Decimal(plain.replace(",", ""))
    if not number.is_finite():
        raise ValueProblem(f"不是金额：{value}")
    return number


def _money_hint(text: str) -> str:
    if re.fullmatch(r"-?[\d,]*\.\d{3,}", text):
        return "金额最多两位小数"
    if re.fullmatch(r"-?\d[\d,]*(\.\d+)?", text):
        return "千位逗号要每三位一个，例如 1,299.00"
    if re.search(r"\d[\s.,]\d{3}[.,]\d", text) or re.search(r"\d\s+\d", text):
        return "分不清哪个是千位分隔、哪个是小数点：请写成 1234.50 这样"
    return "请写成 59.90 这样"


def to_fen(amount: Decimal) -> Decimal:
    """Round half-up to the fen: 26.664 -> 26.66, 0.015 -> 0.02."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def money_text(amount: Decimal) -> str:
    """Exactly two decimals, as SPEC's JSON wants: Decimal('59.7') -> '59.70'."""
    return f"{to_fen(amount):.2f}"


def parse_rate(value: object) -> Decimal:
    """`30%`, `0.3`, `30` (a percentage when above 1) -> Decimal('0.30')."""
    text = folded(value)
    if not text:
        raise ValueProblem("比例为空")
    percent = text.endswith("%")
    number = text.rstrip("%").strip()
    try:
        rate = Decimal(number)
    except InvalidOperation:
        raise ValueProblem(f"不是比例：{text}（请写成 30% 或 0.30）") from None
    if percent or rate > 1:
        rate = rate / 100
    if rate < 0 or rate > 1:
        raise ValueProblem(f"比例超出范围：{text}")
    return rate


# ----------------------------------------------------------------------------------------------- time

_DATE_TIME = re.compile(
    r"""^(?:(?P<year>\d{4})\s*[-/.年]\s*)?
        (?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?
        (?:\s*(?:T|\s)?\s*(?P<hour>\d{1,2})\s*[:：时点]\s*(?P<minute>\d{1,2})?\s*分?
           (?:\s*[:：]\s*(?P<second>\d{1,2})(?:\.\d+)?\s*秒?)?)?
        \s*(?P<offset>Z|[+-]\d{2}:?\d{2})?$""",
    re.VERBOSE,
)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")


def parse_datetime(value: object, tz: ZoneInfo, *, reference: datetime | None = None) -> datetime:
    """A cell's date or time -> an aware datetime in the shop's timezone.

    Accepts datetime/date cells (naive ones are shop time), Excel serial numbers, `2026/11/22 23:40`,
    `2026-11-22`, `2026年11月22日 23:40`, ISO text with an offset, and `11月22日 23:40` whose year is taken
    from `reference` (the log date, else now): the year that puts the date nearest to it.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    if isinstance(value, bool):
        raise ValueProblem(f"不是日期：{value}")
    if isinstance(value, (int, float)):
        return from_serial(value, tz)
    text = folded(value)
    if not text:
        raise ValueProblem("日期为空")
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return from_serial(float(text), tz)
    compact = _COMPACT_DATE.match(text)
    match = compact or _DATE_TIME.match(text)
    if not match:
        raise ValueProblem(f"看不懂的时间：{text}（请写成 2026-11-22 23:40）")
    parts = match.groupdict()
    month, day = int(parts["month"]), int(parts["day"])
    hour = int(parts.get("hour") or 0)
    minute = int(parts.get("minute") or 0)
    second = int(parts.get("second") or 0)
    try:
        if parts["year"]:
            year = int(parts["year"])
        else:
            year = _nearest_year(month, day, reference or datetime.now(tz))
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise ValueProblem(f"没有这个日期或时间：{text}") from None
    offset = parts.get("offset")
    if offset:
        aware = datetime.fromisoformat(moment.isoformat() + ("+00:00" if offset == "Z" else offset))
        return aware.astimezone(tz)
    return moment.replace(tzinfo=tz)


def _nearest_year(month: int, day: int, reference: datetime) -> int:
    """`12月31日` read on 2027-01-02 is 2026-12-31; `1月2日` read on 2026-12-31 is 2027-01-02."""
    best = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = datetime(year, month, day, tzinfo=reference.tzinfo)
        except ValueError:  # 2月29日 in a year without it
            continue
        distance = abs(candidate - reference)
        if best is None or distance < best[0]:
            best = (distance, year)
    if best is None:
        raise ValueProblem(f"没有这个日期：{month}月{day}日")
    return best[1]


def from_serial(serial: float, tz: ZoneInfo) -> datetime:
    """An Excel / Google Sheets serial day number (days since 1899-12-30) -> shop time."""
    if not 1 <= serial < 2958466:  # 9999-12-31
        raise ValueProblem(f"不是日期：{serial}")
    moment = _EXCEL_EPOCH + timedelta(days=serial)
    # Serials carry float noise: 46348.98611111111 is 23:40:00, not 23:39:59.999
    moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
    return moment.replace(tzinfo=tz)


def to_serial(moment: datetime, tz: ZoneInfo) -> float:
    """Shop time -> an Excel serial number, for backends that store dates as numbers."""
    local = moment.astimezone(tz).replace(tzinfo=None)
    return (local - _EXCEL_EPOCH) / timedelta(days=1)


def iso_time(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """How JSON output carries a time: ISO 8601 in shop time, with its offset (SPEC "JSON output")."""
    return moment.astimezone(tz).isoformat() if moment else None


def time_text(moment: datetime, tz: ZoneInfo) -> str:
    """How we write a time into a sheet: shop time to the minute, readable and re-parsable."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------------------ order ids

_ID_CHARS = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*$")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")


def whole_number_text(value: float) -> str | None:
    """The digits of a number cell that holds a whole number exactly (above 2^53 a float has lost the
    last digits of an id or a waybill): None when it does not."""
    return str(int(value)) if value.is_integer() and 0 < value < _EXACT_FLOAT_LIMIT else None


def parse_order_id(value: object) -> str:
    """An order id as exact text. A number that a spreadsheet turned into a float (`3.45678901234568E+18`,
    `3456789012345678000.0`, or a float cell above 2^53) has lost digits: ValueProblem, never a guess."""
    if isinstance(value, bool):
        raise ValueProblem(f"不是订单号：{value}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        digits = whole_number_text(value)
        if digits is not None:
            return digits
        raise ValueProblem(
            f"订单号被存成了数字，后几位已丢失（{value:.15G}）：请把这一列设为文本，再从平台重新复制订单号"
        )
    if value.__class__ is str and value.isascii() and value.isdigit():
        return value  # the common case: a clean id typed or pasted as text
    text = folded(value).replace(" ", "")
    if not text:
        raise ValueProblem("订单号为空")
    if _SCIENTIFIC.match(text) or re.fullmatch(r"\d+\.0+", text):
        raise ValueProblem(
            f"订单号 {text} 被表格转成了数字，后几位已丢失：请把这一列设为文本，再从平台重新复制订单号"
        )
    if not _ID_CHARS.match(text):
        raise ValueProblem(f"不是订单号：{text}（只能有数字、字母和 -）")
    return text


class _IdShape(NamedTuple):
    chars: re.Pattern[str]  # what an id of the platform can hold at all
    fewest_digits: int  # the shortest ids the platform has issued
    usual: re.Pattern[str]  # the shape its ids have today
    usual_text: str


# What each platform's order ids look like, from the ids in the platforms' exports and order pages as the
# fixtures under tests/data and examples/ keep them: Taobao/Tmall 18-19 digits (older ones 15-16; the
# ids are 64-bit numbers), Douyin 19, Kuaishou 16, Pinduoduo `231122-508812345678901` (the day it was
# placed, a dash, 15 digits), JD 11-12.
_ORDER_ID_SHAPES = {
    "taobao": _IdShape(re.compile(r"\d+"), 15, re.compile(r"\d{18,19}"), "18–19 位数字"),
    "tmall": _IdShape(re.compile(r"\d+"), 15, re.compile(r"\d{18,19}"), "18–19 位数字"),
    "douyin": _IdShape(re.compile(r"\d+"), 16, re.compile(r"\d{19}"), "19 位数字"),
    "kuaishou": _IdShape(re.compile(r"\d+"), 13, re.compile(r"\d{16}"), "16 位数字"),
    "pinduoduo": _IdShape(re.compile(r"\d{6}-?\d+"), 15, re.compile(r"\d{6}-\d{15}"),
                          "231122-508812345678901 这样（6 位日期-15 位数字）"),
    "jd": _IdShape(re.compile(r"\d+"), 9, re.compile(r"\d{11,12}"), "11–12 位数字"),
}
_FEWEST_DIGITS = min(shape.fewest_digits for shape in _ORDER_ID_SHAPES.values())


def order_id_shape(order_id: str, platform: str | None) -> str | None:
    """Whether a clean order id (parse_order_id's) can be one of this platform's (`platform` is a key such
    as "taobao"; None when unknown). ValueProblem when it cannot (letters, too few digits); a warning's
    text when it merely looks unusual; None when it looks like the platform's ids."""
    digits = sum(char.isdigit() for char in order_id)
    shape = _ORDER_ID_SHAPES.get(platform or "")
    if shape is None:  # another platform, or none named: only what no platform's id can be is refused
        if not digits:
            raise ValueProblem(f"不是订单号：{order_id}（各平台的订单号都是数字）")
        if digits != len(order_id.replace("-", "")):
            return f"{order_id} 不太像订单号（各平台的订单号都是数字），请核对"
        if digits < _FEWEST_DIGITS:
            return f"{order_id} 不太像订单号（各平台的订单号至少 {_FEWEST_DIGITS} 位），请核对"
        return None
    name = PLATFORM_LABELS[platform]  # type: ignore[index]
    if not shape.chars.fullmatch(order_id):
        raise ValueProblem(f"不是{name}订单号：{order_id}（{name}订单号是 {shape.usual_text}）")
    if digits < shape.fewest_digits:
        raise ValueProblem(f"不是{name}订单号：{order_id} 只有 {digits} 位（{name}订单号是 {shape.usual_text}）")
    if not shape.usual.fullmatch(order_id):
        return f"{order_id} 不太像{name}订单号（通常是 {shape.usual_text}），请核对"
    return None


# ---------------------------------------------------------------------------------- tracking numbers

def parse_tracking_no(value: object) -> str:
    """A waybill number: full-width folded, every space removed, letters upper-case."""
    if isinstance(value, float):
        digits = whole_number_text(value)
        if digits is not None:
            return digits
        raise ValueProblem(
            f"快递单号被存成了数字，后几位已丢失（{value:.15G}）：请把这一列设为文本，再重新粘贴单号"
        )
    if value.__class__ is str and value.isascii() and value.isalnum() and 6 <= len(value) <= 40:
        return value.upper()
    text = re.sub(r"\s+", "", folded(value)).upper()
    if not text:
        raise ValueProblem("快递单号为空")
    if _SCIENTIFIC.match(text):
        raise ValueProblem(f"快递单号 {text} 被表格转成了数字，后几位已丢失：请把这一列设为文本，再重新粘贴单号")
    if not re.fullmatch(r"[0-9A-Z-]{6,40}", text):
        raise ValueProblem(f"不是快递单号：{text}")
    return text


# ------------------------------------------------------------------------------------- phone numbers

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def parse_phone(value: object) -> str:
    """A buyer's phone: mobile (`138 0013 8000`, `+86 13800138000`), landline (`021-12345678`), or a
    platform's privacy number with its extension (`13800138000-1234`, `13800138000转1234`)."""
    if value.__class__ is str and len(value) == 11 and _MOBILE.match(value):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = folded(value)
    text = re.sub(r"[\s()（）]", "", text)
    if not text:
        raise ValueProblem("电话为空")
    text = re.sub(r"^(\+?86)(?=1)", "", text)
    privacy = re.fullmatch(r"(1[3-9]\d{9})(?:转|-|,|#|ext\.?)(\d{1,6})", text, re.IGNORECASE)
    if privacy:
        return f"{privacy.group(1)}-{privacy.group(2)}"
    compact = text.replace("-", "")
    if _MOBILE.match(compact):
        return compact
    if _LANDLINE.match(text):
        return text
    raise ValueProblem(f"不是电话号码：{text}（手机 11 位，座机如 021-12345678）")


def mask_phone(phone: str) -> str:
    """138****5678 for summaries and logs; landlines keep area code and last four."""
    if _MOBILE.match(phone[:11]):
        return f"{phone[:3]}****{phone[7:11]}"
    digits = phone.replace("-", "")
    if len(digits) > 4:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def short_name(name: str) -> str:
    """A buyer's name or nickname shortened for summaries: 张三丰 -> 张*, tb_lily2020 -> tb***"""
    name = name.strip()
    if not name:
        return ""
    if re.match(r"[\u4e00-\u9fff]", name):
        return name[0] + "*"
    return name[:2] + "***"


# ------------------------------------------------------------------------------------------ durations

def duration_text(delta: timedelta) -> str:
    """A duration as every view says it (timers, pre-sale promises, how long an item waited): 1 天 3 小时,
    5 天, 5 小时 20 分, 12 分. Rounded down to the minute, so it never promises more than there is."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分" if minutes else "不到 1 分"


def hours_text(hours: int) -> str:
    """A duration in whole hours, in the words of `duration_text`: 5 小时, 1 天 3 小时, 5 天."""
    return duration_text(timedelta(hours=hours))


def time_left_text(seconds_left: int) -> str:
    """Time left before a promise (a pre-sale order's ship-by time), the same words in the morning list and
    the daily summary: 剩 5 小时, 超时 5 天, 超时 4 天 1 小时. Floored: never more than there is to act on."""
    if seconds_left < 0:
        hours = -seconds_left // 3600
        return f"超时 {hours_text(hours)}" if hours else "刚超时"
    hours = seconds_left // 3600
    return f"剩 {hours_text(hours)}" if hours else "剩不到 1 小时"
