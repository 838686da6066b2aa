"""`handover compensation` end to end: dry run, --commit twice paying once (on both backends), the
finance workbook, JSON, and the at-risk orders in pull and the summary."""

import json
import shutil

import openpyxl
import pytest
from conftest import DATA
from freezegun import freeze_time

NOW = "2026-11-22 09:00:00+08:00"
EXPORTS = DATA / "compensation"
TAOBAO = ["--orders", str(EXPORTS / "taobao_orders.csv"), "--orders", str(EXPORTS / "taobao_refunds.csv"),
          "--affiliate", str(EXPORTS / "affiliate_settlement.csv")]


@freeze_time(NOW)
def test_commit_twice_pays_once(run, sheet):
    source = sheet.load("features.xlsx")
    first = run("compensation", *TAOBAO, "--commit", "--by", "财务小周", "--sheet", source)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("赔付核算　2026-11-22 09:00　财务小周　已记入赔付记录")
    ledger = sheet.rows("赔付记录")
    assert ledger[0][:5] == ["订单号", "赔付类型", "基数金额", "比例", "金额"]
    paid = {(row[0], row[1]): row[4] for row in ledger[1:]}
    assert paid == {("3958000000000000001", "预售延迟发货赔付"): 26.66, ("3958000000000000002", "预售延迟发货赔付"): 389.7,
                    ("3958000000000000006", "淘宝客扣佣退款"): 30}

    again = run("compensation", *TAOBAO, "--orders", str(EXPORTS / "taobao_orders.csv"), "--commit", "--sheet", source)
    assert again.exit_code == 0, again.output
    assert "没有新的赔付" in again.stdout and "【已在赔付记录里，这次不再计入】3 笔" in again.stdout
    assert sheet.rows("赔付记录") == ledger


@freeze_time(NOW)
def test_dry_run_writes_nothing_and_lists_bad_rows(run, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    result = run("compensation", "--orders", str(EXPORTS / "bad_rows.csv"), "--sheet", "features.xlsx")
    assert result.exit_code == 0
    assert "bad_rows.csv 第 2 行「订单编号」" in result.stdout and "试算（未记录）" in result.stdout
    assert path.read_bytes() == before
    strict = run("compensation", "--orders", str(EXPORTS / "bad_rows.csv"), "--strict", "--sheet", "features.xlsx")
    assert strict.exit_code == 1


@freeze_time(NOW)
def test_json_money_has_two_decimals(run, data_file):
    data_file("features.xlsx")
    result = run("compensation", *TAOBAO, "--format", "json", "--sheet", "features.xlsx")
    data = json.loads(result.stdout)
    first = data["payouts"][0]
    assert {k: first[k] for k in ("order_id", "kind", "base_amount", "rate", "amount")} == {
        "order_id": "3958000000000000001", "kind": "presale_late", "base_amount": "88.88", "rate": "0.30", "amount": "26.66"}
    affiliate = next(p for p in data["payouts"] if p["kind"] == "affiliate_deduction")
    assert (affiliate["amount"], affiliate["refund"]) == ("30.00", "270.00")
    assert data["totals"]["presale_late"] == {"count": 2, "amount": "416.36"}
    assert [r["row"] for r in data["rejected"]] == [6]
    assert "affiliate_settlement.csv 第 6 行" in result.stderr


@freeze_time(NOW)
def test_out_xlsx_is_a_sheet_finance_can_use(run, data_file, tmp_path):
    data_file("features.xlsx")
    result = run("compensation", *TAOBAO, "--out", "payouts.xlsx", "--sheet", "features.xlsx")
    assert result.exit_code == 0
    assert "已写入 payouts.xlsx（3 笔赔付）" in result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "payouts.xlsx")["赔付明细"]
    header = [cell.value for cell in sheet[2]]
    amount = header.index("赔付/扣佣金额")
    rows = [row for row in sheet.iter_rows(min_row=3) if any(cell.value is not None for cell in row)]
    payouts = [row for row in rows if row[0].value]
    assert [row[0].value for row in payouts][:1] == ["3958000000000000001"]
    assert all(row[0].data_type == "s" for row in payouts)  # ids as text, every digit
    assert all(row[amount].number_format == "#,##0.00" for row in rows if row[amount].value is not None)
    totals = {row[1].value: row[amount].value for row in rows if str(row[1].value or "").endswith("合计")}
    assert totals["预售延迟发货赔付合计"] == pytest.approx(416.36)


