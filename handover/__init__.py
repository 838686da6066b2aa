"""handover: the customer-service handover sheet as a safe data source, and the work it drives.

The library is what the `handover` command runs: open a workspace (handover.toml, the sheet, the shop's
templates), call one of `commands`, read the record it returns, and render it where a person is to read
it (`views`). README, "Use as a library".

    from handover import commands, open_workspace

    morning = commands.pull(open_workspace("examples/handover.xlsx"))
    print(morning.tasks.open_count)

The commands are reached as `commands.pull`, `commands.done` …: `handover.summary`, `handover.deadlines`
and `handover.compensation` are the modules that compute them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from . import commands  # noqa: E402 - after __version__, which the CLI reads from here
from .errors import (  # noqa: E402
    CellError,
    ConfigError,
    HandoverError,
    SheetBusyError,
    SheetChangedError,
    SheetDamagedError,
    SheetError,
    SheetReadOnlyError,
    SheetWriteError,
    UnknownIdError,
)
from .model.handover_tab import HandoverItem  # noqa: E402
from .model.rows import Problem  # noqa: E402
from .model.schema import Route, Status  # noqa: E402
from .render import views  # noqa: E402
from .results import CheckReport, DoneReport, LogReport, Morning, TabCheck  # noqa: E402
from .tasks import Task, TaskList  # noqa: E402
from .workspace import Workspace, open_workspace  # noqa: E402

if TYPE_CHECKING:
    from .compensation.run import CompensationReport
    from .deadlines import DeadlineReport
    from .messages import CourierBatch
    from .model.returns_tab import ReturnItem
    from .returns import TrackingMatch
    from .returns_import.plan import ImportReport
    from .summary import Summary

# What only some commands return comes from modules those commands import when they run (start-up time
# is part of every command): named here, imported on first use.
_LATER = {
    "CompensationReport": "compensation.run",
    "CourierBatch": "messages",
    "DeadlineReport": "deadlines",
    "ImportReport": "returns_import.plan",
    "ReturnItem": "model.returns_tab",
    "Summary": "summary",
    "TrackingMatch": "returns",
}


def __getattr__(name: str) -> Any:
    if name in _LATER:
        from importlib import import_module

        return getattr(import_module(f".{_LATER[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    # where every command starts, the commands, and what shows their results to a person
    "open_workspace", "Workspace", "commands", "views",
    # what they return
    "Morning", "TaskList", "Task", "HandoverItem", "Problem", "Route", "Status", "CheckReport", "TabCheck",
    "DoneReport", "LogReport", "CourierBatch", "DeadlineReport", "TrackingMatch", "ImportReport", "ReturnItem",
    "Summary", "CompensationReport",
    # what they raise
    "HandoverError", "ConfigError", "CellError", "UnknownIdError", "SheetError", "SheetBusyError",
    "SheetChangedError", "SheetReadOnlyError", "SheetDamagedError", "SheetWriteError",
]
