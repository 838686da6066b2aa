"""All text a person reads is rendered here, from jinja2 templates.

Templates ship inside the package; a shop overrides any of them with a file of the same name in a
`templates/` folder beside its handover.toml, or in `--templates DIR`. StrictUndefined: a template that
names a field we do not pass fails with the template's name and the field, never renders a blank.

Cell text is typed by anyone who can edit the sheet, so it is made harmless here, once, for every
template: control characters and terminal escape sequences are taken out of everything rendered, and
every value a markdown template prints has its html and `|` escaped (html templates escape html).
A markdown template marks text that is already markdown with `|safe`, and puts text to paste in a
code block with `|fenced`.

Every message and table is line by line, so a line break typed inside a cell (Alt+Enter in Excel, a
paste from a chat) never reaches a template: each text value a template reads, from the context or from
a record (`item.new_address`, `note.reasons`), comes as one line (`single_line`). Text this module
rendered (`Rendered`) keeps its lines; so does JSON, which carries the cell as typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from markupsafe import Markup

from ..errors import HandoverError
from ..printable import printable
from ..textwidth import clip, display_width, pad

if TYPE_CHECKING:
    import jinja2

_PACKAGE = Path(__file__).resolve().parent.parent  # handover/


def shipped_templates() -> Path:
    """Inside an installed wheel the templates sit in the package; in a source checkout they are the
    repository's top-level `templates/`."""
    inside = _PACKAGE / "templates"
    return inside if inside.is_dir() else _PACKAGE.parent / "templates"


class TemplateError(HandoverError):
    pass


@lru_cache(maxsize=8)
def environment(override: Path | None = None, markdown: bool = False) -> "jinja2.Environment":
    """The templates, shop overrides first. `markdown`: every value printed is escaped for markdown
    (the templates named *.md.j2 render here, with the macros they import)."""
    import jinja2  # not at start-up: JSON output never needs it

    paths = [str(override)] if override and override.is_dir() else []
    paths.append(str(shipped_templates()))
    env = _one_line_environment()(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        finalize=_markdown_value if markdown else None,
    )
    # Jinja wraps some built-in filters (join, select, map …) so that they also serve async templates, at
    # a cost on every call; ours never render async, so they get the plain filter (a morning list of
    # 25,000 items calls join and select that many times).
    for name, function in list(env.filters.items()):
        if getattr(function, "jinja_async_variant", False) and callable(getattr(function, "__wrapped__", None)):
            env.filters[name] = function.__wrapped__
    env.filters["select"] = _plain_select(env.filters["select"])
    env.filters["pad"] = pad
    env.filters["clip"] = clip
    env.filters["width"] = display_width
    env.filters["fenced"] = fenced
    return env


def _plain_select(select: Any) -> Any:
    """`select` as the templates use it, with no test (`[a, b]|select|join`: the values that are set),
    without the machinery for a named test, which costs more than the rest of a message line."""
    import jinja2

    @jinja2.pass_context
    def plain(context: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return select(context, value, *args, **kwargs)
        return (item for item in value if item) if value else iter(())

    return plain


def compile_ahead(names: Sequence[str], override: Path | None = None) -> None:
    """Compile these templates before they are rendered (a command does it while its sheet is read,
    outside Python's lock); the environment keeps them. One that cannot be compiled is left for `render`
    to report when it gets there."""
    for name in names:
        try:
            _template(name, override)
        except Exception:  # noqa: BLE001 - render meets it again and says what is wrong
            pass


def _template(name: str, override: Path | None) -> "jinja2.Template":
    return environment(override, name.endswith(".md.j2")).get_template(name)


def render(name: str, override: Path | None = None, **context: Any) -> str:
    import jinja2

    try:
        template = _template(name, override)
        text = template.render({key: _one_line(value) for key, value in context.items()})
    except jinja2.TemplateNotFound:
        raise TemplateError(f"找不到模板 {name}") from None
    except jinja2.UndefinedError as error:
        raise TemplateError(f"模板 {name} 用到了不存在的字段：{error.message}") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"模板 {error.name or name} 第 {error.lineno} 行语法有误：{error.message}") from None
    # Messages are pasted into chat: no trailing spaces on any line.
    return Rendered("\n".join(line.rstrip() for line in printable(text).split("\n")))


