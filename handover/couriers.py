"""The courier companies shops ship with: names, aliases, and the shapes of their waybill numbers.

Shapes are what numbers printed on real labels look like (prefix and length); they recognise the
courier when the column is blank and flag a number that cannot belong to the courier named. They are
deliberately a little loose: a false "doesn't fit" warning costs the morning shift a look, a missed
recognition costs nothing but a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import header_key


@dataclass(frozen=True)
class Courier:
    key: str
    name: str  # how the team writes it
    aliases: tuple[str, ...]
    shapes: tuple[re.Pattern[str], ...]

    def fits(self, tracking_no: str) -> bool:
        return any(shape.fullmatch(tracking_no) for shape in self.shapes)


def _shapes(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


COURIERS: tuple[Courier, ...] = (
    # SF: SF + 12-13 digits on current labels; older labels carry 12 bare digits.
    Courier("sf", "顺丰", ("顺丰速运", "顺丰快递", "sf", "sf express", "shunfeng"), _shapes(r"SF\d{12,13}", r"\d{12}")),
    # STO: 13 digits starting 77/88/66/55..., older 12-digit numbers starting 268/368/468/568/668/768/868/968.
    Courier("sto", "申通", ("申通快递", "sto", "sto express", "shentong"), _shapes(r"(77|88|66|55|58|99)\d{11}", r"[2-9]68\d{9}")),
    # ZTO: 12 digits starting 7 (75/73/78...) or 14-15 digits starting 7.
    Courier("zto", "中通", ("中通快递", "zto", "zto express", "zhongtong"), _shapes(r"7[0-9]\d{10}", r"7\d{13,14}", r"(2008|2010|6)\d{11}")),
    # YTO: YT + 13 digits (older labels: letter + 9 digits, or 10 digits starting with 1-9).
    Courier("yto", "圆通", ("圆通速递", "圆通快递", "yto", "yto express", "yuantong"), _shapes(r"YT\d{13}", r"[A-Z]\d{9}")),
    # Yunda: 13 digits starting 43/46/31/32/33/10/12/19/50, or 15 digits.
    Courier("yunda", "韵达", ("韵达快递", "韵达速递", "yunda", "yd"), _shapes(r"(43|46|31|32|33|34|10|12|19|50)\d{11}", r"4\d{14}")),
    # J&T: JT + 13 digits.
    Courier("jt", "极兔", ("极兔速递", "极兔快递", "j&t", "j&t express", "jt", "jitu"), _shapes(r"JT\d{13}")),
    # China Post / EMS: domestic 13 digits starting 1 or 98, international 2 letters + 9 digits + CN.
    Courier("ems", "邮政", ("ems", "中国邮政", "邮政快递", "邮政ems", "邮政快递包裹", "china post", "邮政包裹"), _shapes(r"(1[0-9]|98)\d{11}", r"[A-Z]{2}\d{9}CN")),
    # JD: JD + letter(s) + digits, 15 chars in all (JDVA01234567890, JDX012345678901).
    Courier("jd", "京东", ("京东快递", "京东物流", "jd", "jd logistics", "jdl"), _shapes(r"JD[A-Z0-9]{13}", r"JD[A-Z]{2}\d{11}")),
    # Deppon: DPK + 12 digits, or 10 digits starting 5-9.
    Courier("deppon", "德邦", ("德邦快递", "德邦物流", "deppon", "db"), _shapes(r"DPK\d{12}", r"[5-9]\d{9}")),
)
COURIER_BY_KEY = {c.key: c for c in COURIERS}
_LOOKUP = {header_key(name): c.key for c in COURIERS for name in (c.key, c.name, *c.aliases)}


def courier_of(text: str) -> Courier | None:
    """The courier a name or alias refers to (申通快递, STO, sto express ...)."""
    key = _LOOKUP.get(header_key(text))
    return COURIER_BY_KEY[key] if key else None


def recognise(tracking_no: str) -> Courier | None:
    """The courier a waybill number belongs to, when exactly one shape fits; None when none or several do."""
    matches = [c for c in COURIERS if c.fits(tracking_no)]
    # Prefixed numbers (SF, YT, JT, JD, DPK) are unambiguous; bare digits may fit several couriers.
    return matches[0] if len(matches) == 1 else None
