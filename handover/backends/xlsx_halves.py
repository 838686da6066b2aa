"""A big tab decoded in two halves at once, on two cores.

calamine decodes a sheet part on one core, outside Python's lock: a 50,000-row tab takes half a second,
most of what `pull` spends on it. On a machine with two cores or more, a tab whose XML is big is cut at the
last row element of its first half, and each half is decoded by calamine in a thread of its own, as a small
workbook of its own (`xlsx_parts.SheetPackage`: the workbook's styles, shared strings and date system), the
second half inflated while the first is decoded. The halves are joined into the rows a whole read gives:
every row from A1, each as wide as the widest.

The price is memory: each half's package, and calamine's copy of it, are held while it decodes (a
50,000-row tab: ~90 MB more at the peak than a whole read, which inflates as it goes).

A cut is made only where it cannot change what a cell is read as: at a row that names its number (a row
that does not is placed after the row before it, which the second half would not know), with the rows on
either side of it in order. Anything else (a small tab, one core, a part we cannot inflate, a half that
fails to decode) gives None, and the tab is read whole.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
import zlib
from typing import Any, Iterable, Iterator

from .xlsx_package import sheet_parts, stored_member
from .xlsx_parts import Decoder, Rows, SheetPackage
from .xlsx_patch import SHEET_DATA_OPEN, worksheet_root

# Below this much XML a whole read ends before two halves could be set up (a 50,000-row tab is ~45 MB).
HALVES_FROM_BYTES = 8 * 2**20


def tab_in_halves(data: bytes, tab: str) -> Rows | None:
    """The rows of tab `tab` (as the workbook names it) of the workbook `data`, decoded in two halves
    at once as a whole read (`to_python(skip_empty_area=False)`) gives them; None when it is better read
    whole, or cannot be read so (the whole read then says what is wrong with it)."""
    if len(data) < HALVES_FROM_BYTES // 32:  # no sheet part this small inflates to HALVES_FROM_BYTES
        return None
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        part = sheet_parts(package).get(tab)
        return read_in_halves(data, package, part.path) if part is not None else None
    except Exception:  # noqa: BLE001 - a package we cannot take apart is read whole, which reports it
        return None


def cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def read_in_halves(data: bytes, package: zipfile.ZipFile, member: str) -> Rows | None:
    """The rows of the sheet part `member` of the workbook `data` (opened as `package`), decoded in two
    halves at once as a whole read (`to_python(skip_empty_area=False)`) gives them; None when the tab is
    better read whole."""
    info = package.getinfo(member)
    if info.file_size < HALVES_FROM_BYTES or cores() < 2 or info.flag_bits & 0x1 \
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    compressed = stored_member(data, info)
    deflated = info.compress_type == zipfile.ZIP_DEFLATED
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    first_size = info.file_size // 2
    try:
        head = inflater.decompress(compressed, first_size) if deflated else bytes(compressed[:first_size])
    except zlib.error:
        return None
    cut = _cut(head)
    if cut is None:
        return None
    root, prefix, data_start, at = cut
    decoder = Decoder(package)
    # The first half is packed and decoded in a thread while the second is inflated and packed here.
    first = _Half(decoder.package(root, prefix), [memoryview(head)[data_start:at]], from_a1=True)
    first.start()
    second_package = decoder.package(root, prefix)
    second_package.write(memoryview(head)[at:])
    # The member's checksum, as a whole read checks it: a damaged sheet part is never read as data.
    checksum = _Checksum(head)
    del head  # let go of once the first half is packed
    rest = checksum.over(_inflated(inflater, inflater.unconsumed_tail) if deflated else _pieces(compressed[first_size:]))
    try:
        closed = _write_until(second_package, rest, b"</" + prefix + b"sheetData>")
    except zlib.error:
        closed = False
    second = _Half(second_package, [], from_a1=False)
    if closed:
        second.start()
    try:
        intact = closed and checksum.of_the_rest(rest) == info.CRC and (not deflated or inflater.eof)
    except zlib.error:
        intact = False
    first.join()
    if closed:
        second.join()
    if not intact or first.failed or second.failed:
        return None
    return _joined(first.rows, second.rows, second.top, second.left)


class _Checksum:
    """The CRC-32 of a member inflated piece by piece, to compare with the one its zip entry holds."""

    def __init__(self, head: bytes):
        self.value = zlib.crc32(head)

    def over(self, pieces: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
        for piece in pieces:
            self.value = zlib.crc32(piece, self.value)
            yield piece

    def of_the_rest(self, pieces: Iterator[bytes | memoryview]) -> int:
        """The checksum once the pieces after the rows (the sheet's other parts) are inflated too."""
        for _ in pieces:
            pass
        return self.value


_PIECE = 256 * 1024  # compressed bytes inflated at a time (a few megabytes of XML)


def _inflated(inflater: Any, compressed: bytes) -> Iterator[bytes]:
    for start in range(0, len(compressed), _PIECE):
        yield inflater.decompress(compressed[start: start + _PIECE])
    yield inflater.flush()


def _pieces(stored: memoryview) -> Iterator[memoryview]:
    for start in range(0, len(stored), 8 * _PIECE):
        yield stored[start: start + 8 * _PIECE]


def _write_until(package: SheetPackage, pieces: Iterable[bytes | memoryview], closing: bytes) -> bool:
    """Write the pieces into the package up to the closing tag of the sheet's rows; False if none comes."""
    keep = len(closing) - 1  # a tag may straddle two pieces
    carry = b""
    for piece in pieces:
        window = carry + piece if carry else bytes(piece)
        end = window.find(closing)
        if end >= 0:
            package.write(memoryview(window)[:end])
            return True
        package.write(memoryview(window)[: len(window) - keep])
        carry = window[len(window) - keep:]
    return False


_ATTR_R = re.compile(rb'\br="(\d+)"')


def _cut(head: bytes) -> tuple[bytes, bytes, int, int] | None:
    """(the worksheet's root element, its namespace prefix, where its rows start, where the second half
    starts) in the first half of a sheet part's XML; None when it cannot be cut there."""
    data_open = SHEET_DATA_OPEN.search(head)
    if data_open is None or data_open.group(2):
        return None
    prefix = data_open.group(1) or b""
    p = re.escape(prefix)
    root = worksheet_root(head, prefix)
    data_start = data_open.end()
    if not root or head.find(b"</" + prefix + b"sheetData>", data_start) >= 0:
        return None  # every row is in the first half: a whole read is as fast
    row_open = re.compile(rb"<" + p + rb"row\b([^>]*?)/?>")
    at = head.rfind(b"<" + prefix + b"row", data_start)
    while at > data_start:
        opening = row_open.match(head, at)
        if opening is not None:
            if _ATTR_R.search(opening.group(1)) is None:
                return None  # the row at the cut does not say its number
            return root, prefix, data_start, at
        at = head.rfind(b"<" + prefix + b"row", data_start, at)  # `<rowX…` of another element: look earlier
    return None


class _Half(threading.Thread):
    """One half of the rows: the rest of its sheet data (`pieces`) written into its package, then decoded
    by calamine, in a thread of its own (calamine lets go of Python's lock while it decodes)."""

    def __init__(self, package: SheetPackage, pieces: list[memoryview], *, from_a1: bool):
        super().__init__(daemon=True)
        self.package, self.pieces, self.from_a1 = package, pieces, from_a1
        self.rows: Rows = []
        self.top = self.left = 0
        self.failed = False

    def run(self) -> None:
        try:
            for piece in self.pieces:
                self.package.write(piece)
            self.pieces = []  # the XML it was cut from can go
            self.rows, self.top, self.left = self.package.decode(from_a1=self.from_a1)
        except Exception:  # noqa: BLE001 - the tab is read whole instead, which says what is wrong
            self.failed = True
        finally:
            self.pieces = []


def _joined(first: Rows, second: Rows, top: int, left: int) -> Rows | None:
    """The first half (from A1) and the second (from row `top`, column `left`, 0-based) as one grid from
    A1, every row as wide as the widest, empty rows between them; None when the halves overlap (rows out
    of order across the cut)."""
    if not second:
        return first
    if top < len(first):
        return None
    width = max(len(first[0]) if first else 0, left + len(second[0]))
    if first and len(first[0]) < width:
        padding = [""] * (width - len(first[0]))
        for row in first:
            row.extend(padding)
    first.extend([""] * width for _ in range(top - len(first)))
    if left or left + len(second[0]) < width:
        before, after = [""] * left, [""] * (width - left - len(second[0]))
        second = [[*before, *row, *after] for row in second]
    first.extend(second)
    return first
