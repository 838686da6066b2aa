"""Patching sheet XML in place: the row to change is found straight away when it names itself first
(`<row r="12" …>`), else by walking the rows; either way only the rows changed differ."""

from __future__ import annotations

import re

import pytest

from handover.backends.xlsx_patch import patch_sheet
from handover.errors import SheetError

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(rows: str, dimension: str = '<dimension ref="A1:B4"/>', prefix: str = "") -> bytes:
    xml = f"<worksheet {NS}>{dimension}<sheetData>{rows}</sheetData></worksheet>"
    if prefix:
        xml = re.sub(r"<(/?)", rf"<\1{prefix}", xml).replace("xmlns=", f"xmlns:{prefix[:-1]}=")
    return xml.encode()


ROWS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c></row>'
        '<row r="2" spans="1:2"><c r="A2" s="3" t="inlineStr"><is><t>H1</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>H2</t></is></c><c r="B3"><f>1+1</f><v>2</v></c></row>'
        '<row r="5"><c r="A5" s="7" t="inlineStr"><is><t>H3</t></is></c></row>')


def cell(row: int, column: str, text: str, style: str = "") -> str:
    style = f' s="{style}"' if style else ""
    return f'<c r="{column}{row}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def test_a_row_far_down_is_patched_and_every_other_byte_kept():
    out = patch_sheet(sheet(ROWS), {5: {1: "已完成"}}, tab="交接").decode()
    assert out == sheet(ROWS.replace(
        '<row r="5"><c r="A5" s="7" t="inlineStr"><is><t>H3</t></is></c></row>',
        '<row r="5"><c r="A5" s="7" t="inlineStr"><is><t>H3</t></is></c>' + cell(5, "B", "已完成") + "</row>"),
        '<dimension ref="A1:B5"/>').decode()


def test_a_row_whose_number_is_not_its_first_attribute_is_found_by_walking_the_rows():
    rows = ROWS.replace('<row r="5">', '<row ht="20" r="5">')
    out = patch_sheet(sheet(rows), {5: {1: "已完成"}}, tab="交接").decode()
    assert re.findall(r"<row\b[^>]*>.*?</row>", out)[3] == (
        '<row ht="20" r="5"><c r="A5" s="7" t="inlineStr"><is><t>H3</t></is></c>' + cell(5, "B", "已完成") + "</row>")


def test_rows_without_numbers_count_from_the_top():
    rows = "".join(f'<row><c t="inlineStr"><is><t>{text}</t></is></c></row>' for text in ("编号", "H1", "H2", "H3"))
    out = patch_sheet(sheet(rows), {4: {1: "已完成"}}, tab="交接").decode()
    assert re.findall(r"<row\b[^>]*>.*?</row>", out)[3] == (
        '<row><c t="inlineStr"><is><t>H3</t></is></c>' + cell(4, "B", "已完成") + "</row>")


def test_a_new_row_between_two_rows_after_a_patched_one_borrows_the_style_of_the_row_above():
    out = patch_sheet(sheet(ROWS), {2: {1: "已完成"}, 4: {0: "H9"}}, tab="交接").decode()
    rows = re.findall(r"<row\b[^>]*>.*?</row>", out)
    assert [re.search(r'r="(\d+)"', row).group(1) for row in rows] == ["1", "2", "3", "4", "5"]
    assert rows[3] == '<row r="4">' + cell(4, "A", "H9") + "</row>"  # row 3's A cell has no style
    assert rows[1].endswith(cell(2, "B", "已完成") + "</row>") and "spans" not in rows[1]


def test_a_namespace_prefix_is_kept_and_the_dimension_grows_only_when_needed():
    out = patch_sheet(sheet(ROWS, prefix="x:"), {3: {0: "H2b"}}, tab="交接")
    assert b'<x:dimension ref="A1:B4"/>' in out and b"<x:t xml:space=\"preserve\">H2b</x:t>" in out
    assert patch_sheet(sheet(ROWS, dimension=""), {7: {0: "H4"}}, tab="交接").count(b"dimension") == 0


def test_a_formula_cell_is_refused_wherever_the_row_is_found():
    with pytest.raises(SheetError, match="第 3 行 B 列是公式"):
        patch_sheet(sheet(ROWS), {3: {1: "x"}}, tab="交接")
