"""The local workbook as the user keeps it: behind a link, read-only, owned by someone, damaged, being
saved by another program, on a full disk, or with a temp file a killed run left beside it."""

from __future__ import annotations

import errno
import itertools
import os
import subprocess
import sys
import threading
import time

import openpyxl
import pytest
from filelock import FileLock
from user_files_kit import encrypted_xlsx, needs_root, old_xls, truncated, with_corrupt_sheet_data

from handover.backends.office_locks import lock_owner
from handover.backends.xlsx import SETTLE_SECONDS, STATE_DIR, XlsxBackend, backups_of
from handover.errors import SheetBusyError, SheetDamagedError, SheetError, SheetReadOnlyError, SheetWriteError
from handover.sheet import CellChange, TabWrite


def write_result(backend: XlsxBackend, text: str) -> None:
    """Set 处理结果 of H20261122-001 (row 2), as `done --result` does."""
    grid = backend.read(["交接"])["交接"]
    now = grid.cell(0, grid.header.index("处理结果"))
    backend.write([TabWrite("交接", grid.header, "编号",
                            changes=[CellChange(row=2, row_id="H20261122-001", column="处理结果", old=now, new=text)])])


def result_cell(path) -> str | None:
    return openpyxl.load_workbook(path)["交接"]["P2"].value


def temp_files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def shared_and_mine(tmp_path, data_file):
    """The team's workbook in a shared folder, and a symlink to it in my own folder."""
    shared, mine = tmp_path / "shared", tmp_path / "mine"
    shared.mkdir()
    mine.mkdir()
    target = data_file("features.xlsx").rename(shared / "交接表.xlsx")
    (mine / "我的交接.xlsx").symlink_to(os.path.relpath(target, mine))
    return target, mine / "我的交接.xlsx"


# ------------------------------------------------------------------------------------ links

def test_a_write_through_a_symlink_edits_the_shared_file_and_keeps_the_link(shared_and_mine):
    target, link = shared_and_mine
    pointed = os.readlink(link)
    write_result(XlsxBackend(link), "仓库已补发")
    assert result_cell(target) == "仓库已补发"
    assert link.is_symlink() and os.readlink(link) == pointed
    # Lock and backups live beside the shared file, where every path to it finds them.
    assert (target.parent / STATE_DIR / "交接表.xlsx.lock").exists()
    assert len(backups_of(target)) == 1
    assert not (link.parent / STATE_DIR).exists()
    assert temp_files(target.parent) == temp_files(link.parent) == []


def test_a_run_through_the_link_waits_for_a_run_on_the_file_itself(shared_and_mine):
    target, link = shared_and_mine
    before = target.read_bytes()
    backend = XlsxBackend(link, lock_timeout=0.2)
    grid = backend.read(["交接"])["交接"]
    (target.parent / STATE_DIR).mkdir()
    with FileLock(str(target.parent / STATE_DIR / f"{target.name}.lock")):
        with pytest.raises(SheetBusyError, match="另一个 handover 正在写"):
            backend.write([TabWrite("交接", grid.header, "编号", changes=[CellChange(2, "H20261122-001", "处理结果", None, "x")])])
    assert target.read_bytes() == before


def test_excel_opened_through_the_link_blocks_the_write(shared_and_mine):
    target, link = shared_and_mine
    before = target.read_bytes()
    (link.parent / f"~${link.name}").write_bytes(bytes([4]) + b"Lily" + b"\x00" * 49 + b"\x04\x00" + "Lily".encode("utf-16-le"))
    with pytest.raises(SheetBusyError, match=f"Lily 正在用 Excel/WPS/LibreOffice 打开 {link.name}"):
        write_result(XlsxBackend(link), "x")
    assert target.read_bytes() == before


def test_a_link_whose_workbook_is_gone_says_where_it_pointed(shared_and_mine):
    target, link = shared_and_mine
    target.unlink()
    with pytest.raises(SheetError, match=f"{link} 是指向 {target} 的链接，但那个文件不存在了"):
        XlsxBackend(link).read(["交接"])


# --------------------------------------------------------------------------- read-only, owner, mode

