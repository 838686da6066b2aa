"""The one rebase both backends use: a write planned on one read, laid onto the tab as it is now."""

from __future__ import annotations

import pytest

from handover.backends.rebase import lay, refuse
from handover.errors import SheetChangedError
from handover.sheet import CellChange, TabWrite, WriteResult

HEADER = ["编号", "类型", "订单号", "状态"]
READ = [HEADER, ["H1", "漏发", "1", "待处理"], ["", "催货", "2", "待处理"], ["H3", "漏发", "3", "待处理"]]


def laid_on(write: TabWrite, now: list[list]):
    result, conflicts = WriteResult(), []
    return lay(write, now, result, conflicts), result, conflicts


def done(row: int, row_id: str) -> CellChange:
    return CellChange(row, row_id, "状态", "待处理", "已完成", row_cells=None if row_id else READ[row - 1])


def test_a_title_row_someone_put_above_the_header_moves_every_row_down():
    now = [["小鹿服饰 交接表"], *READ]
    laid, result, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[done(2, "H1"), done(3, "")]), now)
    assert conflicts == [] and laid.cells == {(3, 3): "已完成"}
    assert result.moved_rows == {"交接": {"H1": 3}} and result.skipped_rows == {"交接": [3]}


def test_a_row_without_id_is_written_where_it_still_is_unchanged():
    laid, result, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[
        CellChange(3, "", "编号", None, "H2", row_cells=READ[2])]), [list(row) for row in READ])
    assert (laid.cells, result.skipped_rows, conflicts) == ({(3, 0): "H2"}, {}, [])


def test_a_row_without_id_needs_the_row_as_read():
    with pytest.raises(ValueError, match="row_cells"):
        laid_on(TabWrite("交接", HEADER, "编号", changes=[CellChange(3, "", "编号", None, "H2")]), READ)


def test_an_id_someone_gave_another_row_meanwhile_is_not_given_twice():
    now = [list(row) for row in READ] + [["H2", "漏发", "9"]]
    _, _, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[
        CellChange(3, "", "编号", None, "H2", row_cells=READ[2])]), now)
    assert conflicts == ["「交接」要补的编号 H2 已经在第 5 行了（有人同时补了编号？）"]


def test_added_columns_go_right_of_every_used_cell_and_appends_below_the_last_used_row():
    now = [list(row) for row in READ] + [[], ["", "", "", "", "", "", "便签"]]
    laid, result, conflicts = laid_on(TabWrite("交接", HEADER, "编号", add_columns=["处理人"],
                                               appends=[["H4", "漏发", "4", None, "小周"]]), now)
    assert conflicts == [] and laid.cells == {(1, 7): "处理人"}
    assert (laid.append_first, laid.appends) == (7, [{0: "H4", 1: "漏发", 2: "4", 7: "小周"}])
    assert result.appended_rows == {"交接": [7]} and laid.size() == (7, 8)


def test_a_blank_tab_gets_the_header():
    laid, _, conflicts = laid_on(TabWrite("记录", ["订单号", "金额"], create=True, appends=[["1", 2]]), None)
    assert conflicts == [] and laid.by_row() == {1: {0: "订单号", 1: "金额"}, 2: {0: "1", 1: 2}}


def test_a_header_no_longer_found_and_a_column_gone_stop_the_write():
    _, _, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[done(2, "H1")]), [["别的"], ["x"]])
    assert conflicts == ["「交接」找不到表头了（读取时在第 1 行）"]
    now = [["编号", "类型", "订单号"], *[row[:3] for row in READ[1:]]]
    _, _, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[done(2, "H1")]), now)
    assert conflicts == ["「交接」的表头里没有「状态」列了"]
    with pytest.raises(SheetChangedError, match=r"^表格 在读取之后被别人改过，这次什么也没写入：「交接」的表头里没有「状态」列了。"):
        refuse("表格", conflicts)


def test_a_row_someone_copied_meanwhile_leaves_its_id_on_two_rows_and_stops_the_write():
    # A title row above moved every row down, and someone copied H1's row to the bottom: which is ours?
    now = [["小鹿服饰 交接表"], *READ, ["H1", "漏发", "1", "待处理"]]
    _, _, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[done(2, "H1"), done(4, "H3")]), now)
    assert conflicts == ["「交接」里编号 H1 出现在 2 行（第 3、6 行）：请先把编号改成不重复"]
    # Still on the row it was read on, a copied row's id is found there.
    _, _, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[done(2, "H1")]), [*READ, ["H1 ", "漏发"]])
    assert conflicts == []


def test_ids_the_tab_now_holds_padded_or_as_numbers_are_found_and_other_doubled_ids_do_not_matter():
    now = [HEADER, [12.0, "漏发", "1", "待处理"], ["H5", "漏发", "5", ""], [" H3", "漏发", "3", "待处理"],
           ["H5", "漏发", "5", ""]]
    laid, result, conflicts = laid_on(TabWrite("交接", HEADER, "编号", changes=[
        CellChange(4, "H3", "状态", "待处理", "已完成"), CellChange(2, "12", "状态", "待处理", "已完成")]), now)
    assert (conflicts, laid.cells) == ([], {(4, 3): "已完成", (2, 3): "已完成"})
    assert result.moved_rows == {}
