import json

import pytest
from freezegun import freeze_time

NIGHT_AFTER = "2026-11-23 09:05:00+08:00"


@pytest.fixture
def example(data_file):
    return data_file("../../examples/handover.xlsx", "handover.xlsx")


@freeze_time(NIGHT_AFTER)
def test_pull_text_is_the_morning_list(run, example, golden):
    result = run("pull", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    golden("pull.txt", result.stdout)


@freeze_time(NIGHT_AFTER)
def test_pull_markdown(run, example, golden):
    result = run("pull", "--sheet", "handover.xlsx", "--format", "markdown")
    assert result.exit_code == 0
    golden("pull.md", result.stdout)


@freeze_time(NIGHT_AFTER)
def test_pull_json_is_stable_and_complete(run, example):
    result = run("pull", "--sheet", "handover.xlsx", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["generated_at"] == "2026-11-23T09:05:00+08:00"
    assert data["counts"] == {"open": 16, "carried_over": 2, "problem_rows": 4}
    assert [group["route"] for group in data["routes"]] == ["warehouse", "courier", "customer"]
    warehouse = data["routes"][0]["items"]
    assert [item["id"] for item in warehouse][:3] == ["H20261120-004", "H20261121-002", "H20261122-001"]
    assert warehouse[0]["carried_over"] is True and warehouse[2]["carried_over"] is False
    first = warehouse[0]
    assert set(first) >= {"id", "row", "order_id", "tracking_no", "category", "route", "status", "logged_at"}
    assert (first["category"], first["route"], first["status"], first["row"]) == ("no_tracking", "warehouse", "in_progress", 2)
    assert first["order_id"] == "3958120345678901234"
    assert {"row": 13, "column": "订单号", "id": "H20261122-010"}.items() <= data["problems"][0].items()
    assert "4 行有问题" in result.stderr


@freeze_time(NIGHT_AFTER)
def test_pull_to_a_file_and_strict(run, example, tmp_path):
    result = run("pull", "--sheet", "handover.xlsx", "--out", "list.txt", "--strict")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (tmp_path / "list.txt").read_text(encoding="utf-8").startswith("交接清单　2026-11-23 09:05")
    assert "已写入 list.txt" in result.stderr


@freeze_time(NIGHT_AFTER)
def test_pull_text_lines_up_chinese_columns(run, example):
    from handover.textwidth import display_width

    lines = run("pull", "--sheet", "handover.xlsx").stdout.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("【快递】")))
    block = lines[start + 1: lines.index("", start)]
    # The 单号 column starts at the same terminal column on every line of the block.
    positions = {display_width(line[: line.index(token)]) for line, token in zip(block, ["单号"] + [l.split()[6] for l in block[1:]])}
    assert len(positions) == 1


def test_pull_without_a_sheet_is_one_clear_error(run):
    result = run("pull")
    assert result.exit_code == 1
    assert result.stderr == 'Error: 没有指定表格：请加 --sheet 工作簿路径，或在 handover.toml 里写 sheet = "…"\n'


def test_pull_on_a_workbook_without_the_tab(run, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(tmp_path / "other.xlsx")
    result = run("pull", "--sheet", "other.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: other.xlsx 里没有「交接」标签页")


def test_usage_errors_exit_2(run):
    assert run("pull", "--format", "pdf").exit_code == 2
    assert run("done").exit_code == 2


def test_every_command_has_help(run):
    from handover.cli import cli

    for name, command in cli.commands.items():
        assert command.help, name
        assert run(name, "-h").exit_code == 0


@freeze_time(NIGHT_AFTER)
@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_pull_with_a_shop_message_template_that_does_not_compile_says_which_in_one_line(run, example, tmp_path):
    """The message templates are compiled while the sheet is read: a broken one is still told as render
    tells it, once, and nothing else reaches the terminal."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "warehouse.txt.j2").write_text("仓库：\n{% if %}\n", encoding="utf-8")
    result = run("pull", "--sheet", "handover.xlsx", "--templates", "templates")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: 模板 warehouse.txt.j2 第 2 行语法有误：Expected an expression, got 'end of statement block'\n"
