"""The package written again after a write: the parts it changed deflated anew, every other part copied
as it was stored, and the whole a zip every reader opens."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest

from handover.backends.xlsx_package import _deflate, grow_filter, rewrite_package


def package(members: list[tuple[str, bytes, int]], *, descriptors: bool = False) -> bytes:
    buffer = io.BytesIO()
    # A stream that cannot seek makes zipfile write data descriptors, as some generators do.
    target: io.IOBase = buffer if not descriptors else _Unseekable(buffer)
    with zipfile.ZipFile(target, "w") as out:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 4, 5, 6, 8))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    return buffer.getvalue()


class _Unseekable(io.RawIOBase):
    def __init__(self, buffer: io.BytesIO):
        self.buffer = buffer

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return self.buffer.write(data)

    def tell(self) -> int:
        return self.buffer.tell()

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        pass


def stored(data: bytes, name: str) -> bytes:
    """A member's bytes as stored in the archive (compressed)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    header = data[info.header_offset: info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    return data[start: start + info.compress_size]


MEMBERS = [("[Content_Types].xml", b"<Types/>" * 50, zipfile.ZIP_DEFLATED),
           ("xl/worksheets/sheet1.xml", b"<row/>" * 1000, zipfile.ZIP_DEFLATED),
           ("xl/media/图片.png", bytes(range(256)) * 4, zipfile.ZIP_STORED),
           ("docProps/app.xml", b"<Properties/>", zipfile.ZIP_DEFLATED)]


def test_untouched_parts_keep_their_stored_bytes_and_the_changed_one_its_place():
    for descriptors in (False, True):
        original = package(MEMBERS, descriptors=descriptors)
        assert all(bool(i.flag_bits & 0x8) == descriptors for i in zipfile.ZipFile(io.BytesIO(original)).infolist())
        new = rewrite_package(original, {"xl/worksheets/sheet1.xml": b"<row r='1'/>" * 2000}, {})
        archive = zipfile.ZipFile(io.BytesIO(new))
        assert archive.testzip() is None
        assert [i.filename for i in archive.infolist()] == [name for name, _, _ in MEMBERS]
        assert archive.read("xl/worksheets/sheet1.xml") == b"<row r='1'/>" * 2000
        for name, data, method in MEMBERS:
            info = archive.getinfo(name)
            assert (info.date_time, info.compress_type, info.external_attr >> 16) == ((2025, 3, 4, 5, 6, 8), method, 0o644)
            if name != "xl/worksheets/sheet1.xml":
                assert archive.read(name) == data
                assert stored(new, name) == stored(original, name)


def test_an_added_part_with_a_chinese_name_is_found_by_it():
    new = rewrite_package(package(MEMBERS), {}, {"xl/worksheets/退货.xml": "退货".encode() * 10})
    archive = zipfile.ZipFile(io.BytesIO(new))
    assert archive.testzip() is None
    assert archive.read("xl/worksheets/退货.xml") == "退货".encode() * 10
    assert archive.namelist()[-1] == "xl/worksheets/退货.xml"


def test_a_big_part_deflated_in_two_halves_inflates_to_itself():
    rng = random.Random(7)
    data = b"".join(f'<row r="{n}"><c r="A{n}"><v>{rng.random()}</v></c></row>'.encode() for n in range(60_000))
    assert len(data) > 1_000_000
    deflated, crc = _deflate(data)
    assert zlib.decompress(deflated, -15) == data and crc == zlib.crc32(data)


@pytest.mark.parametrize("defined", [
    # openpyxl / Excel: the tab's name quoted
    """<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'交接'!$A$1:$G$9</definedName>""",
    # LibreOffice: other attributes first, the name bare
    """<definedName function="false" hidden="true" localSheetId="0" name="_xlnm._FilterDatabase" """
    """vbProcedure="false">交接!$A$1:$G$9</definedName>""",
])
def test_a_filter_ending_at_the_last_row_and_column_takes_in_what_is_added(defined):
    sheet = b'<worksheet><sheetData/><autoFilter ref="A1:G9"/></worksheet>'
    workbook = f"<workbook><definedNames>{defined}</definedNames></workbook>".encode()
    grown_sheet, grown_workbook = grow_filter(sheet, workbook, "交接", (9, 11), (6, 8))
    assert grown_sheet == b'<worksheet><sheetData/><autoFilter ref="A1:I11"/></worksheet>'
    assert grown_workbook == workbook.replace("$G$9".encode(), b"$I$11")
    # Rows appended below other rows (the filter ends above them), columns not next to it: left as it is.
    assert grow_filter(sheet, workbook, "交接", (12, 13), (7, 8)) == (sheet, workbook)
    # Another tab's filter name is not this tab's.
    assert grow_filter(sheet, workbook, "退货", (9, 10), None)[1] == workbook
