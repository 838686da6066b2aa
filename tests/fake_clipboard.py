"""A stand-in `xclip` for the `--copy` tests: what handover puts on the clipboard lands in a file."""

from __future__ import annotations

import stat

import pytest


@pytest.fixture
def clipboard(tmp_path, monkeypatch):
    """The file a fake xclip (the only clipboard tool on PATH, with a display) writes what it is given to."""
    fake = tmp_path / "bin"
    fake.mkdir()
    tool = fake / "xclip"
    copied = tmp_path / "clipboard.txt"
    tool.write_text(f"#!/bin/sh\n/bin/cat > {copied}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return copied
