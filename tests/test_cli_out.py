"""`--out` never destroys the team's workbook, and a file it cannot write is one `Error:` line (issue 10,
points 2 and 4). Every command with `--out` is covered: pull, summary, deadlines, compensation."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import openpyxl
import pytest
from conftest import DATA
from freezegun import freeze_time

NOW = "2026-11-23 09:05:00+08:00"
ORDERS = DATA / "compensation" / "taobao_orders.csv"
# Each command that takes --out, as the morning shift or finance would run it on the example workbook.
COMMANDS = {
    "pull": ["pull"],
    "summary": ["summary"],
    "deadlines": ["deadlines"],
    "compensation": ["compensation", "--orders", "orders.csv", "--commit"],
}


@pytest.fixture
def shop(tmp_path):
    shutil.copyfile(DATA.parent.parent / "examples" / "handover.xlsx", tmp_path / "handover.xlsx")
    shutil.copyfile(ORDERS, tmp_path / "orders.csv")
    return tmp_path


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def untouched(shop: Path, before: bytes) -> bool:
    return (shop / "handover.xlsx").read_bytes() == before and not list(shop.glob(".*.tmp"))


@freeze_time(NOW)
@pytest.mark.parametrize("command", COMMANDS)
def test_out_onto_the_sheet_itself_is_refused_and_the_workbook_kept(run, shop, command):
    before = (shop / "handover.xlsx").read_bytes()
    line = one_error_line(run(*COMMANDS[command], "--sheet", "handover.xlsx", "--out", "handover.xlsx"))
    assert "就是正在读的表格" in line and "请换一个文件名" in line
    assert untouched(shop, before)
    assert "赔付记录" in openpyxl.load_workbook(shop / "handover.xlsx").sheetnames


@freeze_time(NOW)
@pytest.mark.parametrize("spelling", ["./handover.xlsx", "sub/../handover.xlsx", "{shop}/handover.xlsx", "link.xlsx",
                                      "hard.xlsx"])
def test_pull_out_onto_the_sheet_spelt_another_way_is_refused(run, shop, spelling):
    (shop / "sub").mkdir()
    (shop / "link.xlsx").symlink_to(shop / "handover.xlsx")
    os.link(shop / "handover.xlsx", shop / "hard.xlsx")
    before = (shop / "handover.xlsx").read_bytes()
    line = one_error_line(run("pull", "--sheet", "handover.xlsx", "--out", spelling.format(shop=shop)))
    assert "就是正在读的表格" in line
    assert untouched(shop, before)


@freeze_time(NOW)
def test_pull_out_onto_the_sheet_in_another_case_is_refused_where_the_disk_folds_case(run, shop):
    if not (shop / "HANDOVER.XLSX").exists():
        pytest.skip("this file system tells HANDOVER.XLSX from handover.xlsx: they are two files here")
    line = one_error_line(run("pull", "--sheet", "handover.xlsx", "--out", "HANDOVER.XLSX"))
    assert "就是正在读的表格" in line


@freeze_time(NOW)
def test_pull_out_onto_the_sheet_named_in_handover_toml_is_refused(run, shop):
    (shop / "handover.toml").write_text('sheet = "handover.xlsx"\n', encoding="utf-8")
    before = (shop / "handover.xlsx").read_bytes()
    one_error_line(run("pull", "--out", "./handover.xlsx"))
    assert untouched(shop, before)


@freeze_time(NOW)
@pytest.mark.parametrize("command", COMMANDS)
def test_out_onto_another_workbook_with_a_handover_tab_is_refused(run, shop, command):
    shutil.copyfile(shop / "handover.xlsx", shop / "上周交接.xlsx")
    before = (shop / "上周交接.xlsx").read_bytes()
    line = one_error_line(run(*COMMANDS[command], "--sheet", "handover.xlsx", "--out", "上周交接.xlsx"))
    assert "是有「交接」标签页的交接工作簿" in line
    assert (shop / "上周交接.xlsx").read_bytes() == before


@freeze_time(NOW)
def test_out_onto_a_workbook_with_the_configured_handover_tab_is_refused(run, shop, tmp_path):
    (shop / "handover.toml").write_text('[tabs]\nhandover = "交接表"\n', encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "交接表"
    book.save(shop / "archive")  # no .xlsx in the name: what the file holds decides
    line = one_error_line(run("pull", "--sheet", "handover.xlsx", "--out", "archive"))
    assert "「交接表」" in line


@freeze_time(NOW)
@pytest.mark.parametrize("spoil", ["password", "truncated", "no workbook part"])
def test_pull_out_onto_a_workbook_it_cannot_open_is_refused_and_the_file_kept(run, shop, spoil):
    """Whether a workbook that will not open holds a handover tab cannot be seen: it is never overwritten."""
    from user_files_kit import encrypted_xlsx, truncated, zip_of

    good = (shop / "handover.xlsx").read_bytes()
    spoilt = {"password": encrypted_xlsx, "truncated": lambda: truncated(good),
              "no workbook part": lambda: zip_of({"readme.txt": b"not a workbook"})}[spoil]()
    (shop / "备份.xlsx").write_bytes(spoilt)
    line = one_error_line(run("pull", "--sheet", "handover.xlsx", "--out", "备份.xlsx"))
    assert line == ("Error: --out 备份.xlsx 是一本打不开的工作簿（设了密码或已损坏），看不出里面有没有交接表，不会盖掉它："
                    "请换一个文件名\n")
    assert (shop / "备份.xlsx").read_bytes() == spoilt


@freeze_time(NOW)
def test_pull_out_onto_the_handover_toml_it_read_is_refused(run, shop):
    (shop / "handover.toml").write_text('sheet = "handover.xlsx"\n', encoding="utf-8")
    line = one_error_line(run("pull", "--out", "handover.toml"))
    assert line == f"Error: --out handover.toml 就是正在用的配置文件 {shop / 'handover.toml'}，写进去会把它整个盖掉：请换一个文件名\n"
    assert (shop / "handover.toml").read_text(encoding="utf-8") == 'sheet = "handover.xlsx"\n'


@freeze_time(NOW)
def test_compensation_out_onto_the_order_export_it_reads_is_refused(run, shop):
    before = (shop / "orders.csv").read_bytes()
    line = one_error_line(run("compensation", "--orders", "orders.csv", "--sheet", "handover.xlsx",
                              "--out", "orders.csv"))
    assert "就是正在读的文件" in line
    assert (shop / "orders.csv").read_bytes() == before


@freeze_time(NOW)
@pytest.mark.parametrize("command", COMMANDS)
def test_out_into_a_folder_that_does_not_exist_is_one_error_line(run, shop, command):
    before = (shop / "handover.xlsx").read_bytes()
    line = one_error_line(run(*COMMANDS[command], "--sheet", "handover.xlsx", "--out", "reports/today.txt"))
    assert "文件夹" in line and "reports 不存在" in line and "先建好这个文件夹" in line
    assert untouched(shop, before)  # compensation --commit did not record payouts it could not report


@freeze_time(NOW)
def test_pull_out_into_a_pipe_writes_into_the_pipe(run, shop):
    import threading

    pipe = shop / "to-printer"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = run("pull", "--sheet", "handover.xlsx", "--out", str(pipe))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert received and received[0].decode("utf-8").startswith("交接清单")
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # still the pipe, not a file put in its place


@freeze_time(NOW)
def test_pull_out_into_a_folder_without_write_permission_is_one_error_line_and_leaves_the_old_file(
        run, shop, monkeypatch):
    import tempfile

    (shop / "today.txt").write_text("昨天的清单\n", encoding="utf-8")

    def refused(*args, **kwargs):  # root writes anywhere: the permission error is what a user would get
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    line = one_error_line(run("pull", "--sheet", "handover.xlsx", "--out", "today.txt"))
    assert "没有写入" in line and "权限" in line
    assert (shop / "today.txt").read_text(encoding="utf-8") == "昨天的清单\n"


@freeze_time(NOW)
def test_pull_out_when_the_disk_fills_midway_leaves_the_old_file_and_no_temp_file(run, shop, monkeypatch):
    (shop / "today.txt").write_text("昨天的清单\n", encoding="utf-8")

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    line = one_error_line(run("pull", "--sheet", "handover.xlsx", "--out", "today.txt"))
    assert "磁盘空间不够" in line
    assert (shop / "today.txt").read_text(encoding="utf-8") == "昨天的清单\n"
    assert not list(shop.glob(".today.txt.*"))


@freeze_time(NOW)
def test_pull_out_onto_yesterdays_list_replaces_it_and_keeps_its_mode(run, shop):
    today = shop / "today.txt"
    today.write_text("昨天的清单\n", encoding="utf-8")
    today.chmod(0o640)
    result = run("pull", "--sheet", "handover.xlsx", "--out", "today.txt")
    assert result.exit_code == 0, result.output
    assert today.read_text(encoding="utf-8").startswith("交接清单　2026-11-23 09:05")
    assert stat.S_IMODE(today.stat().st_mode) == 0o640


@freeze_time(NOW)
def test_pull_out_through_a_symlink_writes_the_file_it_points_to(run, shop):
    (shop / "shared").mkdir()
    (shop / "shared" / "today.txt").write_text("", encoding="utf-8")
    (shop / "today.txt").symlink_to(shop / "shared" / "today.txt")
    assert run("pull", "--sheet", "handover.xlsx", "--out", "today.txt").exit_code == 0
    assert (shop / "today.txt").is_symlink()
    assert (shop / "shared" / "today.txt").read_text(encoding="utf-8").startswith("交接清单")


@freeze_time(NOW)
def test_compensation_out_onto_last_weeks_payout_sheet_replaces_it(run, shop):
    args = ("compensation", "--orders", "orders.csv", "--sheet", "handover.xlsx", "--out", "payouts.xlsx")
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 0, again.output  # a payout sheet holds no handover tab: finance may redo it
