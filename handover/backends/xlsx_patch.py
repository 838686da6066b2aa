"""Surgical edits of an .xlsx sheet part: change a few cells, append rows, style cells, or write the
part of a new tab.

Loading a workbook into openpyxl and saving it back rewrites every part of the file: it is slow (about
30 s for 50,000 rows) and it drops what openpyxl does not model (some conditional formats, comments'
shapes, slicers, extensions). Here we touch only the `<row>` elements we change, inside the one sheet
part that holds them; `xlsx_package` copies every other part of the package byte for byte. Strings are
written inline (`t="inlineStr"`), so a text starting with `=` is stored as text, never as a formula, and
the shared-strings table is left alone.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Collection, Iterable, Mapping

from ..errors import SheetError
from ..sheet import WriteValue, column_index, column_letter
from .xlsx_package import MAIN_NS, REL_NS, escape

# Characters XML 1.0 cannot carry at all; a pasted chat message sometimes holds them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell edits for one sheet: row number -> column index (0-based) -> value.
RowEdits = Mapping[int, Mapping[int, WriteValue]]


# ------------------------------------------------------------------------------------ addressing

_CELL_REF = re.compile(rb"([A-Z]+)(\d+)")


# ------------------------------------------------------------------------------- cell patching

def _cell_xml(prefix: bytes, ref: bytes, style: bytes | None, value: WriteValue) -> bytes:
    style_attr = b' s="' + style + b'"' if style else b""
    if value is None or value == "":
        return b"<" + prefix + b'c r="' + ref + b'"' + style_attr + b"/>" if style else b""
    if isinstance(value, bool):
        raise TypeError("booleans are not written to the handover sheet")
    if isinstance(value, (int, Decimal)):
        number = format(value, "f") if isinstance(value, Decimal) else str(value)
        return b"<" + prefix + b'c r="' + ref + b'"' + style_attr + b"><" + prefix + b"v>" + number.encode() + b"</" + prefix + b"v></" + prefix + b"c>"
    text = escape(_XML_ILLEGAL.sub("", str(value))).encode("utf-8")
    return (
        b"<" + prefix + b'c r="' + ref + b'"' + style_attr + b' t="inlineStr"><' + prefix + b"is><" + prefix
        + b't xml:space="preserve">' + text + b"</" + prefix + b"t></" + prefix + b"is></" + prefix + b"c>"
    )


# A sheet part's rows are inside this element; its prefix (`x:`) is the one every element of the part uses.
SHEET_DATA_OPEN = re.compile(rb"<([A-Za-z0-9_]+:)?sheetData\b[^>]*?(/?)>")


def worksheet_root(xml: bytes, prefix: bytes) -> bytes:
    """The sheet part's root element as written, declaring every namespace its cells use (b"" if none)."""
    root = re.search(rb"<" + re.escape(prefix) + rb"worksheet\b[^>]*>", xml)
    return root.group(0) if root else b""


class SheetSyntax:
    """One sheet part as handover addresses it: its namespace prefix (`x:` in some generators), the
    regexes for its rows and cells built for that prefix, and where its rows are: the inside of
    sheetData from `data_start` to `data_end` (`data_empty` for `<sheetData/>`)."""

    def __init__(self, xml: bytes):
        match = SHEET_DATA_OPEN.search(xml)
        if not match:
            raise SheetError("工作表里找不到数据区（sheetData），文件可能已损坏")
        self.prefix = match.group(1) or b""
        p = re.escape(self.prefix)
        self.data_open = match
        self.data_empty = bool(match.group(2))
        self.data_start = match.end()
        # From the end: the rows may hold anything, the closing tag is there once.
        self.data_end = self.data_start if self.data_empty else xml.rindex(b"</" + self.prefix + b"sheetData>", self.data_start)
        self.row_open = re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
        self.row_close = b"</" + self.prefix + b"row>"
        self.cell = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self.formula = re.compile(rb"<" + p + rb"f\b")


_ATTR_R = re.compile(rb'\br="([^"]*)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_ATTR_SPANS = re.compile(rb'\s+spans="[^"]*"')


