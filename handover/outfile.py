"""Where `--out` writes (SPEC "The user's files").

`--out` never writes onto the sheet the command read (however its path is spelled: relative, through
`..`, a symlink, another case on a case-folding disk: the file system says whether two paths are one
file), nor onto a file the command reads, nor into any workbook that holds a handover tab. The check
runs before the command does its work, so a refused `--out` costs nothing and never leaves a command
that also writes the sheet (`compensation --commit`) half done. A missing folder, a full disk or a
folder without write permission is one `Error:` line; the old file is then left as it was.
"""

from __future__ import annotations

import errno
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .errors import HandoverError
from .model.schema import TABS

if TYPE_CHECKING:
    from .workspace import Workspace


class OutFileError(HandoverError):
    """`--out` names a file that must not, or cannot, be written."""


def check_out_path(out: str | os.PathLike[str], workspace: Workspace, *,
                   inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """The file `--out` will write (symlinks followed), or OutFileError saying why it may not.
    `inputs` are the other files the command reads (order exports …): never overwritten either."""
    try:
        return _checked_out_path(out, workspace, inputs)
    except PermissionError as error:  # a folder on the way this account may not enter
        raise OutFileError(write_problem(out, error)) from None


def _checked_out_path(out: str | os.PathLike[str], workspace: Workspace,
                      inputs: Iterable[str | os.PathLike[str]]) -> Path:
    from .backends.xlsx import XlsxBackend, workbook_tab_names  # what a file holds: only once --out names one

    if _special(out):
        return Path(out).expanduser()
    target = Path(os.path.realpath(Path(out).expanduser()))
    if not target.parent.is_dir():
        typed = Path(out).expanduser().parent
        folder = target.parent if typed.is_dir() else typed  # as typed, unless a symlink led elsewhere
        raise OutFileError(f"写不了 {out}（文件夹 {folder} 不存在）：什么都没有写入。请先建好这个文件夹，或换一个 --out 路径")
    if not target.exists():
        return target
    read = [("正在读的表格", workspace.backend.path)] if isinstance(workspace.backend, XlsxBackend) else []
    read += [("正在用的配置文件", workspace.config.path)] if workspace.config.path else []
    read += [("正在读的文件", Path(name).expanduser()) for name in inputs]
    for what, source in read:
        if _same_file(target, source):
            raise OutFileError(f"--out {out} 就是{what} {source}，写进去会把它整个盖掉：请换一个文件名")
    if target.is_file():
        tab_names = workbook_tab_names(target)
        if tab_names is None and _looks_like_a_workbook(target):
            # Encrypted, cut short or damaged: whether it holds a handover tab cannot be seen, so it is kept.
            raise OutFileError(f"--out {out} 是一本打不开的工作簿（设了密码或已损坏），看不出里面有没有交接表，"
                               "不会盖掉它：请换一个文件名")
        names = {_tab_key(name) for name in tab_names or ()}
        for tab in dict.fromkeys((workspace.config.tabs["handover"], TABS["handover"])):
            if _tab_key(tab) in names:
                raise OutFileError(f"--out {out} 是有「{tab}」标签页的交接工作簿，写进去会把整本工作簿盖掉："
                                   "请换一个文件名")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _looks_like_a_workbook(path: Path) -> bool:
    """A zip package, or an OLE file (an .xls, or an encrypted .xlsx)."""
    from .backends.files import CFB_MAGIC  # only once --out names an existing file

    with open(path, "rb") as stream:
        return stream.read(8).startswith((b"PK\x03\x04", CFB_MAGIC))


def _tab_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def _special(out: str | os.PathLike[str]) -> bool:
    """A pipe or a device (`/dev/stdout`, `/dev/null`): written into as it is, never replaced by a file
    and never read as a workbook."""
    path = Path(out).expanduser()
    return path.exists() and not path.is_file() and not path.is_dir()


class StagedOut:
    """An `--out` file written in full beside its target (a temp file synced to disk, with the mode and
    owner of the file it will replace: `files.write_beside`), then moved into place by `publish`, or
    removed by `discard`. Everything that can go wrong with the file (no permission, a full disk) goes
    wrong while staging, before anything else the command writes. A symlink is written through to its
    target; a pipe or a device is written into when published."""

    def __init__(self, out: str | os.PathLike[str], data: bytes):
        self.out = out
        self.special = _special(out)
        self.target = Path(out).expanduser() if self.special else Path(os.path.realpath(Path(out).expanduser()))
        self.temp: Path | None = None
        self.data = data
        if not self.special:
            self.rewrite(data)

    def rewrite(self, data: bytes) -> None:
        """Stage other content instead (the same file with what the command learnt meanwhile)."""
        self.discard()
        self.data = data
        if self.special:
            return
        from .backends.files import write_beside  # the user's files rules: loaded once --out is written

        try:
            like = self.target.stat() if self.target.exists() else None
            self.temp = write_beside(self.target, data, like=like)
        except OSError as error:
            raise OutFileError(write_problem(self.out, error)) from None

    def publish(self) -> Path:
        try:
            if self.special:
                with open(self.target, "wb") as stream:
                    stream.write(self.data)
            else:
                assert self.temp is not None
                os.replace(self.temp, self.target)
                self.temp = None
        except OSError as error:
            self.discard()
            raise OutFileError(write_problem(self.out, error)) from None
        return self.target

    def discard(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.temp = None


def write_out(out: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8) to the `--out` file, whole or not at all, keeping an existing file's mode."""
    StagedOut(out, text.encode("utf-8")).publish()


def write_problem(out: str | os.PathLike[str], error: OSError) -> str:
    """The one line for an `--out` file that could not be written, with what to do next."""
    folder = Path(os.path.realpath(Path(out).expanduser())).parent
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"写不了 {out}：磁盘空间不够。清出一些空间再运行，或换一个磁盘上的文件夹；原来的文件没有动"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"写不了 {out}：没有写入 {folder} 的权限。换一个能写的文件夹，或请管理员开放权限"
    return f"写不了 {out}（{reason}）"
