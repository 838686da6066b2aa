"""Surgical edits of an .xlsx package: change a few cells, append rows, add a tab.

Loading a workbook into openpyxl and saving it back rewrites every part of the file: it is slow (about
30 s for 50,000 rows) and it drops what openpyxl does not model (some conditional formats, comments'
shapes, slicers, extensions). Here we touch only the `<row>` elements we change, inside the one sheet
part that holds them, and copy every other part of the package byte for byte. Strings are written
inline (`t="inlineStr"`), so a text starting with `=` is stored as text, never as a formula, and the
shared-strings table is left alone.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from posixpath import join, normpath
from typing import Iterable, Mapping
from xml.etree import ElementTree

from ..errors import SheetError
from ..sheet import WriteValue, column_index, column_letter

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_TYPE = _REL_NS + "/worksheet"
_WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Characters XML 1.0 cannot carry at all; a pasted chat message sometimes holds them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

def escape(text: str, extra: dict[str, str] | None = None) -> str:
    """XML text escaping (xml.sax.saxutils would pull in urllib at start-up for this one function)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char, entity in (extra or {}).items():
        text = text.replace(char, entity)
    return text


# Cell edits for one sheet: row number -> column index (0-based) -> value.
RowEdits = Mapping[int, Mapping[int, WriteValue]]


# ------------------------------------------------------------------------------------ addressing

_CELL_REF = re.compile(rb"([A-Z]+)(\d+)")


# ---------------------------------------------------------------------------------- the package

@dataclass
class SheetPart:
    name: str
    path: str  # zip member, e.g. xl/worksheets/sheet1.xml


