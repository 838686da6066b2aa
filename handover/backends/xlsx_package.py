"""The parts of an .xlsx package around the sheets: which part holds which tab, a new tab added to
workbook.xml, its relationships and content types, Excel tables and filters that grow with what is
added, cell styles for number formats in styles.xml, and the package written again with every other
part copied byte for byte. The sheet parts themselves are `xlsx_patch`'s.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from posixpath import join, normpath
from typing import Iterable, Mapping
from xml.etree import ElementTree

from ..errors import SheetError
from ..sheet import column_index, column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_TYPE = REL_NS + "/worksheet"
_WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def escape(text: str, extra: dict[str, str] | None = None) -> str:
    """XML text escaping (xml.sax.saxutils would pull in urllib at start-up for this one function)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char, entity in (extra or {}).items():
        text = text.replace(char, entity)
    return text


# ---------------------------------------------------------------------------------- the package

@dataclass
class SheetPart:
    name: str
    path: str  # zip member, e.g. xl/worksheets/sheet1.xml


def sheet_parts(package: zipfile.ZipFile) -> dict[str, SheetPart]:
    """Tab name -> worksheet part, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL_NS}}}id"), "")
        if not target:
            continue
        path = _workbook_member(target)
        name = sheet.get("name", "")
        parts[name] = SheetPart(name, path)
    return parts


def workbook_part(package: zipfile.ZipFile, kind: str) -> str | None:
    """The member holding the workbook's part of this relationship kind (`styles`, `sharedStrings`), if
    it has one."""
    try:
        rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("Type") == f"{REL_NS}/{kind}":
            path = _workbook_member(rel.get("Target", ""))
            return path if path in package.namelist() else None
    return None


def _workbook_member(target: str) -> str:
    """The zip member a relationship of workbook.xml points at (targets are relative to xl/)."""
    return target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))


def rewrite_package(original: bytes, replaced: Mapping[str, bytes], added: Mapping[str, bytes]) -> bytes:
    """A copy of the package with some members replaced and some added. Every other member is copied as
    it is stored, compressed bytes and all, with its name, order, timestamp and compression: nothing
    is inflated or deflated but the parts a write changes."""
    source = zipfile.ZipFile(io.BytesIO(original))
    out = _ZipWriter()
    for info in source.infolist():
        if info.flag_bits & 0x1:
            raise SheetError("工作簿里有加密的部分，handover 不会改写它")
        data = replaced.get(info.filename)
        if data is None:
            out.copy(info, original)
        else:
            out.add(info.filename, data, info.date_time, info.compress_type == zipfile.ZIP_STORED, info)
    for name, data in added.items():
        out.add(name, data, (2026, 1, 1, 0, 0, 0), False)
    return out.finish(source.comment)


def stored_member(archive: bytes, info: zipfile.ZipInfo) -> memoryview:
    """A member's bytes as the zip archive stores them (still compressed), found through its local header."""
    header = archive[info.header_offset: info.header_offset + zipfile.sizeFileHeader]
    if len(header) < zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"no local header for {info.filename}")
    *_, name_length, extra_length = struct.unpack(zipfile.structFileHeader, header)
    start = info.header_offset + zipfile.sizeFileHeader + name_length + extra_length
    if start + info.compress_size > len(archive):
        raise zipfile.BadZipFile(f"{info.filename} is cut short")
    return memoryview(archive)[start: start + info.compress_size]


