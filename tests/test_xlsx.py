"""The local workbook backend: what the user built survives, and nothing is ever half-written."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from filelock import FileLock

from handover.backends.office_locks import lock_owner
from handover.backends.xlsx import STATE_DIR, XlsxBackend
from handover.errors import SheetBusyError, SheetChangedError, SheetError
from handover.sheet import CellChange, TabWrite, column_index, column_letter


def change(row, row_id, column, new, old=None):
    return CellChange(row=row, row_id=row_id, column=column, old=old, new=new)


def test_column_letters_round_trip():
    for index in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383):
        assert column_index(column_letter(index)) == index
    assert column_letter(0) == "A" and column_letter(26) == "AA" and column_letter(701) == "ZZ"


def test_read_gives_header_and_rows(data_file):
    grid = XlsxBackend(data_file("features.xlsx")).read(["交接", "没有这个"])
    assert grid["没有这个"] is None
    handover = grid["交接"]
    assert handover.header[:5] == ["编号", "类型", "订单号", "登记时间", "状态"]
    assert handover.rows[1][2] == "6938471029384756102"
    assert handover.row_number(1) == 3


def test_everything_the_user_built_survives_a_write(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]
    backend.write([TabWrite(
        "交接", grid.header, "编号",
        add_columns=["店铺"],
        changes=[change(3, "H20261122-002", "状态", "已完成", "待处理"), change(3, "H20261122-002", "处理人", "阿杰"),
                 change(3, "H20261122-002", "店铺", "悦衣旗舰店")],
        appends=[["H20261123-001", "漏发", "3958120345678999999"] + [None] * 14],
    )])

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["交接", "仓库联系人"]
    assert [c.value for c in book["仓库联系人"][2]] == ["杭州仓", "老李", "12345678"]
    sheet = book["交接"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 24 and sheet.column_dimensions["M"].width == 40
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == ["E2:E500"]
    assert sheet.data_validations.dataValidation[0].formula1 == '"待处理,处理中,已完成,已取消"'
    assert [str(cf.sqref) for cf in sheet.conditional_formatting] == ["E2:E500"]
    assert sheet["C2"].comment.text == "买家是老客户，优先处理"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFDDEEFF"
    # The team's own column and untouched cells are as they were; our cells are where we meant.
    assert sheet["F2"].value == "老客户" and sheet["F5"].value == "加急"
    assert sheet["E3"].value == "已完成" and sheet["N3"].value == "阿杰"
    assert sheet["Q1"].value == "店铺" and sheet["Q3"].value == "悦衣旗舰店"
    assert sheet["E2"].value is None and sheet["N2"].value is None
    # The new row went right after the data, into a styled empty row, keeping its fill.
    assert [sheet.cell(6, c).value for c in (1, 2, 3)] == ["H20261123-001", "漏发", "3958120345678999999"]
    assert sheet["A6"].fill.fgColor.rgb == "FFFFF2CC"
    assert sheet["C6"].data_type == "s"


def test_text_that_looks_like_a_formula_stays_text(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]
    notes = ["=HYPERLINK(\"http://x\")", "+86 138", "-少一件", "@仓库"]
    backend.write([TabWrite("交接", grid.header, "编号", changes=[
        change(2 + i, grid.rows[i][0], "处理结果", note) for i, note in enumerate(notes)])])
    sheet = openpyxl.load_workbook(path)["交接"]
    for i, note in enumerate(notes):
        cell = sheet.cell(2 + i, 16)
        assert (cell.value, cell.data_type) == (note, "s")
    assert XlsxBackend(path).read(["交接"])["交接"].rows[0][15] == notes[0]


def test_blank_changes_clear_cells_and_numbers_stay_numbers(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]
    backend.write([TabWrite("交接", grid.header, "编号", changes=[
        change(5, "H20261121-009", "状态", None, "处理中"), change(5, "H20261121-009", "处理结果", Decimal("26.66"))])])
    sheet = openpyxl.load_workbook(path)["交接"]
    assert sheet["E5"].value is None
    assert sheet["P5"].value == 26.66 and sheet["P5"].data_type == "n"


@pytest.mark.parametrize("lock_name, content, owner", [
    ("~$features.xlsx", bytes([4]) + b"Lily" + b"\x00" * 49 + b"\x04\x00" + "Lily".encode("utf-16-le") + b"\x00" * 60, "Lily"),
    ("~$features.xlsx", bytes([6]) + "小周".encode("gbk") + b"\x00" * 49 + b"\x02\x00" + "小周".encode("utf-16-le") + b"\x00" * 60, "小周"),
    (".~lock.features.xlsx#", ",zhou,nightpc,22.11.2026 23:10,file:///home/zhou/.config/libreoffice/4;".encode(), "zhou"),
    (".~lock.features.xlsx#", "周晓,zhou,nightpc,22.11.2026 23:10,file:///x;".encode(), "周晓"),
    ("~$features.xlsx", b"", None),
])
def test_an_office_lock_file_blocks_the_write_and_names_who(data_file, lock_name, content, owner):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]
    (path.parent / lock_name).write_bytes(content)
    assert lock_owner(path.parent / lock_name) == owner
    with pytest.raises(SheetBusyError) as caught:
        backend.write([TabWrite("交接", grid.header, "编号", changes=[change(2, "H20261122-001", "状态", "已完成")])])
    message = str(caught.value)
    assert lock_name in message and "请先保存并关闭" in message
    assert (f"{owner} 正在" in message) if owner else ("有人正在" in message)
    assert path.read_bytes() == before


def test_a_cell_someone_else_saved_since_the_read_is_kept_and_the_write_lands(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    backend.read(["交接"])
    book = openpyxl.load_workbook(path)
    book["交接"]["M2"] = "夜班又补充了一句"
    book.save(path)
    grid = backend.read(["交接"])["交接"]
    book["交接"]["E2"] = "处理中"  # and then the very cell this write changes
    book.save(path)
    edited = path.read_bytes()
    with pytest.raises(SheetChangedError, match="第 2 行（编号 H20261122-001）的「状态」读取时是空白，现在是「处理中」"):
        backend.write([TabWrite("交接", grid.header, "编号", changes=[change(2, "H20261122-001", "状态", "已完成")])])
    assert path.read_bytes() == edited


def test_another_handover_run_holding_the_lock_blocks_the_write(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path, lock_timeout=0.2)
    grid = backend.read(["交接"])["交接"]
    with FileLock(str(path.parent / STATE_DIR / f"{path.name}.lock")):
        with pytest.raises(SheetBusyError, match="另一个 handover 正在写"):
            backend.write([TabWrite("交接", grid.header, "编号", changes=[change(2, "H1", "状态", "已完成")])])


def test_writes_are_atomic_and_keep_ten_backups(data_file):
    path = data_file("features.xlsx")
    original = path.read_bytes()
    backend = XlsxBackend(path)
    for round_number in range(12):
        grid = backend.read(["交接"])["交接"]
        backend.write([TabWrite("交接", grid.header, "编号", changes=[
            change(2, "H20261122-001", "处理结果", f"第{round_number}次", grid.rows[0][15])])])
    backups = sorted((path.parent / STATE_DIR / "backups").iterdir())
    assert len(backups) == 10
    assert openpyxl.load_workbook(backups[-1])["交接"]["P2"].value == "第10次"
    assert openpyxl.load_workbook(path)["交接"]["P2"].value == "第11次"
    assert original != path.read_bytes()
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_the_file_untouched(data_file, monkeypatch):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]

    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr("handover.backends.xlsx.os.replace", broken_replace)
    with pytest.raises(OSError):
        backend.write([TabWrite("交接", grid.header, "编号", changes=[change(2, "H20261122-001", "状态", "已完成")])])
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_formula_cell_is_never_overwritten(data_file):
    path = data_file("features.xlsx")
    book = openpyxl.load_workbook(path)
    book["交接"]["P2"] = "=TODAY()"
    book.save(path)
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]
    with pytest.raises(SheetError, match="是公式"):
        backend.write([TabWrite("交接", grid.header, "编号", changes=[
            change(2, "H20261122-001", "处理结果", "x", grid.rows[0][15])])])


def test_a_missing_tab_is_created_with_its_rows(data_file):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    backend.read(["交接", "赔付记录"])
    result = backend.write([TabWrite("赔付记录", ["订单号", "金额"], None, create=True,
                                     appends=[["3958120345678901234", Decimal("26.66")], ["=1+1", Decimal("0.02")]])])
    assert result.appended_rows == {"赔付记录": [2, 3]}
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["交接", "仓库联系人", "赔付记录"]
    ledger = book["赔付记录"]
    assert [[c.value for c in row] for row in ledger.iter_rows()] == [["订单号", "金额"], ["3958120345678901234", 26.66], ["=1+1", 0.02]]
    assert ledger["A3"].data_type == "s" and ledger.freeze_panes == "A2"
    # And it can be appended to afterwards like any tab.
    backend = XlsxBackend(path)
    grid = backend.read(["赔付记录"])["赔付记录"]
    assert backend.write([TabWrite("赔付记录", grid.header, None, appends=[["1", Decimal("5")]])]).appended_rows == {"赔付记录": [4]}


def test_unknown_files_fail_with_one_clear_line(tmp_path):
    with pytest.raises(SheetError, match="找不到工作簿"):
        XlsxBackend(tmp_path / "nope.xlsx").read(["交接"])
    (tmp_path / "text.xlsx").write_text("not a zip")
    with pytest.raises(SheetError, match="不是能读取的 xlsx"):
        XlsxBackend(tmp_path / "text.xlsx").read(["交接"])


def test_untouched_parts_are_copied_byte_for_byte(data_file):
    path = data_file("features.xlsx")
    before = zipfile.ZipFile(path)
    originals = {name: before.read(name) for name in before.namelist()}
    backend = XlsxBackend(path)
    grid = backend.read(["交接"])["交接"]
    backend.write([TabWrite("交接", grid.header, "编号", changes=[change(2, "H20261122-001", "状态", "已完成")])])
    after = zipfile.ZipFile(path)
    assert after.namelist() == list(originals)
    changed = [name for name in originals if after.read(name) != originals[name]]
    assert changed == ["xl/worksheets/sheet1.xml"]


@pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("libreoffice"),
                    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
def test_libreoffice_reads_what_we_wrote(data_file, tmp_path):
    path = data_file("features.xlsx")
    backend = XlsxBackend(path)
    grid = backend.read(["交接", "赔付记录"])["交接"]
    backend.write([
        TabWrite("交接", grid.header, "编号", changes=[change(2, "H20261122-001", "处理结果", "=SUM(1,2)")],
                 appends=[["H20261123-001", "漏发", "3958120345678999999"]]),
        TabWrite("赔付记录", ["订单号", "金额"], None, create=True, appends=[["3958120345678901234", Decimal("26.66")]]),
    ])
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    # UTF-8 CSV, one file per sheet (the last option, -1), so the tab we created is checked too.
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
                    csv_filter, "--outdir", str(tmp_path / "csv"), str(path)], check=True, capture_output=True, timeout=120)

    def sheet(name):
        text = (tmp_path / "csv" / f"features-{name}.csv").read_text(encoding="utf-8")
        return list(csv.reader(io.StringIO(text)))

    rows = sheet("交接")
    assert rows[1][0] == "H20261122-001" and rows[1][2] == "3958120345678901234" and rows[1][15] == "=SUM(1,2)"
    assert rows[5][:3] == ["H20261123-001", "漏发", "3958120345678999999"]
    assert sheet("仓库联系人")[1] == ["杭州仓", "老李", "12345678"]
    assert sheet("赔付记录") == [["订单号", "金额"], ["3958120345678901234", "26.66"]]


def test_rows_appended_under_an_excel_table_join_it(tmp_path):
    from openpyxl.worksheet.table import Table, TableStyleInfo

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(["编号", "类型", "订单号"])
    sheet.append(["H1", "漏发", "1001"])
    table = Table(displayName="handover", ref="A1:C2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    sheet.add_table(table)
    other = Table(displayName="elsewhere", ref="E1:F5")  # a table that does not end at the data: untouched
    sheet["E1"], sheet["F1"] = "仓库", "联系人"
    sheet.add_table(other)
    book.save(tmp_path / "t.xlsx")

    backend = XlsxBackend(tmp_path / "t.xlsx")
    grid = backend.read(["交接"])["交接"]
    backend.write([TabWrite("交接", grid.header, "编号", appends=[["H2", "催货", "1002"], ["H3", "漏发", "1003"]])])
    tables = openpyxl.load_workbook(tmp_path / "t.xlsx")["交接"].tables
    assert tables["handover"].ref == "A1:C4" and tables["handover"].autoFilter.ref == "A1:C4"
    assert tables["elsewhere"].ref == "E1:F5"