def patch_sheet(xml: bytes, edits: RowEdits, *, tab: str) -> bytes:
    """Apply cell edits to a worksheet part. Rows that do not exist yet are created in order, styled
    like the last data row above them. A cell holding a formula is never overwritten."""
    if not edits:
        return xml
    sheet = SheetSyntax(xml)
    data_open = sheet.data_open
    pending = sorted(edits)
    view = memoryview(xml)  # the long unchanged runs are joined into the result without a copy of their own
    out: list[bytes | memoryview] = []
    inner_start, inner_end = sheet.data_start, sheet.data_end
    if sheet.data_empty:  # <sheetData/>: no rows at all
        out.append(xml[: data_open.start()])
        out.append(b"<" + sheet.prefix + b"sheetData>")
        tail = b"</" + sheet.prefix + b"sheetData>" + xml[data_open.end():]
    else:
        out.append(xml[:inner_start])
        tail = xml[inner_end:]

    position = inner_start
    implicit_row = 0
    last_data_row = b""  # cells of the nearest data row above: new rows borrow its styles
    next_edit = 0
    max_row, max_col = 0, 0

    def new_row(number: int) -> bytes:
        styles = {column: style for column, (style, _) in _cell_styles(sheet, last_data_row).items() if style}
        return _new_row(sheet, number, edits[number], styles)

    scan_from = inner_start
    sought = None  # the row to change last looked for by its r attribute
    while next_edit < len(pending):
        match = None
        if pending[next_edit] != sought:
            sought = pending[next_edit]
            match = _row_named(sheet, xml, sought, scan_from, inner_end)
        if match is None:
            match = sheet.row_open.search(xml, scan_from, inner_end)
            if match is None:
                break
        scan_from = match.end()
        attrs = match.group(1)
        found = _ATTR_R.search(attrs)
        row_number = int(found.group(1)) if found else implicit_row + 1
        implicit_row = row_number
        if match.group(2):
            row_end = match.end()
            inner = b""
        else:
            row_end = xml.index(sheet.row_close, match.end()) + len(sheet.row_close)
            inner = xml[match.end(): row_end - len(sheet.row_close)]
        while next_edit < len(pending) and pending[next_edit] < row_number:
            number = pending[next_edit]
            out.append(view[position: match.start()])
            position = match.start()
            out.append(new_row(number))
            max_row, max_col = max(max_row, number), max(max_col, max(edits[number]))
            next_edit += 1
        if next_edit < len(pending) and pending[next_edit] == row_number:
            out.append(view[position: match.start()])
            out.append(_patched_row(sheet, row_number, attrs, _parse_cells(sheet, inner), edits[row_number], tab))
            position = row_end
            max_row, max_col = max(max_row, row_number), max(max_col, max(edits[row_number]))
            next_edit += 1
        if row_number > 1 and inner:
            last_data_row = inner
    out.append(view[position:inner_end])
    for number in pending[next_edit:]:
        out.append(new_row(number))
        max_row, max_col = max(max_row, number), max(max_col, max(edits[number]))
    out.append(tail)
    out[0] = _grow_dimension(out[0], max_row, max_col)  # the head of the sheet, up to its rows
    return b"".join(out)


def _row_named(sheet: SheetSyntax, xml: bytes, number: int, start: int, end: int) -> re.Match | None:
    """The row element that names itself row `number` first thing (`<row r="12" …>`, as Excel,
    LibreOffice, openpyxl and Google write rows), found in one fast search: the rows before it are
    copied unread, which on a 50,000-row sheet is most of the write. None when no row starts so
    (a new row, another writer): then the rows are walked one by one."""
    at = xml.find(b"<" + sheet.prefix + b'row r="' + str(number).encode() + b'"', start, end)
    return sheet.row_open.match(xml, at, end) if at >= 0 else None


def _parse_cells(sheet: SheetSyntax, inner: bytes) -> list[tuple[int, bytes, bytes]]:
    """(column, attributes, whole element) of each cell in a row's XML."""
    cells = []
    column = -1
    for match in sheet.cell.finditer(inner):
        attrs = match.group(1)
        ref = _ATTR_R.search(attrs)
        if ref:
            letters = _CELL_REF.fullmatch(ref.group(1))
            column = column_index(letters.group(1).decode()) if letters else column + 1
        else:
            column += 1
        cells.append((column, attrs, match.group(0)))
    return cells


def _cell_styles(sheet: SheetSyntax, inner: bytes) -> dict[int, tuple[bytes | None, bytes]]:
    styles = {}
    for column, attrs, element in _parse_cells(sheet, inner):
        style = _ATTR_S.search(attrs)
        styles[column] = (style.group(1) if style else None, element)
    return styles


