"""The courier companies shops ship with: names, aliases, the shapes of their waybill numbers, and the
shop's own contact at each (from handover.toml).

Two kinds of shape per courier:
- `shapes`: what a current label looks like, distinct enough between couriers to *recognise* the
  courier from the number alone when the 快递公司 column is blank (all prefixed or of a length/prefix
  no other courier here uses);
- `legacy`: older or less distinctive numbers the courier still prints. They only answer "could this
  number be that courier's?" (`fits`): bare 12- or 13-digit numbers are used by several companies, and a
  message sent to the wrong courier costs more than a blank the night shift fills in.

Shapes were checked against real-shaped numbers from public courier-recognition tables (for instance
SF1385628716739, 773277027280336, 73610555582883, YT8962646785389, 463431409940372, JT5261988016578,
1207119765021, JDX024407261700, JDVA11408814483, DPK202252612836). Fits stay a little loose: a false
"doesn't fit" warning costs the morning shift a look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .schema import header_key


@dataclass(frozen=True)
class Courier:
    key: str
    name: str  # how the team writes it
    aliases: tuple[str, ...]
    shapes: tuple[re.Pattern[str], ...]
    legacy: tuple[re.Pattern[str], ...] = ()

    def fits(self, tracking_no: str) -> bool:
        """Whether the number could be one of this courier's, current or older label."""
        return any(shape.fullmatch(tracking_no) for shape in (*self.shapes, *self.legacy))

    def marks(self, tracking_no: str) -> bool:
        """Whether the number has this courier's current, distinctive shape."""
        return any(shape.fullmatch(tracking_no) for shape in self.shapes)


