"""handover.toml as people really edit it: one `Error:` line naming the setting and the type it needs,
a warning with the nearest known name for a setting nothing reads (issue 10, point 4)."""

from __future__ import annotations

import re

import shutil
from datetime import time

import pytest
from conftest import DATA

from handover.errors import ConfigError
from handover.model.config import SECTIONS, load_config, parse_config


@pytest.fixture
def shop(tmp_path):
    shutil.copyfile(DATA.parent.parent / "examples" / "handover.xlsx", tmp_path / "handover.xlsx")
    return tmp_path


def write_config(folder, text: str, encoding: str = "utf-8"):
    (folder / "handover.toml").write_bytes(text.encode(encoding))


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr and result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_shift_written_as_text_instead_of_a_section_is_one_error_naming_the_table_it_needs(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\nshift = "morning_starts"\n')
    line = one_error_line(run("pull"))
    assert "shift 应该是一个表" in line and "[shift]" in line and 'morning_starts = "09:00"' in line
    assert '现在是文字 "morning_starts"' in line


def test_tabs_written_as_text_instead_of_a_section_is_one_error_naming_the_table_it_needs(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\ntabs = "交接"\n')
    line = one_error_line(run("check"))
    assert "tabs 应该是一个表" in line and 'handover = "交接"' in line


def test_a_handover_toml_saved_as_gbk_says_to_save_it_as_utf8(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\n[messages]\nshop = "小鹿服饰"\n', encoding="gbk")
    line = one_error_line(run("pull"))
    assert "不是 UTF-8 编码" in line and "另存为 UTF-8" in line


def test_a_handover_toml_saved_by_notepad_with_a_byte_order_mark_is_read(run, shop):
    write_config(shop, '\ufeffsheet = "handover.xlsx"\n[messages]\nshop = "小鹿服饰"\n')
    assert run("pull").exit_code == 0


def test_chinese_text_without_quotes_names_the_line_and_the_fix(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\nuser = 小周\n')
    line = one_error_line(run("pull"))
    assert "第 2 行第 8 列格式有误" in line and '例如 user = "小周"' in line


@pytest.mark.parametrize("typed, says", [
    ('[messages\nshop = "小鹿"\n', "第 1 行第 10 列格式有误（一节的名字少了右方括号 ]）"),
    ('user = "小周"\nuser = "阿杰"\n', "第 2 行第 12 列格式有误（同一个设置写了两次）"),
    ('shift = ["09:00",\n', "文件末尾格式有误（等号后面的值看不懂（文字要加英文双引号））"),
])
def test_a_handover_toml_typo_is_told_in_chinese_with_where(run, shop, typed, says):
    write_config(shop, typed)
    line = one_error_line(run("pull", "--sheet", "handover.xlsx"))
    assert says in line, line
    assert not re.search(r"[A-Za-z]{3,}", line.split("格式有误", 1)[1].split("：")[0]), line  # no tomllib English


def test_a_misspelt_section_is_warned_about_with_the_name_meant_and_the_command_runs(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\n[mesages]\nshop = "小鹿服饰"\n')
    result = run("pull")
    assert result.exit_code == 0
    assert result.stderr.startswith("提醒：") and result.stderr.endswith(
        "handover.toml: 不认识 [mesages]，是不是 [messages]？这一项没有生效\n")


def test_a_misspelt_setting_in_a_section_is_warned_about_once(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\n[shift]\nmorning_start = "08:30"\n[messages]\nsign_of = "阿杰"\n')
    result = run("pull")
    assert result.exit_code == 0
    assert result.stderr.count("提醒：") == 2
    assert "[shift] 里不认识 morning_start，是不是 morning_starts？" in result.stderr
    assert "[messages] 里不认识 sign_of，是不是 sign_off？" in result.stderr


def test_a_setting_nothing_resembles_lists_the_known_ones():
    config = parse_config({"shift": {"lunch": "12:00"}})
    assert config.warnings == ["提醒：handover.toml: [shift] 里不认识 lunch，可用：morning_starts。这一项没有生效"]


def test_verbose_keeps_the_traceback_of_a_bad_setting(run, shop):
    write_config(shop, 'sheet = "handover.xlsx"\ntabs = "交接"\n')
    with pytest.raises(ConfigError):
        run("--verbose", "pull")


@pytest.mark.parametrize("raw, fragment", [
    ({"sheet": 5}, "sheet 应该是工作簿路径或 Google 表格链接（文字）"),
    ({"timezone": 8}, "timezone 应该是时区名（文字），例如 timezone = \"Asia/Shanghai\"，现在是数字 8"),
    ({"user": ["阿杰"]}, "user 应该是名字（文字）"),
    ({"shift": {"morning_starts": 9}}, "[shift] morning_starts 应该是时间（文字），例如 morning_starts = \"09:00\"，现在是数字 9"),
    ({"shift": {"morning_starts": "九点"}}, "[shift] morning_starts 应该是时间（文字）"),
    ({"tabs": {"handover": 1}}, "[tabs] handover 应该是标签页的名字（文字），例如 handover = \"交接\"，现在是数字"),
    ({"tabs": {"returns": ""}}, "[tabs] returns 应该是标签页的名字（文字）"),
    ({"messages": "小鹿"}, "messages 应该是一个表：另起一行写 [messages]"),
    ({"google": ["key.json"]}, "google 应该是一个表"),
])
def test_a_setting_of_the_wrong_type_names_the_setting_and_the_type_it_needs(raw, fragment):
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)


def test_google_credentials_of_the_wrong_type_names_the_setting(run, tmp_path):
    write_config(tmp_path, '[google]\ncredentials = 5\n')
    line = one_error_line(run("pull", "--sheet", "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit"))
    assert "[google] credentials 应该是密钥文件的路径（文字）" in line


def test_settings_of_the_right_types_are_read(tmp_path):
    write_config(tmp_path, 'user = 1024\n[shift]\nmorning_starts = 08:30:00\n[tabs]\nhandover = " 交接表 "\n')
    config = load_config(str(tmp_path / "handover.toml"))
    assert (config.user, config.morning_starts, config.tabs["handover"]) == ("1024", time(8, 30), "交接表")
    assert config.warnings == []


def test_every_section_a_module_reads_is_a_known_name():
    config = parse_config({})
    for name in SECTIONS:
        assert config.section(name) == {}
    with pytest.raises(ValueError):
        config.section("mesages")
