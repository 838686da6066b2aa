"""One function per command of the core issue: read once, compute on records, write once.

The CLI calls exactly one of these and prints what it returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping, Sequence

from .messages import CourierBatch, Messages, build_messages, courier_messages, messages_json, render_messages
from .records import HandoverItem, Problem
from .render import render, table
from .schema import Status
from .summary import Summary, build_summary
from .tasks import TaskList, build_task_list, task_list_json, task_rows
from .workspace import Workspace


def dumps(data: object) -> str:
    """JSON for scripts: compact, so the C encoder runs (an indented dump of 50,000 items takes
    seconds in the pure-Python one); `jq .` makes it readable."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------------------------------- pull

@dataclass
class Morning:
    """Everything `pull` shows: the task list and the messages ready to paste."""

    tasks: TaskList
    messages: Messages


def pull(ws: Workspace, now: datetime | None = None) -> Morning:
    now = now or ws.now()
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now, open_only=True)
    tasks = build_task_list(handover, now=now, morning_starts=ws.config.morning_starts, sheet=ws.backend.label)
    return Morning(tasks, build_messages(handover.items, ws.config))


def render_pull(ws: Workspace, morning: Morning, fmt: str) -> str:
    tasks = morning.tasks
    if fmt == "json":
        data = task_list_json(tasks, ws.tz)
        data["messages"] = messages_json(morning.messages, ws.templates)
        return dumps(data)
    groups = [
        {"label": group.label, "count": len(group.tasks), "rows": task_rows(group, ws.tz)}
        for group in tasks.groups
    ]
    if fmt == "text":
        for group in groups:
            group["lines"] = table(group["rows"])
    context = dict(
        tasks=tasks,
        generated=tasks.generated_at.astimezone(ws.tz).strftime("%Y-%m-%d %H:%M"),
        groups=groups,
        messages=render_messages(morning.messages, fmt, ws.templates),
        problems=[_problem_line(problem) for problem in tasks.problems],
    )
    return render(f"pull.{'md' if fmt == 'markdown' else 'txt'}.j2", ws.templates, **context)


# -------------------------------------------------------------------------------------- courier

def courier(ws: Workspace, *, name: str | None = None, now: datetime | None = None) -> CourierBatch:
    now = now or ws.now()
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now, open_only=True)
    return courier_messages(handover.items, ws.config, courier=name)


# -------------------------------------------------------------------------------------- summary

def summary(ws: Workspace, day: date | None = None, now: datetime | None = None) -> Summary:
    now = now or ws.now()
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now)
    return build_summary(handover.items, day or now.date(), ws.config, now)


def _problem_line(problem: Problem) -> dict[str, object]:
    return {"row": problem.row, "id": problem.id or "（无编号）", "column": problem.column or "", "message": problem.message,
            "text": problem.describe()}


# --------------------------------------------------------------------------------------- check

@dataclass
class CheckReport:
    rows: int
    problems: list[Problem]
    assigned: dict[int, str]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check(ws: Workspace, *, assign_ids: bool = False, now: datetime | None = None) -> CheckReport:
    now = now or ws.now()
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now)
    assigned: dict[int, str] = {}
    if assign_ids:
        from .updates import assign_ids_plan

        plan = assign_ids_plan(handover, now)
        if plan.assigned:
            ws.backend.write([plan.write])
            assigned = plan.assigned
    return CheckReport(len(handover.items), handover.problems(), assigned)


def render_check(ws: Workspace, report: CheckReport, fmt: str) -> str:
    if fmt == "json":
        data = {
            "rows": report.rows,
            "problems": [dict(p.as_json(), id=p.id, severity=p.severity) for p in report.problems],
            "assigned_ids": [{"row": row, "id": new_id} for row, new_id in sorted(report.assigned.items())],
        }
        return dumps(data)
    return render("check.txt.j2", ws.templates, report=report,
                  problems=[_problem_line(p) | {"severity": p.severity} for p in report.problems],
                  assigned=sorted(report.assigned.items()))


# ---------------------------------------------------------------------------------------- done

@dataclass
class DoneReport:
    items: list[HandoverItem]
    status: Status
    by: str
    assigned: dict[int, str]
    moved: dict[str, int]


def done(ws: Workspace, ids: Sequence[str], *, status: Status = Status.DONE, by: str | None = None,
         result: str | None = None, now: datetime | None = None) -> DoneReport:
    now = now or ws.now()
    handler = ws.config.handler(by)
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now)
    from .updates import done_plan

    plan, items = done_plan(handover, ids, status=status, by=handler, now=now, tz=ws.tz, result=result)
    written = ws.backend.write([plan.write])
    return DoneReport(items, status, handler, plan.assigned, written.moved_rows.get(plan.write.tab, {}))


# ----------------------------------------------------------------------------------------- log

@dataclass
class LogReport:
    item: HandoverItem
    row: int
    assigned: dict[int, str]


def log(ws: Workspace, fields: Mapping[str, str], *, by: str | None = None, now: datetime | None = None) -> LogReport:
    now = now or ws.now()
    handler = ws.config.handler(by)
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now)
    from .updates import log_plan

    plan, item = log_plan(handover, fields, by=handler, now=now, tz=ws.tz)
    written = ws.backend.write([plan.write])
    rows = written.appended_rows.get(plan.write.tab) or [0]
    return LogReport(item, rows[0], plan.assigned)
