"""The CLI speaks Chinese to the team (issue 11): every help text, and what click itself says when a
command is typed wrong. Usage errors keep exit 2 and the `Error:` prefix every error line has."""

from __future__ import annotations

import ast
import inspect
import re

import click
import pytest
from click.testing import CliRunner

from handover import cli_chinese
from handover.cli import cli
from handover.cli_chinese import CLICK_WORDS, wrap

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def every_command(group: click.Group = cli, path: tuple[str, ...] = ()):
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(every_command())
NAMES = [" ".join(path) or "handover" for path, _ in COMMANDS]

# ASCII words a help page may show: names of things (the config file and its keys, products, the formats
# and status values an option takes). Anything else in English is a sentence someone forgot to translate.
NAMES_OF_THINGS = {"handover", "toml", "xlsx", "csv", "Google", "key", "QQ", "ZTO", "HANDOVER_SHEET", "traceback",
                   "user", "sheet", "orders", "timers", "horizon", "compensation", "pull", "return", "h", "d"}


def english_words(text: str, allowed: set[str]) -> list[str]:
    text = re.sub(r"(?<![\w])--?[a-z][\w-]*", "", text)  # flags
    return [word for word in re.findall(r"[A-Za-z_]+", text) if word not in allowed]


def params(command: click.Command) -> list[click.Parameter]:
    # A context as a run makes it: click keeps the help option it makes first, with the names it had.
    return command.get_params(click.Context(command, **command.context_settings))


def values_taken(command: click.Command) -> set[str]:
    return {choice for param in params(command) if isinstance(param.type, click.Choice) for choice in param.type.choices}


@pytest.mark.parametrize("path, command", COMMANDS, ids=NAMES)
def test_every_command_and_option_has_chinese_help(path, command):
    assert CHINESE.search(command.help or ""), f"{NAMES[COMMANDS.index((path, command))]} has no Chinese help"
    assert english_words(command.help, NAMES_OF_THINGS) == []
    for param in params(command):
        if isinstance(param, click.Option):
            assert CHINESE.search(param.help or ""), f"{param.opts} has no Chinese help"
            assert english_words(param.help, NAMES_OF_THINGS | values_taken(command)) == [], param.opts
        if param.metavar:  # what stands for the value in the help: 文件, 姓名 …
            assert CHINESE.search(param.metavar), param.opts


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=NAMES)
def test_every_help_page_is_chinese_with_h_and_with_help(run, path):
    short, long = run(*path, "-h"), run(*path, "--help")
    assert (short.exit_code, long.exit_code) == (0, 0)
    assert short.stdout == long.stdout
    page = short.stdout
    assert page.startswith(f"用法：handover {' '.join(path)}".rstrip() + " [选项]")
    assert "选项：\n" in page and "  -h, --help" in page and "显示这份帮助并退出。" in page
    command = dict(COMMANDS)[path]
    assert english_words(page, NAMES_OF_THINGS | values_taken(command) | set(path) | set(
        command.commands if isinstance(command, click.Group) else ())) == []


def test_the_command_list_gives_each_command_its_first_sentence(run):
    page = run("-h").stdout
    assert "\n命令：\n" in page
    assert "  pull          早班任务清单\n" in page
    assert "  compensation  预售延迟发货赔付和淘宝客扣佣退款\n" in page
    assert "  returns       退货登记（「退货」标签页）\n" in page


def test_a_help_page_as_the_team_sees_it(run):
    result = run("returns", "find", "-h")  # CliRunner's terminal is 80 columns wide
    assert result.stdout == (
        "用法：handover returns find [选项] 单号\n"
        "\n"
        "  按退货单号查出包裹是哪一笔退货。\n"
        "\n"
        "  单号写全，或只写最后 6 位以上；字母不分大小写，空格和 - 可有可无。\n"
        "\n"
        "选项：\n"
        "  --format [text|json]  输出格式。 [默认：text]\n"
        "  --sheet 表格          交接表：工作簿路径（.xlsx），或 Google 表格的链接或 key\n"
        "                        （默认：handover.toml 里的 sheet，或环境变量\n"
        "                        HANDOVER_SHEET）。\n"
        "  --config 文件         用这个 handover.toml（默认：当前文件夹里的，没有就用工作\n"
        "                        簿旁边的）。\n"
        "  -h, --help            显示这份帮助并退出。\n"
    )


def test_version(run):
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, "handover 0.1.0\n")


# ------------------------------------------------------------------------------------ usage errors

def told(usage: str, message: str) -> str:
    """A usage error as click prints it: the usage line, where the help is, then the error."""
    command = usage.split(" [选项]")[0]
    return f"用法：{usage}\n运行 '{command} --help' 查看帮助。\n\nError: {message}\n"


