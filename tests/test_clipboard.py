"""`--copy` with fake clipboard commands on PATH: each records what it was given in a file."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from handover import clipboard
from handover.clipboard import NO_CLIPBOARD, NO_DISPLAY, copy_text, find_clipboard

TEXT = "申通余杭网点 王师傅，您好！\n单号：773277027280336\n"


def fake(bin_dir: Path, name: str, body: str) -> Path:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def bin_dir(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def env_with(bin_dir: Path, **extra: str) -> dict[str, str]:
    # Only the fake folder and the basics a shell script needs: the real machine's tools stay out of it.
    return {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", "OUT": str(bin_dir / "received"), **extra}


def received(bin_dir: Path) -> bytes:
    return (bin_dir / "received").read_bytes()


def test_xclip_on_x11(bin_dir):
    fake(bin_dir, "xclip", 'cat > "$OUT"; echo "$@" > "$OUT.args"\n')
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0"), platform="linux")
    assert result.ok and result.tool == "xclip"
    assert result.message == "已复制到剪贴板（xclip），共 2 行。"
    assert received(bin_dir).decode("utf-8") == TEXT
    assert (bin_dir / "received.args").read_text().split() == ["-selection", "clipboard", "-in"]


def test_xsel_when_xclip_is_missing(bin_dir):
    fake(bin_dir, "xsel", 'cat > "$OUT"\n')
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0"), platform="linux")
    assert result.ok and result.tool == "xsel"
    assert received(bin_dir).decode("utf-8") == TEXT


def test_wayland_first(bin_dir):
    fake(bin_dir, "xclip", 'exit 9\n')
    fake(bin_dir, "wl-copy", 'cat > "$OUT"\n')
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0", WAYLAND_DISPLAY="wayland-0"), platform="linux")
    assert result.ok and result.tool == "wl-copy"


def test_pbcopy_on_macos(bin_dir):
    fake(bin_dir, "pbcopy", 'cat > "$OUT"\n')
    result = copy_text(TEXT, env=env_with(bin_dir), platform="darwin")
    assert result.ok and result.tool == "pbcopy"
    assert received(bin_dir).decode("utf-8") == TEXT


def test_clip_exe_in_wsl_gets_utf16_with_bom(bin_dir):
    fake(bin_dir, "clip.exe", 'cat > "$OUT"\n')
    result = copy_text(TEXT, env=env_with(bin_dir), platform="linux")  # WSL: no DISPLAY needed
    assert result.ok and result.tool == "clip.exe"
    data = received(bin_dir)
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")  # the mark that makes clip.exe read Unicode
    assert data.decode("utf-16") == TEXT


def test_xclip_is_useless_without_a_display(bin_dir):
    fake(bin_dir, "xclip", 'cat > "$OUT"\n')
    assert find_clipboard(env_with(bin_dir), "linux") is None
    result = copy_text(TEXT, env=env_with(bin_dir), platform="linux")
    assert not result.ok and result.message == NO_DISPLAY and result.tool is None
    assert not (bin_dir / "received").exists()


def test_no_tool_on_a_desktop(bin_dir):
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0"), platform="linux")
    assert not result.ok and result.message == NO_CLIPBOARD
    assert "xclip" in result.message and "请直接从上面选中复制" in result.message


def test_a_failing_tool_says_why(bin_dir):
    fake(bin_dir, "xclip", 'echo "Error: Can\'t open display: :0" >&2\nexit 1\n')
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0"), platform="linux")
    assert not result.ok and result.tool == "xclip"
    assert result.message == "xclip 出错（退出码 1）：Error: Can't open display: :0，没能复制。"


def test_a_tool_that_stays_behind_does_not_hang_us(bin_dir):
    # xclip and wl-copy leave a child serving the clipboard; it keeps our stderr open.
    fake(bin_dir, "xclip", 'cat > "$OUT"\n(sleep 3) &\nexit 0\n')
    started = time.monotonic()
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0"), platform="linux")
    assert result.ok
    assert time.monotonic() - started < 2


def test_a_stuck_tool_times_out(bin_dir, monkeypatch):
    monkeypatch.setattr(clipboard, "TIMEOUT", 0.5)
    fake(bin_dir, "xclip", 'exec sleep 5\n')
    result = copy_text(TEXT, env=env_with(bin_dir, DISPLAY=":0"), platform="linux")
    assert not result.ok and "没有反应" in result.message