def sheet_parts(package: zipfile.ZipFile) -> dict[str, SheetPart]:
    """Tab name -> worksheet part, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        name = sheet.get("name", "")
        parts[name] = SheetPart(name, path)
    return parts


def rewrite_package(original: bytes, replaced: Mapping[str, bytes], added: Mapping[str, bytes]) -> bytes:
    """A copy of the package with some members replaced and some added; every other member is copied
    with its original name, order, timestamp and compression."""
    source = zipfile.ZipFile(io.BytesIO(original))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replaced.get(info.filename)
            if data is None:
                data = source.read(info.filename)
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            # Big parts are re-deflated fast: level 1 is 4x quicker than 6 on sheet XML and only a
            # little larger; Excel recompresses on its next save anyway.
            level = 1 if len(data) > 1_000_000 else 6
            target.writestr(copy, data, compresslevel=level)
        for name, data in added.items():
            target.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


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


class _Sheet:
    """Regexes for one sheet part, built for its namespace prefix (`x:` in some generators)."""

    def __init__(self, xml: bytes):
        match = re.search(rb"<([A-Za-z0-9_]+:)?sheetData\b", xml)
        if not match:
            raise SheetError("工作表里找不到数据区（sheetData），文件可能已损坏")
        self.prefix = match.group(1) or b""
        p = re.escape(self.prefix)
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
    sheet = _Sheet(xml)
    data_open = re.search(rb"<" + re.escape(sheet.prefix) + rb"sheetData\b[^>]*?(/?)>", xml)
    assert data_open is not None
    pending = sorted(edits)
    view = memoryview(xml)  # the long unchanged runs are joined into the result without a copy of their own
    out: list[bytes | memoryview] = []
    if data_open.group(1):  # <sheetData/>: no rows at all
        inner_start = inner_end = data_open.end()
        out.append(xml[: data_open.start()])
        out.append(b"<" + sheet.prefix + b"sheetData>")
        tail = b"</" + sheet.prefix + b"sheetData>" + xml[data_open.end():]
    else:
        inner_start = data_open.end()
        inner_end = xml.rindex(b"</" + sheet.prefix + b"sheetData>", inner_start)  # from the end: it is there
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


def _row_named(sheet: _Sheet, xml: bytes, number: int, start: int, end: int) -> re.Match | None:
    """The row element that names itself row `number` first thing (`<row r="12" …>`, as Excel,
    LibreOffice, openpyxl and Google write rows), found in one fast search: the rows before it are
    copied unread, which on a 50,000-row sheet is most of the write. None when no row starts so
    (a new row, another writer): then the rows are walked one by one."""
    at = xml.find(b"<" + sheet.prefix + b'row r="' + str(number).encode() + b'"', start, end)
    return sheet.row_open.match(xml, at, end) if at >= 0 else None


def _parse_cells(sheet: _Sheet, inner: bytes) -> list[tuple[int, bytes, bytes]]:
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


def _cell_styles(sheet: _Sheet, inner: bytes) -> dict[int, tuple[bytes | None, bytes]]:
    styles = {}
    for column, attrs, element in _parse_cells(sheet, inner):
        style = _ATTR_S.search(attrs)
        styles[column] = (style.group(1) if style else None, element)
    return styles


def _patched_row(sheet: _Sheet, row_number: int, attrs: bytes, cells: list[tuple[int, bytes, bytes]],
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


def _new_row(sheet: _Sheet, row_number: int, values: Mapping[int, WriteValue], styles: Mapping[int, bytes]) -> bytes:
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


# ------------------------------------------------------------------------------ Excel tables

_TABLE_TYPE = _REL_NS + "/table"
_TABLE_REF = re.compile(r'(<(?:[A-Za-z0-9_]+:)?(?:table|autoFilter)\b[^>]*?\bref=")([A-Z]+\d+):([A-Z]+)(\d+)(")')


def grow_tables(package: zipfile.ZipFile, sheet_path: str, last_row: int, new_last_row: int,
                read=None) -> dict[str, bytes]:
    """Rows appended right under an Excel table ("Format as Table") join it, as they would when typed
    in Excel: every table of the sheet that ends at `last_row` is stretched to `new_last_row`, its
    filter range too. Returns the table parts to replace."""
    read = read or package.read
    folder, name = sheet_path.rsplit("/", 1)
    rels_path = f"{folder}/_rels/{name}.rels"
    if rels_path not in package.namelist():
        return {}
    rels = ElementTree.fromstring(read(rels_path))
    replaced = {}
    for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
        if rel.get("Type") != _TABLE_TYPE:
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join(folder, target))
        xml = read(path).decode("utf-8")

        def stretch(match: re.Match) -> str:
            if int(match.group(4)) != last_row:
                return match.group(0)
            return f"{match.group(1)}{match.group(2)}:{match.group(3)}{new_last_row}{match.group(5)}"

        grown = _TABLE_REF.sub(stretch, xml)
        if grown != xml:
            replaced[path] = grown.encode("utf-8")
    return replaced


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
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
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


def add_sheet(package: zipfile.ZipFile, name: str, sheet_xml: bytes) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(replaced members, added members) that add a worksheet named `name` after the last tab."""
    existing = set(package.namelist())
    number = 1
    while f"xl/worksheets/sheet{number}.xml" in existing:
        number += 1
    part = f"xl/worksheets/sheet{number}.xml"

    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    used_ids = set(re.findall(r'\bId="([^"]+)"', rels))
    rel_number = 1
    while f"rId{rel_number}" in used_ids:
        rel_number += 1
    rel_id = f"rId{rel_number}"
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{rel_id}" Type="{_WORKSHEET_TYPE}" Target="worksheets/sheet{number}.xml"/></Relationships>',
    )

    workbook = package.read("xl/workbook.xml").decode("utf-8")
    rel_prefix = re.search(r'xmlns:([A-Za-z0-9_]+)="' + re.escape(_REL_NS) + '"', workbook)
    if rel_prefix is None:
        raise SheetError("工作簿结构不认识（workbook.xml 缺少关系命名空间），无法新建标签页")
    main_prefix = re.search(r"<([A-Za-z0-9_]+:)?sheets\b", workbook)
    prefix = main_prefix.group(1) or "" if main_prefix else ""
    sheet_ids = [int(v) for v in re.findall(r'<(?:[A-Za-z0-9_]+:)?sheet\b[^>]*?\bsheetId="(\d+)"', workbook)]
    element = (
        f'<{prefix}sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{max(sheet_ids, default=0) + 1}" '
        f'{rel_prefix.group(1)}:id="{rel_id}"/>'
    )
    closing = f"</{prefix}sheets>"
    if closing not in workbook:
        raise SheetError("工作簿结构不认识（workbook.xml 没有 sheets），无法新建标签页")
    workbook = workbook.replace(closing, element + closing, 1)

    types = package.read("[Content_Types].xml").decode("utf-8")
    types = types.replace(
        "</Types>", f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CONTENT}"/></Types>'
    )
    replaced = {
        "xl/_rels/workbook.xml.rels": rels.encode("utf-8"),
        "xl/workbook.xml": workbook.encode("utf-8"),
        "[Content_Types].xml": types.encode("utf-8"),
    }
    return replaced, {part: sheet_xml}


