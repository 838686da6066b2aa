"""What a person sees when the workbook is not an ordinary file they own: one `Error:` line with the
next step, nothing half-written, and the shared file (not a copy) edited."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import openpyxl
import pytest
from user_files_kit import (  # noqa: F401
    as_teammate,
    encrypted_xlsx,
    needs_root,
    old_xls,
    small_disk,
    team_folder,
    truncated,
    with_corrupt_sheet_data,
    zip_of,
)

from handover.backends.xlsx import STATE_DIR, backups_of
from handover.errors import SheetDamagedError

DONE = ("done", "H20261122-002", "--result", "已改地址", "--sheet")


def status_of(path, row=3):
    return openpyxl.load_workbook(path)["交接"].cell(row, 5).value


def left_beside(folder) -> list[str]:
    """Temp files and state a refused write must not leave."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name == STATE_DIR)


# ------------------------------------------------------------------------------------ links

def test_done_on_a_symlinked_workbook_edits_the_shared_file(run, tmp_path, data_file):
    shared = tmp_path / "共享盘"
    shared.mkdir()
    target = data_file("features.xlsx").rename(shared / "交接表.xlsx")
    (tmp_path / "features.xlsx").symlink_to(target)
    result = run(*DONE, "features.xlsx")
    assert (result.exit_code, result.stderr) == (0, "")
    assert status_of(target) == "已完成"
    assert (tmp_path / "features.xlsx").is_symlink()
    assert [b.parent for b in backups_of(target)] == [shared / STATE_DIR / "backups"]
    assert left_beside(tmp_path) == []


def test_pull_through_a_link_to_a_deleted_workbook_says_where_it_pointed(run, tmp_path):
    (tmp_path / "handover.xlsx").symlink_to(tmp_path / "旧文件夹" / "交接表.xlsx")
    result = run("pull", "--sheet", "handover.xlsx")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: handover.xlsx 是指向 {tmp_path}/旧文件夹/交接表.xlsx 的链接，但那个文件不存在了："
                             "请把链接指向现在的工作簿\n")


# ------------------------------------------------------------------------------ read-only

def test_done_on_a_read_only_workbook_writes_nothing(run, tmp_path, data_file):
    path = data_file("features.xlsx")
    path.chmod(0o444)
    before = path.read_bytes()
    result = run(*DONE, "features.xlsx")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Error: features.xlsx 被设为只读，handover 不会改它（什么都没有写入）：确实要改的话，先运行 "
                             "chmod u+w features.xlsx（Windows：右键 → 属性，取消勾选“只读”）\n")
    assert path.read_bytes() == before and left_beside(tmp_path) == []


