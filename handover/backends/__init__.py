"""Where the sheet lives. Every backend implements `sheet.Backend`; nothing above this package knows
which one it has, and nothing in it knows a business tab.

- `xlsx` (with `xlsx_parts`, `xlsx_patch`, `xlsx_package`): a local workbook, read with calamine (whole,
  or in parts: the rows and columns a command asks for) and written by patching only the rows a write
  changes, under a lock, atomically, with backups;
- `google` (with `google_plan`, `google_http`): a Google Sheet, one read and one batched write;
- `rebase`: how every backend lays a write onto the tab as it is at write time;
- `files`, `office_locks`: the user's files as they keep them (links, modes, owners, full disks, lock
  files of Excel, WPS and LibreOffice);
- `newbook`: a new workbook from `sheet.TabSpec`s.

The backend modules are imported only when a command uses them: `google_key` below is all it takes to
tell a Google Sheet from a workbook.
"""

from __future__ import annotations

import re

_GOOGLE_URL = re.compile(r"docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_GOOGLE_KEY = re.compile(r"^[A-Za-z0-9_-]{30,}$")


def google_key(source: str) -> tuple[str, int | None] | None:
    """(key, gid) when `source` names a Google Sheet (URL or bare key), else None."""
    match = _GOOGLE_URL.search(source)
    if match:
        gid = re.search(r"[#?&]gid=(\d+)", source)
        return match.group(1), int(gid.group(1)) if gid else None
    if _GOOGLE_KEY.match(source) and not source.lower().endswith((".xlsx", ".xlsm")):
        return source, None
    return None