def test_a_workbook_with_every_write_bit_off_is_not_written_whoever_runs_it(data_file):
    path = data_file("features.xlsx")
    path.chmod(0o444)
    before = path.read_bytes()
    with pytest.raises(SheetReadOnlyError, match="被设为只读，handover 不会改它") as caught:
        write_result(XlsxBackend(path), "x")
    assert f"chmod u+w {path}" in str(caught.value)
    assert path.read_bytes() == before and oct(path.stat().st_mode & 0o777) == "0o444"
    assert not (path.parent / STATE_DIR).exists() and temp_files(path.parent) == []


def test_a_workbook_in_a_folder_with_every_write_bit_off_is_not_written(tmp_path, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(SheetReadOnlyError, match=f"文件夹 {tmp_path} 被设为只读"):
            write_result(XlsxBackend(path), "x")
        assert path.read_bytes() == before and not (tmp_path / STATE_DIR).exists()
    finally:
        tmp_path.chmod(0o755)


def test_a_read_only_workbook_can_still_be_read(data_file):
    path = data_file("features.xlsx")
    path.chmod(0o444)
    assert XlsxBackend(path).read(["交接"])["交接"].rows[0][0] == "H20261122-001"


@needs_root
def test_a_write_by_root_keeps_the_owner_and_mode_and_leaves_state_the_owner_can_use(tmp_path, data_file):
    folder = tmp_path / "小周的文件夹"
    folder.mkdir()
    path = data_file("features.xlsx").rename(folder / "features.xlsx")
    os.chown(folder, 1234, 2345)
    folder.chmod(0o2770)
    os.chown(path, 1234, 2345)
    path.chmod(0o660)
    write_result(XlsxBackend(path), "root 帮忙处理")
    status = path.stat()
    assert (status.st_uid, status.st_gid, oct(status.st_mode & 0o7777)) == (1234, 2345, "0o660")
    assert result_cell(path) == "root 帮忙处理"
    # The state root made is the owner's too, or their next run could not take the lock.
    state = folder / STATE_DIR
    for made, mode in ((state, "0o2770"), (state / "backups", "0o2770"), (state / "features.xlsx.lock", "0o660")):
        status = made.stat()
        assert (status.st_uid, status.st_gid, oct(status.st_mode & 0o7777)) == (1234, 2345, mode), made


# ----------------------------------------------------------------------------- killed writes

KILLED_WRITE = """
import os, sys, time
import handover.backends.xlsx
from handover.sheet import CellChange, TabWrite

def hang(*args):
    print("replacing", flush=True)
    time.sleep(60)

os.replace = hang
backend = handover.backends.xlsx.XlsxBackend(sys.argv[1])
grid = backend.read(["交接"])["交接"]
backend.write([TabWrite("交接", grid.header, "编号", changes=[CellChange(2, "H20261122-001", "处理结果", None, "被打断")])])
"""


def test_the_next_write_cleans_the_temp_file_a_killed_write_left(data_file):
    path = data_file("features.xlsx")
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITE, str(path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "replacing\n"
    writer.kill()
    writer.wait()
    writer.stdout.close()
    left = temp_files(path.parent)
    assert len(left) == 1 and (path.parent / left[0]).stat().st_size > 1000
    # Not ours, so never touched: a name we would not give, another workbook's temp, the user's own file.
    for name in (".features.xlsx.note.tmp", ".其他.xlsx.abcd1234.tmp", "features.xlsx.abcd1234.tmp"):
        (path.parent / name).write_text("keep")
    write_result(XlsxBackend(path), "第二次")
    assert result_cell(path) == "第二次"
    assert temp_files(path.parent) == sorted([".features.xlsx.note.tmp", ".其他.xlsx.abcd1234.tmp", "features.xlsx.abcd1234.tmp"])


def test_the_next_write_cleans_a_half_made_backup_copy_a_killed_write_left(data_file):
    path = data_file("features.xlsx")
    backups = path.parent / STATE_DIR / "backups"
    backups.mkdir(parents=True)
    half = backups / ".features-20261122-230000-123456.xlsx.k3j9x0q2.tmp"  # killed while copying a backup
    half.write_bytes(b"PK half a workbook")
    theirs = [backups / ".其他-20261122-230000-123456.xlsx.k3j9x0q2.tmp", backups / "我的笔记.tmp"]
    for other in theirs:
        other.write_text("keep")
    write_result(XlsxBackend(path), "备份后")
    assert not half.exists() and all(other.exists() for other in theirs)
    assert len(backups_of(path)) == 1


def test_a_temp_file_is_left_alone_while_another_run_holds_the_lock(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path, lock_timeout=0.2)
    backend.read(["交接"])
    (path.parent / STATE_DIR).mkdir()
    in_flight = path.parent / ".features.xlsx.k3j9x0q2.tmp"
    in_flight.write_bytes(b"another run is writing this")
    with FileLock(str(path.parent / STATE_DIR / "features.xlsx.lock")):
        with pytest.raises(SheetBusyError):
            write_result(backend, "x")
    assert in_flight.exists()


# ------------------------------------------------------------------- saved by another program

def save_in_place_slowly(path, data: bytes, started: threading.Event, pieces: int = 6, pause: float = 0.05) -> None:
    """What some programs do on save: truncate the file and write it again in pieces."""
    with open(path, "r+b") as out:
        out.truncate(0)
        out.flush()
        started.set()
        size = -(-len(data) // pieces)
        for start in range(0, len(data), size):
            time.sleep(pause)
            out.write(data[start:start + size])
            out.flush()


@pytest.mark.parametrize("pause", [0.05, 0.5], ids=["steady save", "save that stops for half a second"])
def test_a_workbook_caught_mid_save_is_read_once_the_save_is_done(data_file, tmp_path, pause):
    path = data_file("features.xlsx")
    book = openpyxl.load_workbook(path)
    book["交接"]["P2"] = "同事刚保存"
    book.save(tmp_path / "saved.xlsx")
    started = threading.Event()
    saver = threading.Thread(target=save_in_place_slowly, args=(path, (tmp_path / "saved.xlsx").read_bytes(), started),
                             kwargs={"pieces": 3, "pause": pause})
    saver.start()
    started.wait()
    try:
        grid = XlsxBackend(path).read(["交接"])["交接"]
    finally:
        saver.join()
    assert grid.rows[0][15] == "同事刚保存"


def test_a_workbook_that_stays_mid_save_gives_one_line_saying_so(data_file):
    path = data_file("features.xlsx")
    whole = path.read_bytes()
    started, stop = threading.Event(), threading.Event()

    def keep_saving():  # never done: always some first part of the workbook
        sizes = itertools.cycle(range(100, len(whole) - 100, 97))
        while not stop.is_set():
            path.write_bytes(whole[:next(sizes)])
            started.set()
            time.sleep(0.02)

    saver = threading.Thread(target=keep_saving)
    saver.start()
    started.wait()
    backend = XlsxBackend(path)
    backend.save_wait = 0.5
    try:
        with pytest.raises(SheetBusyError) as caught:
            backend.read(["交接"])
    finally:
        stop.set()
        saver.join()
    assert str(caught.value) == "另一个程序正在保存 features.xlsx（等了 0.5 秒还没保存完）：请等它保存完再运行这条命令"


# ------------------------------------------------------------------------------- damaged files

WORKBOOK_DAMAGE = {
    "empty": (lambda good: b"", "features.xlsx 是空文件（0 字节），里面没有工作簿："),
    "truncated": (truncated, "features.xlsx 不完整（只有 "),
    "corrupt deflate": (with_corrupt_sheet_data, "features.xlsx 已损坏（「交接」标签页（xl/worksheets/sheet1.xml）的数据解压不出来）："),
    "renamed xls": (lambda good: old_xls(), "features.xlsx 其实是旧的 .xls（Excel 97-2003）文件，只是扩展名改成了 .xlsx：请用 Excel/WPS 打开它，另存为 .xlsx（Excel 工作簿）"),
    "password": (lambda good: encrypted_xlsx(), "features.xlsx 设了打开密码，handover 读不了加密的工作簿：请用 Excel/WPS 打开它，去掉密码"),
    "csv": (lambda good: "编号,类型\nH1,漏发\n".encode("gbk"), "features.xlsx 不是能读取的 xlsx 工作簿（它是纯文本，像 CSV）：如果它是别的文件改了扩展名，请用 Excel/WPS 打开它，另存为 .xlsx"),
    "html": (lambda good: b"<html><table><tr><td>1</td></tr></table></html>", "features.xlsx 不是能读取的 xlsx 工作簿（它是网页或 XML 文本）"),
}


@pytest.mark.parametrize("damage", list(WORKBOOK_DAMAGE))
def test_a_damaged_workbook_is_one_line_saying_what_is_wrong_and_what_to_do(data_file, damage, monkeypatch):
    path = data_file("features.xlsx")
    make, expected = WORKBOOK_DAMAGE[damage]
    path.write_bytes(make(path.read_bytes()))
    slept = []
    monkeypatch.setattr("handover.backends.xlsx.time.sleep", slept.append)
    with pytest.raises(SheetDamagedError) as caught:
        XlsxBackend(path).read(["交接"])
    message = str(caught.value)
    assert message.startswith(expected) and "\n" not in message
    # At rest, so damaged: said after a short look, not after waiting for a save that is not happening.
    assert sum(slept) == pytest.approx(SETTLE_SECONDS)


@pytest.mark.parametrize("damage", ["empty", "truncated", "corrupt deflate"])
def test_a_damaged_workbook_names_the_newest_backup_to_restore_from(data_file, damage):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    write_result(backend, "第一次")
    write_result(backend, "第二次")
    newest = backups_of(path)[-1]
    assert result_cell(newest) == "第一次"
    path.write_bytes(WORKBOOK_DAMAGE[damage][0](path.read_bytes()))
    with pytest.raises(SheetDamagedError) as caught:
        XlsxBackend(path).read(["交接"])
    assert str(caught.value).endswith(f"：最近的备份是 {newest}，把坏文件改名留着，再把这个备份复制为 {path} 即可恢复")


def test_without_a_backup_the_message_says_where_else_to_look(data_file):
    path = data_file("features.xlsx")
    path.write_bytes(truncated(path.read_bytes()))
    with pytest.raises(SheetDamagedError, match="handover 没有它的备份，请从别处（同事的副本、网盘的历史版本）找回一份$"):
        XlsxBackend(path).read(["交接"])


# ------------------------------------------------------------------------------ failed writes

def test_a_disk_full_while_writing_leaves_the_workbook_and_no_temp_file(data_file, monkeypatch):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    backend = XlsxBackend(path)
    backend.read(["交接"])

    def full(handle):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("handover.backends.files.os.fsync", full)
    with pytest.raises(SheetWriteError, match=r"^磁盘满了，写不下 features.xlsx（需要约 \d+ KB），什么都没有写入，临时文件已删除"):
        write_result(backend, "x")
    assert path.read_bytes() == before and temp_files(path.parent) == []


def test_a_backup_that_cannot_be_made_stops_the_write_and_cleans_up(data_file, monkeypatch):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    backend = XlsxBackend(path)
    backend.read(["交接"])

    def no_links(*args):
        raise OSError(errno.EPERM, "Operation not permitted")

    def full(handle):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("handover.backends.xlsx.os.link", no_links)
    real_fsync = os.fsync
    calls = []
    # The workbook's temp file fits; the backup copy made after it does not.
    monkeypatch.setattr("handover.backends.files.os.fsync", lambda handle: calls.append(1) or (real_fsync(handle) if len(calls) == 1 else full(handle)))
    with pytest.raises(SheetWriteError, match="^磁盘满了"):
        write_result(backend, "x")
    assert path.read_bytes() == before
    assert temp_files(path.parent) == [] and temp_files(path.parent / STATE_DIR / "backups") == []
    assert backups_of(path) == []


# ------------------------------------------------------------------------------- lock owners

@pytest.mark.parametrize("lock_name, content, owner", [
    (".~lock.features.xlsx#", "\x1b[2J\x1b]0;pwned\x07周晓\x1b[31m,zhou,nightpc,22.11.2026 23:10,file:///x;".encode(), "周晓"),
    (".~lock.features.xlsx#", "\x1b[8m\r\n,zhou\x07,nightpc;".encode(), "zhou"),
    ("~$features.xlsx", bytes([9]) + b"Lily\x1b[5mX" + b"\x00" * 44 + b"\x09\x00" + "Lily\x1b[5mX".encode("utf-16-le"), "LilyX"),
    (".~lock.features.xlsx#", "\u202eevil\u200b name\x9b31m,x;".encode(), "evil name"),
])
def test_a_lock_owner_name_is_plain_text(data_file, lock_name, content, owner):
    path = data_file("features.xlsx")
    (path.parent / lock_name).write_bytes(content)
    assert lock_owner(path.parent / lock_name) == owner
    with pytest.raises(SheetBusyError) as caught:
        write_result(XlsxBackend(path), "x")
    assert str(caught.value).startswith(f"{owner} 正在用 Excel/WPS/LibreOffice 打开 features.xlsx")
    assert str(caught.value).isprintable()
