"""The user's files as they keep them: reached through a link, marked read-only, owned by a teammate,
on a full disk, left half-written by a killed run, or damaged.

The local workbook backend and `handover init` write through here, so the rules live once:
- a symlink is written through to its target, never replaced by a private copy;
- a file or folder whose write bits are all off is not written, whoever runs the command, root included;
- what we write keeps the owner and mode of the file it replaces;
- a temp file is written beside the target, synced, then renamed over it; one a killed run left is
  cleaned by the next write;
- every failure is one line in Chinese saying what to do next.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shlex
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path

from ..errors import SheetDamagedError, SheetError, SheetReadOnlyError, SheetWriteError

NOTHING_WRITTEN = "什么都没有写入"


def real_path(path: Path) -> Path:
    """The file a path names: a symlink is followed to its target (through any chain of links)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


# ------------------------------------------------------------------------------ may we write?

def refuse_read_only(path: Path) -> None:
    """Refuse, before anything is written, a workbook this run must not write.

    Write bits all off is the owner's word that the file stays as it is: refused even for root, who
    could write it anyway. Otherwise this user needs write access to the file and to its folder (the
    temp file and the rename live there)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise SheetError(f"{path} 不见了（在读取之后被删除或改名），{NOTHING_WRITTEN}：确认工作簿还在，再运行一次") from None
    if not status.st_mode & 0o222:
        raise SheetReadOnlyError(
            f"{path.name} 被设为只读，handover 不会改它（{NOTHING_WRITTEN}）：确实要改的话，先运行 "
            f"chmod u+w {shell_path(path)}（Windows：右键 → 属性，取消勾选“只读”）"
        )
    refuse_read_only_folder(path.parent, path.name)
    if not os.access(path, os.W_OK):
        raise SheetReadOnlyError(
            f"你没有写 {path.name} 的权限（文件属于 {owner_name(status.st_uid)}，权限 {stat.filemode(status.st_mode)}），"
            f"{NOTHING_WRITTEN}：请文件主人给你写权限（例如 chmod g+w {shell_path(path)}），或换有权限的账号运行"
        )


def refuse_read_only_folder(folder: Path, name: str) -> None:
    """The folder where `name` is written (temp file, rename, `.handover/`) must be ours to write."""
    status = folder.stat()
    folder = Path(os.path.abspath(folder))  # named in full: "文件夹 ." would not help anyone
    if not status.st_mode & 0o222:
        raise SheetReadOnlyError(
            f"文件夹 {folder} 被设为只读，handover 不会在里面写 {name}（{NOTHING_WRITTEN}）：确实要写的话，"
            f"先运行 chmod u+w {shell_path(folder)}"
        )
    if _on_read_only_disk(folder):
        raise _read_only_disk(folder, name)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SheetReadOnlyError(
            f"你没有在文件夹 {folder} 里写文件的权限（文件夹属于 {owner_name(status.st_uid)}），handover 要在那里写 "
            f"{name}（{NOTHING_WRITTEN}）：请文件夹主人给你写权限，或换有权限的账号运行"
        )


def _read_only_disk(folder: Path, name: str) -> SheetReadOnlyError:
    return SheetReadOnlyError(f"{folder} 在只读的磁盘上，写不了 {name}（{NOTHING_WRITTEN}）：把工作簿复制到可写的文件夹再用")


def _on_read_only_disk(folder: Path) -> bool:
    if not hasattr(os, "statvfs"):
        return False
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def owner_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def shell_path(path: Path) -> str:
    """A path the user can paste into a shell as it is."""
    text = str(path)
    return shlex.quote(text) if re.search(r"[\s'\"$`\\!*?;&|<>()#]", text) else text


# ---------------------------------------------------------------------------------- writing

def temp_name_pattern(target: Path) -> re.Pattern[str]:
    """The names `write_beside` gives its temp files (tempfile's 8 random characters)."""
    return re.compile(re.escape(f".{target.name}.") + r"[a-z0-9_]{8}" + re.escape(".tmp"))


def write_beside(target: Path, data: bytes, like: os.stat_result | None = None) -> Path:
    """`data` in a temp file beside `target`, synced to disk, with the owner and mode of `like` (the
    file it will replace; a new file gets the user's usual mode): ready to be renamed over `target`.
    Nothing is left behind on failure."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if like is not None:
            share_like(temp, like, mode_mask=0o777)
        else:
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600: a new workbook is for the team
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share_like(path: Path, like: os.stat_result, *, mode_mask: int) -> None:
    """Give `path` the owner, group and mode of `like` where this user may (root always may; anyone may
    set a group they belong to). Mode last: a chown can clear mode bits."""
    if hasattr(os, "chown"):
        for uid, gid in ((like.st_uid, like.st_gid), (-1, like.st_gid)):
            try:
                os.chown(path, uid, gid)
                break
            except PermissionError:
                continue
    os.chmod(path, like.st_mode & mode_mask)


def make_folder_like(folder: Path, like: os.stat_result) -> None:
    """Make `folder` unless it exists, with the owner and mode of `like` (its parent): made by whoever
    runs first, it must serve everyone who may write there."""
    try:
        folder.mkdir()
    except FileExistsError:
        return
    share_like(folder, like, mode_mask=0o7777)


def clean_stale_temps(target: Path, name: re.Pattern[str] | None = None) -> list[Path]:
    """Remove the temp files a killed write of `target` left beside it (as big as the workbook), or
    those of any file in its folder whose name is `name` (a backup's name carries its moment).

    Call only while holding the workbook's write lock: no write of ours is in flight then, so a file
    with our temp name is stale. Anything else in the folder is not ours and is left alone."""
    pattern = temp_name_pattern(target) if name is None else re.compile(
        r"\." + name.pattern + r"\.[a-z0-9_]{8}\.tmp")
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut right after it keeps the new file)."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_failure(error: OSError, target: Path, *, size: int | None = None) -> SheetWriteError | SheetReadOnlyError:
    """One line for an OS error met while writing `target` or a file beside it."""
    folder = Path(os.path.abspath(target.parent))
    where = error.filename or folder
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        need = f"（需要约 {_size(size)}）" if size else ""
        return SheetWriteError(
            f"磁盘满了，写不下 {target.name}{need}，{NOTHING_WRITTEN}，临时文件已删除：请在 {folder} "
            "所在的磁盘腾出空间后重新运行"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return SheetWriteError(
            f"没有权限写 {where}，{target.name} {NOTHING_WRITTEN}：请给这个位置写权限，或换有权限的账号运行"
        )
    if error.errno == errno.EROFS:
        return _read_only_disk(folder, target.name)
    return SheetWriteError(f"写 {target.name} 失败（{error.strerror or error}），{NOTHING_WRITTEN}：请检查 {where} 后重新运行")


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"


# --------------------------------------------------------------------------------- damaged files

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: an .xls, or an encrypted .xlsx


def damaged_workbook(path: Path, data: bytes, error: Exception, backup: Path | None) -> SheetDamagedError:
    """What is wrong with a workbook that could not be read, and what to do next. `data` is the file as
    read, and it did not change while we looked, so nobody is half-way through saving it."""
    name = path.name
    restore = _restore_hint(path, backup)
    if not data:
        return SheetDamagedError(f"{name} 是空文件（0 字节），里面没有工作簿：{restore}")
    if data.startswith(CFB_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return SheetDamagedError(
                f"{name} 设了打开密码，handover 读不了加密的工作簿：请用 Excel/WPS 打开它，去掉密码（文件 → 信息 → "
                "保护工作簿 → 用密码进行加密，清空后保存），或另存为一份不加密的 .xlsx 给 handover 用"
            )
        return SheetDamagedError(
            f"{name} 其实是旧的 .xls（Excel 97-2003）文件，只是扩展名改成了 .xlsx：请用 Excel/WPS 打开它，"
            "另存为 .xlsx（Excel 工作簿）"
        )
    if not data.startswith(b"PK"):
        return SheetDamagedError(
            f"{name} 不是能读取的 xlsx 工作簿（{_what_it_looks_like(data)}）：如果它是别的文件改了扩展名，"
            "请用 Excel/WPS 打开它，另存为 .xlsx（Excel 工作簿）"
        )
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        return SheetDamagedError(
            f"{name} 不完整（只有 {_size(len(data))}，结尾缺了一截，像是复制或保存到一半断了）：{restore}"
        )
    broken = _broken_part(package)
    if broken:
        return SheetDamagedError(f"{name} 已损坏（{broken}的数据解压不出来）：{restore}")
    if "xl/workbook.xml" not in package.namelist():
        return SheetDamagedError(
            f"{name} 是一个 zip 压缩包，里面没有工作簿（可能是别的文件改了扩展名）：请确认要用的是哪个文件；"
            "如果它是 WPS 或别的程序存的表格，请用它打开，另存为 .xlsx（Excel 工作簿）"
        )
    # The library's own words (in English) stay in the traceback `--verbose` shows.
    return SheetDamagedError(
        f"{name} 里的工作簿有 handover 读不懂的地方：请用 Excel/WPS 打开它，另存为 .xlsx（Excel 工作簿）再试；"
        f"打不开的话，{restore}"
    )


def _restore_hint(path: Path, backup: Path | None) -> str:
    if backup is not None:
        return f"最近的备份是 {backup}，把坏文件改名留着，再把这个备份复制为 {path} 即可恢复"
    return "handover 没有它的备份，请从别处（同事的副本、网盘的历史版本）找回一份"


def _what_it_looks_like(data: bytes) -> str:
    head = data[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "它是纯文本，像 CSV"  # UTF-16, as some exports are
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        return "它是网页或 XML 文本"
    if b"\x00" in head:
        return "文件开头不是 xlsx 的格式"
    return "它是纯文本，像 CSV"


def _broken_part(package: zipfile.ZipFile) -> str | None:
    """The first part whose data cannot be unpacked, named as the user knows it (a tab) where we can."""
    for info in package.infolist():
        try:
            with package.open(info) as member:
                while member.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
            return _part_label(package, info.filename)
    return None


def _part_label(package: zipfile.ZipFile, part: str) -> str:
    try:
        from .xlsx_package import sheet_parts  # only a damaged workbook's message names a tab

        for tab, sheet in sheet_parts(package).items():
            if sheet.path == part:
                return f"「{tab}」标签页（{part}）"
    except Exception:  # the package is damaged: the part's own name will do
        pass
    return part
