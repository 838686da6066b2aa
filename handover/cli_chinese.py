"""The `handover` command speaks Chinese: click's own words, and help laid out for Chinese text.

click passes every sentence it shows (usage errors, help headings, `[default: …]`) through gettext by its
English text, `_("Missing option")`. `CLICK_WORDS` is that catalogue for Chinese, and `ChineseGroup.main`
lends it to click while the command runs, and only then: a program that imports this module keeps its
own click in English. `tests/test_cli_chinese.py` checks the catalogue against every sentence the
installed click can say, so a click that words something new is noticed, not shown in English.

The usage-error line keeps its `Error:` prefix, as every error the commands raise does (SPEC); the rest
is Chinese: a value someone typed stands between 「」 as in the commands' own messages (「xml」不行), a
name to type keeps click's quotes ('--sheet'), and a list is joined by 、. The help is wrapped by terminal columns (`textwidth`), where a Chinese character takes two
and a line may break between any two of them.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from typing import Any, Iterator, Sequence

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from .printable import printable
from .textwidth import clip, display_width

# click's English (as each click from 8.1 on words it) -> what the team reads. Placeholders are click's;
# `{name}` in the path messages is click's English "file"/"directory", so they do without it.
CLICK_WORDS: dict[str, str] = {
    # help pages
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示这份帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（随情况而定）",
    # every usage error
    "Error: {message}": "Error: {message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Aborted!": "已中止。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少 {param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "No such option: {name}": "没有 {name} 这个选项。",
    "Did you mean {possibility}?": "是不是想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是想用其中一个：{possibilities}？）",
    "(Possible options: {possibilities})": "（是不是想用其中一个：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不用写值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要写 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多写了参数：{args}",
    "Got unexpected extra arguments ({args})": "多写了参数：{args}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Value must be an iterable.": "这里要写多个值。",
    "Takes {nargs} values but 1 was given.": "要写 {nargs} 个值，只写了 1 个。",
    "Takes {nargs} values but {len} were given.": "要写 {nargs} 个值，写了 {len} 个。",
    "Invalid start character for option ({option})": "选项的开头不对：{option}",
    # what the parameter types say of a value
    "{value!r} is not {choice}.": "「{value}」不行，只能是 {choice}。",
    "{value!r} is not one of {choices}.": "「{value}」不行，只能是其中之一：{choices}。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{name} {filename!r} does not exist.": "「{filename}」不存在。",
    "{name} {filename!r} is a file.": "「{filename}」是文件，这里要的是文件夹。",
    "{name} {filename!r} is a directory.": "「{filename}」是文件夹，这里要的是文件。",
    "{name} {filename!r} is not readable.": "「{filename}」没有读取权限。",
    "{name} {filename!r} is not writable.": "「{filename}」没有写入权限。",
    "{name} {filename!r} is not executable.": "「{filename}」不能执行。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{value!r} does not match the format {format}.": "「{value}」的写法不对，要写成 {format}。",
    "{value!r} does not match the formats {formats}.": "「{value}」的写法不对，要写成其中一种：{formats}。",
    "{value!r} is not a valid {number_type}.": "「{value}」不是数字。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 之内。",
}

# The modules whose sentences a command run can show (the others prompt, page, edit or complete shells,
# which no handover command does).
_CLICK_MODULES = (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types)
_SPEAKING = contextvars.ContextVar("handover_speaks_chinese", default=False)


class _ShowsTyped(str):
    """A sentence that shows what was typed between 「」, as the commands' own messages do, where click
    shows its repr: the value is made printable, as the repr made it harmless to a terminal."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        return str.format(self, *args, **{key: printable(value) if isinstance(value, str) else value
                                          for key, value in kwargs.items()})


def _chinese(english: str) -> str:
    words = CLICK_WORDS.get(english, english)
    return _ShowsTyped(words) if "「{" in words else words


def _gettext(english: str, _original=click.core._) -> str:  # type: ignore[attr-defined]
    return _chinese(english) if _SPEAKING.get() else _original(english)


def _ngettext(singular: str, plural: str, count: int, _original=click.core.ngettext) -> str:  # type: ignore[attr-defined]
    return _chinese(singular if count == 1 else plural) if _SPEAKING.get() else _original(singular, plural, count)


for _module in _CLICK_MODULES:
    if hasattr(_module, "_"):
        _module._ = _gettext  # type: ignore[attr-defined]
    if hasattr(_module, "ngettext"):
        _module.ngettext = _ngettext  # type: ignore[attr-defined]


# Lists click joins itself, in English: "'text', 'markdown', 'json'" and a space before the suggestion
# that follows a sentence. In Chinese a list is joined by 、 and nothing follows 。 but the next sentence.

def _invalid_choice(self: click.Choice, value: Any, ctx: click.Context | None,
                    _original=click.types.Choice.get_invalid_choice_message) -> str:
    if not _SPEAKING.get():
        return _original(self, value, ctx)
    # The values a command offers are plain words (text, 已完成): listed without quotes.
    choices = "、".join(self.normalize_choice(choice, ctx) for choice in self.choices)
    return _ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.",
                     len(self.choices)).format(value=value, choice=choices, choices=choices)


def _with_suggestions(original):
    def format_message(self: click.UsageError) -> str:
        if not _SPEAKING.get() or not self.possibilities:
            return original(self)
        # Names to type (an option, a command) keep click's quotes, as in the rest of the sentence.
        names = "、".join(repr(name) for name in sorted(self.possibilities))
        return self.message + _ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)",
                                        len(self.possibilities)).format(possibility=names, possibilities=names)

    return format_message


