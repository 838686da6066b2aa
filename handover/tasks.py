"""The morning task list (`handover pull`): open items grouped by who acts, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .model.handover_tab import HandoverItem, HandoverTable
from .model.rows import Problem
from .model.schema import ROUTE_LABELS, ROUTE_ORDER, Route

_NEVER = datetime.max.replace(tzinfo=ZoneInfo("UTC"))


@dataclass(slots=True)
class Task:
    item: HandoverItem
    carried_over: bool
    waiting_days: int  # whole days since it was logged; 0 when logged less than a day ago or unknown

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        data = self.item.as_json(tz)
        data["carried_over"] = self.carried_over
        data["waiting_days"] = self.waiting_days
        data["warnings"] = [p.as_json() for p in self.item.warnings]
        return data


@dataclass
class RouteGroup:
    route: Route
    tasks: list[Task]

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self.route]


@dataclass
class TaskList:
    generated_at: datetime
    sheet: str
    cutoff: datetime  # logged before this = carried over from an earlier night
    groups: list[RouteGroup]
    problems: list[Problem]  # rows that cannot go out as they are (open rows only), in sheet order
    unassigned: int = 0  # open rows without an 编号 yet

    @property
    def open_count(self) -> int:
        return sum(len(group.tasks) for group in self.groups)

    @property
    def carried_count(self) -> int:
        return sum(task.carried_over for group in self.groups for task in group.tasks)

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})


def carry_over_cutoff(now: datetime, morning_starts) -> datetime:
    """Yesterday's shift change: anything logged before it was already on yesterday's morning list."""
    today = now.date()
    return datetime.combine(today - timedelta(days=1), morning_starts, tzinfo=now.tzinfo)


def build_task_list(table: HandoverTable, *, now: datetime, morning_starts, sheet: str) -> TaskList:
    cutoff = carry_over_cutoff(now, morning_starts)
    by_route: dict[Route, list[Task]] = {route: [] for route in ROUTE_ORDER}
    problems: list[Problem] = list(table.sheet_problems)
    unassigned = 0
    for item in table.items:
        if not item.is_open:
            continue
        if item.errors or item.route is None:
            problems.extend(item.errors)
            continue
        if not item.id:
            unassigned += 1
        logged = item.logged_at
        carried = logged is not None and logged < cutoff
        waiting = max(0, (now - logged).days) if logged else 0
        by_route[item.route].append(Task(item, carried, waiting))
    for tasks in by_route.values():
        # Oldest first: the longer a buyer has waited, the likelier a complaint. Unknown times go last.
        tasks.sort(key=lambda task: (task.item.logged_at or _NEVER, task.item.row))
    groups = [RouteGroup(route, tasks) for route, tasks in by_route.items() if tasks]
    return TaskList(now, sheet, cutoff, groups, problems, unassigned)
