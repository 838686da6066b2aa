"""A big tab decoded in two halves at once (`xlsx_halves`) holds exactly what one whole calamine read holds,
however the file was written; where a cut could change a cell, the tab is read whole."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from test_xlsx_parts import _CELLS, dates_from_1904_copy, shared_strings_copy, with_sheet_xml

from handover.backends import xlsx_halves
from handover.backends.xlsx import XlsxBackend
from sheets import handover_workbook

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def any_size(monkeypatch):
    """Every tab is worth cutting here, and the machine has two cores."""
    monkeypatch.setattr(xlsx_halves, "HALVES_FROM_BYTES", 0)
    monkeypatch.setattr(xlsx_halves, "cores", lambda: 2)


def whole(path: Path, tab: str) -> list[list]:
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return workbook.get_sheet_by_name(tab).to_python(skip_empty_area=False)
    finally:
        workbook.close()


def halves(path: Path, tab: str) -> list[list] | None:
    return xlsx_halves.tab_in_halves(path.read_bytes(), tab)


def assert_cut_the_same(path: Path, tab: str = "交接") -> None:
    rows = halves(path, tab)
    assert rows is not None, "read whole instead of in halves"
    assert rows == whole(path, tab)


@pytest.fixture
def workbook(tmp_path):
    rows = [{"编号": f"H{n}", "类型": "漏发", "订单号": str(10**18 + n), "状态": "待处理" if n % 2 else "已完成",
             "登记时间": datetime(2026, 11, 22, 23, n % 60), "处理结果": n * 1.5 if n % 7 else None}
            for n in range(1, 60)]
    rows[5]["编号"] = None
    rows[30] = {}  # an empty row near the middle
    rows[40] = {"问题描述": "没有编号的一行"}
    return handover_workbook(tmp_path / "交接.xlsx", rows)


def test_a_sheet_cut_in_halves_reads_as_a_whole_read(workbook):
    assert_cut_the_same(workbook)


def test_the_tab_reads_the_same_through_the_backend(workbook, monkeypatch):
    cut = XlsxBackend(workbook).read(["交接"])["交接"]
    monkeypatch.setattr(xlsx_halves, "HALVES_FROM_BYTES", 10**12)
    at_once = XlsxBackend(workbook).read(["交接"])["交接"]
    assert (cut.header, cut.rows) == (at_once.header, at_once.rows)


@pytest.mark.parametrize("name", sorted(path.name for path in DATA.glob("*.xlsx")))
def test_every_tab_of_every_fixture_reads_the_same_in_halves(name):
    path = DATA / name
    for tab in XlsxBackend(path).tab_names():
        rows = halves(path, tab)
        if rows is not None:
            assert rows == whole(path, tab), tab


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, max_size=7), min_size=1, max_size=30), shared=st.booleans(),
       gaps=st.lists(st.integers(1, 30), max_size=3), indent=st.integers(0, 3))
def test_any_cells_read_the_same_in_halves(tmp_path, rows, shared, gaps, indent):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1 + indent * (number % 2)):
            if value is not None:
                sheet.cell(number + sum(gap < number for gap in gaps), column, value)
    path = tmp_path / "messy.xlsx"
    book.save(path)
    path = shared_strings_copy(path) if shared else path
    rows_read = halves(path, "交接")
    if rows_read is not None:
        assert rows_read == whole(path, "交接")


def test_a_wider_second_half_and_a_first_half_starting_further_right_read_the_same(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    for number in range(1, 41):
        sheet.cell(number, 3 if number < 20 else 1, f"r{number}")
    sheet.cell(35, 9, "far right")
    book.save(tmp_path / "shapes.xlsx")
    assert_cut_the_same(tmp_path / "shapes.xlsx")


def test_rows_after_the_cut_that_do_not_name_themselves_read_the_same(workbook):
    # The last rows (the cut is near row 30 of 60) are placed after the row before them, as in a whole read.
    changed = with_sheet_xml(workbook, lambda xml: re.sub(
        rb'<row r="(\d+)"', lambda m: b"<row" if int(m.group(1)) > 45 and int(m.group(1)) % 2 else m.group(0), xml))
    assert_cut_the_same(changed)


def test_cells_that_do_not_name_their_column_read_the_same(workbook):
    counter = iter(range(10**6))
    changed = with_sheet_xml(workbook, lambda xml: re.sub(
        rb'<c r="[A-Z]+\d+"', lambda m: b"<c" if next(counter) % 3 == 0 else m.group(0), xml))
    assert_cut_the_same(changed)


def test_a_row_at_the_cut_without_its_number_has_the_tab_read_whole(workbook):
    changed = with_sheet_xml(workbook, lambda xml: re.sub(rb'<row r="\d+"', b"<row", xml))
    assert halves(changed, "交接") is None
    assert XlsxBackend(changed).read(["交接"])["交接"].rows == XlsxBackend(workbook).read(["交接"])["交接"].rows


def test_rows_out_of_order_across_the_cut_have_the_tab_read_whole(workbook):
    def swapped(xml: bytes) -> bytes:
        rows = re.findall(rb"<row\b.*?</row>", xml, re.S)
        first, last = rows[1], rows[-1]
        return xml.replace(first, b"\x00").replace(last, first).replace(b"\x00", last)
    changed = with_sheet_xml(workbook, swapped)
    assert halves(changed, "交接") is None
    assert XlsxBackend(changed).read(["交接"])["交接"].rows == whole(changed, "交接")[1:]


def test_a_sheet_written_with_a_namespace_prefix_reads_the_same(workbook):
    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?!\?)", rb"<\1x:", xml)
        return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="')
    assert_cut_the_same(with_sheet_xml(workbook, prefixed))


def test_text_in_the_shared_strings_table_reads_the_same(workbook):
    assert_cut_the_same(shared_strings_copy(workbook))


def test_a_workbook_counting_dates_from_1904_reads_the_same(workbook):
    assert_cut_the_same(dates_from_1904_copy(workbook))


def test_a_sheet_stored_without_compression_reads_the_same(workbook, tmp_path):
    path = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
    assert_cut_the_same(path)


def test_a_cut_inside_text_that_looks_like_a_row_is_never_read_wrong(workbook):
    # XML may hold `<row` inside a CDATA section: a cut there leaves halves that do not parse.
    def cdata(xml: bytes) -> bytes:
        rows = re.findall(rb"<row\b.*?</row>", xml, re.S)
        middle = rows[len(rows) // 2]
        fake = b'<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[<row r="900">' + b"x" * 4000 + b"]]></t></is></c></row>"
        return xml.replace(middle, middle + fake.replace(b'r="3"', b'r="999"').replace(b'r="A3"', b'r="A999"'))
    changed = with_sheet_xml(workbook, cdata)
    rows = halves(changed, "交接")
    assert rows is None or rows == whole(changed, "交接")


def test_one_core_reads_whole(workbook, monkeypatch):
    monkeypatch.setattr(xlsx_halves, "cores", lambda: 1)
    assert halves(workbook, "交接") is None


def test_a_small_tab_reads_whole(workbook, monkeypatch):
    monkeypatch.setattr(xlsx_halves, "HALVES_FROM_BYTES", 8 * 2**20)
    assert halves(workbook, "交接") is None


def test_a_damaged_sheet_part_is_left_to_the_whole_read(workbook, tmp_path):
    changed = with_sheet_xml(workbook, lambda xml: xml[: len(xml) * 3 // 4])  # cut short, no </sheetData>
    assert halves(changed, "交接") is None


@freeze_time("2026-11-23 08:30:00+08:00")
def test_pull_on_a_sheet_read_in_halves_gives_the_morning_list_of_a_whole_read(run, tmp_path, monkeypatch):
    categories = ["漏发", "无物流", "改地址", "拦截", "尺码确认"]
    rows = [{"编号": f"H20261122-{n:03d}", "登记时间": datetime(2026, 11, 22, 20, n % 60), "平台": "淘宝",
             "类型": categories[n % 5], "订单号": str(3958000000000000000 + n), "买家": f"buyer{n}",
             "电话": f"138{n:08d}", "快递公司": "圆通", "快递单号": f"YT{n:013d}", "原地址": "杭州市西湖区文三路 90 号",
             "新地址": "杭州市滨江区江南大道 588 号", "问题描述": "买家说少了一件", "状态": "待处理" if n % 3 else "已完成"}
            for n in range(1, 400)]
    sheet = str(handover_workbook(tmp_path / "交接.xlsx", rows))
    assert halves(Path(sheet), "交接") is not None
    in_halves = run("pull", "--sheet", sheet, "--format", "json")
    monkeypatch.setattr(xlsx_halves, "HALVES_FROM_BYTES", 10**12)
    whole_read = run("pull", "--sheet", sheet, "--format", "json")
    assert in_halves.exit_code == whole_read.exit_code == 0
    assert in_halves.stdout == whole_read.stdout
    assert '"open":266' in in_halves.stdout


def test_a_process_allowed_one_core_reads_whole(workbook, monkeypatch):
    # A container or `taskset -c 0` allows one core on a machine that has many.
    monkeypatch.undo()
    monkeypatch.setattr(xlsx_halves, "HALVES_FROM_BYTES", 0)
    monkeypatch.setattr(xlsx_halves.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(xlsx_halves.os, "cpu_count", lambda: 8)
    assert xlsx_halves.cores() == 1
    assert halves(workbook, "交接") is None


def _rezipped(path: Path, change, *, stored: bool = False) -> Path:
    """A copy of the workbook with `change(members)` applied to its parts, CRCs written as zipfile does."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    change(members)
    target = path.with_name(path.stem + "-rezipped.xlsx")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