click.types.Choice.get_invalid_choice_message = _invalid_choice  # type: ignore[method-assign]
for _error in (click.exceptions.NoSuchOption, getattr(click.exceptions, "NoSuchCommand", None)):
    if _error is not None:
        _error.format_message = _with_suggestions(_error.format_message)  # type: ignore[method-assign]


@contextlib.contextmanager
def chinese() -> Iterator[None]:
    """click speaks Chinese inside this block (one command run)."""
    token = _SPEAKING.set(True)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


# ------------------------------------------------------------------------------------ help layout

_WIDE = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_PUNCTUATION = "，。、：；！？（）「」『』《》〈〉【】“”‘’…"
_NO_LINE_START = set("，。、：；！？）」』》〉】”’…%")
_NO_LINE_END = set("（「『《〈【“‘")
# A word between spaces stays whole when it is short (a label in a list: 尺码确认 待买家退货) or has no
# Chinese in it (a flag, a file name); a longer Chinese run is a sentence, which may break between any
# two of its characters.
_WHOLE_WORD_COLUMNS = 10
# Patterns, not compiled ones: compiling these ranges costs every command a few ms, and only help needs them
# (`re` keeps them once compiled).
_WIDE_CHAR = f"[{_WIDE}]"
_SENTENCE_PIECE = rf"[{_WIDE}]|[^{_WIDE}]+"


def wrap(text: str, width: int, first_indent: str = "", indent: str = "") -> list[str]:
    """Lines of at most `width` terminal columns (a word longer than that keeps its own line), the
    paragraphs (blank-line separated) one blank line apart. A paragraph's lines are joined first, with a
    space only where the text around the join is not Chinese."""
    lines: list[str] = []
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text.strip())):
        if number:
            lines.append("")
        lines += _wrap_paragraph(_joined(paragraph.splitlines()), width, indent if lines else first_indent, indent)
    return lines


def _joined(lines: Sequence[str]) -> str:
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and not _joins_without_space(text[-1], line[0]):
            text += " "
        text += line
    return text


def _joins_without_space(before: str, after: str) -> bool:
    both_wide = re.match(_WIDE_CHAR, before) and re.match(_WIDE_CHAR, after)
    return bool(both_wide) or before in _PUNCTUATION or after in _PUNCTUATION


def _units(text: str) -> list[tuple[str, bool]]:
    """What may not be split, each with whether a space comes before it."""
    units: list[tuple[str, bool]] = []
    for word in text.split():
        whole = display_width(word) <= _WHOLE_WORD_COLUMNS or not re.search(_WIDE_CHAR, word)
        for index, piece in enumerate([word] if whole else re.findall(_SENTENCE_PIECE, word)):
            if index and (piece[0] in _NO_LINE_START or units[-1][0][-1] in _NO_LINE_END):
                units[-1] = (units[-1][0] + piece, units[-1][1])
            else:
                units.append((piece, not index))
    return units


def _wrap_paragraph(text: str, width: int, first_indent: str, indent: str) -> list[str]:
    lines: list[str] = []
    line, used, empty = first_indent, display_width(first_indent), True
    for unit, spaced in _units(text):
        gap = " " if spaced and not empty else ""
        if not empty and used + len(gap) + display_width(unit) > width:
            lines.append(line)
            line, used, gap = indent, display_width(indent), ""
        line += gap + unit
        used += len(gap) + display_width(unit)
        empty = False
    lines.append(line)
    return lines


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help layout, measured in terminal columns and wrapped where Chinese text may break."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = CLICK_WORDS["Usage:"] if prefix is None else prefix
        lead = f"{'':>{self.current_indent}}{prefix}{prog} "
        lines = wrap(args, self.width, lead, " " * display_width(lead)) if args else [lead.rstrip()]
        self.write("".join(f"{line}\n" for line in lines))

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write("".join(f"{line}\n" if line else "\n" for line in wrap(text, self.width, indent, indent)))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_width = min(max((display_width(first) for first, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_width - 2, 10)
        indent = " " * (self.current_indent + first_width)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_width - col_spacing:
                self.write(" " * (first_width - display_width(first)))
            else:
                self.write("\n" + indent)
            lines = wrap(second, text_width)
            self.write(lines[0] + "\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in lines[1:]))


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseCommand(click.Command):
    """A command whose help and usage are Chinese: `[选项]`, the help option's own help, and the first
    sentence of its help as its line in the list of commands."""

    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # click makes it once, worded by whoever asked first; it always reads the same here.
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = CLICK_WORDS["Show this message and exit."]
        return option

    def get_short_help_str(self, limit: int = 45) -> str:
        text = (self.short_help or self.help or "").strip()
        first = re.split(r"(?<=[。！？])|\n", text, maxsplit=1)[0].rstrip("。")
        return clip(first, limit)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.MissingParameter as missing:
            # click ends this one with an English full stop of its own.
            if missing.param is None:
                raise
            kind = CLICK_WORDS["Missing argument" if isinstance(missing.param, click.Argument) else "Missing option"]
            raise click.UsageError(f"{kind} {missing.param.get_error_hint(ctx)}。", ctx) from None


class ChineseGroup(ChineseCommand, click.Group):
    """A group of Chinese commands (and groups): every command made with `@group.command()` is one."""

    command_class = ChineseCommand
    group_class = type  # subgroups are of the group's own class

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with chinese():
            return super().main(*args, **kwargs)
