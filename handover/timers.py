"""Platform refund timers, as data: per platform and stage, when the clock starts, how long it runs,
what happens at zero, and what the shop can do before it gets there.

The defaults below come from the seeds and PLATFORMS.md ("Refund timers"); each rule names its source.
Platforms change these rules, and some shops have their own (surface mail, virtual goods), so every
field is overridable in handover.toml, per platform and stage:

    [timers]
    horizon = "48h"                 # how far ahead `deadlines` and `pull` look

    [timers.douyin.in_transit]      # platform: taobao tmall douyin pinduoduo kuaishou jd (or 抖音 …)
    length = "7d"                   # 7d, 48h, 2d12h, 7天, 48小时
    at_zero = "auto_refund"         # auto_refund | auto_agree | request_closed
    actions = ["extend", "reject"]  # approve reject refund extend remind_buyer check_logistics
    start = "waybill_at"            # the 退货 column the clock starts from (or its header, 填单时间)
    also_in = ["signed"]            # later stages the same clock keeps running through
    extend_by = "7d"                # 延长收货: once, by this much …
    extend_after = "5d"             # … no earlier than this after the clock started
    act_before = "5d"               # the shop must act this long before zero (while in this stage)
    enabled = false                 # switch the rule off

Stages (`returns.Stage`): request (申请待商家处理), awaiting_return (待买家退货), in_transit (退货在途),
signed (已签收). A stage without a rule is one no source gives a clock for: its returns are listed as not
timed (and `log --return` warns) until the shop adds the rule, or writes `enabled = false` for a stage
where nothing counts down.
A refund export's own 超时时间, copied into the ledger, beats any computed deadline (`deadlines`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum
from typing import Any

from .errors import ConfigError
from .model.config import Config
from .model.returns_tab import STAGE_LABELS, STAGE_START, STAGES, TIME_KEYS, Stage
from .model.schema import PLATFORM_LABELS, RETURN_COLUMNS, header_key, platform_of
from .model.values import ValueProblem
from .sheet import clean_text


class Outcome(str, Enum):
    """What the platform does when a clock reaches zero."""

    AUTO_REFUND = "auto_refund"  # money leaves the shop, returned goods or not
    AUTO_AGREE = "auto_agree"  # the buyer's request is granted as asked
    REQUEST_CLOSED = "request_closed"  # the buyer ran out of time; the request closes


# What happens at zero, as a deadline is labelled by it (a deadline the shop must act by says so instead).
OUTCOME_LABELS = {Outcome.AUTO_REFUND: "到点自动退款", Outcome.AUTO_AGREE: "到点默认同意申请",
                  Outcome.REQUEST_CLOSED: "到点申请自动关闭"}


class Action(str, Enum):
    APPROVE = "approve"
    REJECT = "reject"
    REFUND = "refund"
    EXTEND = "extend"
    REMIND_BUYER = "remind_buyer"
    CHECK_LOGISTICS = "check_logistics"


# What to do, as the morning shift reads it; where a stage asks for other words, they are its own.
ACTION_LABELS = {Action.APPROVE: "同意退货", Action.REJECT: "没有物流就拒绝", Action.REFUND: "货到验过就退款",
                 Action.EXTEND: "还没签收就延长收货", Action.REMIND_BUYER: "提醒买家填写退货单号",
                 Action.CHECK_LOGISTICS: "查退货物流"}
_STAGE_ACTION_LABELS = {(Stage.REQUEST, Action.REJECT): "不同意就拒绝", (Stage.SIGNED, Action.REJECT): "验货不合格就拒绝",
                        (Stage.SIGNED, Action.REFUND): "验货后退款"}


def action_label(action: Action, stage: Stage) -> str:
    return _STAGE_ACTION_LABELS.get((stage, action)) or ACTION_LABELS[action]

# What the shop does in a stage when the clock running there belongs to an earlier stage (a waybill
# clock still running after the parcel was signed for): once the goods are in, it inspects and decides.
STAGE_ACTIONS = {
    Stage.REQUEST: (Action.APPROVE, Action.REJECT),
    Stage.AWAITING_RETURN: (Action.REMIND_BUYER,),
    Stage.IN_TRANSIT: (Action.CHECK_LOGISTICS,),
    Stage.SIGNED: (Action.REFUND, Action.REJECT),
}


@dataclass(frozen=True)
class TimerRule:
    platform: str
    stage: Stage
    start: str  # the ReturnItem time the clock starts from
    length: timedelta
    at_zero: Outcome
    actions: tuple[Action, ...]
    also_in: tuple[Stage, ...] = ()
    extend_by: timedelta | None = None
    extend_after: timedelta | None = None
    act_before: timedelta | None = None
    source: str = ""

    def runs_in(self, stage: Stage) -> bool:
        return stage is self.stage or stage in self.also_in

    def actions_in(self, stage: Stage) -> tuple[Action, ...]:
        return self.actions if stage is self.stage else STAGE_ACTIONS[stage]


# ------------------------------------------------------------------------------------ the defaults

_TAOBAO: dict[str, dict[str, Any]] = {
    # PLATFORMS.md "Refund timers" (m.senbk.com/internet/44310.html, hubeilong.com/c/03233605Y92024.html):
    # after shipment the seller has 5 days to answer a refund request (3 for virtual goods), else the
    # platform grants it.
    "request": {"length": "5d", "at_zero": "auto_agree", "actions": ["approve", "reject"],
                "source": "PLATFORMS.md Refund timers: Taobao seller answers within 5 days after shipment"},
    # PLATFORMS.md: the buyer has 7 days to send the return, else the request closes. Seed 004: an insured
    # return (运费险) with no waybill entered cannot be refunded and closes when the time runs out.
    "awaiting_return": {"length": "7d", "at_zero": "request_closed", "actions": ["remind_buyer"],
                        "source": "PLATFORMS.md Refund timers: Taobao buyer sends the return within 7 days; seed 004"},
    # PLATFORMS.md: after the buyer files the return waybill the seller has 10 days to confirm receipt (30
    # for surface mail: copy 超时时间 from the refund page for those), else the refund goes out
    # automatically; seed 004 counts "about 9 days". The clock runs until the shop acts, signed or not.
    # Seed 004: with about 5 days left and no logistics movement, reject (or extend) first, or the system
    # refunds. The length of Taobao's extension is in neither source: after extending, copy the new
    # 超时时间 into the ledger, or set extend_by here.
    "in_transit": {"length": "10d", "at_zero": "auto_refund", "act_before": "5d", "also_in": ["signed"],
                   "actions": ["check_logistics", "reject", "extend"],
                   "source": "PLATFORMS.md Refund timers: Taobao 10 days after the return waybill; "
                             "seed 004: about 9 days, act with about 5 days left when there is no logistics"},
}

DEFAULT_TIMERS: dict[str, dict[str, dict[str, Any]]] = {
    "taobao": _TAOBAO,
    # Tmall refunds run on Taobao's refund system and export the same 超时时间 column (PLATFORMS.md,
    # "Taobao/Tmall refund export"); no Tmall-specific timer was found (inferred).
    "tmall": _TAOBAO,
    "douyin": {
        # PLATFORMS.md reads seed 003 as "Douyin, Pinduoduo: 48 h to answer"; the seed spells the 48 h
        # out for Pinduoduo, and what Douyin does at zero is not given: taken to grant it (inferred).
        "request": {"length": "48h", "at_zero": "auto_agree", "actions": ["approve", "reject"],
                    "source": "PLATFORMS.md Refund timers: Douyin 48 h to answer (reading of seed 003)"},
        # Seed 003: the system refunds when the shop has done nothing 7 days after the buyer uploaded the
        # waybill; from day 5 the shop may press 延长收货 once, for 7 more days, while the parcel is not
        # signed for. The clock counts from the waybill, so it keeps running after signing.
        "in_transit": {"length": "7d", "at_zero": "auto_refund", "extend_by": "7d", "extend_after": "5d",
                       "also_in": ["signed"], "actions": ["check_logistics", "extend"],
                       "source": "seed 003: Douyin auto refund 7 days after the waybill; extend once by 7 days "
                                 "from day 5"},
        # Seed 003: once the return is signed for, the shop refunds within 48 h or the system does;
        # rejecting is for a return that does not qualify.
        "signed": {"length": "48h", "at_zero": "auto_refund", "actions": ["refund", "reject"],
                   "source": "seed 003: Douyin refund within 48 h of signing for the return"},
    },
    "pinduoduo": {
        # Seed 003 (拼多多售后规则 三.1): 48 h to handle a return request, else the system agrees to a refund
        # without a return. The platform may shorten what is left to no less than 24 h: its own
        # 超时时间 then beats this.
        "request": {"length": "48h", "at_zero": "auto_refund", "actions": ["approve", "reject"],
                    "source": "seed 003: Pinduoduo 48 h to answer, else refund without return"},
        # Seed 003 (三.4): after the shop agrees, the buyer has 7 days to enter the waybill, else the
        # request lapses (PLATFORMS.md: 买家逾期未处理退款失败).
        "awaiting_return": {"length": "7d", "at_zero": "request_closed", "actions": ["remind_buyer"],
                            "source": "seed 003: Pinduoduo buyer returns within 7 days"},
        # Seed 003 (三.6, 三.7): within 7 days of the buyer's return the shop refunds or rejects, else the
        # system refunds; the clock counts from the return, signed for or not.
        "in_transit": {"length": "7d", "at_zero": "auto_refund", "also_in": ["signed"],
                       "actions": ["check_logistics", "refund", "reject"],
                       "source": "seed 003: Pinduoduo auto refund 7 days after the buyer ships the return"},
    },
    # Kuaishou: PLATFORMS.md "Refund timers" (secondary sources, conflicting: m.lv66.net/news/2443.html 2023,
    # riseton.com/gnds/6209.html, mr010.com). A preset, not a promise: a shop that reads its own rule centre
    # otherwise overrides any stage in [timers.kuaishou.<stage>].
    "kuaishou": {
        # The seller answers a 仅退款 or 退货退款 request within 48 h, else it is agreed (one page says 36 h).
        "request": {"length": "48h", "at_zero": "auto_agree", "actions": ["approve", "reject"],
                    "source": "PLATFORMS.md Refund timers: Kuaishou 48 h to answer, else agreed (one page: 36 h); "
                              "override in [timers.kuaishou.request]"},
        # The buyer has 10 days to send the return; what happens then is not given: taken as on Taobao,
        # where the request closes (inferred).
        "awaiting_return": {"length": "10d", "at_zero": "request_closed", "actions": ["remind_buyer"],
                            "source": "PLATFORMS.md Refund timers: Kuaishou buyer sends the return within 10 days "
                                      "(request closes: inferred); override in [timers.kuaishou.awaiting_return]"},
        # After the buyer files the return waybill the seller has 7 days to confirm receipt, else the system
        # refunds (one page says 10); the clock counts from the waybill, signed for or not.
        "in_transit": {"length": "7d", "at_zero": "auto_refund", "also_in": ["signed"],
                       "actions": ["check_logistics", "refund", "reject"],
                       "source": "PLATFORMS.md Refund timers: Kuaishou auto refund 7 days after the return waybill "
                                 "(one page: 10); override in [timers.kuaishou.in_transit]"},
    },
    # JD POP: PLATFORMS.md "Refund timers" (secondary sources: mlnxb.com/zh-cn/xfsh/xinli/mxee9m.html,
    # m.49358.com/zs/232729.html, 2025). The seller reviews a refund within 24 h before shipment and 72 h
    # after shipment (before receipt), else it is approved. A return on the 退货 tab comes after shipment,
    # so the request takes 72 h; a shop that logs refunds before shipment here sets
    # [timers.jd.request] length = "24h". No source gives JD's time for the buyer to send the return or for
    # the shop to confirm its receipt: those stages have no built-in rule, and the morning list and
    # `log --return` say so rather than count down to a made-up time.
    "jd": {
        "request": {"length": "72h", "at_zero": "auto_agree", "actions": ["approve", "reject"],
                    "source": "PLATFORMS.md Refund timers: JD 72 h to review after shipment (24 h before shipment), "
                              "else approved; override in [timers.jd.request]"},
    },
}
DEFAULT_HORIZON = timedelta(hours=48)  # the issue: the morning list looks 48 h ahead by default

_FIELDS = {"length", "at_zero", "actions", "start", "also_in", "extend_by", "extend_after", "act_before",
           "enabled", "source"}


@dataclass
class TimerBook:
    """The rules in force: the defaults with handover.toml's overrides applied."""

    rules: dict[str, dict[Stage, TimerRule]] = field(default_factory=dict)
    horizon: timedelta = DEFAULT_HORIZON
    switched_off: set[tuple[str, Stage]] = field(default_factory=set)  # `enabled = false`: no clock there

    def for_platform(self, platform: str) -> dict[Stage, TimerRule]:
        return self.rules.get(platform, {})

    def running(self, platform: str, stage: Stage) -> list[TimerRule]:
        """The clocks running for a return of this platform in this stage: the stage's own first."""
        rules = [rule for rule in self.for_platform(platform).values() if rule.runs_in(stage)]
        return sorted(rules, key=lambda rule: rule.stage is not stage)

    def lacks(self, platform: str, stage: Stage) -> bool:
        """No clock runs in this stage, and the shop did not say none does: nobody knows when it ends."""
        return not self.running(platform, stage) and (platform, stage) not in self.switched_off

    def knows(self, platform: str) -> bool:
        """The platform has a rule, or the shop switched some off: its stages are judged one by one."""
        return bool(self.for_platform(platform)) or any(p == platform for p, _ in self.switched_off)