def test_a_missing_option_is_told_in_full(run):
    result = run("compensation")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("用法：handover compensation [选项]\n"
                             "运行 'handover compensation --help' 查看帮助。\n"
                             "\n"
                             "Error: 缺少选项 '--orders'。\n")


@pytest.mark.parametrize("args, says", [
    (["done"], told("handover done [选项] 编号...", "缺少参数 '编号...'。")),
    (["returns", "find"], told("handover returns find [选项] 单号", "缺少参数 '单号'。")),
    (["puII"], told("handover [选项] 命令 [参数]...", "没有 'puII' 这个命令。")),
    (["returns", "lookup", "123456"], told("handover returns [选项] 命令 [参数]...", "没有 'lookup' 这个命令。")),
    (["done", "H1", "--resullt", "好了"],
     told("handover done [选项] 编号...", "没有 '--resullt' 这个选项。是不是想用 '--result'？")),
    (["courier", "--format", "text"], told("handover courier [选项]", "没有 '--format' 这个选项。")),
    (["init", "a.xlsx", "b.xlsx"], told("handover init [选项] [路径]", "多写了参数：b.xlsx")),
    (["check", "now", "please"], told("handover check [选项]", "多写了参数：now please")),
    (["pull", "--format", "pdf"],
     told("handover pull [选项]", "'--format' 的值不对：「pdf」不行，只能是其中之一：text、markdown、json。")),
    (["done", "H1", "--status", "finished"],
     told("handover done [选项] 编号...", "'--status' 的值不对：「finished」不是状态：写待处理、处理中、已完成、已取消之一"
                                       "（表格里认的写法都行，例如 完成）")),
    (["deadlines", "--horizon", "soon"],
     told("handover deadlines [选项]", "'--horizon' 的值不对：看不懂的时长「soon」（写成 48h、7d 或 2d12h）")),
    (["pull", "--out"], "Error: 选项 '--out' 后面要写一个值。\n"),
    (["check", "--assign-ids=yes"], "Error: 选项 '--assign-ids' 后面不用写值。\n"),
])
def test_a_command_typed_wrong_is_told_in_chinese_and_exits_2(run, args, says):
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", says)


def test_an_option_typed_wrong_gets_its_suggestions_right_after_the_full_stop(run):
    result = run("done", "H1", "--resullt", "好了")
    assert result.stderr.endswith("\nError: 没有 '--resullt' 这个选项。是不是想用 '--result'？\n")
    result = run("summary", "--shet", "handover.xlsx")
    assert result.stderr.endswith("\nError: 没有 '--shet' 这个选项。（是不是想用其中一个：'--help'、'--sheet'？）\n")


def test_a_format_nobody_offers_is_told_with_chinese_quotes_and_the_list_of_formats(run):
    result = run("summary", "--format", "xml")
    assert (result.exit_code, result.stderr) == (
        2, told("handover summary [选项]", "'--format' 的值不对：「xml」不行，只能是其中之一：text、markdown、html。"))


def test_a_value_typed_with_escape_sequences_is_told_as_plain_text(run):
    result = run("summary", "--format", "\x1b[2Jxml")
    assert "「xml」不行" in result.stderr and "\x1b" not in result.stderr


def test_an_out_file_that_is_a_folder_is_named_in_chinese_quotes(run, tmp_path):
    (tmp_path / "日报").mkdir()
    result = run("summary", "--out", "日报")
    assert result.stderr.endswith("\nError: '--out' 的值不对：「日报」是文件夹，这里要的是文件。\n")


def test_an_unknown_courier_names_the_option(run, data_file):
    data_file("features.xlsx")
    result = run("courier", "--courier", "安能", "--sheet", "features.xlsx")
    assert result.exit_code == 2
    assert result.stderr.endswith("\n\nError: '--courier' 的值不对：不认识的快递公司「安能」（可用：申通、中通、圆通、韵达、"
                                  "顺丰、极兔、邮政、京东、德邦，或 sto、zto 这样的简称）\n")


