"""Shared fixtures: fixture workbooks copied into a temp folder, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from handover.cli import cli

pytest_plugins = ["google_fixtures"]

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data_file(tmp_path):
    """Copy a file from tests/data into this test's temp folder and return the copy's path."""

    def copy(name: str, target: str | None = None) -> Path:
        destination = tmp_path / (target or Path(name).name)
        shutil.copyfile(DATA / name, destination)
        return destination

    return copy


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke the CLI in the temp folder; returns click's Result (stdout and stderr kept apart)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOVER_SHEET", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


GOLDEN = DATA / "golden"


@pytest.fixture
def golden():
    """Compare text with tests/data/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead."""
    import os

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8")

    return check
