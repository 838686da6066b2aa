"""Zero lost edits on a sheet other people edit (issue 14), on a Google Sheet and on a workbook.

Someone else edits the sheet after the command read it and before it writes (`OtherUser`): a row
inserted above, the tab sorted, a row deleted, the very cell the command changes, another cell. Every
test ends with the sheet holding their edit and ours (or only theirs, when ours had to stop), and counts
what the command cost: on Google two reads and one write at most; on a workbook one replace at most
(one backup), none when it stopped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA
from freezegun import freeze_time
from other_user import OtherUser

from handover.backends.xlsx import STATE_DIR

MORNING = "2026-11-23 10:30:00+08:00"
OURS = ["已完成", "阿杰", "2026-11-23 10:30"]  # 状态, 处理人, 处理时间 as `done --by 阿杰` writes them
STATUS = 8  # 状态 is column I
SKIPPED_16 = "第 16 行没有编号，这次没有补：读取之后这一行被移动或改动了，下次写入时再补\n"
EXPORTS = DATA / "compensation"


class Shared:
    """shared.xlsx behind the backend under test, and the other user editing it."""

    def __init__(self, sheet, run, monkeypatch):
        self.source = sheet.load("shared.xlsx")
        self.other = OtherUser(sheet, monkeypatch)
        self.run = run
        if sheet.kind == "google":
            sheet.google_cli.emulator.reset_counts()

    def run_while(self, edit, *command: str):
        """Run a handover command while the other user makes `edit(other)` between its read and write."""
        self.other.between_read_and_write(lambda: edit(self.other))
        return self.run(*command, "--sheet", self.source)


@pytest.fixture
def shared(sheet, run, monkeypatch):
    return Shared(sheet, run, monkeypatch)


def cost(sheet) -> dict[str, int]:
    """What the command cost: Google requests by kind (the token aside); workbook replaces."""
    if sheet.kind == "google":
        return {kind: n for kind, n in sheet.google_cli.emulator.counts().items() if kind != "token"}
    backups = Path(sheet.source).parent / STATE_DIR / "backups"
    return {"replaced": len(list(backups.iterdir())) if backups.is_dir() else 0}


def wrote_once(sheet) -> dict[str, int]:
    return {"values.batchGet": 2, "values.batchUpdate": 1} if sheet.kind == "google" else {"replaced": 1}


def wrote_nothing(sheet) -> dict[str, int]:
    return {"values.batchGet": 2} if sheet.kind == "google" else {"replaced": 0}


def marked(row: list) -> list:
    return row[:STATUS] + OURS


def row_of(rows: list[list], row_id: str) -> int:
    return next(number for number, row in enumerate(rows, start=1) if row and row[0] == row_id)


# ------------------------------------------------------------------------------------------ done

@freeze_time(MORNING)
def test_done_after_someone_inserted_a_row_above_marks_the_right_row(sheet, shared):
    before = sheet.rows()
    typed = [None, "2026-11-22 23:58", "抖音", "催发货", "6938471029384756999", "新来的", None, "刚补登的", "待处理"]
    result = shared.run_while(lambda other: other.insert_row(7, typed), "done", "H20261122-006", "--by", "阿杰")
    assert result.exit_code == 0, result.output
    # H20261122-014 moved into row 16, where the row without 编号 was: it keeps its own id.
    assert result.stdout == "H20261122-006（第 8 行）→ 已完成，处理人 阿杰\n" + SKIPPED_16
    assert sheet.rows() == before[:6] + [typed] + [marked(before[6])] + before[7:]
    assert cost(sheet) == wrote_once(sheet)


@freeze_time(MORNING)
def test_done_after_someone_sorted_the_tab_marks_the_right_row(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.sort("E", reverse=True), "done", "H20261122-006", "--by", "阿杰")
    assert result.exit_code == 0, result.output
    theirs = [before[0]] + sorted(before[1:], key=lambda row: row[4], reverse=True)
    row = row_of(theirs, "H20261122-006")
    assert row == 11 and theirs[1][0] is None  # the row without 编号 went to the top
    assert result.stdout == f"H20261122-006（第 {row} 行）→ 已完成，处理人 阿杰\n" + SKIPPED_16
    theirs[row - 1] = marked(theirs[row - 1])
    assert sheet.rows() == theirs
    assert cost(sheet) == wrote_once(sheet)


@freeze_time(MORNING)
def test_done_after_someone_deleted_a_row_above_marks_the_right_row(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.delete_row(3), "done", "H20261122-006", "--by", "阿杰")
    assert result.exit_code == 0, result.output
    assert result.stdout == "H20261122-006（第 6 行）→ 已完成，处理人 阿杰\n" + SKIPPED_16
    assert sheet.rows() == before[:2] + before[3:6] + [marked(before[6])] + before[7:]
    assert cost(sheet) == wrote_once(sheet)


def test_done_on_a_row_someone_deleted_meanwhile_writes_nothing(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.delete_row(7), "done", "H20261122-006")
    assert result.exit_code == 1
    assert "「交接」里找不到编号 H20261122-006 的行（被删掉或改了编号？）" in result.stderr
    assert sheet.rows() == before[:6] + before[7:]
    assert cost(sheet) == wrote_nothing(sheet)


@freeze_time(MORNING)
def test_done_after_someone_set_the_status_it_would_overwrite_stops_and_names_it(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.set("I8", "处理中"), "done", "H20261122-007", "--by", "阿杰")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.endswith(
        " 在读取之后被别人改过，这次什么也没写入：「交接」第 8 行（编号 H20261122-007）的「状态」读取时是「待处理」，"
        "现在是「处理中」。请重新运行这条命令\n")
    before[7][STATUS] = "处理中"
    assert sheet.rows() == before  # theirs, and nothing of ours (not even row 16's 编号)
    assert cost(sheet) == wrote_nothing(sheet)


@freeze_time(MORNING)
def test_done_after_someone_edited_another_cell_of_the_row_keeps_it(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.set("H8", "买家又来催了"), "done", "H20261122-007", "--by", "阿杰")
    assert result.exit_code == 0, result.output
    assert result.stdout == "H20261122-007（第 8 行）→ 已完成，处理人 阿杰\n第 16 行没有编号，已补上 H20261122-015\n"
    before[7][7] = "买家又来催了"
    before[7] = marked(before[7])
    before[15][0] = "H20261122-015"
    assert sheet.rows() == before
    assert cost(sheet) == wrote_once(sheet)


# ---------------------------------------------------------------------------- check, log, ledger

@freeze_time(MORNING)
def test_check_assign_ids_after_someone_sorted_gives_no_row_a_wrong_id(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.sort("E", reverse=True), "check", "--assign-ids")
    assert result.exit_code == 0, result.output
    assert result.stdout == "检查了 15 行，没有发现问题。\n「退货」检查了 0 行，没有发现问题。\n" + SKIPPED_16
    assert sheet.rows() == [before[0]] + sorted(before[1:], key=lambda row: row[4], reverse=True)
    # Nothing was left to write: the second read is the last request.
    assert cost(sheet) == ({"values.batchGet": 2} if sheet.kind == "google" else {"replaced": 0})


@freeze_time(MORNING)
def test_log_after_someone_typed_a_row_at_the_end_appends_below_it(sheet, shared):
    before = sheet.rows()
    typed = [None, "2026-11-23 10:20", "京东", "漏发", "3958120345678955555", "老王", None, None, "待处理"]
    result = shared.run_while(lambda other: other.append_row(typed),
                              "log", "--category", "漏发", "--order", "3958120345678966666", "--by", "小周")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("已登记 H20261123-001（第 18 行）：漏发 3958120345678966666\n"
                             "第 16 行没有编号，已补上 H20261122-015\n")
    rows = sheet.rows()
    before[0].append("登记人")  # the column log needs, added right of every used one
    before[15][0] = "H20261122-015"
    assert rows[:17] == before + [typed]
    assert rows[17] == ["H20261123-001", "2026-11-23 10:30", None, "漏发", "3958120345678966666", None, None, None,
                        "待处理", None, None, None, "小周"]
    assert cost(sheet) == wrote_once(sheet)


@freeze_time(MORNING)
def test_log_after_someone_sorted_the_tab_says_which_row_it_left_without_编号(sheet, shared):
    before = sheet.rows()
    result = shared.run_while(lambda other: other.sort("E", reverse=True),
                              "log", "--category", "漏发", "--order", "3958120345678966666", "--by", "小周")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记 H20261123-001（第 17 行）：漏发 3958120345678966666\n" + SKIPPED_16
    rows = sheet.rows()
    assert rows[1:16] == sorted(before[1:], key=lambda row: row[4], reverse=True)
    assert rows[16][0] == "H20261123-001" and rows[1][0] is None
    assert cost(sheet) == wrote_once(sheet)


@freeze_time(MORNING)
def test_two_people_logging_at_once_never_share_an_id(sheet, shared):
    """The other person's log took the 编号 ours picked: ours plans again on the sheet as it is then and
    takes the next one, rather than telling the night shift to type it all again."""
    before = sheet.rows()
    theirs = ["H20261123-001", "2026-11-23 10:30", "抖音", "催发货", "6938471029384750001", "小美", None, None, "待处理"]
    result = shared.run_while(lambda other: other.append_row(theirs),
                              "log", "--category", "漏发", "--order", "3958120345678966666", "--by", "小周")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("已登记 H20261123-002（第 18 行）：漏发 3958120345678966666\n"
                             "第 16 行没有编号，已补上 H20261122-015\n")
    rows = sheet.rows()
    assert rows[:16] == [before[0] + ["登记人"], *before[1:15], ["H20261122-015", *before[15][1:]]]
    assert rows[16] == theirs and rows[17][0] == "H20261123-002" and rows[17][4] == "3958120345678966666"
    # The first write stopped before writing anything; the second is the command's only write.
    assert cost(sheet) == ({"values.batchGet": 4, "values.batchUpdate": 1} if sheet.kind == "google"
                           else {"replaced": 1})


@freeze_time(MORNING)
def test_a_return_logged_while_someone_logged_one_takes_the_next_id(sheet, shared):
    theirs = ["R20261123-001", "淘宝", "3958120345670001111", "阿may"]
    result = shared.run_while(lambda other: other.append_row(theirs, tab="退货"), "log", "--return", "--platform",
                              "拼多多", "--order", "231123-508812345678901", "--buyer", "小林")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记退货 R20261123-002（第 3 行）：订单 231123-508812345678901\n"
    assert [row[0] for row in sheet.rows("退货")[1:]] == ["R20261123-001", "R20261123-002"]



@pytest.mark.parametrize("error, attempts", [("IdTakenError", 3), ("SheetChangedError", 1)])
@freeze_time(MORNING)
def test_log_while_the_sheet_keeps_changing_tries_three_times_then_stops(run, data_file, monkeypatch, error, attempts):
    """Planned again only when someone took the 编号 it picked, and at most three times in all."""
    from handover import errors
    from handover.backends.xlsx import XlsxBackend

    tried = []

    def collide(self, plan):
        tried.append(plan)
        raise getattr(errors, error)("shared.xlsx 在读取之后被别人改过，这次什么也没写入：……。请重新运行这条命令")

    monkeypatch.setattr(XlsxBackend, "write", collide)
    book = data_file("shared.xlsx")
    result = run("log", "--category", "漏发", "--order", "3958120345678966666", "--sheet", str(book))
    assert (result.exit_code, len(tried)) == (1, attempts)
    assert result.stderr == "Error: shared.xlsx 在读取之后被别人改过，这次什么也没写入：……。请重新运行这条命令\n"


@freeze_time(MORNING)
def test_logging_a_return_after_someone_typed_one_appends_below_it(sheet, shared):
    typed = [None, "淘宝", "3958120345670001111", "阿may", "YT1234567890123"]
    result = shared.run_while(lambda other: other.append_row(typed, tab="退货"), "log", "--return", "--platform",
                              "拼多多", "--order", "231123-508812345678901", "--buyer", "小林")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记退货 R20261123-001（第 3 行）：订单 231123-508812345678901\n"
    rows = sheet.rows("退货")
    assert rows[1] == typed and rows[2][:4] == ["R20261123-001", "拼多多", "231123-508812345678901", "小林"]
    assert cost(sheet) == wrote_once(sheet)


@freeze_time("2026-11-22 09:00:00+08:00")
def test_compensation_commit_after_someone_committed_the_same_payout_pays_once(run, sheet, shared):
    """Stopped, not planned again: only a 编号 the command picked itself is picked anew; a payout someone
    recorded meanwhile is a payout, and paying it twice is what the ledger is there to prevent."""
    orders = ["--orders", str(EXPORTS / "taobao_orders.csv"), "--orders", str(EXPORTS / "taobao_refunds.csv")]
    assert run("compensation", *orders, "--commit", "--by", "财务小周", "--sheet", shared.source).exit_code == 0
    ledger = sheet.rows("赔付记录")
    if sheet.kind == "google":
        sheet.google_cli.emulator.reset_counts()
    else:
        for backup in (Path(shared.source).parent / STATE_DIR / "backups").iterdir():
            backup.unlink()
    paid_elsewhere = ["3958000000000000006", "淘宝客扣佣退款", 230, 0.13, 30]
    result = shared.run_while(lambda other: other.append_row(paid_elsewhere, tab="赔付记录"), "compensation", *orders,
                              "--affiliate", str(EXPORTS / "affiliate_settlement.csv"), "--commit")
    assert result.exit_code == 1
    assert (f"「赔付记录」第 {len(ledger) + 1} 行已经有「订单号」3958000000000000006、「赔付类型」淘宝客扣佣退款"
            "（有人同时写入了？）") in result.stderr
    assert sheet.rows("赔付记录") == ledger + [paid_elsewhere]
    assert cost(sheet) == wrote_nothing(sheet) | ({"values.batchGet": 2} if sheet.kind == "google" else {})


# ------------------------------------------------------------------------- the moment of the write

@freeze_time(MORNING)
def test_a_program_saving_the_workbook_while_done_writes_keeps_its_edit(run, data_file, monkeypatch):
    """A sync client saving the file without our lock, after the write loaded it under the lock and
    while it builds the new file: the last look before the replace catches it."""
    import openpyxl

    import handover.backends.xlsx_package

    path = data_file("shared.xlsx")
    original = handover.backends.xlsx_package.rewrite_package

    def rewrite_while_someone_saves(*args):
        book = openpyxl.load_workbook(path)
        book["交接"]["H8"] = "同步盘刚保存的"
        book.save(path)
        return original(*args)

    monkeypatch.setattr(handover.backends.xlsx_package, "rewrite_package", rewrite_while_someone_saves)
    result = run("done", "H20261122-007", "--sheet", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path} 在写入前的一刻被别的程序保存了：这次什么也没写入，请重新运行这条命令\n"
    sheet = openpyxl.load_workbook(path)["交接"]
    assert (sheet["H8"].value, sheet["I8"].value, sheet["A16"].value) == ("同步盘刚保存的", "待处理", None)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@freeze_time(MORNING)
def test_an_edit_between_the_last_read_and_the_write_to_another_cell_is_kept(run, google_cli):
    """The window Google leaves (no conditional write): the write sets only its own cells, so an edit to
    any other cell in that moment survives."""
    key = google_cli.upload(DATA / "shared.xlsx")
    emulator = google_cli.emulator
    emulator.on_next("values.batchUpdate", lambda _: emulator.set_cell(key, "交接", "H8", "买家又来催了"))
    result = run("done", "H20261122-007", "--by", "阿杰", "--sheet", key)
    assert result.exit_code == 0, result.output
    assert emulator.values(key, "交接")[7][7:11] == ["买家又来催了", *OURS]
