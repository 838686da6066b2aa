"""Shared fixtures: fixture workbooks copied into a temp folder, and a CLI runner."""

from __future__ import annotations

import os
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


def check_golden(path: Path, text: str) -> None:
    """Compare text with a golden file; UPDATE_GOLDEN=1 rewrites the file instead (read the diff)."""
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden (UPDATE_GOLDEN=1 to accept)"


@pytest.fixture
def golden():
    """check_golden against tests/data/golden/<name>."""
    return lambda name, text: check_golden(GOLDEN / name, text)


SHOP = DATA / "messages"  # the fixture shop of the message and summary tests


def shop_items(config, moment: str):
    """The fixture shop's handover items, parsed as of `moment` (a frozen UTC time)."""
    from datetime import datetime

    from freezegun import freeze_time

    from handover.backends.xlsx import XlsxBackend
    from handover.model.handover_tab import parse_handover

    with freeze_time(moment):
        grid = XlsxBackend(SHOP / "handover.xlsx").read(["交接"])["交接"]
        return parse_handover(grid, config.timezone, now=datetime.now(config.timezone)).items


@pytest.fixture
def shop_config():
    from handover.model.config import load_config

    return load_config(str(SHOP / "handover.toml"))


class SheetUnderTest:
    """One fixture workbook behind either backend, for the command tests that run on both."""

    def __init__(self, kind: str, tmp_path: Path, google_cli=None):
        self.kind = kind
        self.tmp_path = tmp_path
        self.google_cli = google_cli
        self.source = ""

    def load(self, name: str | Path) -> str:
        """A workbook of tests/data by name, or one a test made (a Path), behind this backend."""
        local = self.tmp_path / Path(name).name
        if Path(name) != local:
            shutil.copyfile(name if isinstance(name, Path) else DATA / name, local)
        if self.kind == "google":
            self.key = self.google_cli.upload(local)
            local.unlink()
            self.source = self.google_cli.url(self.key)
        else:
            self.source = str(local)
        return self.source

    def rows(self, tab: str = "交接") -> list[list]:
        """The tab's cells as stored, trailing blanks trimmed, blanks as None."""
        if self.kind == "google":
            raw = self.google_cli.emulator.values(self.key, tab)
        else:
            import openpyxl

            raw = [list(row) for row in openpyxl.load_workbook(self.source)[tab].iter_rows(values_only=True)]
        rows = []
        for row in raw:
            cells = [None if value == "" else value for value in row]
            while cells and cells[-1] is None:
                cells.pop()
            rows.append(cells)
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def record(self, row_id: str, tab: str = "交接") -> dict:
        """The row whose first column is `row_id`, as header -> value."""
        rows = self.rows(tab)
        header = rows[0]
        for row in rows[1:]:
            if row and row[0] == row_id:
                return {name: row[i] if i < len(row) else None for i, name in enumerate(header)}
        raise KeyError(row_id)


@pytest.fixture(params=["xlsx", "google"])
def sheet(request, tmp_path):
    """The same command test on a local workbook and on a Google Sheet in the local emulator."""
    google_cli = request.getfixturevalue("google_cli") if request.param == "google" else None
    return SheetUnderTest(request.param, tmp_path, google_cli)