def timer_book(config: Config | None = None) -> TimerBook:
    section = config.section("timers") if config else {}
    file = config.where() if config else "handover.toml"
    where = f"{file}: [timers]"
    book = TimerBook()
    overrides: dict[str, dict[str, Any]] = {}
    for name, value in section.items():
        if name == "horizon":
            book.horizon = _duration(value, f"{where} horizon")
            continue
        platform = platform_of(name)
        if platform is None:
            raise ConfigError(f"{where} 里不认识「{name}」：应该是 horizon 或平台名（{', '.join(PLATFORM_LABELS)}）")
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: [timers.{name}] 应该是一个表，例如 [timers.{platform}.in_transit]")
        overrides[platform] = value
    for platform in PLATFORM_LABELS:
        merged: dict[Stage, dict[str, Any]] = {
            Stage(stage): dict(fields) for stage, fields in DEFAULT_TIMERS.get(platform, {}).items()}
        for stage_name, fields in overrides.get(platform, {}).items():
            stage = stage_of(stage_name)
            place = f"{file}: [timers.{platform}.{stage_name}]"
            if stage is None:
                stages = "、".join(f"{s.value}（{STAGE_LABELS[s]}）" for s in STAGES)
                raise ConfigError(f"{place}：不认识的阶段（可用：{stages}）")
            if not isinstance(fields, dict):
                raise ConfigError(f"{place} 应该是一个表")
            unknown = sorted(set(fields) - _FIELDS)
            if unknown:
                raise ConfigError(f"{place} 里不认识 {', '.join(unknown)}（可用：{', '.join(sorted(_FIELDS))}）")
            rule_fields = merged.setdefault(stage, {})
            if "source" not in fields:
                # The rule now says what the shop wrote: cite that, and the default it replaced.
                default = rule_fields.get("source")
                own = f"handover.toml [timers.{platform}.{stage.value}]"
                fields = {**fields, "source": f"{own} over {default}" if default else own}
            rule_fields.update(fields)
        book.rules[platform] = {
            stage: _rule(platform, stage, fields, f"{file}: [timers.{platform}.{stage.value}]")
            for stage, fields in merged.items() if fields.get("enabled", True) is not False
        }
        book.switched_off |= {(platform, stage) for stage, fields in merged.items() if fields.get("enabled", True) is False}
    return book


