"""handover.toml: where the sheet is, the shop's timezone, who is working, and each concern's section.

Lookup: `--config FILE`, else `handover.toml` in the working directory, else `handover.toml` beside the
workbook given with `--sheet`. A relative `sheet` path in the file is relative to the file. Sections a
concern owns (`[compensation]`, `[timers]`, `[couriers.*]` …) are parsed by that concern's module from
`Config.section(name)`, so this module stays small.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .schema import HANDOVER_TAB

CONFIG_NAME = "handover.toml"


@dataclass
class Config:
    sheet: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    user: str | None = None
    morning_starts: time = time(9, 0)
    tabs: dict[str, str] = field(default_factory=lambda: {"handover": HANDOVER_TAB, "returns": "退货", "payouts": "赔付记录"})
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.where()}: [{name}] 应该是一个表（section）")
        return value

    def where(self) -> str:
        return str(self.path) if self.path else CONFIG_NAME

    def handler(self, explicit: str | None = None) -> str:
        """Who is doing this: --by, else `user` in the config, else the login name."""
        if explicit and explicit.strip():
            return explicit.strip()
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except Exception:  # no login name in some containers
            return "handover"

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def find_config(explicit: str | None, sheet_option: str | None) -> Path | None:
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"找不到配置文件 {path}")
        return path
    here = Path.cwd() / CONFIG_NAME
    if here.is_file():
        return here
    if sheet_option and sheet_option.lower().endswith((".xlsx", ".xlsm")):
        beside = Path(sheet_option).expanduser().resolve().parent / CONFIG_NAME
        if beside.is_file():
            return beside
    return None


def load_config(explicit: str | None = None, sheet_option: str | None = None) -> Config:
    path = find_config(explicit, sheet_option)
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: 配置文件格式有误（{error}）") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: 读不了配置文件（{error}）") from None
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | None = None) -> Config:
    config = Config(path=path, raw=raw)
    where = str(path) if path else CONFIG_NAME
    sheet = raw.get("sheet")
    if sheet is not None:
        if not isinstance(sheet, str) or not sheet.strip():
            raise ConfigError(f"{where}: sheet 应该是工作簿路径或 Google 表格链接")
        config.sheet = sheet.strip()
    tz_name = raw.get("timezone", "Asia/Shanghai")
    try:
        config.timezone = ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: 不认识的时区 {tz_name!r}（例如 Asia/Shanghai）") from None
    user = raw.get("user")
    if user is not None:
        config.user = str(user).strip() or None
    shift = raw.get("shift", {})
    if "morning_starts" in shift:
        try:
            config.morning_starts = time.fromisoformat(str(shift["morning_starts"]))
        except ValueError:
            raise ConfigError(f"{where}: [shift] morning_starts 应该写成 09:00") from None
    for name, tab in raw.get("tabs", {}).items():
        if name not in config.tabs:
            raise ConfigError(f"{where}: [tabs] 里不认识 {name}（可用：{', '.join(config.tabs)}）")
        config.tabs[name] = str(tab)
    return config


def resolve_sheet(option: str | None, config: Config) -> str:
    """The sheet to use: --sheet, else HANDOVER_SHEET, else `sheet` in handover.toml (relative to it)."""
    if option:
        return option
    env = os.environ.get("HANDOVER_SHEET")
    if env:
        return env
    if config.sheet:
        from .sheet import google_key

        if google_key(config.sheet):
            return config.sheet
        return str((config.base_dir / Path(config.sheet).expanduser()))
    raise ConfigError("没有指定表格：请加 --sheet 工作簿路径，或在 handover.toml 里写 sheet = \"…\"")