# ------------------------------------------------------------------------------ number formats

# Format codes every spreadsheet program knows by number (ECMA-376 18.8.30): no <numFmt> needed.
_BUILT_IN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}


def number_format_styles(styles: bytes, codes: Iterable[str]) -> tuple[bytes, dict[str, int]]:
    """styles.xml with a cell style (an `xf` of cellXfs) for each number format code, and the index of
    each. Styles added by an earlier run are found again, not added twice. A styles part this cannot
    read is returned unchanged, with no styles (the cells then keep the format of their row)."""
    text = styles.decode("utf-8")
    found: dict[str, int] = {}
    prefix_match = re.search(r"<([A-Za-z0-9_]+:)?styleSheet\b[^>]*>", text)
    xfs = re.search(r"<([A-Za-z0-9_]+:)?cellXfs\b[^>]*>(.*?)</\1?cellXfs>", text, re.S) if prefix_match else None
    if xfs is None:
        return styles, found
    prefix = prefix_match.group(1) or ""
    for code in dict.fromkeys(codes):
        number = _BUILT_IN_FORMATS.get(code)
        if number is None:
            number, text = _custom_format(text, prefix, code)
        xf = (f'<{prefix}xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0" '
              'applyNumberFormat="1"/>')
        xfs = re.search(r"<([A-Za-z0-9_]+:)?cellXfs\b([^>]*)>(.*?)</\1?cellXfs>", text, re.S)
        assert xfs is not None
        existing = re.findall(r"<(?:[A-Za-z0-9_]+:)?xf\b[^>]*?/?>", xfs.group(3))
        if xf in existing:
            found[code] = existing.index(xf)
            continue
        found[code] = len(existing)
        attrs = re.sub(r'\bcount="\d+"', f'count="{len(existing) + 1}"', xfs.group(2))
        block = f"<{prefix}cellXfs{attrs}>{xfs.group(3)}{xf}</{prefix}cellXfs>"
        text = text[: xfs.start()] + block + text[xfs.end():]
    return text.encode("utf-8"), found


def _custom_format(text: str, prefix: str, code: str) -> tuple[int, str]:
    """The numFmtId of a custom format code, adding a <numFmt> (ids from 164 up) when absent."""
    quoted = escape(code, {'"': "&quot;"})
    for number, known in re.findall(r'<(?:[A-Za-z0-9_]+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', text):
        if known == quoted:
            return int(number), text
    ids = [int(n) for n in re.findall(r'<(?:[A-Za-z0-9_]+:)?numFmt\b[^>]*?numFmtId="(\d+)"', text)]
    number = max([163, *ids]) + 1
    element = f'<{prefix}numFmt numFmtId="{number}" formatCode="{quoted}"/>'
    block = re.search(r"<([A-Za-z0-9_]+:)?numFmts\b([^>]*?)(?:/>|>(.*?)</\1?numFmts>)", text, re.S)
    if block:
        attrs = re.sub(r'\bcount="\d+"', f'count="{len(ids) + 1}"', block.group(2)).rstrip()
        inner = block.group(3) or ""
        return number, text[: block.start()] + f"<{prefix}numFmts{attrs}>{inner}{element}</{prefix}numFmts>" + text[block.end():]
    # numFmts is the first child of styleSheet
    opening = re.search(r"<(?:[A-Za-z0-9_]+:)?styleSheet\b[^>]*>", text)
    assert opening is not None
    return number, text[: opening.end()] + f'<{prefix}numFmts count="1">{element}</{prefix}numFmts>' + text[opening.end():]


def style_cells(xml: bytes, styles: Mapping[int, Mapping[int, int]]) -> bytes:
    """Give existing cells a cell style: row number -> column index (0-based) -> xf index. Cells that
    are not there (an empty value was not written) are left alone."""
    if not styles:
        return xml
    sheet = _Sheet(xml)
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
            if column in wanted:
                style = str(wanted[column]).encode()
                if _ATTR_S.search(attrs):
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