class _ZipWriter:
    """A zip archive written member by member: the format's plain form (no zip64, no data descriptors),
    which every spreadsheet program reads."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0
        self.central: list[bytes] = []

    def copy(self, info: zipfile.ZipInfo, original: bytes) -> None:
        """A member of `original` as it is stored there."""
        stored = stored_member(original, info)
        self._member(info.orig_filename, info.flag_bits & ~0x8, info.compress_type, info.date_time, info.CRC,
                     stored, info.file_size, info)

    def add(self, name: str, data: bytes, date_time: tuple, store: bool, like: zipfile.ZipInfo | None = None) -> None:
        """A member with this content, deflated unless `store`."""
        flags = 0 if name.isascii() else 0x800  # a name that is not ASCII is marked UTF-8
        if like is not None:
            flags |= like.flag_bits & ~0x8
        if store:
            self._member(name, flags, zipfile.ZIP_STORED, date_time, zlib.crc32(data), data, len(data), like)
        else:
            stored, crc = _deflate(data)
            self._member(name, flags, zipfile.ZIP_DEFLATED, date_time, crc, stored, len(data), like)

    def _member(self, name: str, flags: int, method: int, date_time: tuple, crc: int, stored: bytes | memoryview, size: int,
                like: zipfile.ZipInfo | None) -> None:
        encoded = name.encode("utf-8" if flags & 0x800 else "cp437")
        year, month, day, hour, minute, second = date_time
        time = (hour << 11) | (minute << 5) | (second // 2)
        date = ((year - 1980) << 9) | (month << 5) | day
        common = (flags, method, time, date, crc, len(stored), size, len(encoded))
        self.chunks.append(struct.pack(zipfile.structFileHeader, zipfile.stringFileHeader, 20, 0, *common, 0))
        self.chunks += [encoded, stored]
        made_by = (like.create_version, like.create_system) if like else (20, 3)
        comment = like.comment if like else b""
        self.central.append(struct.pack(zipfile.structCentralDir, zipfile.stringCentralDir, *made_by, 20, 0, *common,
                                        0, len(comment), 0, like.internal_attr if like else 0,
                                        like.external_attr if like else 0, self.offset) + encoded + comment)
        self.offset += zipfile.sizeFileHeader + len(encoded) + len(stored)

    def finish(self, comment: bytes) -> bytes:
        directory = b"".join(self.central)
        end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, len(self.central),
                          len(self.central), len(directory), self.offset, len(comment))
        return b"".join(self.chunks) + directory + end + comment


def _deflate(data: bytes) -> tuple[bytes, int]:
    """(raw deflate stream, CRC-32) of `data`. Big parts are deflated fast, level 1 (4x quicker than 6
    on sheet XML and only a little larger; Excel recompresses on its next save), in two halves at once
    (zlib works outside Python's lock): each half is a stream of its own, joined where the first ends
    without closing, which is still one valid deflate stream."""
    if len(data) <= 1_000_000:
        return _deflated(data, 6, last=True), zlib.crc32(data)
    view = memoryview(data)
    middle = len(data) // 2
    first: list[bytes] = []
    helper = threading.Thread(target=lambda: first.append(_deflated(view[:middle], 1, last=False)))
    helper.start()
    second = _deflated(view[middle:], 1, last=True)
    crc = zlib.crc32(data)
    helper.join()
    return first[0] + second, crc


def _deflated(data: bytes | memoryview, level: int, *, last: bool) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


# ------------------------------------------------------------------------------ Excel tables

_TABLE_TYPE = REL_NS + "/table"
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
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
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


_SHEET_FILTER = re.compile(r'(<(?:[A-Za-z0-9_]+:)?autoFilter\b[^>]*?\bref=")([A-Z]+)(\d+):([A-Z]+)(\d+)(")')


def grow_filter(sheet_xml: bytes, workbook_xml: bytes, tab: str, rows: tuple[int, int] | None,
                columns: tuple[int, int] | None) -> tuple[bytes, bytes]:
    """Rows appended right under a tab's filter (the header's filter buttons) and columns added right
    of it join it, or sorting through those buttons would leave them behind, out of line with their
    rows. `rows`: (the last row before, the new last row); `columns`: (the last column before, the new
    last one), 0-based. The range is in the sheet part, and Excel keeps a copy in a hidden name in
    workbook.xml (`_xlnm._FilterDatabase`): both are stretched. Returns (sheet part, workbook.xml)."""
    text = sheet_xml.decode("utf-8")
    found = _SHEET_FILTER.search(text)
    if found is None:
        return sheet_xml, workbook_xml
    opening, first_column, first_row, last_column, last_row, closing = found.groups()
    new_column, new_row = last_column, last_row
    if rows and int(last_row) == rows[0]:
        new_row = str(rows[1])
    if columns and column_index(last_column) == columns[0]:
        new_column = column_letter(columns[1])
    if (new_column, new_row) == (last_column, last_row):
        return sheet_xml, workbook_xml
    text = f"{text[:found.start()]}{opening}{first_column}{first_row}:{new_column}{new_row}{closing}{text[found.end():]}"
    quoted = "'" + tab.replace("'", "''") + "'"
    name = re.compile(r'(<(?:[A-Za-z0-9_]+:)?definedName\b[^>]*\bname="_xlnm\._FilterDatabase"[^>]*>(?:'
                      + re.escape(tab) + "|" + re.escape(quoted) + rf")!\${first_column}\${first_row}:\$)"
                      + rf"{last_column}\${last_row}(?=<)")
    workbook = name.sub(lambda match: f"{match.group(1)}{new_column}${new_row}", workbook_xml.decode("utf-8"))
    return text.encode("utf-8"), workbook.encode("utf-8")


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
    rel_prefix = re.search(r'xmlns:([A-Za-z0-9_]+)="' + re.escape(REL_NS) + '"', workbook)
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
