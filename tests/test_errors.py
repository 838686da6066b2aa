"""The errors the library raises, as the `Error: …` line a person reads: where, in the words of every
other message (第 N 行「列」), never `row 3, column 订单号`."""

from __future__ import annotations

import re

import pytest

from handover import commands
from handover.errors import CellError, place


@pytest.mark.parametrize("where, said", [
    ({"row": 7, "column": "订单号"}, "第 7 行「订单号」"),
    ({"file": "退款.csv", "row": 7, "column": "订单编号"}, "退款.csv 第 7 行「订单编号」"),
    ({"file": "handover.xlsx", "tab": "退货", "row": 3, "column": "超时时间"}, "handover.xlsx 「退货」标签页第 3 行「超时时间」"),
    ({"tab": "交接", "row": 3}, "「交接」标签页第 3 行"),
    ({"column": "订单号"}, "「订单号」列"),
    ({}, ""),
])
def test_a_cell_error_says_where_as_every_other_message_does(where, said):
    error = CellError("看不懂的时间", **where)
    assert str(error) == (f"{said}：看不懂的时间" if said else "看不懂的时间")
    assert place(**where) == said


def test_a_library_error_about_a_cell_reaches_the_command_line_in_chinese(run, monkeypatch):
    """A shop's own code (or a future command) raising CellError: the one `Error:` line names the cell in
    Chinese, with no English left in it."""
    def refuse(*args, **kwargs):
        raise CellError("订单号为空", file="handover.xlsx", tab="交接", row=5, column="订单号")

    monkeypatch.setattr(commands, "pull", refuse)
    result = run("pull", "--sheet", "handover.xlsx")
    assert (result.exit_code, result.stderr) == (1, "Error: handover.xlsx 「交接」标签页第 5 行「订单号」：订单号为空\n")
    assert not re.search(r"\b(row|column|tab|file)\b", result.stderr)
