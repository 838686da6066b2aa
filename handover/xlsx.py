"""The local workbook backend: fast reads with calamine, safe surgical writes.

A write (1) refuses while Excel, WPS or LibreOffice has the file open, (2) takes a file lock so two
handover runs never write at once, (3) refuses if the file changed since we read it, (4) patches only
the rows it changes (xlsx_patch), (5) writes a temp file beside the workbook and atomically replaces
it, keeping the previous file as a backup (the last 10 are kept).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Sequence

from python_calamine import CalamineError, CalamineWorkbook

from .errors import SheetBusyError, SheetChangedError, SheetError
from .sheet import Backend, Grid, TabWrite, WriteResult, WriteValue

BACKUPS_KEPT = 10
STATE_DIR = ".handover"  # beside the workbook: write lock and backups


class XlsxBackend(Backend):
    def __init__(self, path: str | Path, *, lock_timeout: float = 10.0, backups: int = BACKUPS_KEPT):
        self.path = Path(path).expanduser()
        self.label = str(path)
        self.lock_timeout = lock_timeout
        self.backups = backups
        self._fingerprint: bytes | None = None
        self._grids: dict[str, Grid | None] = {}

    # -------------------------------------------------------------------------------- reading

    def _load(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise SheetError(f"找不到工作簿 {self.path}：用 `handover init {self.path}` 新建一个") from None
        except IsADirectoryError:
            raise SheetError(f"{self.path} 是文件夹，不是工作簿") from None
        except OSError as error:
            raise SheetError(f"读不了工作簿 {self.path}（{error.strerror}）") from None

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        # calamine reads the path itself (faster than from a buffer); the fingerprint is of the bytes
        # on disk, and a save landing between the two reads is caught by comparing stat before and after.
        for _ in range(3):
            before = self._stat()
            self._fingerprint = hashlib.sha256(self._load()).digest()
            try:
                workbook = CalamineWorkbook.from_path(str(self.path))
            except (CalamineError, ValueError, OSError) as error:
                raise SheetError(f"{self.path} 不是能读取的 xlsx 工作簿（{error}）") from None
            grids = self._grids_of(workbook, tabs)
            if self._stat() == before:
                self._grids.update(grids)
                return grids
        raise SheetChangedError(f"{self.path} 在读取时一直被修改（有人正在保存？）：请稍后再试")

    def _stat(self) -> tuple[int, int]:
        try:
            status = self.path.stat()
        except OSError:
            self._load()  # raises the message that fits (missing file, folder, permission)
            raise
        return status.st_mtime_ns, status.st_size

    def _grids_of(self, workbook: CalamineWorkbook, tabs: Sequence[str]) -> dict[str, Grid | None]:
        names = {unicodedata.normalize("NFC", name): name for name in workbook.sheet_names}
        grids: dict[str, Grid | None] = {}
        for tab in tabs:
            name = names.get(unicodedata.normalize("NFC", tab))
            if name is None:
                grids[tab] = None
                continue
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            header = [str(value).strip() if value not in ("", None) else "" for value in rows[0]] if rows else []
            del rows[:1]
            grids[tab] = Grid(tab=name, header=header, rows=rows)
        workbook.close()
        return grids

    # -------------------------------------------------------------------------------- writing

    def write(self, writes: Sequence[TabWrite]) -> WriteResult:
        writes = [w for w in writes if not w.is_empty()]
        if not writes:
            return WriteResult()
        if self._fingerprint is None:
            raise SheetError("内部错误：写入前必须先读取工作簿")
        # Imported here, not at start-up: most commands only read.
        from filelock import FileLock, Timeout

        refuse_if_open_elsewhere(self.path)
        lock_path = self._state_dir() / f"{self.path.name}.lock"
        try:
            with FileLock(str(lock_path), timeout=self.lock_timeout):
                return self._write_locked(writes)
        except Timeout:
            raise SheetBusyError(f"另一个 handover 正在写 {self.path}，等了 {self.lock_timeout:g} 秒仍未结束：请稍后再试") from None

    def _write_locked(self, writes: Sequence[TabWrite]) -> WriteResult:
        import zipfile

        from .xlsx_patch import add_sheet, grow_tables, new_sheet_xml, patch_sheet, rewrite_package, sheet_parts

        data = self._load()
        if hashlib.sha256(data).digest() != self._fingerprint:
            raise SheetChangedError(
                f"{self.path} 在读取之后被别人修改并保存了：什么都没有写入，请重新运行这条命令"
            )
        try:
            package = zipfile.ZipFile(io.BytesIO(data))
            parts = sheet_parts(package)
        except (zipfile.BadZipFile, KeyError) as error:
            raise SheetError(f"{self.path} 不是完整的 xlsx 工作簿（{error}）") from None
        replaced: dict[str, bytes] = {}
        added: dict[str, bytes] = {}
        result = WriteResult()
        for write in writes:
            grid = self._grids.get(write.tab)
            part = parts.get(grid.tab if grid else write.tab)
            if part is None:
                if not write.create:
                    raise SheetError(f"工作簿里没有「{write.tab}」标签页")
                rows = [dict(enumerate(write.header + write.add_columns))]
                rows += [dict(enumerate(values)) for values in write.appends]
                sheet_xml = new_sheet_xml(rows, _column_widths(write.header + write.add_columns))
                more_replaced, more_added = add_sheet(_PackageView(package, replaced), write.tab, sheet_xml)
                replaced.update(more_replaced)
                added.update(more_added)
                result.appended_rows[write.tab] = list(range(2, 2 + len(write.appends)))
                parts[write.tab] = None  # type: ignore[assignment] - a second write to it would be a bug
                continue
            edits, appended = _edits_for(write, grid)
            xml = replaced.get(part.path) or package.read(part.path)
            replaced[part.path] = patch_sheet(xml, edits, tab=write.tab)
            result.appended_rows[write.tab] = appended
            if appended:
                replaced.update(grow_tables(package, part.path, appended[0] - 1, appended[-1],
                                            read=_PackageView(package, replaced).read))
        new_data = rewrite_package(data, replaced, added)
        self._replace(new_data)
        self._fingerprint = hashlib.sha256(new_data).digest()
        return result

    def _state_dir(self) -> Path:
        directory = self.path.parent / STATE_DIR
        directory.mkdir(exist_ok=True)
        return directory

    def _replace(self, new_data: bytes) -> None:
        """Temp file in the same folder, fsync, keep the old file as a backup, atomic rename."""
        folder = self.path.parent
        handle, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(new_data)
                temp.flush()
                os.fsync(temp.fileno())
            os.chmod(temp_name, self.path.stat().st_mode & 0o777)
            self._backup()
            os.replace(temp_name, self.path)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise

    def _backup(self) -> None:
        backups = self._state_dir() / "backups"
        backups.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = backups / f"{self.path.stem}-{stamp}{self.path.suffix}"
        try:
            # The replace gives the workbook a new inode, so a hard link keeps the old bytes for free.
            os.link(self.path, target)
        except OSError:
            target.write_bytes(self.path.read_bytes())
        mine = sorted(backups.glob(f"{self.path.stem}-*{self.path.suffix}"))
        for old in mine[: max(0, len(mine) - self.backups)]:
            old.unlink(missing_ok=True)


class _PackageView:
    """The package as already edited by earlier writes of the same plan, for add_sheet to read."""

    def __init__(self, package, replaced: dict[str, bytes]):
        self.package = package
        self.replaced = replaced

    def read(self, name: str) -> bytes:
        return self.replaced.get(name) or self.package.read(name)

    def namelist(self) -> list[str]:
        return self.package.namelist()


def _edits_for(write: TabWrite, grid: Grid | None) -> tuple[dict[int, dict[int, WriteValue]], list[int]]:
    """Turn a plan for one tab into cell edits by row and column index, and the rows appended."""
    header = list(write.header)
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name:
            positions.setdefault(name, index)
    last_header = max((i for i, name in enumerate(header) if name), default=-1)
    edits: dict[int, dict[int, WriteValue]] = {}
    for offset, name in enumerate(write.add_columns):
        index = last_header + 1 + offset
        positions[name] = index
        edits.setdefault(1, {})[index] = name
    for change in write.changes:
        if change.column not in positions:
            raise SheetError(f"「{write.tab}」没有「{change.column}」列")
        edits.setdefault(change.row, {})[positions[change.column]] = change.new
    base = len(header)

    def position(i: int) -> int:
        return i if i < base else positions[write.add_columns[i - base]]

    last_row = _last_filled_row(grid)
    appended = []
    for offset, values in enumerate(write.appends):
        number = last_row + 1 + offset
        appended.append(number)
        edits[number] = {position(i): value for i, value in enumerate(values) if value not in (None, "")}
    return edits, appended


def _last_filled_row(grid: Grid | None) -> int:
    if grid is None:
        return 1
    for index in range(len(grid.rows) - 1, -1, -1):
        if any(value not in ("", None) for value in grid.rows[index]):
            return Grid.row_number(index)
    return 1


def _column_widths(header: Sequence[str]) -> dict[int, float]:
    from .render import column_width

    return {index: column_width(name) for index, name in enumerate(header)}


# ------------------------------------------------------------------------------ office locks

def office_lock_files(path: Path) -> list[Path]:
    """The lock files Excel/WPS (`~$name.xlsx`, with the name shortened for long names) and
    LibreOffice (`.~lock.name.xlsx#`) leave beside a workbook they have open."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates += [f"~${name[2:]}", f"~${name[1:]}"]
    return [path.with_name(candidate) for candidate in candidates if path.with_name(candidate).exists()]


