"""A tab of a local workbook read in parts: its first rows, whole columns, and the rows asked for.

calamine reads a whole tab fast, yet `done` changes a few rows of a tab that may hold 50,000: it needs the
first rows (the header is among them), the 编号 column and those rows, and decoding all 900,000 cells
would cost more than everything else it does. Here the sheet part's XML is cut down to what is asked for
(row elements, or the cells of one column, copied as they are) and calamine decodes that small worksheet,
packaged with the workbook's styles, the shared strings it uses and its date system. Every cell is still
decoded by the one reader handover uses for workbooks (shared and inline strings, rich text, numbers,
dates by their style, booleans), so a tab read in parts holds what a whole read holds.

Cutting relies on rows that name themselves first thing (`<row r="12" …>`, as Excel, WPS, LibreOffice,
Google and openpyxl write them) in ascending order, as the format requires: a tab whose rows do not is
decoded whole. A cell that does not name its column (no `r`) is found by decoding its row.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree
from collections.abc import Sequence
from typing import Callable, Iterator

from python_calamine import CalamineWorkbook

from ..sheet import HEADER_ROWS, CellValue, Grid, cell_text, column_letter
from .xlsx_package import MAIN_NS, PKG_REL_NS, REL_NS
from .xlsx_patch import SheetSyntax, worksheet_root

# Decoded with the read: the header is looked for among the first rows (schema.locate_header).
HEAD_ROWS = HEADER_ROWS + 1

Rows = list[list[CellValue]]
# Asked for more rows than this at once (and more than an eighth of the tab), the whole tab is decoded.
_MANY_ROWS = 1000


class Decoder:
    """What decoding cells takes besides the cells: the workbook's styles (they say which numbers are
    dates), its shared strings and its date system. Cells are decoded by calamine, from a small package
    of their own."""

    def __init__(self, package: zipfile.ZipFile):
        # Where calamine's whole read takes them from (fixed places, whatever the relationships say), so
        # that a part decoded here reads as the whole tab does.
        names = set(package.namelist())
        self.styles = package.read(_STYLES) if _STYLES in names else None
        self.shared = SharedStrings(package.read(_SHARED)) if _SHARED in names else None
        self.date1904 = _counts_from_1904(package.read("xl/workbook.xml"))

    def decode(self, root: bytes, prefix: bytes, content: bytes, *, from_a1: bool) -> tuple[Rows, int, int]:
        """Decode sheet data (rows, or bare cells naming their place) wrapped in the sheet's own root
        element, which declares every namespace prefix its cells use. Returns (rows, first row, first
        column), 0-based: from A1 with `from_a1`, else from the first cell holding anything."""
        shared = None
        if self.shared is not None:
            content, shared = self.shared.for_cells(prefix, content)
        package = self.package(root, prefix, shared)
        package.write(content)
        return package.decode(from_a1=from_a1)

    def package(self, root: bytes, prefix: bytes, shared: bytes | None = None) -> SheetPackage:
        """A workbook of one sheet, its sheet data to be written in (`SheetPackage.write`), with this
        workbook's styles, date system and `shared` as its shared strings (by default the whole table)."""
        return SheetPackage(self, root, prefix, shared if shared is not None or self.shared is None else self.shared.xml)


class SheetPackage:
    """A workbook of one sheet being written, its sheet data streamed in piece by piece (half a big tab's
    XML is tens of megabytes, never joined into one more copy), then decoded by calamine."""

    def __init__(self, decoder: Decoder, root: bytes, prefix: bytes, shared: bytes | None):
        files = {
            "_rels/.rels": _rels(("officeDocument", "xl/workbook.xml")),
            "xl/workbook.xml": (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                                + ('<workbookPr date1904="1"/>' if decoder.date1904 else "")
                                + '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        }
        targets = [("worksheet", "worksheets/sheet1.xml")]
        if decoder.styles is not None:
            files["xl/styles.xml"] = decoder.styles
            targets.append(("styles", "styles.xml"))
        if shared is not None:
            files["xl/sharedStrings.xml"] = shared
            targets.append(("sharedStrings", "sharedStrings.xml"))
        files["xl/_rels/workbook.xml.rels"] = _rels(*targets)
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_STORED)
        for name, data in files.items():
            self._zip.writestr(name, data)
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w")
        self._sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + root + b"<" + prefix + b"sheetData>")
        self._closing = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"

    def write(self, data: bytes | memoryview) -> None:
        self._sheet.write(data)

    def decode(self, *, from_a1: bool) -> tuple[Rows, int, int]:
        """(rows, first row, first column), 0-based: from A1 with `from_a1`, else from the first cell
        holding anything."""
        self._sheet.write(self._closing)
        self._sheet.close()
        self._zip.close()
        buffer = self._buffer
        del self._sheet, self._zip, self._buffer
        buffer.seek(0)
        workbook = CalamineWorkbook.from_filelike(buffer)
        del buffer  # calamine has read it into a copy of its own
        try:
            decoded = workbook.get_sheet_by_name("s")
        finally:
            workbook.close()  # the sheet holds its cells: the package's copy can go before they become rows
        rows = decoded.to_python(skip_empty_area=not from_a1)
        top, left = (0, 0) if from_a1 or not rows else decoded.start
        return rows, top, left