def _patched_row(sheet: SheetSyntax, row_number: int, attrs: bytes, cells: list[tuple[int, bytes, bytes]],
                 changes: Mapping[int, WriteValue], tab: str) -> bytes:
    by_column = {column: (attrs_, element) for column, attrs_, element in cells}
    for column, value in changes.items():
        existing = by_column.get(column)
        style = None
        if existing:
            if sheet.formula.search(existing[1]):
                raise SheetError(
                    f"「{tab}」第 {row_number} 行 {column_letter(column)} 列是公式，handover 不会覆盖它："
                    "请把公式改成普通内容后再运行"
                )
            found = _ATTR_S.search(existing[0])
            style = found.group(1) if found else None
        ref = column_letter(column).encode() + str(row_number).encode()
        by_column[column] = (b"", _cell_xml(sheet.prefix, ref, style, value))
    body = b"".join(element for _, (_, element) in sorted(by_column.items()))
    # spans is an optional layout hint; a stale one is worse than none.
    row_attrs = _ATTR_SPANS.sub(b"", attrs).rstrip(b"/").rstrip()
    return b"<" + sheet.prefix + b"row" + row_attrs + b">" + body + sheet.row_close


def _new_row(sheet: SheetSyntax, row_number: int, values: Mapping[int, WriteValue], styles: Mapping[int, bytes]) -> bytes:
    cells = b"".join(
        _cell_xml(sheet.prefix, column_letter(column).encode() + str(row_number).encode(), styles.get(column), value)
        for column, value in sorted(values.items())
    )
    return b"<" + sheet.prefix + b'row r="' + str(row_number).encode() + b'">' + cells + sheet.row_close


_DIMENSION = re.compile(rb'(<(?:[A-Za-z0-9_]+:)?dimension\b[^>]*?\bref=")([^"]*)(")')


def _grow_dimension(head: bytes, max_row: int, max_col: int) -> bytes:
    """The head of a sheet part (everything before its rows) with the dimension grown to take in the
    cells written."""
    match = _DIMENSION.search(head)
    if not match:
        return head
    start, _, end = match.group(2).decode().partition(":")
    found = re.fullmatch(r"([A-Z]+)(\d+)", end or start)
    if not found:
        return head
    end_col = max(column_index(found.group(1)), max_col)
    end_row = max(int(found.group(2)), max_row)
    new_ref = f"{start}:{column_letter(end_col)}{end_row}"
    return head[: match.start(2)] + new_ref.encode() + head[match.end(2):]


# ---------------------------------------------------------------------------------- a new tab

def new_sheet_xml(rows: Iterable[Mapping[int, WriteValue]], widths: Mapping[int, float]) -> bytes:
    """A worksheet part with the header frozen, readable column widths and the given rows."""
    body = []
    max_col = 0
    count = 0
    for number, values in enumerate(rows, start=1):
        count = number
        if values:
            max_col = max(max_col, max(values))
        body.append(_new_row(_PLAIN, number, values, {}))
    cols = "".join(
        f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>' for c, w in sorted(widths.items())
    )
    dimension = f"A1:{column_letter(max_col)}{max(count, 1)}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<dimension ref="{dimension}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    ).encode() + b"".join(body) + b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'


class _PlainSheet:
    prefix = b""
    row_close = b"</row>"


_PLAIN = _PlainSheet()


def style_cells(xml: bytes, styles: Mapping[int, Mapping[int, int]], *,
                unless_styled: Collection[tuple[int, int]] = ()) -> bytes:
    """Give existing cells a cell style: row number -> column index (0-based) -> xf index. Cells that
    are not there (an empty value was not written) are left alone, and so are the cells named in
    `unless_styled` (row, column) that already have a style of their own (someone chose it)."""
    if not styles:
        return xml
    sheet = SheetSyntax(xml)
    out: list[bytes] = []
    position = 0
    implicit_row = 0
    for match in sheet.row_open.finditer(xml):
        found = _ATTR_R.search(match.group(1))
        row_number = int(found.group(1)) if found else implicit_row + 1
        implicit_row = row_number
        wanted = styles.get(row_number)
        if not wanted or match.group(2):
            continue
        row_end = xml.index(sheet.row_close, match.end())
        inner = xml[match.end(): row_end]
        restyled = []
        for column, attrs, element in _parse_cells(sheet, inner):
            own = _ATTR_S.search(attrs)
            if column in wanted and not (own and own.group(1) != b"0" and (row_number, column) in unless_styled):
                style = str(wanted[column]).encode()
                if own:
                    new_attrs = _ATTR_S.sub(b's="' + style + b'"', attrs, count=1)
                else:
                    new_attrs = attrs + b' s="' + style + b'"'
                element = element.replace(attrs, new_attrs, 1)
            restyled.append(element)
        out.append(xml[position: match.end()])
        out.append(b"".join(restyled))
        position = row_end
    out.append(xml[position:])
    return b"".join(out)
