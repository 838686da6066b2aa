"""What the user-files tests need to make the files users really have: damaged workbooks, an .xls or an
encrypted workbook under an .xlsx name, a teammate who is not the owner, a full disk.

Damaged files are made here from a good workbook, so each test shows exactly what was broken.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

NOBODY = 65534
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: to own files as another user, or to mount a small disk")


# ------------------------------------------------------------------------------ damaged workbooks

def with_corrupt_sheet_data(workbook: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with garbage in the middle of one part's deflate stream (a bad sector, a bad copy)."""
    package = zipfile.ZipFile(_io(workbook))
    info = package.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(workbook)
    for offset in range(start + 10, start + min(40, info.compress_size - 4)):
        damaged[offset] ^= 0xFF
    return bytes(damaged)


def truncated(workbook: bytes) -> bytes:
    """The first half: a copy or a save cut short."""
    return workbook[: len(workbook) // 2]


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (the container of an .xls and of an encrypted .xlsx): a header, one
    FAT sector, one directory sector, and each stream in regular sectors."""
    sector, free, end, fat_sector, no_stream = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(streams) <= 3, "one directory sector holds the root and three streams"
    fat, body, entries = [fat_sector, end], b"", []
    for index, (name, data) in enumerate(streams.items()):
        data = data.ljust(4096, b"\0")  # at the mini-stream cutoff: stored in regular sectors
        count = -(-len(data) // sector)
        first = len(fat)
        fat += list(range(first + 1, first + count)) + [end]
        body += data.ljust(count * sector, b"\0")
        right = index + 2 if index + 1 < len(streams) else no_stream
        entries.append(_directory_entry(name, 2, no_stream, right, no_stream, first, len(data)))
    entries.insert(0, _directory_entry("Root Entry", 5, no_stream, no_stream, 1 if streams else no_stream, end, 0))
    while len(entries) < 4:
        entries.append(b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, no_stream, no_stream, no_stream) + b"\0" * 48)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, 1, 1, 0, 4096, end, 0, end, 0,
    ) + struct.pack("<109I", 0, *[free] * 108)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    return header + fat_bytes + b"".join(entries) + body


def _directory_entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))


def old_xls() -> bytes:
    """What an Excel 97-2003 workbook looks like from outside: a compound file with a Workbook stream."""
    return compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with an open password: the real package encrypted inside a
    compound file, beside the key's description."""
    return compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": os.urandom(600)})


def _io(data: bytes):
    import io

    return io.BytesIO(data)


# ----------------------------------------------------------------------------------- a teammate

@pytest.fixture
def team_folder():
    """A shared folder outside pytest's private temp tree, so a second user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="handover-team-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def as_teammate(folder: Path, *args: str) -> Outcome:
    """Run `handover ARGS` in `folder` as a teammate who is not the owner of anything there (the
    unprivileged `nobody`), in a forked child so the already-imported code is used as it is."""
    # The child cannot read this interpreter's own files (they are root's): import now what it will use.
    import encodings.cp437  # noqa: F401 - zipfile decodes member names with it

    import filelock  # noqa: F401
    from click.testing import CliRunner

    import handover.backends.files
    import handover.backends.office_locks
    import handover.backends.xlsx
    import handover.backends.xlsx_package
    import handover.backends.xlsx_patch
    import handover.commands  # noqa: F401,E401
    from handover.cli import cli

    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.close(reader)
            os.chdir(folder)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = CliRunner().invoke(cli, list(args))
            outcome = [result.exit_code, result.stdout, result.stderr]
            if result.exception and not isinstance(result.exception, SystemExit):
                outcome[2] += "".join(traceback.format_exception(result.exception))
        except BaseException:
            outcome = [99, "", traceback.format_exc()]
        os.write(writer, json.dumps(outcome).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    return Outcome(*json.loads(data))


# ------------------------------------------------------------------------------------ a full disk

@pytest.fixture
def small_disk(tmp_path):
    """A 128 KB disk (tmpfs) mounted for this test; `fill()` leaves it with almost no room."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {done.stderr.decode().strip()}")
    yield SmallDisk(mount_point)
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


@dataclass
class SmallDisk:
    path: Path

    def make_read_only(self) -> None:
        """Remount it read-only, as a write-protected USB stick or a share mounted `ro`."""
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True, capture_output=True)

    def fill(self) -> None:
        """Take all the space that is left, as the printer spool or a video download did."""
        with open(self.path / "大文件.bin", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip package holding these files: what a workbook is on the outside, without being one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()
