"""What every tab's rows share: the problems a row carries, the header problems of a tab, the 编号 a
new row gets, and the one way a duplicated 编号 is reported.

A row that cannot be used is never dropped: it comes back as a record with `problems`, so `check` can
list it and the other commands can show it. The 交接 tab (`handover_tab`), the 退货 tab (`returns_tab`)
and the ledger (`compensation.ledger`) all build on this.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Protocol, Sequence

from ..errors import place
from ..sheet import Grid
from .schema import PLATFORM_LABELS, ColumnMap

ERROR = "error"
WARNING = "warning"


@dataclass
class Problem:
    row: int
    column: str | None  # the header as the sheet spells it; None for the row as a whole
    message: str
    severity: str = ERROR
    id: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def describe(self) -> str:
        return f"{place(row=self.row, column=self.column)}：{self.message}"


class ParsedRow:
    """What every parsed sheet row (an issue, a return) offers about its problems and its platform."""

    __slots__ = ()

    problems: list[Problem]
    platform: str | None

    # Most rows have no problem at all, and the morning list asks each open row several times.
    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR] if self.problems else []

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING] if self.problems else []

    @property
    def platform_label(self) -> str:
        return PLATFORM_LABELS.get(self.platform or "", "")


def filled(value: object) -> bool:
    """Whether a cell holds anything (spaces are nothing)."""
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def header_problems(grid: Grid, columns: ColumnMap) -> list[Problem]:
    """A second column under a header already taken: only the first is read, and the team is told."""
    return [Problem(grid.header_row, grid.header[position],
                    f"和另一列重复，都被当成「{columns.header_text[key]}」；只读取第一列")
            for key, position in columns.duplicates]


class _IdentifiedRow(Protocol):
    row: int
    id: str
    problems: list[Problem]


def id_key(item_id: str) -> str:
    """A 编号 as 编号 are compared: `h20261202-003` and full-width `Ｈ20261202-003` are `H20261202-003`.
    Someone typing an id (or the sheet holding one) in the other case means the same row; two rows
    whose ids differ only so are one 编号 held twice."""
    return (item_id if item_id.isascii() else unicodedata.normalize("NFKC", item_id)).upper()


def flag_duplicate_ids(items: Iterable[_IdentifiedRow], header: str) -> None:
    """Each row holding a 编号 an earlier row holds (`id_key`) gets a problem naming that row."""
    seen: dict[str, _IdentifiedRow] = {}
    for item in items:
        if not item.id:
            continue
        first = seen.setdefault(id_key(item.id), item)
        if first is not item:
            clash = "重复" if first.id == item.id else f"的 {first.id} 重复（编号不分大小写）"
            item.problems.append(Problem(item.row, header, f"编号 {item.id} 和第 {first.row} 行{clash}：请改成不同的编号",
                                         id=item.id))


class IdAllocator:
    """Hands out `<prefix><date>-<seq>` ids (H20261122-007 in the 交接 tab, R… in the 退货 tab), the
    day's next number, never one the tab already holds."""

    def __init__(self, prefix: str, existing: Sequence[str]):
        self.prefix = prefix
        self.used = {id_key(value) for value in existing}  # h20261122-007 typed by hand is taken too
        self.last: dict[str, int] = {}
        pattern = re.compile(rf"^{re.escape(id_key(prefix))}(\d{{8}})-(\d+)$")
        for value in self.used:
            match = pattern.match(value)
            if match:
                day, seq = match.group(1), int(match.group(2))
                self.last[day] = max(self.last.get(day, 0), seq)

    def next(self, day: datetime) -> str:
        stamp = day.strftime("%Y%m%d")
        seq = self.last.get(stamp, 0)
        while True:
            seq += 1
            candidate = f"{self.prefix}{stamp}-{seq:03d}"
            if id_key(candidate) not in self.used:
                break
        self.last[stamp] = seq
        self.used.add(id_key(candidate))
        return candidate
