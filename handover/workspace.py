"""Where a command finds its config and its sheet: the one place that picks a backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from .config import Config, google_credentials, load_config, resolve_sheet
from .errors import SheetError
from .records import HandoverTable, parse_handover
from .sheet import Backend, Grid, google_key


def open_backend(source: str, config: Config, notify: Callable[[str], None] | None = None) -> Backend:
    """A Google Sheet for a Sheets URL or key, else a local workbook."""
    if google_key(source):
        from .google import open_google

        return open_google(source, google_credentials(config), notify)
    path = Path(source).expanduser()
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise SheetError(f"{source} 不是 .xlsx 工作簿，也不是 Google 表格链接")
    from .xlsx import XlsxBackend

    return XlsxBackend(path)


@dataclass
class Workspace:
    config: Config
    backend: Backend
    templates: Path | None = None
    grids: dict[str, Grid | None] = field(default_factory=dict)

    @property
    def tz(self):
        return self.config.timezone

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def read(self, *tab_names: str) -> dict[str, Grid | None]:
        """One read of every tab the command needs (one request on Google)."""
        tabs = [self.config.tabs.get(name, name) for name in tab_names]
        self.grids = self.backend.read(tabs)
        return {name: self.grids[tab] for name, tab in zip(tab_names, tabs)}

    def handover(self, grid: Grid | None, now: datetime, *, open_only: bool = False) -> HandoverTable:
        if grid is None:
            tab = self.config.tabs["handover"]
            raise SheetError(
                f"{self.backend.label} 里没有「{tab}」标签页：用 `handover init` 新建工作簿，"
                f"或在 handover.toml 的 [tabs] 里写 handover = \"你的标签页名\""
            )
        return parse_handover(grid, self.tz, now=now, open_only=open_only)


def open_workspace(sheet: str | None, config_file: str | None = None, *, templates: str | None = None,
                   notify: Callable[[str], None] | None = None) -> Workspace:
    config = load_config(config_file, sheet, notify=notify)
    source = resolve_sheet(sheet, config)
    override = Path(templates).expanduser() if templates else config.base_dir / "templates"
    if templates and not override.is_dir():
        raise SheetError(f"模板文件夹 {override} 不存在")
    return Workspace(config, open_backend(source, config, notify), override if override.is_dir() else None)