def lock_owner(lock_file: Path) -> str | None:
    """Who holds an office lock file, when it says."""
    try:
        data = lock_file.read_bytes()[:512]
    except OSError:
        return None
    if lock_file.name.startswith(".~lock."):
        # LibreOffice: "Full Name,login,host,date,profile;"
        fields = data.decode("utf-8", "replace").split(",")
        for field in (fields[0], fields[1] if len(fields) > 1 else ""):
            if field.strip():
                return field.strip()
        return None
    # Excel/WPS owner file: a length byte and the name in the ANSI code page, padded to 54 bytes, then
    # a 16-bit length and the same name in UTF-16LE.
    if not data:
        return None
    length = data[0]
    if len(data) >= 56 + 2 * length and length:
        for start in (56, 55, 54):
            try:
                name = data[start: start + 2 * length].decode("utf-16-le").strip("\x00 ")
            except UnicodeDecodeError:
                continue
            if name and name.isprintable():
                return name
    if 0 < length < 54:
        for encoding in ("utf-8", "gbk", "latin-1"):
            try:
                name = data[1: 1 + length].decode(encoding).strip("\x00 ")
            except UnicodeDecodeError:
                continue
            if name.isprintable() and name:
                return name
    return None


def refuse_if_open_elsewhere(path: Path) -> None:
    for lock_file in office_lock_files(path):
        owner = lock_owner(lock_file)
        who = f"{owner} 正在" if owner else "有人正在"
        raise SheetBusyError(
            f"{who}用 Excel/WPS/LibreOffice 打开 {path.name}（锁文件 {lock_file.name}）：请先保存并关闭它再运行；"
            "如果确定没人在用，删掉这个锁文件即可"
        )


def workbook_tab_names(path: str | Path) -> list[str] | None:
    """The tab names of the workbook at `path`, whatever its file name says; None when it is not a
    workbook calamine can open."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError):
        return None
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()
