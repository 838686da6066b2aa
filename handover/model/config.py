"""handover.toml: where the sheet is, the shop's timezone, who is working, and each concern's section.

Lookup: `--config FILE`, else `handover.toml` in the working directory, else `handover.toml` beside the
workbook given with `--sheet`. A relative `sheet` path in the file is relative to the file. Sections a
concern owns (`[compensation]`, `[timers]`, `[couriers.*]` …) are parsed by that concern's module from
`Config.section(name)`, so this module stays small.
"""

from __future__ import annotations

import difflib
import getpass
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Collection
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError
from .schema import TABS

CONFIG_NAME = "handover.toml"

# Every top-level name handover.toml may hold: the settings parsed here, then the sections. `[shift]` and
# `[tabs]` are parsed here; every other section by its concern's module, which passes the names it knows
# to `Config.section`. A section missing here is refused there, so this list cannot fall behind the code.
SETTINGS = ("sheet", "timezone", "user")
SECTIONS = ("shift", "tabs", "messages", "couriers", "compensation", "columns", "timers", "calendar", "google")
SHIFT_SETTINGS = ("morning_starts",)


@dataclass
class Config:
    sheet: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    user: str | None = None
    morning_starts: time = time(9, 0)
    tabs: dict[str, str] = field(default_factory=lambda: dict(TABS))
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Where warnings about the file go (the CLI prints them on stderr); every warning is also kept here.
    notify: Callable[[str], None] | None = field(default=None, repr=False, compare=False)
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    def section(self, name: str, known: Collection[str] | None = None) -> dict[str, Any]:
        """The `[name]` table ({} when absent). With `known`, the names that section may hold, a name
        outside them is warned about, with the nearest known one: a typo is a setting that does nothing."""
        if name not in SECTIONS:
            raise ValueError(f"[{name}] is not in config.SECTIONS")
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(_not_a_table(self.where(), name, value))
        if known is not None:
            for key in value:
                if key not in known:
                    self.warn(unknown_setting(self.where(), key, known, section=name))
        return value

    def warn(self, message: str) -> None:
        if message in self.warnings:
            return  # a section parsed twice in one command warns once
        self.warnings.append(message)
        if self.notify:
            self.notify(message)

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


def load_config(explicit: str | None = None, sheet_option: str | None = None, *,
                notify: Callable[[str], None] | None = None) -> Config:
    path = find_config(explicit, sheet_option)
    if path is None:
        return Config(notify=notify)
    try:
        # utf-8-sig: Windows Notepad saves UTF-8 with a byte-order mark.
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} 不是 UTF-8 编码（多半是 GBK）：用记事本或 VS Code 打开，另存为 UTF-8 编码后再运行") from None
    except OSError as error:
        raise ConfigError(f"读不了配置文件 {path}（{error.strerror}）") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {_toml_problem(error)}") from None
    return parse_config(raw, path, notify=notify)


# What tomllib says (in English), as a shop would understand it; anything else is quoted as it is.
_TOML_WORDS = (
    ("Expected ']' at the end of a table declaration", "一节的名字少了右方括号 ]"),
    ("Invalid value", "等号后面的值看不懂（文字要加英文双引号）"),
    ("Illegal character", "引号没有配对，或有不能写在这里的字符"),
    ("Expected '=' after a key", "设置名后面要写 = 和值（设置名里不能有空格）"),
    ("Cannot overwrite a value", "同一个设置写了两次"),
    ("Cannot declare", "同一节写了两次"),
    ("Unclosed", "括号没有配对"),
    ("Expected newline or end of document", "一行只能写一个设置"),
)


def _toml_problem(error: tomllib.TOMLDecodeError) -> str:
    """tomllib says where and what, in English; the words and the next step are ours."""
    message = str(error)
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    what = message[:where.start()].strip() if where else re.sub(r"\s*\(at end of document\)", "", message)
    what = next((words for english, words in _TOML_WORDS if what.startswith(english)), what)
    place = f"第 {where.group(1)} 行第 {where.group(2)} 列" if where else "文件末尾"
    return (f"{place}格式有误（{what}）：文字要用英文双引号括起来，例如 user = \"小周\"；"
            "一节的名字写在方括号里，例如 [messages]")


