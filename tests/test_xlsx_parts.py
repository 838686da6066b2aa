"""A tab read in parts (`read(…, parts=True)`, what `done` does) holds what a whole read holds: the same
header, every column and every row, whatever the cells hold and however the file was written."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from handover.backends import xlsx_parts
from handover.backends.xlsx import XlsxBackend
from sheets import handover_workbook

DATA = Path(__file__).parent / "data"


def trimmed(row) -> list:
    cells = ["" if value is None else value for value in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def assert_same(path: Path, tab: str) -> None:
    whole = XlsxBackend(path).read([tab])[tab]
    parts = XlsxBackend(path).read([tab], parts=True)[tab]
    assert trimmed(parts.header) == trimmed(whole.header)  # a whole read pads every row to the widest
    count = len(whole.rows)
    width = max([len(row) for row in whole.rows] + [len(whole.header)])
    for position in range(width + 1):
        column = ["" if value is None else value for value in whole.column(position)]
        assert parts.column(position)[:count] == column, position
    assert [trimmed(row) for row in parts.rows_at(range(count))] == [trimmed(row) for row in whole.rows]
    assert all(not trimmed(row) for row in parts.rows[count:])  # only empty rows below the last one


def shared_strings_copy(path: Path) -> Path:
    """The workbook as Excel saves it: text in the shared-strings table (openpyxl writes it inline)."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    table: list[bytes] = []

    def shared(match: re.Match) -> bytes:
        table.append(match.group(2))
        return match.group(1).replace(b'"inlineStr"', b'"s"') + b"><v>" + str(len(table) - 1).encode() + b"</v></c>"

    for name in [n for n in members if n.startswith("xl/worksheets/sheet")]:
        members[name] = re.sub(rb'(<c\b[^>]*t="inlineStr"[^>]*)><is>(.*?)</is></c>', shared, members[name], flags=re.S)
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    members["xl/sharedStrings.xml"] = (b'<sst xmlns="' + ns + b'" count="%d" uniqueCount="%d">' % (len(table), len(table))
                                       + b"".join(b"<si>" + item + b"</si>" for item in table) + b"</sst>")
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    target = path.with_name(path.stem + "-shared.xlsx")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


