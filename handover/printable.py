"""Text anyone could type (a cell, an export, the owner name in another program's lock file), made
harmless to show: it reaches a terminal, a file or a chat as the characters it shows, never as commands
to the terminal. Every layer that shows such text uses this: the templates (`render.environment`), the
JSON writer (`render.views.dumps`) and the backends' messages (`backends.office_locks`).
"""

from __future__ import annotations

import re
import unicodedata

# Control characters; tab and newline are text. Bidi overrides count: they show text in another order
# than it is. Every escape sequence starts with one of them (ESC, or 8-bit CSI). json.dumps escapes the
# C0 ones itself and leaves the others raw.
_C0 = r"\x00-\x08\x0b-\x1f"
_RAW_IN_JSON = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL_CHAR = f"[{_C0}{_RAW_IN_JSON}]"
_CONTROLS = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, clearing the screen
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (window title, links), DCS, APC …
    r"|\x1b[ -/]*[0-~]?"  # any other escape sequence (ESC c resets the terminal)
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # CSI in its 8-bit form
    "|" + _CONTROL_CHAR
)
_ANY_CONTROL = re.compile(_CONTROL_CHAR)
_RAW_JSON_CONTROL = re.compile(f"[{_RAW_IN_JSON}]")


def printable(text: str) -> str:
    """Text without control characters or terminal escape sequences."""
    # Nearly all text has none: one quick scan (a morning list can run to megabytes) before the real work.
    return _CONTROLS.sub("", text) if _ANY_CONTROL.search(text) else text


def json_escaped(text: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False) with the controls it left raw escaped as it escapes
    ESC: a script still reads what was typed, a terminal receives no control character. They can only
    stand inside strings, where a \\u escape means the same text."""
    if not _RAW_JSON_CONTROL.search(text):
        return text
    return _RAW_JSON_CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# The controls json.dumps leaves raw, as UTF-8 writes them: DEL, C1 (C2 80-9F), bidi (E2 80 AA-AE and
# E2 81 A6-A9). Each starts with a byte a quick scan finds (or finds absent) at memory speed.
_RAW_JSON_CONTROL_UTF8 = ((b"\x7f", re.compile(b"\x7f")), (b"\xc2", re.compile(b"\xc2[\x80-\x9f]")),
                          (b"\xe2", re.compile(b"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")))


def json_escaped_utf8(data: bytes) -> bytes:
    """`json_escaped` for JSON already encoded as UTF-8. Nearly no text holds such a control: a look for
    the byte each starts with comes first (a few milliseconds on a 19 MB morning list), then for the
    control itself where that byte occurs; only JSON holding one is decoded to be escaped."""
    if any(lead in data and pattern.search(data) for lead, pattern in _RAW_JSON_CONTROL_UTF8):
        return json_escaped(data.decode()).encode()
    return data


def one_line(text: str, limit: int) -> str:
    """A name shown inside a sentence (who holds a lock): printable, without format characters either,
    on one line, at most `limit` characters."""
    text = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in printable(text))
    return " ".join(text.split())[:limit]