def parse_config(raw: dict[str, Any], path: Path | None = None, *,
                 notify: Callable[[str], None] | None = None) -> Config:
    config = Config(path=path, raw=raw, notify=notify)
    where = config.where()
    for name, value in raw.items():
        if name in SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(_not_a_table(where, name, value))
        elif name not in SETTINGS:
            config.warn(unknown_setting(where, name, (*SETTINGS, *SECTIONS), table=isinstance(value, dict)))
    sheet = raw.get("sheet")
    if sheet is not None:
        if not isinstance(sheet, str) or not sheet.strip():
            raise ConfigError(f"{where}: sheet 应该是工作簿路径或 Google 表格链接（文字），例如 sheet = \"交接表.xlsx\"")
        config.sheet = sheet.strip()
    tz_name = raw.get("timezone", "Asia/Shanghai")
    if not isinstance(tz_name, str):
        raise ConfigError(f"{where}: timezone 应该是时区名（文字），例如 timezone = \"Asia/Shanghai\"，"
                          f"现在是{_kind(tz_name)} {tz_name!r}")
    try:
        config.timezone = ZoneInfo(tz_name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: 不认识的时区 {tz_name!r}（例如 Asia/Shanghai）") from None
    user = raw.get("user")
    if user is not None:
        if isinstance(user, bool) or not isinstance(user, (str, int)):
            raise ConfigError(f"{where}: user 应该是名字（文字），例如 user = \"小周\"，现在是{_kind(user)}")
        config.user = str(user).strip() or None
    shift = config.section("shift", SHIFT_SETTINGS)
    if "morning_starts" in shift:
        config.morning_starts = _clock(shift["morning_starts"], f"{where}: [shift] morning_starts")
    for name, tab in config.section("tabs", tuple(config.tabs)).items():
        if name not in config.tabs:
            continue  # warned about above
        if not isinstance(tab, str) or not tab.strip():
            raise ConfigError(f"{where}: [tabs] {name} 应该是标签页的名字（文字），例如 {name} = "
                              f"\"{config.tabs[name]}\"，现在是{_kind(tab)}")
        config.tabs[name] = tab.strip()
    return config


def _clock(value: Any, where: str) -> time:
    """A time of day: TOML's own `09:00:00`, or text such as "09:00"."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where} 应该是时间（文字），例如 morning_starts = \"09:00\"，现在是{_kind(value)} {value!r}")


# ------------------------------------------------------------------------------- what went wrong

def unknown_setting(where: str, name: str, known: Collection[str], *, section: str | None = None,
                    table: bool = False) -> str:
    """The warning for a name nothing reads, with the known name nearest to it."""
    shown = f"[{name}]" if table else name
    place = f"[{section}] 里" if section else ""
    nearest = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if nearest:
        guess = f"[{nearest[0]}]" if table else nearest[0]
        hint = f"是不是 {guess}？"
    else:
        hint = f"可用：{'、'.join(known)}。"
    return f"提醒：{where}: {place}不认识 {shown}，{hint}这一项没有生效"


_KINDS = ((bool, "true/false"), (str, "文字"), (int, "数字"), (float, "数字"), (list, "列表"), (dict, "表"),
          (datetime, "日期时间"), (date, "日期"), (time, "时间"))


def _kind(value: Any) -> str:
    """The TOML type of a value, as the person editing the file knows it."""
    return next((name for kind, name in _KINDS if isinstance(value, kind)), type(value).__name__)


_TABLE_EXAMPLES = {"shift": 'morning_starts = "09:00"', "tabs": 'handover = "交接"'}


def _not_a_table(where: str, name: str, value: Any) -> str:
    example = _TABLE_EXAMPLES.get(name, "各项设置")
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    return (f"{where}: {name} 应该是一个表：另起一行写 [{name}]，下面写 {example}；"
            f"现在是{_kind(value)} {shown}")


GOOGLE_SETTINGS = ("credentials",)


def google_credentials(config: Config) -> str | None:
    """`[google] credentials`: the key file, like `sheet` relative to handover.toml; None when not set."""
    value = config.section("google", GOOGLE_SETTINGS).get("credentials")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{config.where()}: [google] credentials 应该是密钥文件的路径（文字），"
                          f"例如 credentials = \"keys/service_account.json\"，现在是{_kind(value)}")
    return str(config.base_dir / Path(value.strip()).expanduser())
