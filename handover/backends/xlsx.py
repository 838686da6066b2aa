"""The local workbook backend: fast reads with calamine, safe surgical writes.

A write (1) refuses a read-only workbook and one Excel, WPS or LibreOffice has open, (2) takes a file
lock so two handover runs never write at once, (3) loads the file again and, if someone saved it since our
read, parses it afresh and lays the plan onto it as it is now (`rebase.lay`, as on Google: rows found by
编号, a cell we change must still hold what we read, else nothing is written), (4) patches only the rows
it changes (xlsx_patch, xlsx_package), (5) writes a temp file beside the workbook and, after a last look that the file
is still the one it loaded (size, mtime and hash: a program that saves without our lock, such as a sync
client, would otherwise lose its edit), atomically replaces it, keeping the previous file as a backup
(the last 10 are kept). A symlinked workbook is the file it points to: read, locked, backed up and
replaced there (files.py keeps those rules).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import time
import unicodedata
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from python_calamine import CalamineError, CalamineWorkbook

from ..errors import SheetBusyError, SheetChangedError, SheetError, SheetWriteError
from ..sheet import Backend, Grid, TabWrite, WriteResult
from ..textwidth import column_width
from .files import (
    NOTHING_WRITTEN,
    clean_stale_temps,
    damaged_workbook,
    make_folder_like,
    owner_name,
    real_path,
    share_like,
    sync_folder,
    write_beside,
    write_failure,
)
from .office_locks import refuse_if_open_elsewhere, refuse_office_locks
from .xlsx_halves import tab_in_halves

if TYPE_CHECKING:
    from .rebase import Laid

BACKUPS_KEPT = 10
STATE_DIR = ".handover"  # beside the workbook (the link's target): write lock and backups
# A program saving the workbook in place shows a half-written zip for a moment: while the file keeps
# changing we wait this long for it to finish. A file that fails to read and then stays unchanged for
# SETTLE_SECONDS is at rest, so damaged, and is said to be at once. A second, not less: a save over a
# network folder can stall that long mid-file, and "restore the backup" said then would cost its edit.
SAVE_WAIT_SECONDS = 5.0
SETTLE_SECONDS = 1.0
_LOOK_AGAIN_SECONDS = 0.025


class XlsxBackend(Backend):
    def __init__(self, path: str | Path, *, lock_timeout: float = 10.0, backups: int = BACKUPS_KEPT):
        given = Path(path).expanduser()
        # Everything happens at the file itself, so every run that reaches it shares one lock and one
        # .handover/, and the shared file (not a private copy in place of the link) gets the edit.
        self.path = real_path(given)
        self.link = given if self.path != given else None
        self.label = str(path)
        self.save_wait = SAVE_WAIT_SECONDS
        self.lock_timeout = lock_timeout
        self.backups = backups
        # The tabs as parsed from the bytes of `_grids_digest`, by the name asked and the name in the file
        # (None: no such tab).
        self._grids: dict[str, Grid | None] = {}
        self._grids_digest: bytes | None = None  # sha256 of the bytes last read
        self._parts = False  # the last read was in parts (`read(…, parts=True)`), and so is a fresh one
        # The sheet parts' XML as inflated for a read in parts, by zip member, and the sha256 of the bytes
        # it came from: a write patches that XML instead of inflating it again.
        self._sheet_xml: tuple[bytes | None, dict[str, bytes]] = (None, {})
        self._loaded: tuple[tuple[int, int, int], bytes] | None = None  # (stat, sha256) of what a write laid onto

    # -------------------------------------------------------------------------------- reading

    def _load(self) -> bytes:
        try:
            if not stat.S_ISREG(self.path.stat().st_mode) and not self.path.is_dir():
                # A pipe or a device would block the read forever (or never end): only a file is a workbook.
                raise SheetError(f"{self.path} 不是普通文件（是管道或设备），不是工作簿：--sheet 要指向 .xlsx 文件")
            return self.path.read_bytes()
        except FileNotFoundError:
            if self.link is not None:
                raise SheetError(f"{self.link} 是指向 {self.path} 的链接，但那个文件不存在了：请把链接指向现在的工作簿") from None
            raise SheetError(f"找不到工作簿 {self.path}：用 `handover init {self.path}` 新建一个") from None
        except IsADirectoryError:
            raise SheetError(f"{self.path} 是文件夹，不是工作簿") from None
        except PermissionError:
            raise SheetError(f"你没有读 {self.path} 的权限：请文件主人给你读权限，或换有权限的账号运行") from None
        except OSError as error:
            raise SheetError(f"读不了工作簿 {self.path}（{error.strerror}）") from None

    def read(self, tabs: Sequence[str], *, parts: bool = False) -> dict[str, Grid | None]:
        # calamine reads the path itself (faster than from a buffer); the fingerprint is of the bytes
        # on disk, and a save landing between the two reads is caught by comparing stat before and after.
        # A read in parts cuts the bytes read (xlsx_parts).
        deadline = time.monotonic() + self.save_wait
        while True:
            before = self._stat()
            data = self._load()
            failure: Exception | None = None
            try:
                if parts:
                    grids = self._parts_of(data, tabs)
                else:
                    grids = self._grids_of(data, tabs)
            except _READ_FAILURES as error:
                failure = error
            after = self._stat()
            if after == before:
                if failure is None:
                    digest = hashlib.sha256(data).digest()
                    if digest != self._grids_digest or parts != self._parts:
                        self._grids = {}
                    self._grids_digest = digest
                    self._parts = parts
                    self._grids.update(grids)
                    self._grids.update({grid.tab: grid for grid in grids.values() if grid is not None})
                    return grids
                if self._stays(after):
                    raise damaged_workbook(self.path, data, failure, newest_backup(self.path)) from failure
            if time.monotonic() > deadline:
                raise SheetBusyError(
                    f"另一个程序正在保存 {self.path.name}（等了 {self.save_wait:g} 秒还没保存完）：请等它保存完再运行这条命令"
                )
            time.sleep(_LOOK_AGAIN_SECONDS)

    def _stays(self, status: tuple[int, int, int]) -> bool:
        """Whether the file stays as it is for SETTLE_SECONDS (looking often, to retry a save soon)."""
        for _ in range(round(SETTLE_SECONDS / _LOOK_AGAIN_SECONDS)):
            time.sleep(_LOOK_AGAIN_SECONDS)
            if self._stat() != status:
                return False
        return True

    def _stat(self) -> tuple[int, int, int]:
        try:
            status = self.path.stat()
        except OSError:
            self._load()  # raises the message that fits (missing file, folder, permission)
            raise
        # The inode too: a program that saves by renaming a new file over this one may keep size and time.
        return status.st_mtime_ns, status.st_size, status.st_ino

    def _grids_of(self, data: bytes, tabs: Sequence[str], *, from_disk: bool = True) -> dict[str, Grid | None]:
        """The tabs of the workbook `data` (calamine reads it from the file itself when it is the file's
        bytes, `from_disk`: faster than from a buffer); a big tab decoded in halves on two cores."""
        workbook = CalamineWorkbook.from_path(str(self.path)) if from_disk else CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = {unicodedata.normalize("NFC", name): name for name in workbook.sheet_names}
        grids: dict[str, Grid | None] = {}
        for tab in tabs:
            name = names.get(unicodedata.normalize("NFC", tab))
            if name is None:
                grids[tab] = None
                continue
            rows = tab_in_halves(data, name)
            if rows is None:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            header = _header_texts(rows[0]) if rows else []
            del rows[:1]
            grids[tab] = Grid(tab=name, header=header, rows=rows)
        workbook.close()
        return grids

    def _parts_of(self, data: bytes, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """The tabs read in parts from these bytes: each tab's sheet part inflated now (a write patches
        it), its first rows decoded, the rest as asked for. Remembers the XML for the write."""
        from .xlsx_package import sheet_parts
        from .xlsx_parts import Decoder, PartGrid, PartRows, SheetParts

        package = zipfile.ZipFile(io.BytesIO(data))
        members = sheet_parts(package)
        names = {unicodedata.normalize("NFC", name): name for name in members}
        decoder: Decoder | None = None
        grids: dict[str, Grid | None] = {}
        inflated: dict[str, bytes] = {}
        for tab in tabs:
            name = names.get(unicodedata.normalize("NFC", tab))
            if name is None:
                grids[tab] = None
                continue
            decoder = decoder or Decoder(package)
            xml = inflated[members[name].path] = package.read(members[name].path)

            def whole(name: str = name) -> list[list]:
                workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
                try:
                    return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                finally:
                    workbook.close()

            parts = SheetParts(xml, decoder, whole)
            grids[tab] = PartGrid(name, _header_texts(parts.row(1)), PartRows(parts, 2))  # type: ignore[arg-type]
        self._sheet_xml = (hashlib.sha256(data).digest(), inflated)
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
        # Writing the package is for the commands that write: a read-only command never loads it.
        from .rebase import lay, refuse
        from .xlsx_package import add_sheet, grow_filter, grow_tables, rewrite_package, sheet_parts
        from .xlsx_patch import new_sheet_xml, patch_sheet

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
            raise damaged_workbook(self.path, data, error, newest_backup(self.path)) from error
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
            xml = replaced.get(part.path) or self._inflated(digest, package, part.path)
            replaced[part.path] = patch_sheet(xml, edits, tab=write.tab)
            appended = result.appended_rows.get(write.tab)
            if appended:
                replaced.update(grow_tables(package, part.path, appended[0] - 1, appended[-1],
                                            read=_PackageView(package, replaced).read))
            if appended or tab.added_columns:
                workbook_xml = _PackageView(package, replaced).read("xl/workbook.xml")
                sheet_xml, grown_workbook = grow_filter(
                    replaced[part.path], workbook_xml, grid.tab, (appended[0] - 1, appended[-1]) if appended else None,
                    (tab.added_columns[0] - 1, tab.added_columns[-1]) if tab.added_columns else None)
                replaced[part.path] = sheet_xml
                if grown_workbook != workbook_xml:
                    replaced["xl/workbook.xml"] = grown_workbook
        self._format_appended(package, [(current[w.tab].tab if current[w.tab] else w.tab, tab) for w, tab in zip(writes, laid)],
                              result, replaced, added)
        new_data = rewrite_package(data, replaced, added)
        self._replace(new_data)
        return result

    def _current(self, data: bytes, digest: bytes, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """The tabs as the loaded bytes hold them: our read's grids when the bytes are the ones we read,
        else parsed afresh (someone saved the file meanwhile), in parts if our read was."""
        if digest == self._grids_digest and all(tab in self._grids for tab in tabs):
            return {tab: self._grids[tab] for tab in tabs}
        try:
            if self._parts:
                return self._parts_of(data, tabs)
            return self._grids_of(data, tabs, from_disk=False)
        except _READ_FAILURES as error:
            raise damaged_workbook(self.path, data, error, newest_backup(self.path)) from error

    def _inflated(self, digest: bytes, package: zipfile.ZipFile, member: str) -> bytes:
        """A sheet part's XML: as a read in parts of these very bytes inflated it, else inflated now."""
        known, inflated = self._sheet_xml
        return inflated[member] if known == digest and member in inflated else package.read(member)

    def _refuse_if_changed_since_load(self) -> None:
        """The last look before the replace: the file must still be the one this write was laid onto
        (size, mtime and hash), or a program that saved it without our lock would lose its edit."""
        assert self._loaded is not None
        stat, digest = self._loaded
        if self._stat() != stat or hashlib.sha256(self._load()).digest() != digest:
            raise SheetChangedError(f"{self.path} 在写入前的一刻被别的程序保存了：这次什么也没写入，请重新运行这条命令")

    def _state_dir(self) -> Path:
        """`.handover/` beside the workbook itself, with the write lock in it. Every run that reaches this
        file, by any path and as any user who may write it, must share them: the folder gets its parent's
        owner and mode, the lock the workbook's, whoever happened to make them first."""
        folder = self.path.parent
        directory = folder / STATE_DIR
        lock = directory / f"{self.path.name}.lock"
        try:
            make_folder_like(directory, folder.stat())
            if not directory.is_dir():  # someone's own file happens to bear the name
                raise SheetWriteError(
                    f"{directory} 是一个文件，但 handover 要在这个位置建文件夹放写入锁和备份，{self.path.name} "
                    f"什么都没有写入：把这个文件改个名字（或挪走）后重新运行"
                )
            self._refuse_unusable_state(directory, os.W_OK | os.X_OK)
            try:
                os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                self._refuse_unusable_state(lock, os.R_OK | os.W_OK)
            else:
                share_like(lock, self.path.stat(), mode_mask=0o666)
        except OSError as error:
            raise write_failure(error, self.path) from error
        return directory

    def _refuse_unusable_state(self, made: Path, access: int) -> None:
        if not os.access(made, access):
            raise SheetWriteError(
                f"你没有权限使用 {made}（属于 {owner_name(made.stat().st_uid)}；handover 的写入锁和备份在这里），"
                f"{self.path.name} {NOTHING_WRITTEN}：请它的主人给你写权限，或删掉它让 handover 重建"
            )

    def _replace(self, new_data: bytes) -> None:
        """Temp file beside the workbook with its owner and mode, fsync, keep the old file as a backup,
        atomic rename. Runs under the write lock, so temp files a killed run left can be cleaned first."""
        if self.link is not None:
            # Excel or WPS opened through the link leaves its lock file beside the link.
            refuse_office_locks(self.link)
        clean_stale_temps(self.path)
        try:
            temp = write_beside(self.path, new_data, like=self.path.stat())
        except OSError as error:
            raise write_failure(error, self.path, size=len(new_data)) from error
        try:
            self._backup()
            self._refuse_if_changed_since_load()
            os.replace(temp, self.path)
        except BaseException as error:
            temp.unlink(missing_ok=True)
            if isinstance(error, OSError) and error.errno is not None:
                raise write_failure(error, self.path) from error
            raise
        sync_folder(self.path.parent)

    def _backup(self) -> None:
        backups = self._state_dir() / "backups"
        make_folder_like(backups, backups.parent.stat())
        target = backups / f"{self.path.stem}-{datetime.now().strftime(_BACKUP_STAMP)}{self.path.suffix}"
        clean_stale_temps(target, _backup_name(self.path))  # a copy a killed run left half-made
        try:
            # The replace gives the workbook a new inode, so a hard link keeps the old bytes for free.
            os.link(self.path, target)
        except OSError:
            # No hard links on this file system (or not allowed to a non-owner): an atomic copy that
            # keeps the workbook's owner and mode, so a full disk leaves no half backup.
            os.replace(write_beside(target, self.path.read_bytes(), like=self.path.stat()), target)
        mine = backups_of(self.path)
        for old in mine[: max(0, len(mine) - self.backups)]:
            old.unlink(missing_ok=True)


    # ---------------------------------------------------------------------- additions

    def tab_names(self) -> list[str]:
        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
        except (CalamineError, ValueError, OSError) as error:
            data = self._load()  # the message that fits a missing file, a folder or no permission
            raise damaged_workbook(self.path, data, error, newest_backup(self.path)) from error
        names = list(workbook.sheet_names)
        workbook.close()
        return names

    def _format_appended(self, package, laid: list[tuple[str, Laid]], result: WriteResult, replaced: dict[str, bytes],
                         added: dict[str, bytes]) -> None:
        """TabWrite.number_formats: a cell style per format, given to the cells just appended and to the
        blank cells the changes filled, unless someone styled one of those. `laid`: (the tab's name in
        the workbook, the write as laid onto it)."""
        from .xlsx_package import number_format_styles, sheet_parts
        from .xlsx_patch import style_cells

        wanted = [(name, tab) for name, tab in laid
                  if tab.formats and (result.appended_rows.get(tab.tab) or tab.filled)]
        if not wanted or "xl/styles.xml" not in package.namelist():
            return
        view = _PackageView(package, replaced)
        styles, index = number_format_styles(view.read("xl/styles.xml"), [c for _, t in wanted for c in t.formats.values()])
        if not index:
            return
        replaced["xl/styles.xml"] = styles
        parts = sheet_parts(view)  # type: ignore[arg-type] - reads workbook.xml as this plan left it
        for name, tab in wanted:
            part = parts.get(name)
            if part is None:
                continue
            columns = {column: index[code] for column, code in tab.formats.items() if code in index}
            cells = {row: dict(columns) for row in result.appended_rows.get(tab.tab, [])}
            for row, column in tab.filled:
                if column in columns:
                    cells.setdefault(row, {})[column] = columns[column]
            if part.path in added:
                added[part.path] = style_cells(added[part.path], cells)
            else:
                replaced[part.path] = style_cells(view.read(part.path), cells, unless_styled=tab.filled)


