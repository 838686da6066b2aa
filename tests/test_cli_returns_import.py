"""`handover returns import`: the platforms' refund exports into the 退货 tab, on a workbook and on a
Google Sheet (the `sheet` fixture), the way a shop uses it day after day. Files: tests/data/returns_import
(made by its make_fixtures.py); the tests run on 2026-11-23 09:05."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from conftest import DATA
from other_user import OtherUser

MORNING = "2026-11-23 09:05:00+08:00"
FILES = DATA / "returns_import"
DAY1, DAY2 = str(FILES / "淘宝退款_1122.csv"), str(FILES / "淘宝退款_1123.csv")
DOUYIN, PDD = str(FILES / "抖店售后_1123.csv"), str(FILES / "拼多多售后_1123.csv")
# The 退货 tab as shop.xlsx lays it out, then the columns the first import adds.
HEADER = ["编号", "平台", "订单号", "买家", "退货原因", "运费承担", "退货快递", "退货单号", "申请时间", "同意时间", "填单时间",
          "签收时间", "退款状态", "处理结果", "超时时间", "延长时间", "备注", "退款编号", "退款金额", "平台更新时间"]


class Shop:
    """shop.xlsx behind the backend under test, and `handover returns import` run on it."""

    def __init__(self, sheet, run):
        self.sheet = sheet
        self.source = sheet.load("returns_import/shop.xlsx")
        self.run_cli = run

    def run(self, *args: str):
        return self.run_cli(*args, "--sheet", self.source)

    def imported(self, *files: str, commit: bool = True):
        result = self.run("returns", "import", *files, *(["--commit"] if commit else []))
        assert result.exit_code == 0, result.output
        return result

    def returns(self) -> list[dict]:
        rows = self.sheet.rows("退货")
        return [dict(zip(rows[0], row + [None] * (len(rows[0]) - len(row)))) for row in rows[1:]]

    def by_refund(self, refund_id: str) -> dict:
        return next(row for row in self.returns() if row.get("退款编号") == refund_id)

    def requests(self) -> dict[str, int]:
        if self.sheet.kind != "google":
            return {}
        return {kind: n for kind, n in self.sheet.google_cli.emulator.counts().items() if kind != "token"}

    def forget_requests(self) -> None:
        if self.sheet.kind == "google":
            self.sheet.google_cli.emulator.reset_counts()


@pytest.fixture
def shop(sheet, run):
    return Shop(sheet, run)


# ------------------------------------------------------------------------------------ the first import

@freeze_time(MORNING)
def test_importing_a_taobao_refund_export_shows_what_would_change_and_writes_nothing(shop, golden):
    before = shop.sheet.rows("退货")
    shop.forget_requests()
    result = shop.imported(DAY1, commit=False)
    golden("returns_import_dry_run.txt", result.stdout)
    assert "新增 4 · 更新 1 · 未变 0 · 不能用 2\n" in result.stdout
    assert result.stdout.endswith("这是试算：核对无误后加 --commit 写入「退货」。\n")
    assert shop.sheet.rows("退货") == before
    if shop.sheet.kind == "google":
        assert shop.requests() == {"values.batchGet": 1}


@freeze_time(MORNING)
def test_committing_the_import_appends_new_returns_and_fills_in_the_hand_typed_one(shop):
    shop.forget_requests()
    result = shop.imported(DAY1)
    if shop.sheet.kind == "google":
        assert shop.requests() == {"values.batchGet": 2, "values.batchUpdate": 1}  # read, read again, one write
    assert result.stdout.startswith("导入退货　2026-11-23 09:05　已写入「退货」\n")
    assert "【新增】4 条，在第 5–8 行\n" in result.stdout
    assert "「退货」已经在右边加上 退款编号、退款金额、平台更新时间 列，已有的列不动。\n" in result.stdout
    rows = shop.sheet.rows("退货")
    assert rows[0] == HEADER
    hand_typed = shop.returns()[0]
    assert hand_typed == {
        "编号": "R20261120-001", "平台": "淘宝", "订单号": "3958000000000000101", "买家": "tb_lily2020",
        "退货原因": "尺码偏小", "运费承担": "运费险", "退货快递": "圆通", "退货单号": "YT8962646785389",
        "申请时间": "2026-11-20 10:00", "同意时间": None, "填单时间": "2026-11-20 18:20", "签收时间": None,
        "退款状态": "退货中", "处理结果": "已联系买家，同意退货", "超时时间": "2026-11-30 18:20", "延长时间": None,
        "备注": "老客户", "退款编号": "200000000000101", "退款金额": 299, "平台更新时间": "2026-11-20 18:20"}
    assert [row[:3] for row in rows[4:]] == [
        ["R20261123-001", "淘宝", "3958000000000000102"], ["R20261123-002", "淘宝", "3958000000000000103"],
        ["R20261123-003", "淘宝", "3958000000000000104"], ["R20261123-004", "淘宝", "3958000000000000107"]]
    assert shop.by_refund("200000000000102")["退款金额"] == 1299
    assert shop.returns()[2]["编号"] == "R20261118-001" and shop.returns()[2]["退款编号"] is None  # in no export


@freeze_time(MORNING)
def test_importing_the_same_file_again_changes_nothing(shop):
    shop.imported(DAY1)
    after_first = shop.sheet.rows("退货")
    shop.forget_requests()
    result = shop.imported(DAY1)
    assert "新增 0 · 更新 0 · 未变 5 · 不能用 2\n" in result.stdout
    assert result.stdout.endswith("表里已经是最新的，没有要写入的。\n")
    assert shop.sheet.rows("退货") == after_first
    if shop.sheet.kind == "google":
        assert shop.requests() == {"values.batchGet": 1}  # read, nothing to write


# ----------------------------------------------------------------------------------- day after day

@freeze_time(MORNING)
def test_the_next_days_export_updates_status_waybill_and_deadline_in_place(shop):
    shop.imported(DAY1)
    result = shop.imported(DAY2)
    assert "新增 2 · 更新 3 · 未变 2 · 不能用 0\n" in result.stdout
    assert ("  R20261123-001（第 5 行）淘宝 退款编号 200000000000102：退款状态 待处理 → 待买家退货；"
            "超时时间 11-26 21:30 → 11-29 10:00\n") in result.stdout
    agreed = shop.by_refund("200000000000102")
    assert (agreed["退款状态"], agreed["超时时间"], agreed["平台更新时间"]) == ("待买家退货", "2026-11-29 10:00", "2026-11-21 21:30")
    shipped = shop.by_refund("200000000000107")
    assert (shipped["退款状态"], shipped["退货快递"], shipped["退货单号"], shipped["填单时间"], shipped["超时时间"]) == (
        "退货中", "申通", "773098765432101", "2026-11-22 19:00", "2026-12-02 19:00")
    assert [row["编号"] for row in shop.returns()][-2:] == ["R20261123-005", "R20261123-006"]


@freeze_time(MORNING)
def test_a_return_the_platform_closed_is_marked_not_removed(shop):
    shop.imported(DAY1)
    count = len(shop.returns())
    shop.imported(DAY2)
    refunded = shop.by_refund("200000000000101")
    assert (refunded["编号"], refunded["退款状态"], refunded["平台更新时间"]) == ("R20261120-001", "已退款", "2026-11-22 16:05")
    assert (refunded["处理结果"], refunded["备注"], refunded["超时时间"]) == ("已联系买家，同意退货", "老客户", "2026-11-30 18:20")
    assert len(shop.returns()) == count + 2  # the two new ones; nothing removed


@freeze_time(MORNING)
def test_yesterdays_export_imported_after_todays_overwrites_nothing(shop):
    shop.imported(DAY1)
    shop.imported(DAY2)
    after = shop.sheet.rows("退货")
    result = shop.imported(DAY1)
    assert "新增 0 · 更新 0 · 未变 5 · 不能用 2\n" in result.stdout
    assert "未变的 5 条里，有 3 条表里的数据比这次的导出新，没有被覆盖。\n" in result.stdout
    assert shop.sheet.rows("退货") == after


@freeze_time(MORNING)
def test_after_the_shop_extended_a_return_the_later_download_moves_its_deadline_and_the_earlier_one_does_not(shop):
    shop.imported(DAY2)
    result = shop.imported(str(FILES / "淘宝退款_1123_晚.csv"))
    assert "新增 0 · 更新 1 · 未变 6 · 不能用 0\n" in result.stdout
    assert "退款编号 200000000000108：超时时间 11-24 20:00 → 12-01 20:00\n" in result.stdout
    assert shop.imported(DAY2).stdout.count("有 1 条表里的数据比这次的导出新") == 1
    assert shop.by_refund("200000000000108")["超时时间"] == "2026-12-01 20:00"


@freeze_time(MORNING)
def test_both_days_given_together_in_either_order_import_the_newest_copy(shop):
    result = shop.imported(DAY2, DAY1)
    # 14 rows, 7 returns: the 5 older copies are no return of their own, and the 2 rows refused
    assert "新增 6 · 更新 1 · 未变 0 · 不能用 2\n" in result.stdout
    assert "\n另有 5 行是同一条退货的另一份（几个文件里都有它）：按最新的一份算，没有另计。\n" in result.stdout
    assert shop.by_refund("200000000000101")["退款状态"] == "已退款"
    assert shop.by_refund("200000000000102")["退款状态"] == "待买家退货"
    assert shop.by_refund("200000000000107")["退货单号"] == "773098765432101"


@freeze_time(MORNING)
def test_the_same_file_given_twice_in_one_command_counts_each_return_once(shop):
    first = shop.imported(DAY1, DAY1, commit=False)
    assert "新增 4 · 更新 1 · 未变 0 · 不能用 2\n" in first.stdout
    shop.imported(DAY1)
    again = shop.imported(DAY1, DAY1)
    assert "新增 0 · 更新 0 · 未变 5 · 不能用 2\n" in again.stdout  # 5 returns the tab holds, not 10 lines
    assert "\n另有 5 行是同一条退货的另一份（几个文件里都有它）：按最新的一份算，没有另计。\n" in again.stdout
    data = json.loads(shop.run("returns", "import", DAY1, DAY1, "--format", "json").stdout)
    assert data["counts"] == {"new": 0, "updated": 0, "unchanged": 5, "rejected": 2, "older": 0, "superseded": 5}


@freeze_time(MORNING)
def test_the_shop_edits_a_return_by_hand_after_the_import_and_reimporting_keeps_the_edit(shop, monkeypatch):
    shop.imported(DAY1)
    row = next(number for number, line in enumerate(shop.sheet.rows("退货"), start=1) if line[0] == "R20261123-004")
    OtherUser(shop.sheet, monkeypatch, tab="退货").set(f"H{row}", "YT0000000000000")  # 退货单号 from the buyer's chat
    result = shop.imported(DAY1)
    assert "新增 0 · 更新 0 · 未变 5" in result.stdout
    assert shop.by_refund("200000000000107")["退货单号"] == "YT0000000000000"


# --------------------------------------------------------------------- the platform's times out of order

BACKWARDS, BACKWARDS_REFUNDED = str(FILES / "淘宝退款_时间倒了.csv"), str(FILES / "淘宝退款_时间倒了_退款.csv")


@freeze_time(MORNING)
def test_an_export_whose_parcel_was_sent_back_before_the_refund_was_applied_for_is_imported_as_it_says(shop):
    """The platform's own times, out of order: imported as they are (the return and its deadline matter more
    than the order of two times), and said so, since `check` will point at the row."""
    data = json.loads(shop.run("returns", "import", BACKWARDS, "--format", "json").stdout)
    assert data["notes"] == [{"file": "淘宝退款_时间倒了.csv", "row": 2, "column": None,
                              "message": "填单时间 11-21 08:00 早于申请时间 11-21 10:00，平台导出里就是这样：请到平台后台核对这条退货"}]
    result = shop.imported(BACKWARDS)
    assert "新增 1 · 更新 0 · 未变 0 · 不能用 0\n" in result.stdout
    assert ("\n【请核对】1 行的时间先后不对，已照平台导出的时间写入（check 也会提示）\n"
            "  淘宝退款_时间倒了.csv 第 2 行：填单时间 11-21 08:00 早于申请时间 11-21 10:00，平台导出里就是这样："
            "请到平台后台核对这条退货\n") in result.stdout
    imported = shop.by_refund("200000000000120")
    assert (imported["申请时间"], imported["填单时间"], imported["超时时间"]) == (
        "2026-11-21 10:00", "2026-11-21 08:00", "2026-12-01 08:00")
    again = shop.imported(BACKWARDS)
    assert "新增 0 · 更新 0 · 未变 1 · 不能用 0\n" in again.stdout and "【请核对】" not in again.stdout


@freeze_time(MORNING)
def test_a_later_export_of_a_return_with_times_out_of_order_changes_only_what_changed(shop):
    shop.imported(BACKWARDS)
    refunded = shop.imported(BACKWARDS_REFUNDED)
    assert "新增 0 · 更新 1 · 未变 0 · 不能用 0\n" in refunded.stdout
    assert ("退款编号 200000000000120：退款状态 退货中 → 已退款；平台更新时间 11-21 10:00 → 11-22 15:00\n"
            in refunded.stdout)  # not 填单时间 （空） → 11-21 08:00: the cell holds it
    again = shop.imported(BACKWARDS_REFUNDED).stdout
    assert "新增 0 · 更新 0 · 未变 1 · 不能用 0\n" in again and "比这次的导出新" not in again  # its 超时时间 blank
    assert "未变的 1 条里，有 1 条表里的数据比这次的导出新" in shop.imported(BACKWARDS).stdout


# ------------------------------------------------------------------------------------- other shapes

def dry_run_without_file_names(shop: Shop, path: str) -> dict:
    """What `--format json` says of a file, its name left out: to compare two copies of one export."""
    data = json.loads(shop.run("returns", "import", path, "--format", "json").stdout)
    data.pop("files")
    for record in (*data["new"], *data["updated"], *data["rejected"]):
        record.pop("file")
    return data


@freeze_time(MORNING)
def test_a_gbk_export_and_its_utf8_copy_import_the_same(shop):
    gbk = dry_run_without_file_names(shop, DAY1)
    assert gbk == dry_run_without_file_names(shop, str(FILES / "淘宝退款_1122_utf8.csv"))
    assert gbk["counts"]["new"] == 4


@freeze_time(MORNING)
def test_douyin_and_pinduoduo_after_sale_exports_import_together(shop):
    result = shop.imported(DOUYIN, PDD)
    assert "读取：抖店售后_1123.csv（抖音，4 行）、拼多多售后_1123.csv（拼多多，3 行）\n" in result.stdout
    assert "新增 5 · 更新 1 · 未变 0 · 不能用 1\n" in result.stdout
    assert ("  抖店售后_1123.csv 第 5 行「售后状态」：不认识的售后状态「换货中」，不知道这条退货走到了哪一步："
            "这一行没有导入，请在后台查看后手动登记\n") in result.stdout
    hand_typed = shop.by_refund("7000000000000201")
    assert (hand_typed["编号"], hand_typed["退款状态"], hand_typed["备注"], hand_typed["退款金额"]) == (
        "R20261119-001", "退货中", "先验货", 89)
    assert [(r["平台"], r["退款状态"]) for r in shop.returns()[3:]] == [
        ("抖音", "待处理"), ("抖音", "已退款"), ("拼多多", "待买家退货"), ("拼多多", "已关闭"), ("拼多多", "待处理")]


@freeze_time(MORNING)
def test_an_xlsx_export_imports_like_its_csv(shop):
    csv_data = dry_run_without_file_names(shop, DOUYIN)
    assert csv_data == dry_run_without_file_names(shop, str(FILES / "抖店售后_1123.xlsx"))
    assert csv_data["counts"] == {"new": 2, "updated": 1, "unchanged": 0, "rejected": 1, "older": 0, "superseded": 0}


@freeze_time(MORNING)
def test_a_douyin_xlsx_export_with_number_amounts_ids_and_waybills_imports_like_its_csv(shop):
    """As 抖店 writes its xlsx: 退款金额 the number 39, 售后单号 and digit waybills numbers, times date cells."""
    csv_data = dry_run_without_file_names(shop, DOUYIN)
    assert csv_data == dry_run_without_file_names(shop, str(FILES / "抖店售后_1123_数字.xlsx"))
    result = shop.imported(str(FILES / "抖店售后_1123_数字.xlsx"))
    assert "新增 2 · 更新 1 · 未变 0 · 不能用 1\n" in result.stdout
    assert (shop.by_refund("7000000000000203")["退款金额"], shop.by_refund("7000000000000201")["退货单号"]) == (
        39, "78900011122233")


@freeze_time(MORNING)
def test_a_taobao_xlsx_export_with_number_amounts_and_date_cells_imports_like_its_csv(shop):
    """买家实际支付金额 and 买家退款金额 as numbers (1299, 59.9), 退款编号 and waybills as numbers, every time a
    date cell (超时时间 11:00:05 too)."""
    csv_data = dry_run_without_file_names(shop, DAY2)
    assert csv_data == dry_run_without_file_names(shop, str(FILES / "淘宝退款_1123.xlsx"))
    shop.imported(str(FILES / "淘宝退款_1123.xlsx"))
    assert (shop.by_refund("200000000000102")["退款金额"], shop.by_refund("200000000000104")["退款金额"]) == (1299, 59.9)
    assert shop.imported(DAY2).stdout.count("新增 0 · 更新 0 · 未变 7 · 不能用 0\n") == 1  # its csv: nothing new


@freeze_time(MORNING)
def test_number_cells_an_xlsx_export_cannot_use_are_rows_refused_with_the_reason(shop):
    result = shop.run("returns", "import", str(FILES / "淘宝退款_数字坏了.xlsx"), "--strict")
    assert result.exit_code == 1
    assert ("新增 0 · 更新 0 · 未变 0 · 不能用 3\n\n【不能用】3 行，没有导入\n"
            "  淘宝退款_数字坏了.xlsx 第 2 行「买家退款金额」：金额看不准：39.123（金额最多两位小数）\n"
            "  淘宝退款_数字坏了.xlsx 第 3 行「订单编号」：订单号被存成了数字，后几位已丢失（3.958E+18）：请把这一列设为文本，"
            "再从平台重新复制订单号\n"
            "  淘宝退款_数字坏了.xlsx 第 4 行「买家退款金额」：金额看不准：0.00001（金额最多两位小数）\n") in result.stdout


# --------------------------------------------------------------------------- what cannot be used

@freeze_time(MORNING)
def test_rows_that_cannot_be_used_are_listed_with_file_row_and_reason(shop):
    result = shop.run("returns", "import", DAY1, "--format", "json", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        "淘宝退款_1122.csv 第 6 行「订单编号」：订单号 3.95800000000001E+18 被表格转成了数字，后几位已丢失：请把这一列设为文本，"
        "再从平台重新复制订单号\n"
        "淘宝退款_1122.csv 第 7 行「买家退款金额」：金额看不准：1.234,50（分不清哪个是千位分隔、哪个是小数点：请写成 1234.50 这样）\n")
    assert [r["row"] for r in json.loads(result.stdout)["rejected"]] == [6, 7]


@freeze_time(MORNING)
def test_a_download_cut_short_rejects_its_last_line(shop):
    result = shop.imported(str(FILES / "淘宝退款_断了.csv"), commit=False)
    assert ("  淘宝退款_断了.csv 第 8 行：文件在这一行中途结束（最后一行没有换行，只有 13 列，表头有 22 列）："
            "下载可能不完整，请重新导出\n") in result.stdout
    assert "新增 3 · 更新 1 · 未变 0 · 不能用 3\n" in result.stdout


def test_an_order_export_is_refused_in_one_line(shop):
    result = shop.run("returns", "import", str(DATA / "compensation" / "taobao_orders.csv"))
    assert result.exit_code == 1
    assert result.stderr == ("Error: taobao_orders.csv 不像退款或售后导出：表头里没有「退款状态」或「售后状态」。"
                             "请从千牛「退款管理」、抖店「售后管理」或拼多多「售后管理」导出\n")


def test_a_missing_file_or_an_unknown_platform_is_one_line(shop):
    missing = shop.run("returns", "import", "nowhere.csv")
    assert (missing.exit_code, missing.stderr) == (1, "Error: 找不到文件 nowhere.csv\n")
    assert shop.run("returns", "import", DAY1, "--platform", "小红书").exit_code == 2


# ------------------------------------------------------------------------ someone else edits meanwhile

@freeze_time(MORNING)
def test_import_after_someone_inserted_a_return_above_updates_the_right_row(shop, monkeypatch):
    other = OtherUser(shop.sheet, monkeypatch, tab="退货")
    typed = ["R20261122-009", "快手", "2306123456781234", "快手用户8812"]
    other.between_read_and_write(lambda: other.insert_row(2, typed))
    result = shop.imported(DAY1)
    assert "  R20261120-001（第 3 行）淘宝 订单 3958000000000000101：" in result.stdout  # found where it is now
    returns = shop.returns()
    assert returns[0]["编号"] == "R20261122-009" and returns[0]["退款编号"] is None
    assert (returns[1]["编号"], returns[1]["退款状态"], returns[1]["处理结果"]) == ("R20261120-001", "退货中", "已联系买家，同意退货")
    assert [row["编号"] for row in returns[-4:]] == ["R20261123-001", "R20261123-002", "R20261123-003", "R20261123-004"]


@freeze_time(MORNING)
def test_import_after_someone_changed_a_status_it_would_change_writes_nothing(shop, monkeypatch):
    other = OtherUser(shop.sheet, monkeypatch, tab="退货")
    before = shop.sheet.rows("退货")
    other.between_read_and_write(lambda: other.set("M2", "已签收"))
    result = shop.run("returns", "import", DAY1, "--commit")
    assert result.exit_code == 1
    assert ("「退货」第 2 行（编号 R20261120-001）的「退款状态」读取时是「待处理」，现在是「已签收」。请重新运行这条命令\n"
            in result.stderr)
    before[1][12] = "已签收"
    assert shop.sheet.rows("退货") == before


# --------------------------------------------------------------------------------- after the import

@freeze_time(MORNING)
def test_after_the_import_deadlines_and_pull_put_the_platform_time_first(shop):
    shop.imported(DAY1)
    shop.imported(DAY2)
    text = shop.run("deadlines", "--horizon", "72h").stdout
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "R20261123-005" in line)
    assert lines[first].endswith("11-24 周二 20:00 到点自动退款（平台时间）  剩 1 天 10 小时")
    assert lines[first + 1].startswith("      说明：按规则算是 11-29 周日 20:00，相差 5 天，以平台时间为准；")
    second = next(i for i, line in enumerate(lines) if "R20261123-006" in line)
    assert lines[second].endswith("11-25 周三 11:00 到点自动退款（平台时间）  剩 2 天 1 小时")
    assert "按规则算是" not in lines[second + 1]  # the same minute: shown once
    pulled = json.loads(shop.run("pull", "--format", "json").stdout)["deadlines"]["deadlines"]
    first = next(d for d in pulled if d["order_id"] == "3958000000000000108")
    assert (first["from_platform"], first["ends_at"], first["computed_ends_at"]) == (
        True, "2026-11-24T20:00:00+08:00", "2026-11-29T20:00:00+08:00")


@freeze_time(MORNING)
def test_a_workbook_without_a_returns_tab_gets_one_on_the_first_import(run, tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active.title = "交接"
    book.active.append(["编号", "类型", "订单号"])
    book.save(tmp_path / "new.xlsx")
    result = run("returns", "import", PDD, "--commit", "--sheet", str(tmp_path / "new.xlsx"))
    assert result.exit_code == 0, result.output
    tab = load_workbook(tmp_path / "new.xlsx")["退货"]
    rows = [list(row) for row in tab.iter_rows(values_only=True)]
    assert rows[0][:3] == ["编号", "平台", "订单号"] and "退款编号" in rows[0]
    assert [row[:3] for row in rows[1:]] == [["R20261123-001", "拼多多", "231122-508812340007777"],
                                             ["R20261123-002", "拼多多", "231120-508812340008888"],
                                             ["R20261123-003", "拼多多", "231122-508812340009999"]]
    assert tab.cell(2, rows[0].index("退款金额") + 1).number_format == "#,##0.00"


@freeze_time(MORNING)
def test_json_output_for_scripts(shop):
    data = json.loads(shop.run("returns", "import", DAY1, "--format", "json").stdout)
    assert set(data) == {"generated_at", "tab", "committed", "files", "counts", "new", "updated", "rejected",
                         "notes", "skipped_rows", "added_columns"}
    assert data["added_columns"] == ["退款编号", "退款金额", "平台更新时间"]
    assert data["counts"] == {"new": 4, "updated": 1, "unchanged": 0, "rejected": 2, "older": 0, "superseded": 0}
    assert data["files"] == [{"file": "淘宝退款_1122.csv", "platform": "taobao", "encoding": "gb18030", "rows": 7,
                              "skipped": 0}]
    assert data["new"][0] == {
        "id": "R20261123-001", "row": None, "platform": "taobao", "refund_id": "200000000000102",
        "order_id": "3958000000000000102", "buyer": "", "reason": "七天无理由退换货", "refund_status": "request",
        "return_courier": None, "return_tracking_no": "", "refund_amount": "1299.00",
        "requested_at": "2026-11-21T21:30:00+08:00", "approved_at": None, "waybill_at": None, "signed_at": None,
        "platform_deadline": "2026-11-26T21:30:00+08:00", "platform_updated_at": "2026-11-21T21:30:00+08:00",
        "file": "淘宝退款_1122.csv", "file_row": 3}
    [update] = data["updated"]
    assert (update["id"], update["row"], update["refund_id"]) == ("R20261120-001", 2, "200000000000101")
    assert update["changes"][:2] == [{"column": "refund_status", "old": "request", "new": "in_transit"},
                                     {"column": "return_courier", "old": None, "new": "yto"}]
    assert data["rejected"][0] == {"file": "淘宝退款_1122.csv", "row": 6, "column": "订单编号",
                                   "message": "订单号 3.95800000000001E+18 被表格转成了数字，后几位已丢失：请把这一列设为文本，"
                                              "再从平台重新复制订单号"}
    committed = json.loads(shop.run("returns", "import", DAY1, "--format", "json", "--commit").stdout)
    assert committed["committed"] and [new["row"] for new in committed["new"]] == [5, 6, 7, 8]


@freeze_time(MORNING)
def test_the_readme_example_is_what_the_command_prints(run, data_file):
    data_file("../../examples/handover.toml", "handover.toml")
    data_file("../../examples/handover.xlsx", "handover.xlsx")
    command = "handover returns import examples/exports/淘宝退款_1123.csv examples/exports/抖店售后_1123.csv"
    readme = (DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split(f"$ {command} --sheet examples/handover.xlsx\n", 1)[1].split("```", 1)[0]
    exports = DATA.parent.parent / "examples" / "exports"
    result = run("returns", "import", str(exports / "淘宝退款_1123.csv"), str(exports / "抖店售后_1123.csv"))
    assert result.exit_code == 0 and result.stdout == shown


@freeze_time(MORNING)
def test_an_import_filling_the_amount_of_a_return_typed_by_hand_shows_it_as_money(run, data_file):
    """The example's returns were typed without 退款金额; the import fills it in. A cell nobody styled gets
    the money format the new rows have; one the shop styled keeps the shop's style."""
    from openpyxl import load_workbook

    data_file("../../examples/handover.toml", "handover.toml")
    book = data_file("../../examples/handover.xlsx", "handover.xlsx")
    workbook = load_workbook(book)
    tab = workbook["退货"]
    header = [cell.value for cell in tab[1]]
    amount = header.index("退款金额") + 1
    rows = {tab.cell(row, 1).value: row for row in range(2, tab.max_row + 1)}
    tab.cell(rows["R20261116-001"], amount).number_format = "¥0.0"  # the shop's own style, on a blank cell
    workbook.save(book)
    exports = DATA.parent.parent / "examples" / "exports"
    result = run("returns", "import", str(exports / "淘宝退款_1123.csv"), str(exports / "抖店售后_1123.csv"), "--commit")
    assert result.exit_code == 0, result.output
    tab = load_workbook(book)["退货"]
    typed_by_hand, styled_by_the_shop = tab.cell(rows["R20261113-001"], amount), tab.cell(rows["R20261116-001"], amount)
    assert (typed_by_hand.value, typed_by_hand.number_format) == (1299, "#,##0.00")
    assert (styled_by_the_shop.value, styled_by_the_shop.number_format) == (129, "¥0.0")
    appended = tab.cell(tab.max_row, amount)
    assert appended.value is not None and appended.number_format == "#,##0.00"


@freeze_time(MORNING)
def test_an_export_with_a_line_break_typed_into_an_amount_rejects_that_row(shop, tmp_path):
    # Someone tidied the export in Excel and pressed Alt+Enter in a refund amount: that row is refused
    # with the reason, the others import (it used to stop the whole import with a traceback).
    import csv

    with open(DAY1, encoding="gb18030", newline="") as source:
        rows = list(csv.reader(source))
    column = rows[0].index("买家退款金额")
    rows[1][column] = "29\n9.00"
    edited = tmp_path / "淘宝退款_改过.csv"
    with open(edited, "w", encoding="gb18030", newline="") as target:
        csv.writer(target, lineterminator="\r\n").writerows(rows)
    result = shop.run("returns", "import", str(edited), "--format", "json")
    assert result.exit_code == 0, result.output
    rejected = json.loads(result.stdout)["rejected"]
    assert {"row": 2, "column": "买家退款金额"}.items() <= rejected[0].items()
    assert rejected[0]["message"].startswith("金额看不准")