_STYLES, _SHARED = "xl/styles.xml", "xl/sharedStrings.xml"


def _counts_from_1904(workbook_xml: bytes) -> bool:
    """Whether the workbook's dates count from 1904: its workbookPr says date1904 is 1 or true (quoted
    either way, spaced any way, its element under any namespace prefix)."""
    try:
        root = ElementTree.fromstring(workbook_xml)
    except ElementTree.ParseError:
        return False
    return any(element.tag.rsplit("}", 1)[-1] == "workbookPr" and element.get("date1904") in ("1", "true")
               for element in root.iter())


def _rels(*targets: tuple[str, str]) -> bytes:
    return (f'<Relationships xmlns="{PKG_REL_NS}">'
            + "".join(f'<Relationship Id="rId{number}" Type="{REL_NS}/{kind}" Target="{target}"/>'
                      for number, (kind, target) in enumerate(targets, start=1))
            + "</Relationships>").encode()


class SharedStrings:
    """The shared-strings table, which a part decoded on its own needs only the strings of: a workbook
    Excel saved holds hundreds of thousands of them, and calamine reads the whole table it is given."""

    def __init__(self, xml: bytes):
        self.xml = xml
        found = re.search(rb"<([A-Za-z0-9_]+:)?sst\b", xml)
        prefix = (found.group(1) or b"") if found else b""
        self._opening, self._closing = b"<" + prefix + b"si>", b"</" + prefix + b"si>"
        self._items: list[bytes] | None = None  # what each <si> holds, its closing tag included
        self._head = self._tail = b""

    def for_cells(self, prefix: bytes, content: bytes) -> tuple[bytes, bytes]:
        """(content, table) to decode this sheet data on its own. A few shared-string cells (`t="s"`) get
        a table of just their strings, and are renumbered to it; many keep their numbers, and the table
        keeps its length with every string they do not use emptied."""
        items = self._split()
        p = re.escape(prefix)
        # A shared-string cell up to its number; `(?!</c>)` keeps the match inside the one cell.
        cell = re.compile(rb"(<" + p + rb'c\b[^>/]*\bt="s"[^>/]*>(?:(?!</' + p + rb"c>).)*?<" + p + rb"v>\s*)(\d+)",
                          re.S)
        numbers = [int(number) for _, number in cell.findall(content)]
        if items is None or max(numbers, default=-1) >= len(items):
            return content, self.xml  # as it is: calamine then says what is wrong, as a whole read would
        if len(numbers) * 8 < len(items):
            new = {old: str(index).encode() for index, old in enumerate(dict.fromkeys(numbers))}
            content = cell.sub(lambda match: match.group(1) + new[int(match.group(2))], content)
            kept = [items[old] for old in new]
        else:
            kept = [self._closing] * len(items)
            for number in set(numbers):
                kept[number] = items[number]
        return content, self._head + (self._opening + self._opening.join(kept) if kept else b"") + self._tail

    def _split(self) -> list[bytes] | None:
        """Each `<si>`'s content; None when the table is not written the plain way (an item with
        attributes or self-closed), and is then passed whole."""
        if self._items is None:
            opening, closing = self._opening, self._closing
            if re.search(re.escape(opening[:-1]) + rb"[\s/]", self.xml):
                return None
            first = self.xml.find(opening)
            last = self.xml.rfind(closing)
            if first < 0 or last < 0:
                return None
            self._head, self._tail = self.xml[:first], self.xml[last + len(closing):]
            self._items = self.xml[first + len(opening): last + len(closing)].split(opening)
        return self._items


