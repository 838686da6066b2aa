"""What a command works in: its handover.toml, its sheet (the one place a backend is picked), and the
shop's templates. `open_workspace` is where every command, and a script using the library, starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Collection

from .backends import google_key
from .errors import ConfigError, SheetError
from .model.config import Config, google_credentials, load_config
from .model.handover_tab import HandoverTable, parse_handover
from .sheet import HEADER_ROWS, Backend, Grid


def open_backend(source: str, config: Config, notify: Callable[[str], None] | None = None) -> Backend:
    """A Google Sheet for a Sheets URL or key, else a local workbook."""
    if google_key(source):
        from .backends.google import open_google

        return open_google(source, google_credentials(config), notify)
    path = Path(source).expanduser()
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        suffix = path.suffix.lower()
        if suffix in (".xls", ".et", ".ods", ".numbers", ".csv"):  # a table, just not one handover writes safely
            raise SheetError(f"{source} 是 {suffix} 文件，handover 只读写 .xlsx 工作簿：请用 Excel/WPS 打开它，"
                             f"另存为 .xlsx（Excel 工作簿），再用 --sheet 指向新文件")
        raise SheetError(f"{source} 不是 .xlsx 工作簿，也不是 Google 表格链接：--sheet 要写工作簿的路径"
                         "（例如 交接表.xlsx）或 Google 表格的链接")
    from .backends.xlsx import XlsxBackend

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

    def read(self, *tab_names: str, parts: bool = False) -> dict[str, Grid | None]:
        """One read of every tab the command needs (one request on Google); `parts`: see `Backend.read`."""
        tabs = [self.config.tabs.get(name, name) for name in tab_names]
        self.grids = self.backend.read(tabs, parts=parts)
        return {name: self.grids[tab] for name, tab in zip(tab_names, tabs)}

    def handover(self, grid: Grid | None, now: datetime, *, open_only: bool = False,
                 adds_ids: bool = False, only_ids: Collection[str] | None = None) -> HandoverTable:
        """The handover tab parsed (`open_only`, `only_ids`: see `parse_handover`). A tab without a header
        row, or (unless this command gives rows their 编号, `adds_ids`) without a 编号 column, stops the
        command: every row is named by its 编号."""
        tab = self.config.tabs["handover"]
        if grid is None:
            raise SheetError(
                f"{self.backend.label} 里没有「{tab}」标签页：用 `handover init` 新建工作簿，"
                f"或在 handover.toml 的 [tabs] 里写 handover = \"你的标签页名\""
            )
        table = parse_handover(grid, self.tz, now=now, open_only=open_only, only_ids=only_ids)
        if not table.columns.index:
            raise SheetError(f"「{tab}」前 {HEADER_ROWS} 行里找不到表头：表头要写明「编号」「类型」「订单号」等列名"
                             "（中文或英文都行），`handover init` 新建的工作簿可以做样子")
        if not adds_ids and not table.columns.has("id"):
            raise SheetError(f"「{tab}」第 {table.grid.header_row} 行的表头里没有「编号」列：运行 "
                             "`handover check --assign-ids` 会加上这一列，并给每一行编上号")
        return table


def open_workspace(sheet: str | None, config_file: str | None = None, *, templates: str | None = None,
                   notify: Callable[[str], None] | None = None) -> Workspace:
    config = load_config(config_file, sheet, notify=notify)
    source = resolve_sheet(sheet, config)
    override = Path(templates).expanduser() if templates else config.base_dir / "templates"
    if templates and not override.is_dir():
        raise SheetError(f"模板文件夹 {override} 不存在")
    return Workspace(config, open_backend(source, config, notify), override if override.is_dir() else None)


def resolve_sheet(option: str | None, config: Config) -> str:
    """The sheet to use: --sheet, else HANDOVER_SHEET, else `sheet` in handover.toml (relative to it)."""
    if option:
        return option
    env = os.environ.get("HANDOVER_SHEET")
    if env:
        return env
    if config.sheet:
        if google_key(config.sheet):
            return config.sheet
        return str((config.base_dir / Path(config.sheet).expanduser()))
    raise ConfigError("没有指定表格：请加 --sheet 工作簿路径，或在 handover.toml 里写 sheet = \"…\"")
