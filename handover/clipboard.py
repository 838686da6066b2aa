"""`--copy`: put a message on the system clipboard with whatever tool the machine has.

No clipboard library: the command-line tools are already there on every desktop (pbcopy on macOS,
wl-copy on Wayland, xclip or xsel on X11, clip.exe on Windows and inside WSL), and a server without a
desktop has no clipboard to fill anyway. The result says in Chinese what happened, so the CLI only
prints it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

TIMEOUT = 5.0  # seconds; a clipboard tool that hangs longer is stuck, not slow


@dataclass(frozen=True)
class Clipboard:
    tool: str  # the command's name, shown to the user
    argv: tuple[str, ...]  # the full command, the first element resolved on PATH
    encoding: str = "utf-8"


@dataclass(frozen=True)
class CopyResult:
    ok: bool
    message: str  # one Chinese sentence for the user
    tool: str | None = None


NO_CLIPBOARD = ("这台电脑上找不到能用的剪贴板工具（pbcopy、wl-copy、xclip、xsel 或 clip.exe），"
                "请直接从上面选中复制；Linux 桌面可以装 xclip 或 wl-clipboard。")
NO_DISPLAY = ("这里没有图形桌面（没有 DISPLAY 或 WAYLAND_DISPLAY），也就没有剪贴板，"
              "请直接从上面选中复制。")


def find_clipboard(env: Mapping[str, str] | None = None, platform: str | None = None) -> Clipboard | None:
    """The clipboard tool to use here, or None. Only tools that can reach a clipboard count: xclip is
    useless without an X display, wl-copy without a Wayland one."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    path = env.get("PATH", os.defpath)

    def which(name: str) -> str | None:
        return shutil.which(name, path=path)

    candidates: list[tuple[str, tuple[str, ...], str]] = []
    if platform == "darwin":
        candidates.append(("pbcopy", (), "utf-8"))
    elif platform.startswith("win"):
        candidates.append(("clip", (), "utf-16"))
    else:
        if env.get("WAYLAND_DISPLAY"):
            candidates.append(("wl-copy", ("--type", "text/plain;charset=utf-8"), "utf-8"))
        if env.get("DISPLAY"):
            candidates.append(("xclip", ("-selection", "clipboard", "-in"), "utf-8"))
            candidates.append(("xsel", ("--clipboard", "--input"), "utf-8"))
        # WSL: the Windows clipboard, whatever the Linux side has. clip.exe reads the console code page
        # unless the text starts with a UTF-16 byte-order mark, so Chinese goes as UTF-16 with BOM.
        candidates.append(("clip.exe", (), "utf-16"))
    for name, args, encoding in candidates:
        found = which(name)
        if found:
            return Clipboard(name, (found, *args), encoding)
    return None


def copy_text(text: str, *, env: Mapping[str, str] | None = None, platform: str | None = None) -> CopyResult:
    """Put `text` on the clipboard; never raises for a missing or failing tool."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    clipboard = find_clipboard(env, platform)
    if clipboard is None:
        desktop = platform == "darwin" or platform.startswith("win") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
        return CopyResult(False, NO_CLIPBOARD if desktop else NO_DISPLAY)
    return _run(clipboard, text, env)


def _run(clipboard: Clipboard, text: str, env: Mapping[str, str]) -> CopyResult:
    data = text.encode(clipboard.encoding)  # "utf-16" writes the byte-order mark clip.exe needs
    # xclip and wl-copy fork a child that keeps serving the clipboard; it inherits our stdout/stderr,
    # so a pipe there would never reach end-of-file. Errors go to a temporary file instead.
    with tempfile.TemporaryFile() as errors:
        try:
            finished = subprocess.run(list(clipboard.argv), input=data, stdout=subprocess.DEVNULL, stderr=errors,
                                      env=dict(env), timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return CopyResult(False, f"{clipboard.tool} 超过 {TIMEOUT:g} 秒没有反应，没能复制，请直接从上面选中复制。", clipboard.tool)
        except OSError as error:
            return CopyResult(False, f"运行 {clipboard.tool} 失败（{error.strerror or error}），没能复制。", clipboard.tool)
        errors.seek(0)
        detail = errors.read().decode("utf-8", "replace").strip()
    if finished.returncode != 0:
        reason = f"：{_first_line(detail)}" if detail else ""
        return CopyResult(False, f"{clipboard.tool} 出错（退出码 {finished.returncode}）{reason}，没能复制。", clipboard.tool)
    return CopyResult(True, f"已复制到剪贴板（{clipboard.tool}），共 {_lines(text)} 行。", clipboard.tool)


def _first_line(text: str) -> str:
    return text.splitlines()[0][:200]


def _lines(text: str) -> int:
    return len(text.rstrip("\n").split("\n")) if text.strip() else 0