def test_an_error_that_stopped_a_command_keeps_exit_1_and_its_error_line(run):
    result = run("pull", "--sheet", "nowhere.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_another_click_program_in_the_same_process_keeps_its_english():
    """Importing handover.cli lends click no Chinese outside a handover run."""

    @click.command()
    @click.option("--orders", required=True)
    def other(orders):
        pass

    result = CliRunner().invoke(other, [])
    assert result.exit_code == 2
    assert "Usage: other [OPTIONS]" in result.output and "Error: Missing option '--orders'." in result.output
    assert "Show this message and exit." in CliRunner().invoke(other, ["--help"]).output


# What the installed click can say that no handover command shows, and why.
NOT_SHOWN = {
    "deprecated": "no command or option is deprecated",
    "(Deprecated) {text}": "no command or option is deprecated",
    "{text} {deprecated_message}": "no command or option is deprecated",
    "DeprecationWarning: The command {name!r} is deprecated.": "no command or option is deprecated",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "no command or option is deprecated",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "nothing is deprecated",
    "Do you want to continue?": "no command asks for confirmation",
    "Confirm the action without prompting.": "no command asks for confirmation",
    "Choice({choices})": "a repr for programmers",
    "{value!r} is not a valid boolean.": "no option takes a yes/no value",
    "{value!r} is not a valid boolean. Recognized values: {states}": "no option takes a yes/no value",
    "{value!r} is not a valid UUID.": "no option takes a UUID",
    "{len_type} values are required, but {len_value} was given.": "no option takes a tuple",
    "{len_type} values are required, but {len_value} were given.": "no option takes a tuple",
    "unknown error": "no option opens a file with click.File",
    "Could not open file {filename!r}: {message}": "no option opens a file with click.File",
    "Name '{name}' defined twice": "a mistake in the code, raised as it is imported",
    "Could not determine name for option with declarations {decls!r}": "a mistake in the code",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you "
    "mean to pass '--{name}'?": "a mistake in the code",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "a mistake in the code",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "a mistake in the code",
    "Unknown standard stream '{name}'": "a mistake in the code",
}


def click_sentences() -> set[str]:
    """Every sentence the modules `cli_chinese` translates can say: the strings click passes to gettext."""
    found = set()
    for module in cli_chinese._CLICK_MODULES:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant)}
    return found


def test_every_sentence_click_can_show_has_its_chinese():
    assert sorted(click_sentences() - set(CLICK_WORDS) - set(NOT_SHOWN)) == []


def test_the_translations_keep_clicks_placeholders():
    for english, chinese in CLICK_WORDS.items():
        wanted = set(re.findall(r"\{(\w+)", chinese)) | set(re.findall(r"%\((\w+)\)", chinese))
        given = set(re.findall(r"\{(\w+)", english)) | set(re.findall(r"%\((\w+)\)", english))
        assert wanted <= given, english


# ---------------------------------------------------------------------------------------- layout

def test_chinese_help_wraps_by_terminal_columns():
    lines = wrap("交接表：工作簿路径（.xlsx），或 Google 表格的链接或 key（默认：handover.toml 里的 sheet）。", 30)
    assert lines == ["交接表：工作簿路径（.xlsx），", "或 Google 表格的链接或 key（默", "认：handover.toml 里的",
                     "sheet）。"]
    assert all(len(line.encode("gbk")) <= 30 for line in lines)  # a GBK byte is a terminal column


def test_a_line_never_starts_with_a_closing_mark_nor_ends_with_an_opening_one():
    for width in range(8, 40):
        for line in wrap("拦截退回要写退回到哪里（新地址），否则「原路退回」。请核对。", width):
            assert line[0] not in "，。）」" and line[-1] not in "（「"


def test_a_label_in_a_list_stays_whole():
    assert wrap("类型：漏发 无物流 催发货 改地址 拦截 查重量 尺码确认 地址不达 其他", 40) == [
        "类型：漏发 无物流 催发货 改地址 拦截", "查重量 尺码确认 地址不达 其他"]
    assert wrap("退款状态：待处理 待买家退货 退货中", 26) == ["退款状态：待处理", "待买家退货 退货中"]


def test_lines_of_a_paragraph_join_without_a_space_between_chinese():
    assert wrap("时间的写法和表格里一样：\n2026-11-22、11月22日\n都可以。", 80) == ["时间的写法和表格里一样：2026-11-22、11月22日都可以。"]
    assert wrap("第一段。\n\n第二段 --flag\nkeeps its space", 80) == ["第一段。", "", "第二段 --flag keeps its space"]


def test_the_readme_shows_the_help_and_errors_as_the_commands_print_them(run):
    """README "Commands": each `$ handover …` of the block, run in a folder `handover init` made."""
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(\$ handover -h\n.*?)```\n", readme, re.S).group(1)
    assert run("init").exit_code == 0
    shown = re.split(r"^\$ handover (.*)\n", block, flags=re.M)[1:]
    assert [command.split()[0] for command in shown[::2]] == ["-h", "compensation", "log"]
    for command, output in zip(shown[::2], shown[1::2]):
        assert run(*shlex.split(command)).output == output, command
