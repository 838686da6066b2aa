"""Small handover workbooks written on the spot, for tests about one row or one file-system case.

A control character cannot be stored in an xlsx cell as is: Excel writes it as `_x001B_`, and readers
(calamine included) turn that back into the character. `escaped` does the same for what a test types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

HEADER = ["编号", "登记时间", "平台", "类型", "订单号", "买家", "电话", "快递公司", "快递单号", "原地址", "新地址",
          "问题描述", "状态"]


def escaped(text: str) -> str:
    """Control characters as Excel stores them in a cell."""
    return re.sub(r"[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def handover_workbook(path: Path, rows: Sequence[dict[str, object]], *, header: Sequence[str] = HEADER,
                      tab: str = "交接", other_tabs: Sequence[str] = ()) -> Path:
    """A workbook whose handover tab holds `rows` (header -> value; missing headers are blank)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = tab
    sheet.append(list(header))
    for row in rows:
        sheet.append([escaped(v) if isinstance(v, str) else v for v in (row.get(name) for name in header)])
    for name in other_tabs:
        book.create_sheet(name)
    book.save(path)
    return path