def _rule(platform: str, stage: Stage, fields: Mapping[str, Any], place: str) -> TimerRule:
    for needed in ("length", "at_zero"):
        if needed not in fields:
            raise ConfigError(f"{place} 缺少 {needed}：新加的规则要写明时长和到点后果")
    try:
        at_zero = Outcome(clean_text(fields["at_zero"]))
    except ValueError:
        outcomes = "、".join(f"{o.value}（{OUTCOME_LABELS[o]}）" for o in Outcome)
        raise ConfigError(f"{place} at_zero 不认识「{fields['at_zero']}」（可用：{outcomes}）") from None
    actions = []
    for name in _as_list(fields.get("actions", [a.value for a in STAGE_ACTIONS[stage]])):
        try:
            actions.append(Action(clean_text(name)))
        except ValueError:
            raise ConfigError(f"{place} actions 不认识「{name}」（可用：{', '.join(a.value for a in Action)}）") from None
    also_in = []
    for name in _as_list(fields.get("also_in", [])):
        later = stage_of(str(name))
        if later is None or STAGES.index(later) <= STAGES.index(stage):
            raise ConfigError(f"{place} also_in 的「{name}」应该是这个阶段之后的阶段")
        also_in.append(later)
    start = _start_key(fields.get("start", STAGE_START[stage]), place)
    rule = TimerRule(
        platform=platform, stage=stage, start=start,
        length=_duration(fields["length"], f"{place} length"),
        at_zero=at_zero, actions=tuple(actions), also_in=tuple(also_in),
        source=clean_text(fields.get("source", "")),
    )
    optional = {key: _duration(fields[key], f"{place} {key}") for key in ("extend_by", "extend_after", "act_before")
                if key in fields}
    rule = replace(rule, **optional)
    if rule.act_before is not None and rule.act_before >= rule.length:
        raise ConfigError(f"{place} act_before 要比 length 短")
    if rule.extend_after is not None and rule.extend_by is None:
        raise ConfigError(f"{place} 写了 extend_after 却没写 extend_by（延长多久）")
    return rule


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_STAGE_NAMES = {
    **{header_key(s.value): s for s in STAGES},
    **{header_key(label): s for s, label in STAGE_LABELS.items()},
    **{header_key(name): s for s, names in {
        Stage.REQUEST: ("待处理", "申请", "请求"), Stage.AWAITING_RETURN: ("待退货", "等待买家退货"),
        Stage.IN_TRANSIT: ("退货中", "在途"), Stage.SIGNED: ("已签收", "签收")}.items() for name in names},
}