def test_done_beside_a_file_named_dot_handover_says_to_move_that_file(run, tmp_path, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    (tmp_path / STATE_DIR).write_text("我自己的笔记\n", encoding="utf-8")
    result = run(*DONE, "features.xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {STATE_DIR} 是一个文件，但 handover 要在这个位置建文件夹放写入锁和备份，"
                             "features.xlsx 什么都没有写入：把这个文件改个名字（或挪走）后重新运行\n")
    assert path.read_bytes() == before and (tmp_path / STATE_DIR).read_text(encoding="utf-8") == "我自己的笔记\n"


def test_log_into_a_workbook_in_a_read_only_folder_writes_nothing(run, tmp_path, data_file):
    folder = tmp_path / "归档"
    folder.mkdir()
    path = data_file("features.xlsx").rename(folder / "features.xlsx")
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        result = run("log", "--category", "漏发", "--order", "3958120345678901299", "--sheet", "归档/features.xlsx")
        assert result.exit_code == 1
        assert result.stderr == (f"Error: 文件夹 {folder} 被设为只读，handover 不会在里面写 features.xlsx（什么都没有写入）："
                                 f"确实要写的话，先运行 chmod u+w {folder}\n")
        assert path.read_bytes() == before and left_beside(folder) == []
    finally:
        folder.chmod(0o755)


def team_workbook(folder, data_file, mode: int):
    path = folder / "features.xlsx"
    shutil.copyfile(data_file("features.xlsx"), path)
    path.chmod(mode)
    return path


@needs_root
@pytest.mark.parametrize("workbook_mode, folder_mode, roots_state, line", [
    (0o644, 0o777, False, "你没有写 features.xlsx 的权限（文件属于 root，权限 -rw-r--r--），什么都没有写入："
                          "请文件主人给你写权限（例如 chmod g+w features.xlsx），或换有权限的账号运行"),
    (0o666, 0o755, False, "你没有在文件夹 {folder} 里写文件的权限（文件夹属于 root），handover 要在那里写 "
                          "features.xlsx（什么都没有写入）：请文件夹主人给你写权限，或换有权限的账号运行"),
    # .handover/ as a run by root before this version left it.
    (0o666, 0o777, True, "你没有权限使用 .handover（属于 root；handover 的写入锁和备份在这里），features.xlsx "
                         "什么都没有写入：请它的主人给你写权限，或删掉它让 handover 重建"),
], ids=["workbook not theirs", "folder not theirs", "root's .handover"])
def test_done_by_a_teammate_who_may_not_write_writes_nothing(team_folder, data_file, workbook_mode, folder_mode,
                                                             roots_state, line):
    path = team_workbook(team_folder, data_file, workbook_mode)
    before = path.read_bytes()
    team_folder.chmod(folder_mode)
    if roots_state:
        (team_folder / STATE_DIR).mkdir(mode=0o755)
    result = as_teammate(team_folder, *DONE, "features.xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {line.format(folder=team_folder)}\n"
    assert path.read_bytes() == before
    assert left_beside(team_folder) == ([STATE_DIR] if roots_state else [])


@needs_root
def test_a_teammate_can_write_after_root_did(run, team_folder, data_file):
    path = team_workbook(team_folder, data_file, 0o644)
    os.chown(path, 65534, 65534)
    os.chown(team_folder, 65534, 65534)
    team_folder.chmod(0o755)
    # Root runs first and makes .handover/, its lock and a backup: they must be the owner's.
    assert run("done", "H20261122-001", "--sheet", str(path)).exit_code == 0
    result = as_teammate(team_folder, *DONE, "features.xlsx")
    assert (result.exit_code, result.stderr) == (0, "")
    assert status_of(path) == "已完成" and path.stat().st_uid == 65534
    assert len(backups_of(path)) == 2


@needs_root
def test_done_by_a_teammate_through_the_files_group_keeps_its_group_and_mode(team_folder, data_file):
    path = team_workbook(team_folder, data_file, 0o664)
    os.chown(path, 0, 65534)
    os.chown(team_folder, 0, 65534)
    team_folder.chmod(0o2775)
    result = as_teammate(team_folder, *DONE, "features.xlsx")
    assert (result.exit_code, result.stderr) == (0, "")
    status = path.stat()
    # Only root may give a file away: the teammate's edit is theirs, but the group and mode stay.
    assert (status.st_uid, status.st_gid, oct(status.st_mode & 0o777)) == (65534, 65534, "0o664")
    assert status_of(path) == "已完成"


# ------------------------------------------------------------------------------- full disk

def test_done_on_a_full_disk_leaves_the_workbook_whole_and_no_temp_file(run, small_disk, data_file):
    path = small_disk.path / "features.xlsx"
    shutil.copyfile(data_file("features.xlsx"), path)
    before = path.read_bytes()
    small_disk.fill()
    result = run(*DONE, str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 磁盘满了，写不下 features.xlsx（需要约 ")
    assert result.stderr.endswith(f"KB），什么都没有写入，临时文件已删除：请在 {small_disk.path} 所在的磁盘腾出空间后重新运行\n")
    assert path.read_bytes() == before
    assert not [p for p in small_disk.path.iterdir() if p.name.endswith(".tmp")]
    # Room again: the same command now works.
    (small_disk.path / "大文件.bin").unlink()
    assert run(*DONE, str(path)).exit_code == 0 and status_of(path) == "已完成"


def test_done_on_a_workbook_on_a_read_only_disk_writes_nothing(run, small_disk, data_file):
    path = small_disk.path / "features.xlsx"
    shutil.copyfile(data_file("features.xlsx"), path)
    small_disk.make_read_only()
    result = run(*DONE, str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {small_disk.path} 在只读的磁盘上，写不了 features.xlsx（什么都没有写入）："
                             "把工作簿复制到可写的文件夹再用\n")
    assert status_of(path) == "待处理"


# --------------------------------------------------------------------------- damaged workbooks

def test_check_on_a_workbook_with_a_corrupt_sheet_names_the_backup_to_restore(run, data_file):
    path = data_file("features.xlsx")
    assert run("done", "H20261122-001", "--sheet", "features.xlsx").exit_code == 0
    backup = backups_of(path)[-1]
    path.write_bytes(with_corrupt_sheet_data(path.read_bytes()))
    result = run("check", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr == ("Error: features.xlsx 已损坏（「交接」标签页（xl/worksheets/sheet1.xml）的数据解压不出来）："
                             f"最近的备份是 .handover/backups/{backup.name}，把坏文件改名留着，再把这个备份复制为 "
                             "features.xlsx 即可恢复\n")
    # And the advice works.
    shutil.copyfile(backup, path)
    assert run("check", "--sheet", "features.xlsx").exit_code == 0


@pytest.mark.parametrize("make, line", [
    (lambda good: b"", "features.xlsx 是空文件（0 字节），里面没有工作簿：handover 没有它的备份，请从别处（同事的副本、网盘的历史版本）找回一份"),
    (lambda good: old_xls(), "features.xlsx 其实是旧的 .xls（Excel 97-2003）文件，只是扩展名改成了 .xlsx：请用 Excel/WPS 打开它，另存为 .xlsx（Excel 工作簿）"),
    (lambda good: encrypted_xlsx(), "features.xlsx 设了打开密码，handover 读不了加密的工作簿：请用 Excel/WPS 打开它，去掉密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空后保存），或另存为一份不加密的 .xlsx 给 handover 用"),
    (lambda good: zip_of({"readme.txt": b"hello"}), "features.xlsx 是一个 zip 压缩包，里面没有工作簿（可能是别的文件改了扩展名）："
                                                       "请确认要用的是哪个文件；如果它是 WPS 或别的程序存的表格，请用它打开，另存为 .xlsx（Excel 工作簿）"),
], ids=["empty", "renamed xls", "password", "a zip that is no workbook"])
@pytest.mark.parametrize("command", [("pull",), ("done", "H20261122-002")])
def test_pull_on_a_workbook_that_is_not_one_says_what_to_do(run, data_file, make, line, command):
    path = data_file("features.xlsx")
    path.write_bytes(make(path.read_bytes()))
    result = run(*command, "--sheet", "features.xlsx")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {line}\n")


def test_pull_on_a_real_xls_by_its_own_name_says_save_as_xlsx(run, tmp_path):
    (tmp_path / "交接.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    result = run("pull", "--sheet", "交接.xls")
    assert (result.exit_code, result.stderr) == (1, "Error: 交接.xls 是 .xls 文件，handover 只读写 .xlsx 工作簿：请用 Excel/WPS "
                                                    "打开它，另存为 .xlsx（Excel 工作簿），再用 --sheet 指向新文件\n")


def test_pull_on_a_truncated_workbook_says_how_much_is_there(run, data_file):
    path = data_file("features.xlsx")
    path.write_bytes(truncated(path.read_bytes()))
    result = run("pull", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    size = path.stat().st_size
    assert result.stderr == (f"Error: features.xlsx 不完整（只有 {max(1, round(size / 1e3))} KB，结尾缺了一截，像是复制或保存到一半断了）："
                             "handover 没有它的备份，请从别处（同事的副本、网盘的历史版本）找回一份\n")


def test_verbose_keeps_the_traceback_of_a_damaged_workbook(run, data_file):
    path = data_file("features.xlsx")
    path.write_bytes(with_corrupt_sheet_data(path.read_bytes()))
    with pytest.raises(SheetDamagedError, match="已损坏") as caught:
        run("--verbose", "pull", "--sheet", "features.xlsx")
    assert "corrupt deflate stream" in str(caught.value.__cause__)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
def test_pull_on_a_real_xls_renamed_to_xlsx_says_save_as_xlsx(run, tmp_path, data_file):
    data_file("features.xlsx", "交接.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "xls"), str(tmp_path / "交接.xlsx")], check=True, capture_output=True, timeout=180)
    (tmp_path / "xls" / "交接.xls").rename(tmp_path / "交接.xlsx")
    result = run("pull", "--sheet", "交接.xlsx")
    assert result.exit_code == 1
    assert result.stderr == "Error: 交接.xlsx 其实是旧的 .xls（Excel 97-2003）文件，只是扩展名改成了 .xlsx：请用 Excel/WPS 打开它，另存为 .xlsx（Excel 工作簿）\n"


# ---------------------------------------------------------------------- someone else has it

def test_done_while_another_program_keeps_saving_says_so_and_writes_nothing(run, data_file, monkeypatch):
    path = data_file("features.xlsx")
    whole = path.read_bytes()
    monkeypatch.setattr("handover.backends.xlsx.SAVE_WAIT_SECONDS", 0.5)
    started, stop = threading.Event(), threading.Event()

    def keep_saving():
        while not stop.is_set():
            path.write_bytes(whole[: len(whole) // 3 + int(time.monotonic() * 1000) % 500])
            started.set()
            time.sleep(0.02)

    saver = threading.Thread(target=keep_saving)
    saver.start()
    started.wait()
    try:
        result = run(*DONE, "features.xlsx")
    finally:
        stop.set()
        saver.join()
    assert result.exit_code == 1
    assert result.stderr == "Error: 另一个程序正在保存 features.xlsx（等了 0.5 秒还没保存完）：请等它保存完再运行这条命令\n"
    assert not (path.parent / STATE_DIR).exists()


def test_done_while_libreoffice_has_it_open_names_the_owner_as_plain_text(run, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    (path.parent / ".~lock.features.xlsx#").write_bytes("\x1b]0;已完成\x07\x1b[2J周晓\x1b[0m,zhou,nightpc,22.11.2026 23:10,file:///x;".encode())
    result = run(*DONE, "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr == ("Error: 周晓 正在用 Excel/WPS/LibreOffice 打开 features.xlsx（锁文件 .~lock.features.xlsx#）："
                             "请先保存并关闭它再运行；如果确定没人在用，删掉这个锁文件即可\n")
    assert path.read_bytes() == before


# ------------------------------------------------------------------------------------- init

def test_init_through_a_symlink_to_an_existing_workbook_refuses(run, tmp_path, data_file):
    target = data_file("features.xlsx")
    before = target.read_bytes()
    (tmp_path / "shop.xlsx").symlink_to(target)
    result = run("init", "shop.xlsx")
    assert result.exit_code == 1
    assert result.stderr == f"Error: shop.xlsx 已经存在（它是指向 {target} 的链接）：handover init 不会覆盖它，请换个文件名\n"
    assert target.read_bytes() == before and (tmp_path / "shop.xlsx").is_symlink()


def test_init_through_a_link_to_a_new_shared_file_creates_it_there(run, tmp_path):
    shared = tmp_path / "共享盘"
    (tmp_path / "shop.xlsx").symlink_to(shared / "交接表.xlsx")
    result = run("init", "shop.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已创建 shop.xlsx\n已创建 handover.toml\n"
    assert (tmp_path / "shop.xlsx").is_symlink()
    assert openpyxl.load_workbook(shared / "交接表.xlsx").sheetnames[0] == "交接"
    assert oct((shared / "交接表.xlsx").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert run("check").exit_code == 0


def test_init_into_a_read_only_folder_writes_nothing(run, tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    try:
        result = run("init", "只读/shop.xlsx")
        assert result.exit_code == 1
        assert result.stderr == (f"Error: 文件夹 {folder} 被设为只读，handover 不会在里面写 shop.xlsx（什么都没有写入）："
                                 f"确实要写的话，先运行 chmod u+w {folder}\n")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_init_into_a_new_folder_under_a_read_only_one_writes_nothing(run, tmp_path):
    tmp_path.joinpath("只读").mkdir()
    tmp_path.joinpath("只读").chmod(0o555)
    try:
        result = run("init", "只读/新店/shop.xlsx")
        assert result.exit_code == 1 and result.stderr.startswith(f"Error: 文件夹 {tmp_path / '只读'} 被设为只读")
        assert not (tmp_path / "只读" / "新店").exists()
    finally:
        tmp_path.joinpath("只读").chmod(0o755)


def test_init_on_a_full_disk_leaves_nothing_behind(run, small_disk):
    small_disk.fill()
    result = run("init", str(small_disk.path / "shop.xlsx"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 磁盘满了，写不下 shop.xlsx（需要约 ")
    assert sorted(p.name for p in small_disk.path.iterdir()) == ["大文件.bin"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------ places a teammate may not enter

@needs_root
@pytest.mark.parametrize("args, name", [
    (("summary", "--format", "html", "--sheet", "features.xlsx", "--out", "private/总结.html"), "private/总结.html"),
    (("pull", "--sheet", "features.xlsx", "--out", "private/清单.txt"), "private/清单.txt"),
    (("pull", "--sheet", "private/features.xlsx"), "private/features.xlsx"),
    (("pull", "--config", "private/handover.toml"), "private/handover.toml"),
], ids=["summary --out", "pull --out", "pull --sheet", "pull --config"])
def test_a_teammate_naming_a_folder_they_may_not_enter_gets_one_line(team_folder, data_file, args, name):
    shutil.copyfile(data_file("features.xlsx"), team_folder / "features.xlsx")
    private = team_folder / "private"
    private.mkdir(mode=0o700)
    shutil.copyfile(data_file("features.xlsx"), private / "features.xlsx")
    (private / "handover.toml").write_text('sheet = "features.xlsx"\n', encoding="utf-8")
    result = as_teammate(team_folder, *args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "权限" in result.stderr and "private" in result.stderr, result.stderr


@needs_root
def test_compensation_on_an_export_a_teammate_may_not_read_gets_one_line(team_folder, data_file):
    shutil.copyfile(data_file("features.xlsx"), team_folder / "features.xlsx")
    export = team_folder / "淘宝订单.csv"
    export.write_text("订单编号,总金额\n3958120345670001111,10.00\n", encoding="utf-8")
    export.chmod(0o600)
    result = as_teammate(team_folder, "compensation", "--orders", "淘宝订单.csv", "--sheet", "features.xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: 没有权限读 淘宝订单.csv：请文件主人给你读权限（例如 chmod o+r 淘宝订单.csv），或换有权限的账号运行\n"


def test_pull_on_a_pipe_named_like_a_workbook_is_one_line_not_a_hang(run, tmp_path):
    os.mkfifo(tmp_path / "交接.xlsx")
    result = run("pull", "--sheet", "交接.xlsx")
    assert (result.exit_code, result.stderr) == (1, "Error: 交接.xlsx 不是普通文件（是管道或设备），不是工作簿：--sheet 要指向 .xlsx 文件\n")
