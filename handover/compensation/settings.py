"""`[compensation]` of handover.toml: the rule per platform (rate, floor, cap, pre-sale days), the named
presets from PLATFORMS.md, and what else finance sets (refund reasons, pre-sale markers, the cap on any
amount an export may hold). The built-in default is the seed's 30% with no floor or cap.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, Iterable

from ..errors import ConfigError
from ..model.config import Config
from ..model.schema import PLATFORM_LABELS, platform_of
from ..model.values import ValueProblem, parse_money, parse_rate, to_fen
from .order_exports import MAPPABLE

# Named rule sets a shop switches on with `preset = "…"` (PLATFORMS.md, "Late-shipment and out-of-stock
# penalties"). Rules change: each names its source, and none applies unless the config asks for it.
PRESETS: dict[str, dict[str, str]] = {
    # Seed 004: a pre-sale order not shipped by day 15 and refunded as 未按约定时间发货 or 缺货 costs 30% of
    # the item price. The built-in default.
    "seed": {"rate": "0.30", "name": "默认规则"},
    # Taobao, refund reason 缺货 / 未按约定时间发货 upheld: 30% of the paid amount, at least ¥5, at most ¥500
    # (worked: 800 -> 240, 2600 -> 500, 10 -> 5). Source: www.guangdonglong.com/c/0G021V5092023_2.html, ~2023.
    "taobao_2023": {"rate": "0.30", "min": "5", "max": "500", "name": "淘宝缺货、延迟发货规则，约 2023 年"},
    # Taobao 违背发货时间承诺, 2015 trial: 5%, ¥5 to ¥30. Source: 85l.net/l/2056992216415243827.html.
    "taobao_2015": {"rate": "0.05", "min": "5", "max": "30", "name": "淘宝违背发货时间承诺规则，2015 年试行"},
    # Taobao 违背发货时间承诺, later rule: 10%, ¥5 to ¥100 (the rule caps per buyer-seller pair within 24 h;
    # we cap per order). Source: m.bbbaike.com/qiaomen/youxi/221212.html, year unclear.
    "taobao_late_10": {"rate": "0.10", "min": "5", "max": "100", "name": "淘宝违背发货时间承诺规则，后来的 10% 版"},
}
_SETTING_NAMES = {"rate": "比例", "min": "最低", "max": "最高", "presale_days": "预售天数"}
_DEFAULTS = {"rate": "0.30", "min": None, "max": None, "presale_days": 15}
_RULE_KEYS = ("preset", "rate", "min", "max", "presale_days")
_SECTION_KEYS = (*_RULE_KEYS, "warn_days", "reasons", "presale_keywords", "presale_only", "include_service_fee",
                 "platform", "orders", "platforms", "max_order_amount")
# No amount in an export above this is believed (a garbled or cut cell, 99999999999999999999.99): the row is
# rejected. Generous for a clothing shop; a shop selling dearer goods raises it.
DEFAULT_MAX_ORDER_AMOUNT = Decimal("100000")


# -------------------------------------------------------------------------------------------- config

@dataclass(frozen=True)
class Rule:
    rate: Decimal
    minimum: Decimal | None
    maximum: Decimal | None
    presale_days: int
    source: str  # where it came from, in words: 默认规则, a preset's name, "…，改了最高"

    def describe(self) -> str:
        """商品实付的 30%，最低 5 元，最高 500 元（淘宝…规则）: the rule a payout used, for finance to check."""
        bounds = [f"最低 {yuan(self.minimum)}"] if self.minimum is not None else []
        bounds += [f"最高 {yuan(self.maximum)}"] if self.maximum is not None else []
        return f"商品实付的 {percent(self.rate)}{''.join('，' + b for b in bounds)}（{self.source}）"

    def amount(self, base: Decimal) -> Decimal:
        """rate × base, half-up to the fen, then the floor and the cap."""
        return self.applied(base)[0]

    def applied(self, base: Decimal) -> tuple[Decimal, str]:
        """(amount, "min" or "max" when the floor or the cap gave it, else "")."""
        amount, limit = to_fen(base * self.rate), ""
        if self.minimum is not None and amount < self.minimum:
            amount, limit = self.minimum, "min"
        if self.maximum is not None and amount > self.maximum:
            amount, limit = self.maximum, "max"
        return to_fen(amount), limit


def percent(rate: Decimal) -> str:
    """0.30 -> 30%, 0.055 -> 5.5%."""
    return f"{(rate * 100).normalize():f}%"


def yuan(amount: Decimal) -> str:
    """5.00 -> 5 元, 0.50 -> 0.50 元: a limit as finance says it."""
    return f"{amount:.0f} 元" if amount == amount.to_integral_value() else f"{amount:.2f} 元"


@dataclass(frozen=True)
class CompensationSettings:
    rule: Rule
    platform_rules: dict[str, Rule]
    warn: timedelta
    reasons: tuple[str, ...]
    presale_keywords: tuple[str, ...] = ("预售",)
    presale_only: bool = True  # False: every order counts as pre-sale (a file of pre-sale orders only)
    include_service_fee: bool = False
    platform: str | None = None  # forced platform for every export
    orders: tuple[str, ...] = ()  # glob patterns of order exports for `pull`
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_order_amount: Decimal = DEFAULT_MAX_ORDER_AMOUNT

    def rule_for(self, platform: str | None) -> Rule:
        return self.platform_rules.get(platform or "", self.rule)

    def reason_matches(self, text: str) -> bool:
        return _matches(text, self.reasons)


def _reason_key(text: str) -> str:
    """Loose form of a refund reason: 卖家缺货, 未按照约定时间发货（预售）, ＂缺货＂ all contain their key."""
    text = unicodedata.normalize("NFKC", text).lower().replace("按照", "按")
    return re.sub(r"[\W_]+", "", text)


@functools.lru_cache(maxsize=4096)
def _matches(text: str, reasons: tuple[str, ...]) -> bool:
    key = _reason_key(text)
    return bool(key) and any(_reason_key(reason) in key for reason in reasons)


def parse_settings(config: Config) -> CompensationSettings:
    """`[compensation]` (and `[columns]`) of handover.toml -> settings; one-line ConfigError otherwise."""
    section = config.section("compensation")
    where = f"{config.where()}: [compensation]"
    _unknown(section, _SECTION_KEYS, where)
    rule = _rule(section, _DEFAULTS | {"source": PRESETS["seed"]["name"]}, where)
    platform_rules = {}
    platforms = section.get("platforms", {})
    if not isinstance(platforms, dict):
        raise ConfigError(f"{where} platforms 应该是表，例如 [compensation.platforms.taobao]")
    for name, values in platforms.items():
        key = platform_of(name)
        if key is None or not isinstance(values, dict):
            raise ConfigError(f"{where}.platforms.{name}: 不认识的平台（可用：{', '.join(PLATFORM_LABELS)}）")
        _unknown(values, _RULE_KEYS, f"{where}.platforms.{name}")
        base = {"rate": rule.rate, "min": rule.minimum, "max": rule.maximum, "presale_days": rule.presale_days,
                "source": rule.source}
        platform_rules[key] = _rule(values, base, f"{where}.platforms.{name}")
    warn = _number(section.get("warn_days", 2), f"{where} warn_days", "天数，例如 2")
    reasons = _strings(section.get("reasons", ["未按约定时间发货", "缺货"]), f"{where} reasons")
    keywords = _strings(section.get("presale_keywords", ["预售"]), f"{where} presale_keywords")
    cap = _money_setting(section.get("max_order_amount", DEFAULT_MAX_ORDER_AMOUNT), f"{where} max_order_amount",
                         "金额，例如 100000")
    if cap is None or cap <= 0:
        raise ConfigError(f"{where} max_order_amount 应该是大于 0 的金额，例如 100000")
    platform = section.get("platform")
    if platform is not None and platform_of(str(platform)) is None:
        raise ConfigError(f"{where} platform = {platform!r}：不认识的平台（可用：{', '.join(PLATFORM_LABELS)}）")
    return CompensationSettings(
        rule=rule, platform_rules=platform_rules, warn=timedelta(days=float(warn)), reasons=reasons,
        presale_keywords=keywords, presale_only=_flag(section, "presale_only", True, where),
        include_service_fee=_flag(section, "include_service_fee", False, where),
        platform=platform_of(str(platform)) if platform is not None else None,
        orders=_strings(section.get("orders", []), f"{where} orders", allow_empty=True),
        columns=_columns(config), max_order_amount=cap)


def _rule(values: dict[str, Any], base: dict[str, Any], where: str) -> Rule:
    merged = dict(base)
    preset = values.get("preset")
    if preset is not None:
        if not isinstance(preset, str) or preset not in PRESETS:
            raise ConfigError(f"{where} preset = {preset!r}：没有这个预设（可用：{', '.join(PRESETS)}）")
        merged.update({"min": None, "max": None, **PRESETS[preset]})
        merged["source"] = merged.pop("name")
    for key in ("rate", "min", "max", "presale_days"):
        if key in values:
            merged[key] = values[key]
    custom = [_SETTING_NAMES[key] for key in ("rate", "min", "max") if key in values]
    if custom:
        merged["source"] = f"{merged['source']}，改了{'、'.join(custom)}"
    try:
        rate = parse_rate(merged["rate"])
    except ValueProblem:
        raise ConfigError(f"{where} rate = {merged['rate']!r}：比例请写成 0.30 或 \"30%\"") from None
    bounds = {}
    for key in ("min", "max"):
        bounds[key] = _money_setting(merged[key], f"{where} {key}",
                                     f"金额，例如 5；不设{'下限' if key == 'min' else '上限'}就写 false")
        if bounds[key] is not None and bounds[key] < 0:
            raise ConfigError(f"{where} {key} 不能是负数")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise ConfigError(f"{where} min（{bounds['min']}）大于 max（{bounds['max']}）")
    days = _number(merged["presale_days"], f"{where} presale_days", "整天数，例如 15")
    if days != int(days):
        raise ConfigError(f"{where} presale_days 应该是整天数，例如 15")
    return Rule(rate, bounds["min"], bounds["max"], int(days), str(merged["source"]))


def _money_setting(value: Any, where: str, hint: str) -> Decimal | None:
    """An amount in handover.toml, to the fen; None for false (no limit)."""
    if value is None or value is False:
        return None
    try:
        return to_fen(parse_money(value))
    except ValueProblem:
        raise ConfigError(f"{where} = {value!r}：请写{hint}") from None


def _unknown(values: dict[str, Any], allowed: Iterable[str], where: str) -> None:
    for key in values:
        if key not in allowed:
            raise ConfigError(f"{where} 里不认识 {key}（可用：{', '.join(allowed)}）")


def _number(value: Any, where: str, hint: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{where} = {value!r}：应该是{hint}")
    return value


def _flag(section: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where} {key} 应该是 true 或 false")
    return value


def _strings(value: Any, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value) or (not value and not allow_empty):
        raise ConfigError(f"{where} 应该是文字列表，例如 [\"未按约定时间发货\", \"缺货\"]")
    return tuple(v.strip() for v in value)


def _columns(config: Config) -> dict[str, tuple[str, ...]]:
    """`[columns]`: export header names for files the built-in names miss, e.g. paid = "成交金额"."""
    section = config.section("columns")
    where = f"{config.where()}: [columns]"
    _unknown(section, MAPPABLE, where)
    return {key: _strings(value, f"{where} {key}") for key, value in section.items()}