# ---------------------------------------------------------------------------- what cells may hold

class Rendered(str):
    """Text a template rendered: its line breaks are the template's own, so it is never folded onto one
    line when another template prints it (a message inside the morning list)."""

    __slots__ = ()


# Whitespace around a line break, and the breaks after it: Alt+Enter's \n, Windows' \r\n, an old Mac's \r,
# vertical tab and form feed, the file/group/record separators, NEL, and Unicode's line and paragraph
# separators (U+2028 arrives with text pasted from web pages and chat apps).
_BREAKS = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*")
# After these a break needs no comma: the line already ended a clause or opened a bracket.
_OPEN_OR_END = {"Po", "Ps", "Pi", "Pd"}


def single_line(text: str) -> str:
    """Cell text on one line: each line break (with the spaces around it) becomes a `，` between two
    Chinese characters (`少发一条\n要补发` → `少发一条，要补发`), nothing after Chinese punctuation that
    ends a clause, and a space anywhere else (`588 号\n3 幢 12 楼` → `588 号 3 幢 12 楼`)."""
    if text.isprintable():  # nearly every cell: no break, no other control, no unusual space
        return text

    def joiner(match: re.Match[str]) -> str:
        start, end = match.span()
        if start == 0 or end == len(text):
            return ""
        before, after = text[start - 1], text[end]
        if unicodedata.category(before) in _OPEN_OR_END:
            return "" if _wide(before) else " "
        return "，" if _wide(before) and _wide(after) else " "

    return _BREAKS.sub(joiner, text)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _one_line(value: Any) -> Any:
    """What a template reads: plain text on one line; a list of texts (a note's reasons) each on one line;
    anything else (records, numbers, `Rendered` and `Markup` text) as it is."""
    kind = value.__class__
    if kind is str:
        return single_line(value)
    if kind is list and value and value[0].__class__ is str:
        return [single_line(item) if item.__class__ is str else item for item in value]
    return value


@lru_cache(maxsize=1)
def _one_line_environment() -> type:
    """jinja's Environment, with every attribute and item a template looks up (`item.detail`,
    `entry["line"]`) passed through `_one_line`: a template the shop writes cannot forget it."""
    import jinja2

    class OneLineEnvironment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            # jinja's own lookup, with the common case (an attribute holding plain one-line text) first:
            # a morning list of 25,000 items looks up a few hundred thousand.
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return _one_line(super().getattr(obj, attribute))  # a dict key, or undefined
            if value.__class__ is str:
                return value if value.isprintable() else single_line(value)
            return _one_line(value) if value.__class__ is list else value

        def getitem(self, obj: Any, argument: Any) -> Any:
            return _one_line(super().getitem(obj, argument))

    return OneLineEnvironment


_MARKDOWN_HTML = re.compile(r"[<>]")
# A `|` preceded by an even number of backslashes (none included) is live in a markdown table.
_LIVE_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


def markdown_text(text: str) -> str:
    """Cell text as markdown shows it: html as text, and no `|` that ends a table cell. Escaping twice
    changes nothing, so a value that passes through a macro before it is printed stays right."""
    if "<" in text or ">" in text:
        text = _MARKDOWN_HTML.sub(lambda match: "&lt;" if match.group() == "<" else "&gt;", text)
    if "|" in text:
        text = _LIVE_PIPE.sub(r"\1\\|", text)
    return text


def _markdown_value(value: Any) -> Any:
    """Every `{{ … }}` of a markdown template: text is escaped, markdown already rendered (`|safe`,
    `|fenced`) is not."""
    if isinstance(value, (Markup, int, float)) or value is None:
        return value
    return markdown_text(str(value))


def fenced(text: object, info: str = "text") -> Markup:
    """Text to paste, as a markdown code block shows it: exactly as written, in a fence longer than any
    run of backticks inside, so nothing in it can close the block early."""
    body = str(text).strip()
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}{info}\n{body}\n{fence}")
