"""The lock files Excel, WPS and LibreOffice leave beside a workbook they have open, and who they name.

A workbook open in one of them is not written: the person would save over our edit, or we over theirs.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SheetBusyError
from ..printable import one_line
from .files import refuse_read_only


def office_lock_files(path: Path) -> list[Path]:
    """The lock files Excel/WPS (`~$name.xlsx`, with the name shortened for long names) and
    LibreOffice (`.~lock.name.xlsx#`) leave beside a workbook they have open."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates += [f"~${name[2:]}", f"~${name[1:]}"]
    return [path.with_name(candidate) for candidate in candidates if path.with_name(candidate).exists()]


def lock_owner(lock_file: Path) -> str | None:
    """Who holds an office lock file, when it says, as plain text: the name is whatever the other
    program wrote, and it reaches our terminal."""
    try:
        data = lock_file.read_bytes()[:512]
    except OSError:
        return None
    if lock_file.name.startswith(".~lock."):
        # LibreOffice: "Full Name,login,host,date,profile;"
        fields = data.decode("utf-8", "replace").split(",")
        return next(filter(None, map(_plain, fields[:2])), None)
    trusted, guesses = _excel_owner_names(data)
    for name in trusted:
        if _plain(name):
            return _plain(name)
    # No length field agrees: the decoding that is printable as it stands is the right one.
    for name in guesses:
        if name and name.isprintable():
            return _plain(name)
    return next(filter(None, map(_plain, guesses)), None)


def _excel_owner_names(data: bytes) -> tuple[list[str], list[str]]:
    """Excel/WPS owner file: a length byte and the name in the ANSI code page, padded to 54 bytes, then
    a 16-bit length and the same name in UTF-16LE. The UTF-16 decodings whose 16-bit length agrees with
    the length byte, and every decoding (UTF-16 first, then ANSI) to guess from when none does."""
    if not data:
        return [], []
    length = data[0]
    trusted, guesses = [], []
    if len(data) >= 56 + 2 * length and length:
        for start in (56, 55, 54):
            try:
                name = data[start: start + 2 * length].decode("utf-16-le").strip("\x00 ")
            except UnicodeDecodeError:
                continue
            guesses.append(name)
            if int.from_bytes(data[start - 2: start], "little") == length:
                trusted.append(name)
    if 0 < length < 54:
        for encoding in ("utf-8", "gbk", "latin-1"):
            try:
                guesses.append(data[1: 1 + length].decode(encoding).strip("\x00 "))
            except UnicodeDecodeError:
                continue
    return trusted, guesses


_OWNER_NAME_MAX = 40


def _plain(text: str) -> str:
    return one_line(text, _OWNER_NAME_MAX)


def refuse_if_open_elsewhere(path: Path) -> None:
    """Refuse, before anything is written, a workbook that must not be written now: marked read-only
    (or this user may not write it), or open in Excel/WPS/LibreOffice."""
    refuse_read_only(path)
    refuse_office_locks(path)


def refuse_office_locks(path: Path) -> None:
    for lock_file in office_lock_files(path):
        owner = lock_owner(lock_file)
        who = f"{owner} 正在" if owner else "有人正在"
        raise SheetBusyError(
            f"{who}用 Excel/WPS/LibreOffice 打开 {path.name}（锁文件 {lock_file.name}）：请先保存并关闭它再运行；"
            "如果确定没人在用，删掉这个锁文件即可"
        )