def _shapes(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# JD prints a parcel suffix on multi-parcel labels (JDVA12345678901-1-2-); the night shift copies it.
_JD_SUFFIX = r"(?:-\d{1,3}-\d{1,3}-?)?"

COURIERS: tuple[Courier, ...] = (
    # STO: 15 digits from 77 on current labels, 14 digits from 773 a little earlier. Older: 12 digits
    # from 268…968, 13 digits from 33/4/55/66, 15 digits from 88/99.
    Courier("sto", "申通", ("申通快递", "申通速递", "sto", "sto express", "shentong"),
            _shapes(r"77\d{12,13}"),
            _shapes(r"[2-9]68\d{9}", r"(?:33|4\d|55|66)\d{11}", r"(?:88|99)\d{13}")),
    # ZTO: 14 digits from 73/75/76/78. Older labels: 14 digits from other 7x, 12 digits with many
    # prefixes. Never 77 + 12 digits: that is STO's, and mixing up the two 通 is the usual slip.
    Courier("zto", "中通", ("中通快递", "中通速递", "zto", "zto express", "zhongtong"),
            _shapes(r"7[3-68]\d{12}"),
            _shapes(r"7[0-689]\d{12}", r"\d{12}")),
    # YTO: YT + 13 digits. Older labels: a letter or two and 8-12 digits, or 10 bare digits.
    Courier("yto", "圆通", ("圆通速递", "圆通快递", "yto", "yto express", "yuantong"),
            _shapes(r"YT\d{13}"),
            _shapes(r"YT\d{10,12}", r"[A-Z]\d{9,12}", r"\d{10}")),
    # Yunda: 15 digits from 3 or 4 (43…, 46…, 31…). Older labels: 13 digits.
    Courier("yunda", "韵达", ("韵达快递", "韵达速递", "yunda", "yd"),
            _shapes(r"[34]\d{14}"),
            _shapes(r"[1-5]\d{12}")),
    # SF: SF + 13 characters (almost always digits). Older labels: 12 bare digits.
    Courier("sf", "顺丰", ("顺丰速运", "顺丰快递", "sf", "sf express", "shunfeng"),
            _shapes(r"SF[0-9A-Z]\d{12}"),
            _shapes(r"\d{12}")),
    # J&T: JT + 13 digits (a few early ones JT + 12).
    Courier("jt", "极兔", ("极兔速递", "极兔快递", "j&t", "j&t express", "jt", "jitu"),
            _shapes(r"JT\d{12,13}")),
    # China Post / EMS: 13 digits from 10-12, 50-52 (经济快递) or 95-99; registered parcels two letters +
    # 11 digits; international two letters + 9 digits + country. Older: any 13 digits.
    Courier("ems", "邮政", ("ems", "中国邮政", "邮政快递", "邮政ems", "邮政快递包裹", "邮政包裹", "中国邮政速递",
                            "china post", "邮政ems快递"),
            _shapes(r"(?:1[0-2]|5[0-2]|9[5-9])\d{11}", r"[A-Z]{2}\d{9}[A-Z]{2}", r"[AGHKPQ]{2}\d{11}"),
            _shapes(r"\d{13}")),
    # JD: JD + two letters or digits + 11 digits, 15 characters in all (JDX…, JDK…, JDVA…, JDVC…).
    Courier("jd", "京东", ("京东快递", "京东物流", "jd", "jd logistics", "jdl"),
            _shapes(rf"JD[A-Z0-9]{{2}}\d{{11}}{_JD_SUFFIX}"),
            _shapes(rf"V[A-Z]\d{{11}}{_JD_SUFFIX}")),
    # Deppon: DPK + 12 digits. Older waybills: 8-10 bare digits.
    Courier("deppon", "德邦", ("德邦快递", "德邦物流", "deppon", "db", "dbl"),
            _shapes(r"DPK\d{12}"),
            _shapes(r"\d{8,10}")),
)
COURIER_BY_KEY = {c.key: c for c in COURIERS}
_LOOKUP = {header_key(name): c.key for c in COURIERS for name in (c.key, c.name, *c.aliases)}


def courier_of(text: str) -> Courier | None:
    """The courier a name or alias refers to (申通快递, STO, sto express ...)."""
    key = _LOOKUP.get(header_key(text))
    return COURIER_BY_KEY[key] if key else None


def recognise(tracking_no: str) -> Courier | None:
    """The courier a waybill number belongs to, when exactly one courier's current shape fits; None
    when none or several do (a blank is better than a message sent to the wrong company)."""
    matches = [c for c in COURIERS if c.marks(tracking_no)]
    return matches[0] if len(matches) == 1 else None


# ------------------------------------------------------------------------------- shop's contacts

@dataclass(frozen=True)
class CourierContact:
    """Who the shop talks to at a courier company, from `[couriers.<key>]` in handover.toml."""

    courier: Courier
    contact: str = ""  # the person or outlet, e.g. 申通余杭网点 王师傅
    qq: str = ""  # the QQ group or number the message is pasted into
    sign_off: str = ""  # overrides [messages] sign_off for this courier only

    @property
    def where(self) -> str:
        """One line telling the morning shift where to paste: QQ 群 123456，联系人 王师傅."""
        parts = []
        if self.qq:
            parts.append(f"QQ {self.qq}")
        if self.contact:
            parts.append(f"联系人 {self.contact}")
        return "，".join(parts)


_CONTACT_FIELDS = ("contact", "qq", "sign_off")


def courier_contacts(config: Any) -> dict[str, CourierContact]:
    """Every courier's contact, keyed by courier key; couriers without a section get an empty one.

    `[couriers.sto]`, `[couriers.申通]` and `[couriers.STO]` all name the same company; a section for a
    company we do not know, or a misspelt field, is a ConfigError rather than a silently unused setting.
    """
    where = config.where()
    contacts = {c.key: CourierContact(c) for c in COURIERS}
    seen: dict[str, str] = {}
    for name, section in config.section("couriers").items():
        courier = courier_of(name)
        if courier is None:
            known = "、".join(c.key for c in COURIERS)
            raise ConfigError(f"{where}: [couriers.{name}] 不是认识的快递公司（可用：{known}，或写中文名如 申通）")
        if courier.key in seen:
            raise ConfigError(f"{where}: [couriers.{name}] 和 [couriers.{seen[courier.key]}] 是同一家快递公司，请合并成一节")
        seen[courier.key] = name
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: [couriers.{name}] 应该是一个表，例如 contact = \"王师傅\"")
        values: dict[str, str] = {}
        for field_name, value in section.items():
            if field_name not in _CONTACT_FIELDS:
                raise ConfigError(f"{where}: [couriers.{name}] 里不认识 {field_name}（可用：{'、'.join(_CONTACT_FIELDS)}）")
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise ConfigError(f"{where}: [couriers.{name}] {field_name} 应该是文字，例如 {field_name} = \"…\"")
            # A QQ number written without quotes arrives as an int: still the same number.
            values[field_name] = str(value).strip()
        contacts[courier.key] = CourierContact(courier, **values)
    return contacts