@freeze_time(NOW)
def test_pull_shows_pre_sale_orders_at_risk(run, data_file):
    data_file("features.xlsx")
    result = run("pull", "--orders", str(EXPORTS / "taobao_orders.csv"), "--sheet", "features.xlsx")
    assert result.exit_code == 0
    text = result.stdout
    assert "【预售快超时】" in text and text.index("【预售快超时】") < text.index("【仓库】")
    data = json.loads(run("pull", "--orders", str(EXPORTS / "taobao_orders.csv"), "--format", "json",
                          "--sheet", "features.xlsx").stdout)
    assert data["at_risk"]["at_risk"][0]["order_id"] == "3958000000000000008"


@freeze_time(NOW)
def test_orders_from_config_and_summary_money(run, data_file, tmp_path):
    data_file("features.xlsx")
    (tmp_path / "exports").mkdir()
    shutil.copyfile(EXPORTS / "taobao_orders.csv", tmp_path / "exports" / "taobao_orders.csv")
    (tmp_path / "handover.toml").write_text('sheet = "features.xlsx"\n[compensation]\norders = ["exports/*.csv"]\n',
                                           encoding="utf-8")
    assert "【预售快超时】" in run("pull").stdout
    assert run("compensation", *TAOBAO, "--commit").exit_code == 0
    summary = run("summary").stdout
    assert "今天记入赔付记录 3 笔：预售延迟发货赔付 2 笔 ¥416.36；淘宝客扣佣退款 1 笔 扣佣金 ¥30.00。" in summary
    assert "可能要赔" in summary


def test_compensation_needs_orders(run, data_file):
    data_file("features.xlsx")
    assert run("compensation", "--sheet", "features.xlsx").exit_code == 2