_BACKUP_STAMP = "%Y%m%d-%H%M%S-%f"
# What a workbook that cannot be read raises: calamine's error, or the zip's when a read in parts opens it.
_READ_FAILURES = (CalamineError, ValueError, OSError, zipfile.BadZipFile, zlib.error, KeyError, EOFError)


def _backup_name(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"-\d{8}-\d{6}-\d{6}" + re.escape(path.suffix))


def backups_of(path: Path) -> list[Path]:
    """The backups `_backup` kept of this workbook, oldest first (never those of `店铺-旧.xlsx` beside it)."""
    folder = path.parent / STATE_DIR / "backups"
    pattern = _backup_name(path)
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if pattern.fullmatch(entry.name))
    except OSError:
        return []
    return [folder / name for name in names]


def newest_backup(path: Path) -> Path | None:
    mine = backups_of(path)
    return mine[-1] if mine else None


class _PackageView:
    """The package as already edited by earlier writes of the same plan, for add_sheet to read."""

    def __init__(self, package, replaced: dict[str, bytes]):
        self.package = package
        self.replaced = replaced

    def read(self, name: str) -> bytes:
        return self.replaced.get(name) or self.package.read(name)

    def namelist(self) -> list[str]:
        return self.package.namelist()


def _header_texts(row: Sequence) -> list[str]:
    """Row 1 as the header a Grid holds: each cell's text, stripped."""
    return [str(value).strip() if value not in ("", None) else "" for value in row]


def _column_widths(header: Sequence[str]) -> dict[int, float]:
    return {index: column_width(name) for index, name in enumerate(header)}


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
