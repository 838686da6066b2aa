"""The README's first two commands are what a newcomer types; CI must run exactly those."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    return blocks[:2]


def test_ci_runs_the_readme_commands_verbatim():
    install_and_pull, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert install_and_pull in ci
    assert tests in ci
    assert "examples/handover.xlsx" in install_and_pull and "pytest" in tests


def test_the_readme_opens_with_them():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.index("```sh")
    assert text.index("## ") > text.index("```sh", first_block + 1)