def stage_of(name: str) -> Stage | None:
    return _STAGE_NAMES.get(header_key(name))


def _start_key(value: Any, place: str) -> str:
    name = header_key(value)
    for column in RETURN_COLUMNS:
        if column.key in TIME_KEYS and name in (header_key(column.key), header_key(column.header)):
            return column.key
    names = "、".join(f"{c.key}（{c.header}）" for c in RETURN_COLUMNS if c.key in TIME_KEYS)
    raise ConfigError(f"{place} start 不认识「{value}」（可用：{names}）")


# ------------------------------------------------------------------------------------- durations

_UNITS = {
    "d": 86400, "day": 86400, "days": 86400, "天": 86400, "日": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "小时": 3600, "个小时": 3600, "时": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分钟": 60, "分": 60,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")",
                   re.IGNORECASE)


def parse_duration(value: object) -> timedelta:
    """`48h`, `7d`, `2d12h`, `90m`, `7天`, `48小时`, `1天12小时` -> timedelta. A bare number has no unit
    and is refused: 48 hours and 48 days are both plausible timer lengths."""
    text = clean_text(value).lower().replace(" ", "")
    if not text:
        raise ValueProblem("时长为空（写成 48h 或 7d）")
    seconds = 0.0
    position = 0
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(text) or position == 0:
        raise ValueProblem(f"看不懂的时长「{value}」（写成 48h、7d 或 2d12h）")
    if seconds <= 0:
        raise ValueProblem(f"时长「{value}」应该大于 0")
    return timedelta(seconds=seconds)


def _duration(value: object, place: str) -> timedelta:
    try:
        return parse_duration(value)
    except ValueProblem as problem:
        raise ConfigError(f"{place}：{problem}") from None
