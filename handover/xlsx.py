"""The local workbook backend: fast reads with calamine, safe surgical writes.

A write (1) refuses while Excel, WPS or LibreOffice has the file open, (2) takes a file lock so two
handover runs never write at once, (3) loads the file again and, if someone saved it since our read,
parses it afresh and lays the plan onto it as it is now (`rebase.lay`, as on Google: rows found by 编号,
a cell we change must still hold what we read, else nothing is written), (4) patches only the rows it
changes (xlsx_patch), (5) writes a temp file beside the workbook and, after a last look that the file is
still the one it loaded (size, mtime and hash: a program that saves without our lock, such as a sync
client, would otherwise lose its edit), atomically replaces it, keeping the previous file as a backup
(the last 10 are kept).
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
from .rebase import lay, refuse
from .sheet import Backend, Grid, TabWrite, WriteResult

BACKUPS_KEPT = 10
STATE_DIR = ".handover"  # beside the workbook: write lock and backups


class XlsxBackend(Backend):
    def __init__(self, path: str | Path, *, lock_timeout: float = 10.0, backups: int = BACKUPS_KEPT):
        self.path = Path(path).expanduser()
        self.label = str(path)
        self.lock_timeout = lock_timeout
        self.backups = backups
        # The tabs as parsed from the bytes of `_grids_digest`, by the name asked and the name in the file
        # (None: no such tab).
        self._grids: dict[str, Grid | None] = {}
        self._grids_digest: bytes | None = None  # sha256 of the bytes last read
        self._loaded: tuple[tuple[int, int], bytes] | None = None  # (stat, sha256) of what a write laid onto

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
            digest = hashlib.sha256(self._load()).digest()
            try:
                workbook = CalamineWorkbook.from_path(str(self.path))
            except (CalamineError, ValueError, OSError) as error:
                raise SheetError(f"{self.path} 不是能读取的 xlsx 工作簿（{error}）") from None
            grids = self._grids_of(workbook, tabs)
            if self._stat() == before:
                if digest != self._grids_digest:
                    self._grids = {}
                self._grids_digest = digest
                self._grids.update(grids)
                self._grids.update({grid.tab: grid for grid in grids.values() if grid is not None})
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
        if self._grids_digest is None:
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
        digest = hashlib.sha256(data).digest()
        self._loaded = (self._stat(), digest)
        current = self._current(data, digest, [w.tab for w in writes])
        result = WriteResult()
        conflicts: list[str] = []
        laid = [lay(w, current[w.tab].values() if current[w.tab] else None, result, conflicts) for w in writes]
        refuse(str(self.path), conflicts)
        if not any(tab.cells or tab.appends or current[w.tab] is None for w, tab in zip(writes, laid)):
            return result  # everything was skipped: the file stays as it is
        try:
            package = zipfile.ZipFile(io.BytesIO(data))
            parts = sheet_parts(package)
        except (zipfile.BadZipFile, KeyError) as error:
            raise SheetError(f"{self.path} 不是完整的 xlsx 工作簿（{error}）") from None
        replaced: dict[str, bytes] = {}
        added: dict[str, bytes] = {}
        for write, tab in zip(writes, laid):
            grid = current[write.tab]
            edits = tab.by_row()
            part = parts.get(grid.tab) if grid else None
            if part is None:
                if not write.create:
                    raise SheetError(f"工作簿里没有「{write.tab}」标签页")
                rows = [edits.get(number, {}) for number in range(1, max(edits, default=1) + 1)]
                sheet_xml = new_sheet_xml(rows, _column_widths(write.header + write.add_columns))
                more_replaced, more_added = add_sheet(_PackageView(package, replaced), write.tab, sheet_xml)
                replaced.update(more_replaced)
                added.update(more_added)
                continue
            xml = replaced.get(part.path) or package.read(part.path)
            replaced[part.path] = patch_sheet(xml, edits, tab=write.tab)
            appended = result.appended_rows.get(write.tab)
            if appended:
                replaced.update(grow_tables(package, part.path, appended[0] - 1, appended[-1],
                                            read=_PackageView(package, replaced).read))
        new_data = rewrite_package(data, replaced, added)
        self._replace(new_data)
        return result

    def _current(self, data: bytes, digest: bytes, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """The tabs as the loaded bytes hold them: our read's grids when the bytes are the ones we read,
        else parsed afresh (someone saved the file meanwhile)."""
        if digest == self._grids_digest and all(tab in self._grids for tab in tabs):
            return {tab: self._grids[tab] for tab in tabs}
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (CalamineError, ValueError, OSError) as error:
            raise SheetError(f"{self.path} 不是能读取的 xlsx 工作簿（{error}）") from None
        return self._grids_of(workbook, tabs)

    def _refuse_if_changed_since_load(self) -> None:
        """The last look before the replace: the file must still be the one this write was laid onto
        (size, mtime and hash), or a program that saved it without our lock would lose its edit."""
        assert self._loaded is not None
        stat, digest = self._loaded
        if self._stat() != stat or hashlib.sha256(self._load()).digest() != digest:
            raise SheetChangedError(f"{self.path} 在写入前的一刻被别的程序保存了：这次什么也没写入，请重新运行这条命令")

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
            self._refuse_if_changed_since_load()
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
