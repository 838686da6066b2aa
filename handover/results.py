"""What each command returns, for the views to render and for a script to read: the records of
`handover.commands`. The domain's own reports (`TaskList`, `DeadlineReport`, `Summary`,
`CompensationReport` …) are returned as they are; these gather what one command shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model.handover_tab import HandoverItem
from .model.rows import ERROR, Problem
from .model.schema import Status
from .tasks import TaskList

if TYPE_CHECKING:
    from .compensation.run import PullAtRisk
    from .deadlines import DeadlineReport, Untimed
    from .messages import Messages
    from .model.returns_tab import ReturnItem


@dataclass
class Morning:
    """Everything `pull` shows: the return timers running out (None when the workbook keeps no returns
    tab), pre-sale orders near their promised ship time (None when no order export is given or
    configured), the task list, and the messages ready to paste."""

    deadlines: DeadlineReport | None
    at_risk: PullAtRisk | None
    tasks: TaskList
    messages: Messages


@dataclass
class TabCheck:
    tab: str
    rows: int
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


@dataclass
class CheckReport:
    tabs: list[TabCheck]  # the handover tab, then the returns tab when the sheet has one
    assigned: dict[int, str]  # row -> the 编号 `--assign-ids` gave it
    skipped: list[int]  # rows left without 编号: moved or changed since the read

    @property
    def errors(self) -> list[Problem]:
        return [p for tab in self.tabs for p in tab.errors]


@dataclass
class DoneReport:
    items: list[HandoverItem]
    status: Status
    by: str
    assigned: dict[int, str]  # row -> the 编号 a row without one was given on the way
    moved: dict[str, int]  # 编号 -> the row it was found on at write time, when someone moved it
    skipped: list[int]  # rows left without 编号: moved or changed since the read


@dataclass
class LogReport:
    item: HandoverItem | ReturnItem
    row: int  # where the new row landed
    assigned: dict[int, str]
    skipped: list[int]
    untimed: Untimed | None = None  # a return logged that no countdown can be computed for, and why
    unusual_order: str | None = None  # why its order id looks unlike the platform's (logged all the same)
    logged_before: list[HandoverItem] = field(default_factory=list)  # open rows with the same order and 类型