class SheetParts:
    """One sheet part's XML and the rows decoded from it so far, by sheet row number. `whole` decodes
    the tab whole (every row from sheet row 1): the way out when the XML cannot be cut."""

    def __init__(self, xml: bytes, decoder: Decoder, whole: Callable[[], Rows]):
        self.xml = xml
        self._decoder = decoder
        self._whole = whole
        self._syntax = syntax = SheetSyntax(xml)
        prefix = syntax.prefix
        p = re.escape(prefix)
        self._prefix = prefix
        self._root = worksheet_root(xml, prefix)
        # A row element: its number when `r` comes first, and `/` when it is empty (no attribute of a
        # row holds a slash).
        self._row = re.compile(rb"<" + p + rb'row(?: r="(\d+)")?[^>/]*(/?)>')
        self._row_start = b"<" + prefix + b'row r="'
        self._cell_ref = re.compile(rb"(<" + p + rb'c\b[^>]*?\br="[A-Z]{1,3})\d+"')
        self._decoded: dict[int, list[CellValue]] = {}
        self._numbers: set[int] | range | None = None  # the rows holding anything, once known
        self._columns: dict[int, list[CellValue]] = {}
        self.every_row = False  # decoded whole
        self.last_row = self._last_row()
        self.rows(range(1, min(HEAD_ROWS, self.last_row) + 1))

    # ------------------------------------------------------------------------------------- rows

    def row(self, number: int) -> list[CellValue]:
        return self.rows([number])[0]

    def rows(self, numbers: Sequence[int] | range) -> Rows:
        """Sheet rows by number ([] for a row holding nothing), decoded together."""
        wanted = sorted({n for n in numbers if n not in self._decoded and 0 < n <= self.last_row})
        if len(wanted) > max(_MANY_ROWS, self.last_row // 8):
            self.decode_whole()  # many rows: the whole tab decodes faster than cutting them out
        if wanted and not self.every_row:
            if wanted[-1] <= HEAD_ROWS and not self._decoded:
                self._decode_head()
            else:
                content = self._content_rows()
                if not self.every_row:
                    self._decode([n for n in wanted if n in content])
        return [self._decoded.get(n, []) for n in numbers]

    def decoded(self, number: int) -> bool:
        return self.every_row or number in self._decoded

    def decode_whole(self) -> None:
        """Every row, decoded at once (a caller that reads them all)."""
        if not self.every_row:
            rows = self._whole()
            self._decoded = {number: row for number, row in enumerate(rows, start=1)}
            self._columns = {}
            self.last_row = len(rows)
            self.every_row = True

    def column(self, position: int) -> list[CellValue]:
        """Every row's cell in this column (0-based), by sheet row from row 1 ("" where a row has none)."""
        if position not in self._columns:
            self._columns[position] = self._column(position)
        return self._columns[position]

    def _column(self, position: int) -> list[CellValue]:
        if self.every_row:
            return [row[position] if position < len(row) else "" for row in self.rows(range(1, self.last_row + 1))]
        syntax, p = self._syntax, re.escape(self._prefix)
        pattern = re.compile(rb"(<" + p + rb'c r="' + column_letter(position).encode() + rb'(\d+)"[^>]*?(?:/>|>.*?</'
                             + p + rb"c>))", re.S)
        cells = pattern.findall(self.xml, syntax.data_start, syntax.data_end)
        values: list[CellValue] = [""] * self.last_row
        if cells:
            rows, top, left = self._decoder.decode(self._root, self._prefix, b"".join(c for c, _ in cells),
                                                   from_a1=False)
            if left == position:
                values[top: top + len(rows)] = [row[0] if row else "" for row in rows]
        if self._numbers is None and cells and len(cells) == self.last_row and cells[0][1] == b"1" \
                and int(cells[-1][1]) == self.last_row:
            # Every row, 1 to the last, names its cell in this column (the usual 编号 column): every row
            # holds something, and no cell here can be one without a name.
            self._numbers = range(1, self.last_row + 1)
            return values
        content = self._content_rows()
        if self.every_row:
            return self._column(position)
        # A row holding something but no cell here that names itself may hold one without `r`: its
        # decoded row shows it. (For a 编号 column these are the few rows without 编号.)
        named = {int(number) for _, number in cells}
        unnamed = [number for number in sorted(content) if number not in named]
        for number, row in zip(unnamed, self.rows(unnamed)):
            if position < len(row):
                values[number - 1] = row[position]
        return values

    # ----------------------------------------------------------------------------------- cutting

    def _last_row(self) -> int:
        syntax = self._syntax
        at = self.xml.rfind(b"<" + self._prefix + b"row", syntax.data_start, syntax.data_end)
        match = self._row.match(self.xml, at) if at >= 0 else None
        if at < 0:
            return 0
        if match is None or not match.group(1):
            self.decode_whole()
            return self.last_row
        return int(match.group(1))

    def _decode_head(self) -> None:
        """The first rows, found by walking from the top."""
        syntax = self._syntax
        found: list[tuple[int, int]] = []
        for match in self._row.finditer(self.xml, syntax.data_start, syntax.data_end):
            if not match.group(1):
                self.decode_whole()
                return
            number = int(match.group(1))
            if number > HEAD_ROWS:
                break
            if not match.group(2):
                found.append((number, match.start()))
        self._decode_at(found)
        for number in range(1, min(HEAD_ROWS, self.last_row) + 1):
            self._decoded.setdefault(number, [])

    def _content_rows(self) -> set[int] | range:
        """The rows holding anything; checks on the way that every row names itself, in order."""
        if self._numbers is None and not self.every_row:
            syntax = self._syntax
            found = self._row.findall(self.xml, syntax.data_start, syntax.data_end)
            numbers = [int(number) if number else 0 for number, _ in found]
            if 0 in numbers or any(a >= b for a, b in zip(numbers, numbers[1:])):
                self.decode_whole()
            else:
                self._numbers = {number for number, (_, empty) in zip(numbers, found) if not empty}
        return self._numbers if self._numbers is not None else set(self._decoded)

    def _decode(self, numbers: list[int]) -> None:
        try:
            starts = [(number, self._find(number)) for number in numbers]
        except _NotNamed:
            self.decode_whole()  # a row that does not name itself, or rows out of order
            return
        self._decode_at(starts)
        for number in numbers:
            self._decoded.setdefault(number, [])

    def _find(self, number: int) -> int:
        """Where row `number` starts: a binary search over the XML, whose rows are in ascending order.
        Raises _NotNamed when no row names itself so."""
        xml, start = self.xml, self._row_start
        low, high = self._syntax.data_start, self._syntax.data_end
        while low < high:
            middle = (low + high) // 2
            at = xml.find(start, middle, self._syntax.data_end)
            if at < 0:
                high = middle
                continue
            found = int(xml[at + len(start): xml.index(b'"', at + len(start))])
            if found == number:
                return at
            if found < number:
                low = at + 1
            else:
                high = middle
        raise _NotNamed(number)

    def _decode_at(self, rows: list[tuple[int, int]]) -> None:
        """Decode the row elements starting at these offsets, numbered 1, 2 … in a worksheet of their
        own (so it holds no empty rows between them), each given back its number."""
        if not rows:
            return
        xml, close = self.xml, b"</" + self._prefix + b"row>"
        pieces = []
        for index, (number, at) in enumerate(rows, start=1):
            head = self._row.match(xml, at)
            assert head is not None
            end = xml.index(close, head.end()) + len(close)
            renumbered = str(index).encode()
            pieces.append(b"<" + self._prefix + b'row r="' + renumbered + b'"' + xml[head.start(1) + len(head.group(1)) + 1: head.end()])
            pieces.append(self._cell_ref.sub(lambda m: m.group(1) + renumbered + b'"', xml[head.end(): end]))
        decoded, _, _ = self._decoder.decode(self._root, self._prefix, b"".join(pieces), from_a1=True)
        for index, (number, _) in enumerate(rows):
            self._decoded[number] = decoded[index] if index < len(decoded) else []


class _NotNamed(Exception):
    """A row holding something could not be found by its number."""


# ---------------------------------------------------------------------------------- as a Grid

class PartRows(Sequence):
    """Sheet rows `first`… of a tab read in parts, as `Grid.rows` holds them: decoded when asked for.
    `header` (sheet row, texts) stands in for that row, as `Grid.values` shows the header."""

    def __init__(self, parts: SheetParts, first: int, header: tuple[int, list[str]] | None = None):
        self.parts = parts
        self.first = first
        self.header = header

    def __len__(self) -> int:
        return max(0, self.parts.last_row - self.first + 1)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return self.take(range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.take([index])[0]

    def __iter__(self) -> Iterator[list[CellValue]]:
        # The rows decoded already come as they are (a look for the first row holding anything stops
        # there); the first one that is not has the whole tab decoded, for a caller reading them all.
        for index in range(len(self)):
            if not self.parts.decoded(self.first + index):
                self.parts.decode_whole()
            yield self.take([index])[0]

    def take(self, indexes: Sequence[int] | range) -> Rows:
        numbers = [self.first + index for index in indexes]
        rows = self.parts.rows(numbers)
        if self.header is not None:
            row, texts = self.header
            rows = [list(texts) if number == row else cells for number, cells in zip(numbers, rows)]
        return rows

    def column(self, position: int) -> list[CellValue]:
        return self.parts.column(position)[self.first - 1:]


class PartGrid(Grid):
    """A Grid whose rows are decoded when asked for (`Grid.column`, `Grid.rows_at`)."""

    rows: PartRows  # type: ignore[assignment]

    def column(self, position: int) -> list[CellValue]:
        return self.rows.column(position)

    def rows_at(self, indexes: Sequence[int]) -> Rows:
        return self.rows.take(indexes)

    def values(self) -> PartRows:  # type: ignore[override]
        return PartRows(self.rows.parts, 1, (self.header_row, self.header))

    def with_header_at(self, row: int) -> Grid:
        if row == self.header_row:
            return self
        parts = self.rows.parts
        header = [cell_text(value).strip() for value in parts.row(row)]
        return PartGrid(self.tab, header, PartRows(parts, row + 1), header_row=row,  # type: ignore[arg-type]
                        above=parts.rows(range(1, row)))