def _with_crc(path: Path, member: str, crc: int) -> Path:
    """The workbook with the checksum its zip holds for `member` changed, in the local and central headers."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member)
    old = info.CRC.to_bytes(4, "little")
    assert data.count(old) == 2
    data = data.replace(old, crc.to_bytes(4, "little"))
    target = path.with_name(path.stem + "-crc.xlsx")
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("stored", [False, True])
def test_a_sheet_part_whose_checksum_does_not_match_is_left_to_the_whole_read(workbook, stored):
    # A damaged download: the whole read refuses it (calamine checks the CRC); the halves must not read it as data.
    path = _rezipped(workbook, lambda members: None, stored=stored)
    assert halves(path, "交接") is not None
    damaged = _with_crc(path, "xl/worksheets/sheet1.xml", 0x12345678)
    assert halves(damaged, "交接") is None


def test_a_changed_byte_under_the_old_checksum_is_left_to_the_whole_read(workbook, tmp_path):
    path = _rezipped(workbook, lambda members: None, stored=True)
    crc = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").CRC
    changed = tmp_path / "changed.xlsx"
    changed.write_bytes(path.read_bytes().replace(b"H45", b"H99", 1))
    assert zipfile.ZipFile(changed).getinfo("xl/worksheets/sheet1.xml").CRC == crc
    assert halves(changed, "交接") is None


@pytest.mark.parametrize("setting", ["date1904='1'", 'date1904 = "true"', "date1904='0'"])
def test_the_1904_date_system_however_quoted_reads_as_a_whole_read(workbook, setting):
    def quoted(members):
        members["xl/workbook.xml"] = re.sub(rb"<workbookPr\b[^>]*/>", b"", members["xl/workbook.xml"]).replace(
            b"<sheets>", b"<workbookPr " + setting.encode() + b"/><sheets>")
    assert_cut_the_same(_rezipped(workbook, quoted))


def test_styles_and_shared_strings_are_taken_from_where_a_whole_read_takes_them(workbook):
    def styles_elsewhere(members):
        members["xl/styles2.xml"] = members.pop("xl/styles.xml")
        rels = members["xl/_rels/workbook.xml.rels"]
        members["xl/_rels/workbook.xml.rels"] = rels.replace(b'Target="styles.xml"', b'Target="styles2.xml"')
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"/xl/styles.xml", b"/xl/styles2.xml")
    assert_cut_the_same(_rezipped(workbook, styles_elsewhere))


def test_pull_on_a_damaged_workbook_says_so_as_a_whole_read_does(run, workbook):
    damaged = _with_crc(_rezipped(workbook, lambda members: None), "xl/worksheets/sheet1.xml", 0x12345678)
    result = run("pull", "--sheet", str(damaged))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "已损坏" in result.stderr
    assert result.stdout == ""
