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


def library_example() -> tuple[str, str]:
    """The README's library example and the output it shows, the two blocks under "Use as a library"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Use as a library"):]
    section = section[: section.index("\n## ", 1)]
    code = re.search(r"```python\n(.*?)\n```\n", section, re.S)
    shown = re.search(r"```\n(.*?\n)```", section[code.end():], re.S)
    return code.group(1), shown.group(1)


def test_the_library_example_runs_and_prints_what_the_readme_shows(tmp_path):
    """A newcomer pastes it into a file at the top of a checkout: it runs there as written."""
    import shutil
    import subprocess
    import sys

    code, shown = library_example()
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    ran = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == shown


def test_the_public_names_are_there():
    import handover

    assert [name for name in handover.__all__ if not hasattr(handover, name)] == []
    assert "commands" in handover.__all__ and "open_workspace" in handover.__all__
    assert "HandoverError" in handover.__all__ and "Morning" in handover.__all__


def example_runs() -> list[tuple[str, list[str]]]:
    """The examples of "Messages to paste" and "The daily summary", run inside `examples/`: the command and
    the lines it shows, `…` marking where lines are left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = text[text.index("## Messages to paste"):text.index("\n## ", text.index("## The daily summary"))]
    runs = []
    for block in re.findall(r"```\n(\$ handover .*?)\n```", text, re.S):
        command, *shown = block.split("\n")
        if "--sheet" not in command:
            runs.append((command[2:], shown))
    return runs


def test_the_readme_shows_examples_run_in_the_examples_folder():
    assert [command.split()[1] for command, _ in example_runs()] == ["courier", "pull", "summary"]


def test_the_examples_the_readme_shows_are_what_the_commands_print(run, tmp_path):
    """Each line shown is printed, in that order, by the command run in a copy of examples/ the morning
    after its night (as the README says); `…` stands for lines left out."""
    import shlex
    import shutil

    from freezegun import freeze_time

    for name in ("handover.xlsx", "handover.toml"):
        shutil.copyfile(ROOT / "examples" / name, tmp_path / name)
    for command, shown in example_runs():
        with freeze_time("2026-11-23 09:05:00+08:00"):
            result = run(*shlex.split(command)[1:])
        assert result.exit_code == 0, result.output
        printed = result.stdout.split("\n")
        at = 0
        for line in shown:
            if line.startswith("…"):
                continue
            assert line in printed[at:], f"README, `{command}`: {line!r} is not printed (or not in this order)"
            at = printed.index(line, at) + 1


def sheet_runs() -> list[list[tuple[str, list[str]]]]:
    """Every README block whose commands name `--sheet examples/…` (the morning list, the return timers,
    the import), run from the top of a checkout: per block, each command and the lines it shows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = []
    for indent, body in re.findall(r"^( *)```\n(\1\$ handover .*?)\n\1```", text, re.S | re.M):
        lines = [line[len(indent):] for line in body.split("\n")]
        runs: list[tuple[str, list[str]]] = []
        for line in lines:
            if line.startswith("$ handover "):
                runs.append((line[2:], []))
            else:
                runs[-1][1].append(line)
        if all("--sheet examples/" in command for command, _ in runs):
            blocks.append(runs)
    return blocks


def test_the_readme_shows_the_timers_from_the_morning_list_the_log_and_the_import():
    commands = [command.split()[1:3] for block in sheet_runs() for command, _ in block]
    assert [["pull", "--sheet"], ["log", "--return"], ["returns", "import"], ["returns", "import"],
            ["deadlines", "--sheet"]] == commands


def test_the_sheet_examples_the_readme_shows_are_what_the_commands_print(run, tmp_path, monkeypatch):
    """Each block runs in a fresh copy of examples/, its commands in order, the morning after the example's
    night (09:05, as the README says); each line shown (stdout, then what goes to stderr) is printed in that
    order; `…` stands for lines left out."""
    import shlex
    import shutil

    from freezegun import freeze_time

    for number, block in enumerate(sheet_runs()):
        top = tmp_path / str(number)
        shutil.copytree(ROOT / "examples", top / "examples")
        monkeypatch.chdir(top)
        for command, shown in block:
            with freeze_time("2026-11-23 09:05:00+08:00"):
                result = run(*shlex.split(command)[1:])
            assert result.exit_code == 0, result.output
            printed = (result.stdout + result.stderr).split("\n")
            at = 0
            for line in shown:
                if line.strip().startswith("…"):
                    continue
                assert line in printed[at:], f"README, `{command}`: {line!r} is not printed (or not in this order)"
                at = printed.index(line, at) + 1