def test_an_unreadable_export_is_one_line(run, data_file, tmp_path):
    data_file("features.xlsx")
    (tmp_path / "orders.csv").write_text("nothing,to,see\n1,2,3\n", encoding="utf-8")
    result = run("compensation", "--orders", "orders.csv", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


# ------------------------------------------------------------------ the ledger as people edit it (issue 15)

def rename_tab(sheet, old: str, new: str) -> None:
    """What a person does in Excel/WPS or in the Google Sheets UI, on either backend."""
    if sheet.kind == "google":
        sheet.google_cli.emulator.rename_tab(sheet.key, old, new)
        return
    book = openpyxl.load_workbook(sheet.source)
    book[old].title = new
    book.save(sheet.source)


@freeze_time(NOW)
def test_the_daily_summary_still_counts_the_payouts_after_the_ledger_tab_was_renamed(run, sheet):
    """The summary finds the ledger as compensation does: by its header too, not only by its name."""
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    rename_tab(sheet, "赔付记录", "赔付记录2026")
    summary = run("summary", "--sheet", source)
    assert summary.exit_code == 0, summary.output
    assert "今天记入赔付记录 3 笔：预售延迟发货赔付 2 笔 ¥416.36；淘宝客扣佣退款 1 笔 扣佣金 ¥30.00。" in summary.stdout


def set_cells(sheet, tab: str, cells: dict) -> None:
    if sheet.kind == "google":
        for a1, value in cells.items():
            sheet.google_cli.emulator.set_cell(sheet.key, tab, a1, value)
        return
    book = openpyxl.load_workbook(sheet.source)
    for a1, value in cells.items():
        book[tab][a1] = value
    book.save(sheet.source)


DOUYIN = ["--orders", str(EXPORTS / "douyin_orders.csv")]


@freeze_time(NOW)
def test_commit_after_finance_renamed_the_ledger_tab_pays_no_order_twice(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    rename_tab(sheet, "赔付记录", "赔付记录2026")
    again = run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source)
    assert again.exit_code == 0, again.output
    assert "按表头认出「赔付记录2026」" in again.stdout and "【已在赔付记录里，这次不再计入】3 笔" in again.stdout
    assert "已在「赔付记录2026」追加 2 行" in again.stdout
    ledger = sheet.rows("赔付记录2026")
    assert [row[0] for row in ledger[1:]] == ["3958000000000000001", "3958000000000000002", "3958000000000000006",
                                             "6930000000000000101", "6930000000000000104"]
    tabs = sheet.google_cli.emulator.tabs(sheet.key) if sheet.kind == "google" else openpyxl.load_workbook(source).sheetnames
    assert "赔付记录" not in tabs  # never a second ledger while a ledger-shaped tab exists


@freeze_time(NOW)
def test_commit_after_finance_renamed_the_kind_header_refuses_and_says_which_column(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    set_cells(sheet, "赔付记录", {"B1": "赔付种类"})
    before = sheet.rows("赔付记录")
    dry = run("compensation", *TAOBAO, "--sheet", source)
    assert dry.exit_code == 0
    assert "赔付记录 第 1 行：表头里没有「赔付类型」列" in dry.stdout and "现在叫「赔付种类」的那一列看起来就是" in dry.stdout
    refused = run("compensation", *TAOBAO, "--commit", "--sheet", source)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.startswith("Error: 「赔付记录」有认不准的行") and refused.stderr.count("\n") == 1
    assert sheet.rows("赔付记录") == before


@freeze_time(NOW)
def test_commit_after_excel_converted_the_order_ids_to_numbers_refuses(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source).exit_code == 0
    ledger = sheet.rows("赔付记录")
    # "Convert to Number" on the 订单号 column: every id becomes a double; 19 digits do not fit in one
    set_cells(sheet, "赔付记录", {f"A{n}": float(row[0]) for n, row in enumerate(ledger[1:], start=2)})
    before = sheet.rows("赔付记录")
    dry = run("compensation", *TAOBAO, *DOUYIN, "--sheet", source)
    assert "注意：「赔付记录」有 5 行认不准" in dry.stdout.splitlines()[2]  # before any payout is listed
    data = json.loads(run("compensation", *TAOBAO, *DOUYIN, "--format", "json", "--sheet", source).stdout)
    unreadable = [r for r in data["rejected"] if r["file"] == "赔付记录"]
    assert [(r["row"], r["column"]) for r in unreadable] == [(n, "订单号") for n in range(2, 7)]
    assert "后几位已丢失" in unreadable[0]["message"]
    refused = run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source)
    assert refused.exit_code == 1 and "修好之前 --commit 什么都不记录" in refused.stderr
    assert sheet.rows("赔付记录") == before


@freeze_time(NOW)
def test_a_ledger_amount_nobody_can_read_stops_the_commit(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    set_cells(sheet, "赔付记录", {"E3": "三百八十九"})
    dry = run("compensation", *TAOBAO, "--sheet", source)
    assert "赔付记录 第 3 行「金额」：不是金额：三百八十九" in dry.stdout
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 1


@freeze_time(NOW)
def test_two_ledger_shaped_tabs_both_count_but_the_commit_asks_which_one(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    rename_tab(sheet, "赔付记录", "赔付记录2025")
    assert run("compensation", *DOUYIN, "--commit", "--sheet", source).exit_code == 0  # into 赔付记录2025
    rows = sheet.rows("赔付记录2025")
    if sheet.kind == "google":
        sheet.google_cli.emulator.add_tab(sheet.key, "赔付记录2026", rows[:1] + rows[4:])
    else:
        book = openpyxl.load_workbook(source)
        copy = book.create_sheet("赔付记录2026")
        for row in rows[:1] + rows[4:]:
            copy.append(row)
        book.save(source)
    dry = run("compensation", *TAOBAO, *DOUYIN, "--sheet", source)
    assert "按表头认出「赔付记录2025」「赔付记录2026」，几页一起核对" in dry.stdout and "没有新的赔付" in dry.stdout
    refused = run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source)
    assert refused.exit_code == 1 and "[tabs] 里写 payouts" in refused.stderr


@freeze_time(NOW)
def test_ledger_amounts_show_two_decimals_and_rates_a_percent(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    assert run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source).exit_code == 0  # rows 5 and 6
    for row in (2, 4, 6):
        formats = {column: number_format(sheet, "赔付记录", f"{column}{row}") for column in "CDEF"}
        expected = {"C": "#,##0.00", "D": "0%", "E": "#,##0.00", "F": "#,##0.00" if row == 4 else None}
        if sheet.kind == "xlsx" and row != 4:
            expected["F"] = "General"  # no refund on a pre-sale row: the cell is not written
        assert formats == expected, row


def number_format(sheet, tab: str, a1: str) -> str | None:
    if sheet.kind == "google":
        found = sheet.google_cli.emulator.number_format(sheet.key, tab, a1)
        cell = sheet.google_cli.emulator.cell(sheet.key, tab, a1)
        return found["pattern"] if found and cell not in (None, "") else None
    return openpyxl.load_workbook(sheet.source)[tab][a1].number_format


@freeze_time(NOW)
def test_a_dry_run_on_a_google_sheet_with_its_ledger_is_one_read(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    if sheet.kind == "xlsx":
        pytest.skip("request counts are a Google matter")
    emulator = sheet.google_cli.emulator
    orders = TAOBAO[:4]  # no affiliate report: the 退货 tab is not needed

    def requests() -> dict:
        emulator.reset_counts()
        assert run("compensation", *orders, "--sheet", source).exit_code == 0
        return {kind: n for kind, n in emulator.counts().items() if kind != "token"}

    assert requests() == {"values.batchGet": 1}
    # renamed: the read of the missing tab fails, the metadata says which tabs there are, and the other
    # tabs are read once to find the one whose header is a ledger's
    rename_tab(sheet, "赔付记录", "赔付记录2026")
    assert requests() == {"values.batchGet": 2, "metadata": 1}


# ------------------------------------------------------------------------------ commit last (issue 15)

@freeze_time(NOW)
def test_commit_with_out_into_a_missing_folder_records_nothing_and_says_so(run, sheet, tmp_path):
    source = sheet.load("features.xlsx")
    failed = run("compensation", *TAOBAO, "--commit", "--out", "missing/payouts.xlsx", "--sheet", source)
    assert failed.exit_code == 1 and failed.stdout == ""
    assert failed.stderr == ("Error: 写不了 missing/payouts.xlsx（文件夹 missing 不存在）：什么都没有写入。"
                             "请先建好这个文件夹，或换一个 --out 路径\n")
    with pytest.raises(KeyError):
        sheet.rows("赔付记录") if sheet.kind == "xlsx" else sheet.google_cli.emulator.values(sheet.key, "赔付记录")
    # the rerun, with a folder that exists, still has all four to pay, and shows them
    (tmp_path / "missing").mkdir()
    rerun = run("compensation", *TAOBAO, "--commit", "--out", "missing/payouts.xlsx", "--sheet", source)
    assert rerun.exit_code == 0 and "已写入 missing/payouts.xlsx（3 笔赔付）" in rerun.stderr
    assert "已在「赔付记录」追加 3 行" in rerun.stdout
    top = openpyxl.load_workbook(tmp_path / "missing" / "payouts.xlsx")["赔付明细"]["A1"].value
    assert top.startswith("赔付核算　已记入赔付记录")


@freeze_time(NOW)
def test_a_commit_the_ledger_refuses_leaves_no_out_file_behind(run, data_file, tmp_path, monkeypatch):
    from handover.backends.xlsx import XlsxBackend
    from handover.errors import SheetChangedError

    data_file("features.xlsx")

    def someone_saved_meanwhile(self, writes):
        raise SheetChangedError("features.xlsx 在读取之后被别人修改并保存了：什么都没有写入，请重新运行这条命令")

    monkeypatch.setattr(XlsxBackend, "write", someone_saved_meanwhile)
    result = run("compensation", *TAOBAO, "--commit", "--out", "payouts.json", "--format", "json",
                 "--sheet", "features.xlsx")
    assert result.exit_code == 1 and "被别人修改并保存了" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["features.xlsx"]  # no file, no temp file


@freeze_time(NOW)
def test_commit_with_json_out_gives_the_ledger_rows_in_the_file(run, data_file, tmp_path):
    data_file("features.xlsx")
    result = run("compensation", *TAOBAO, "--commit", "--out", "payouts.json", "--format", "json",
                 "--sheet", "features.xlsx")
    assert result.exit_code == 0 and result.stdout == ""
    data = json.loads((tmp_path / "payouts.json").read_text(encoding="utf-8"))
    assert data["committed"] is True and data["ledger_rows"] == [2, 3, 4]


# ----------------------------------------------------------------------------- what finance reads

@freeze_time(NOW)
def test_a_dry_run_workbook_says_it_is_only_a_trial(run, data_file, tmp_path):
    data_file("features.xlsx")
    assert run("compensation", *TAOBAO, "--out", "payouts.xlsx", "--sheet", "features.xlsx").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "payouts.xlsx")
    assert book.properties.title.startswith("赔付核算　试算（未记录）　2026-11-22 09:00")
    assert book["赔付明细"]["A1"].value.startswith("赔付核算　试算（未记录）")
    assert "加 --commit 记录，才算数" in book["赔付明细"]["A1"].value


@freeze_time(NOW)
def test_the_readme_order_export_alone_says_to_add_the_refund_export(run, data_file):
    data_file("features.xlsx")
    result = run("compensation", "--orders", str(EXPORTS / "taobao_orders.csv"), "--sheet", "features.xlsx")
    assert result.exit_code == 0
    assert "没有新的赔付" not in result.stdout
    assert "【文件里缺少的信息】所以算不出赔付：\n  退款原因在退款报表里（买家退款原因）：请加 --orders 退款报表.csv\n" in result.stdout


@freeze_time(NOW)
def test_the_public_tmall_order_report_alone_names_what_it_lacks(run, data_file):
    data_file("features.xlsx")
    result = run("compensation", "--orders", str(EXPORTS / "tmall_order_report.csv"), "--sheet", "features.xlsx")
    assert result.exit_code == 0 and "没有新的赔付" not in result.stdout
    missing = result.stdout.split("【文件里缺少的信息】所以算不出赔付：\n")[1].split("\n\n")[0].splitlines()
    assert missing == [
        "  退款原因在退款报表里（买家退款原因）：请加 --orders 退款报表.csv",
        "  预售标记在订单报表里（宝贝标题里的【预售】、分阶段订单信息）：tmall_order_report.csv 里没有这一列，"
        "请重新导出带这一列的订单报表；文件里全是预售订单的话，也可以在 handover.toml 的 [compensation] 写 presale_only = false",
        "  发货情况在订单报表里（订单状态、物流单号）：tmall_order_report.csv 里没有这一列，请重新导出带这一列的订单报表"]
    data = json.loads(run("compensation", "--orders", str(EXPORTS / "tmall_order_report.csv"), "--format", "json",
                          "--sheet", "features.xlsx").stdout)
    assert [(m["platform"], m["column"]) for m in data["missing"]] == [
        ("tmall", "refund_reason"), ("tmall", "presale_flag"), ("tmall", "shipped_at")]


@freeze_time(NOW)
def test_the_morning_shift_sees_late_pre_sale_orders_apart_from_nearly_late_ones(run, data_file):
    """Orders 4 days past their promise are not "快超时": they open the list under their own heading."""
    data_file("features.xlsx")
    orders = ["--orders", str(EXPORTS / "taobao_orders.csv"), "--sheet", "features.xlsx"]
    text = run("pull", *orders).stdout
    late, near = text.index("【预售已超时】2 单过了承诺发货时间还没发货"), text.index("【预售快超时】1 单还没发货")
    assert late < near < text.index("【仓库】")
    assert "3958000000000000008" in text[late:near] and "3958000000000000003" in text[near:]
    markdown = run("pull", "--format", "markdown", *orders).stdout
    assert markdown.index("### 预售已超时（2 单）") < markdown.index("### 预售快超时（1 单）")


# ------------------------------------------------------------------ a hostile clerk's files (issue 16)

def edited_copy(tmp_path, name: str, order_id: str, column: str, value: str, copy: str) -> str:
    import csv
    import io

    rows = list(csv.reader(io.StringIO((EXPORTS / name).read_text(encoding="gb18030"), newline="")))
    position = [cell.strip().strip('"') for cell in rows[0]].index(column)
    next(row for row in rows if order_id in row[0])[position] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (tmp_path / copy).write_bytes(text.getvalue().encode("gb18030"))
    return copy


@freeze_time(NOW)
def test_a_refund_export_edited_above_the_order_total_pays_nothing_for_that_order(run, data_file, tmp_path):
    data_file("features.xlsx")
    above = edited_copy(tmp_path, "taobao_refunds.csv", "3958000000000000002", "买家实际支付金额", "1500.00", "r_above.csv")
    result = run("compensation", "--orders", str(EXPORTS / "taobao_orders.csv"), "--orders", above, "--sheet", "features.xlsx")
    assert result.exit_code == 0
    assert "3958000000000000002" not in result.stdout.split("【没能使用的行】")[0]
    line = ("r_above.csv 第 3 行「买家实际支付金额」：1500.00 元超过订单 3958000000000000002 在 taobao_orders.csv 第 3 行的"
            "「总金额」1299.00 元：同一笔订单，两个文件的金额对不上，请核对这一行；这笔订单这次不算赔付")
    assert f"  {line}\n" in result.stdout
    assert run("compensation", "--orders", str(EXPORTS / "taobao_orders.csv"), "--orders", above, "--strict",
               "--sheet", "features.xlsx").exit_code == 1


def add_title_row(sheet, tab: str, title: str) -> None:
    """A title typed above the header, as finance does before printing the ledger."""
    if sheet.kind == "google":
        sheet.google_cli.emulator.insert_rows(sheet.key, tab, 1, [[title]])
        return
    book = openpyxl.load_workbook(sheet.source)
    book[tab].insert_rows(1)
    book[tab]["A1"] = title
    book.save(sheet.source)


def sheet_tabs(sheet) -> list[str]:
    if sheet.kind == "google":
        return sheet.google_cli.emulator.tabs(sheet.key)
    return openpyxl.load_workbook(sheet.source).sheetnames


@freeze_time(NOW)
def test_commit_after_finance_renamed_the_ledger_and_typed_a_title_above_its_header_pays_no_order_twice(run, sheet):
    """Renamed 台账 with 2026年赔付台账 above the header: --commit created a second 赔付记录 and paid all four again."""
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    rename_tab(sheet, "赔付记录", "台账")
    add_title_row(sheet, "台账", "2026年赔付台账")
    again = run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source)
    assert again.exit_code == 0, again.output
    assert "按表头认出「台账」" in again.stdout and "【已在赔付记录里，这次不再计入】3 笔" in again.stdout
    assert "已在「台账」追加 2 行" in again.stdout
    assert "赔付记录" not in sheet_tabs(sheet)
    ledger = sheet.rows("台账")
    assert ledger[0][0] == "2026年赔付台账" and ledger[1][:2] == ["订单号", "赔付类型"]
    assert [row[0] for row in ledger[2:]] == ["3958000000000000001", "3958000000000000002", "3958000000000000006",
                                             "6930000000000000101", "6930000000000000104"]


@freeze_time(NOW)
def test_a_title_row_above_the_ledger_header_just_works_and_rows_are_named_as_the_sheet_numbers_them(run, sheet):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    add_title_row(sheet, "赔付记录", "2026年赔付台账")
    dry = run("compensation", *TAOBAO, "--sheet", source)
    assert dry.exit_code == 0 and "没有新的赔付" in dry.stdout and "表头里没有" not in dry.stdout
    assert run("compensation", *TAOBAO, *DOUYIN, "--commit", "--sheet", source).exit_code == 0
    ledger = sheet.rows("赔付记录")
    assert ledger[0][0] == "2026年赔付台账" and ledger[1][0] == "订单号" and len(ledger) == 7
    assert [row[0] for row in ledger[5:]] == ["6930000000000000101", "6930000000000000104"]
    set_cells(sheet, "赔付记录", {"E4": "三百八十九"})  # sheet row 4: the second payout, under the title and header
    dry = run("compensation", *TAOBAO, "--sheet", source)
    assert "赔付记录 第 4 行「金额」：不是金额：三百八十九" in dry.stdout


@pytest.mark.parametrize("cells, listed", [
    ({"A3": "3958000000000000O02"}, "赔付记录 第 3 行「订单号」：不是淘宝订单号：3958000000000000O02（淘宝订单号是 18–19 位数字）"),
    ({"E3": -389.7}, "赔付记录 第 3 行「金额」：金额不能是负数：-389.70"),
    ({"E3": ""}, "赔付记录 第 3 行「金额」：金额为空"),
], ids=["letter-O-in-the-id", "negative-amount", "blank-amount"])
@freeze_time(NOW)
def test_commit_after_a_clerk_mistyped_a_ledger_row_refuses_and_pays_nothing_again(run, sheet, cells, listed):
    source = sheet.load("features.xlsx")
    assert run("compensation", *TAOBAO, "--commit", "--sheet", source).exit_code == 0
    set_cells(sheet, "赔付记录", cells)
    before = sheet.rows("赔付记录")
    dry = run("compensation", *TAOBAO, "--sheet", source)
    assert dry.exit_code == 0
    assert "注意：「赔付记录」有 1 行认不准" in dry.stdout and f"  {listed}" in dry.stdout
    refused = run("compensation", *TAOBAO, "--commit", "--sheet", source)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.startswith("Error: 「赔付记录」有认不准的行：第 3 行") and refused.stderr.count("\n") == 1
    assert sheet.rows("赔付记录") == before