def with_sheet_xml(path: Path, change) -> Path:
    """A copy of the workbook with its first sheet's XML changed by `change(xml) -> xml`."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members["xl/worksheets/sheet1.xml"] = change(members["xl/worksheets/sheet1.xml"])
    target = path.with_name(path.stem + "-changed.xlsx")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


# ------------------------------------------------------------------------------------ the fixtures

@pytest.mark.parametrize("name", sorted(path.name for path in DATA.glob("*.xlsx")))
def test_every_tab_of_every_fixture_reads_the_same_in_parts(name):
    path = DATA / name
    for tab in XlsxBackend(path).tab_names():
        assert_same(path, tab)


# -------------------------------------------------------------------------------- messy cells

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_CELLS = st.one_of(
    st.none(),
    _TEXT,
    st.sampled_from(["", " ", "  spaced ", "a&b<c>\"'", "=1+1", "'H9", '="H9"', "第一行\n第二行", "_x001B_", "编号"]),
    st.integers(-10**15, 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.datetimes(datetime(1901, 1, 1), datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0)),
    st.dates(date(1901, 1, 1), date(2100, 1, 1)),
    st.builds(lambda a, b: CellRichText([TextBlock(InlineFont(b=True), a), b]), _TEXT.filter(bool), _TEXT.filter(bool)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, max_size=7), min_size=1, max_size=12), shared=st.booleans(),
       gaps=st.lists(st.integers(1, 12), max_size=3))
def test_any_cells_read_the_same_in_parts(tmp_path, rows, shared, gaps):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(number + sum(gap < number for gap in gaps), column, value)
    path = tmp_path / "messy.xlsx"
    book.save(path)
    assert_same(shared_strings_copy(path) if shared else path, "交接")


# -------------------------------------------------------------------------------- how files are written

@pytest.fixture
def workbook(tmp_path):
    rows = [{"编号": f"H{n}", "类型": "漏发", "订单号": str(10**18 + n), "状态": "待处理" if n % 2 else "已完成",
             "登记时间": datetime(2026, 11, 22, 23, n % 60)} for n in range(1, 40)]
    rows[5]["编号"] = None
    rows[9] = {"问题描述": "没有编号的一行"}
    return handover_workbook(tmp_path / "交接.xlsx", rows)


def test_cells_that_do_not_name_their_column_read_the_same_in_parts(workbook):
    # Every third cell without `r`: its place is the one after the cell before it.
    counter = iter(range(10**6))
    changed = with_sheet_xml(workbook, lambda xml: re.sub(
        rb'<c r="[A-Z]+\d+"', lambda m: b"<c" if next(counter) % 3 == 0 else m.group(0), xml))
    assert_same(changed, "交接")


def test_rows_that_do_not_name_themselves_are_read_whole(workbook, monkeypatch):
    changed = with_sheet_xml(workbook, lambda xml: re.sub(rb'<row r="(\d+)"', lambda m: b"<row" if int(m.group(1)) % 4 == 0
                                                          else m.group(0), xml))
    assert_same(changed, "交接")
    grid = XlsxBackend(changed).read(["交接"], parts=True)["交接"]
    grid.column(0)
    assert grid.rows.parts.every_row


def test_rows_naming_themselves_after_another_attribute_are_read_whole(workbook):
    assert_same(with_sheet_xml(workbook, lambda xml: xml.replace(b'<row r="', b'<row ht="15" r="')), "交接")


def test_a_sheet_written_with_a_namespace_prefix_reads_the_same_in_parts(workbook):
    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?!\?)", rb"<\1x:", xml)
        return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="')
    assert_same(with_sheet_xml(workbook, prefixed), "交接")


def dates_from_1904_copy(path: Path) -> Path:
    """The workbook as a Mac Excel of old saved it: its serial dates count from 1904."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members["xl/workbook.xml"] = re.sub(rb"<workbookPr\b[^>]*/>", b'<workbookPr date1904="1"/>', members["xl/workbook.xml"])
    if b"date1904" not in members["xl/workbook.xml"]:
        members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
    target = path.with_name(path.stem + "-1904.xlsx")
    with zipfile.ZipFile(target, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


def test_a_workbook_counting_dates_from_1904_reads_the_same_in_parts(workbook):
    path = dates_from_1904_copy(workbook)
    assert_same(path, "交接")
    assert XlsxBackend(path).read(["交接"], parts=True)["交接"].rows[0][1] != datetime(2026, 11, 22, 23, 1)


def test_an_empty_tab_and_a_tab_with_only_a_header_read_the_same_in_parts(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "空"
    book.create_sheet("表头").append(["编号", "类型"])
    book.save(tmp_path / "small.xlsx")
    assert_same(tmp_path / "small.xlsx", "空")
    assert_same(tmp_path / "small.xlsx", "表头")


def test_a_header_below_a_title_row_is_found_in_parts(data_file):
    grid = XlsxBackend(data_file("title_row.xlsx")).read(["交接"], parts=True)["交接"]
    whole = XlsxBackend(data_file("title_row.xlsx")).read(["交接"])["交接"]
    assert grid.with_header_at(2).header == whole.with_header_at(2).header
    assert [trimmed(r) for r in grid.with_header_at(2).rows] == [trimmed(r) for r in whole.with_header_at(2).rows]


# ------------------------------------------------------------------------------------- done

def big_workbook(path: Path, count: int) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("交接")
    sheet.append(["编号", "登记时间", "类型", "订单号", "状态", "处理人", "处理时间", "处理结果"])
    for n in range(1, count + 1):
        sheet.append([f"H20261122-{n:04d}", datetime(2026, 11, 22, 23, n % 60), "漏发", str(10**18 + n),
                      "待处理", None, None, None])
    book.save(path)
    return path


def test_done_on_a_big_sheet_decodes_only_its_first_rows_the_id_column_and_the_rows_marked(run, tmp_path, monkeypatch):
    path = big_workbook(tmp_path / "big.xlsx", 3000)
    decoded: list[int] = []
    original = xlsx_parts.Decoder.decode

    def counting(self, root, prefix, content, *, from_a1):
        decoded.append(content.count(b"<c "))
        return original(self, root, prefix, content, from_a1=from_a1)

    monkeypatch.setattr(xlsx_parts.SheetParts, "decode_whole", lambda self: pytest.fail("decoded the whole tab"))
    monkeypatch.setattr(xlsx_parts.Decoder, "decode", counting)
    result = run("done", "H20261122-0007", "H20261122-2999", "--sheet", str(path))
    assert result.exit_code == 0, result.output
    assert "H20261122-2999（第 3000 行）→ 已完成" in result.output
    # The first rows (header and a few), the 编号 column, the two rows: not the 24,000 cells.
    assert sum(decoded) < 3000 + 6 * 8 + 2 * 8 + 10
    rows = openpyxl.load_workbook(path).active.iter_rows(values_only=True)
    marked = [row for row in rows if row[4] == "已完成"]
    assert [row[0] for row in marked] == ["H20261122-0007", "H20261122-2999"]


def test_done_on_an_excel_saved_sheet_after_someone_saved_it_again_finds_its_rows(run, tmp_path, monkeypatch):
    path = shared_strings_copy(big_workbook(tmp_path / "big.xlsx", 50))
    from handover.backends.xlsx import XlsxBackend as Backend

    original = Backend._write_locked

    def someone_saves_first(self, writes):
        book = openpyxl.load_workbook(path)
        book["交接"].insert_rows(2)
        book["交接"]["A2"] = "H-NEW"
        book.save(path)
        return original(self, writes)

    monkeypatch.setattr(Backend, "_write_locked", someone_saves_first)
    result = run("done", "H20261122-0049", "--sheet", str(path))
    assert result.exit_code == 0, result.output
    assert "H20261122-0049（第 51 行）→ 已完成" in result.output
    sheet = openpyxl.load_workbook(path)["交接"]
    assert sheet["A51"].value == "H20261122-0049" and sheet["E51"].value == "已完成"


def test_a_few_rows_of_a_big_excel_saved_sheet_read_the_same_in_parts(tmp_path):
    # A few rows name a few of the many shared strings: they get a table of their own, renumbered.
    path = shared_strings_copy(big_workbook(tmp_path / "big.xlsx", 400))
    whole = XlsxBackend(path).read(["交接"])["交接"]
    parts = XlsxBackend(path).read(["交接"], parts=True)["交接"]
    picked = [3, 250, 399]
    assert [trimmed(row) for row in parts.rows_at(picked)] == [trimmed(whole.rows[index]) for index in picked]
    assert parts.rows[0][0] == "H20261122-0001" and parts.column(0)[-1] == "H20261122-0400"
