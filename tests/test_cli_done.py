import openpyxl
import pytest
from freezegun import freeze_time

MORNING = "2026-11-23 10:30:00+08:00"


def cells(path, *refs):
    sheet = openpyxl.load_workbook(path)["交接"]
    return [sheet[ref].value for ref in refs]


@freeze_time(MORNING)
def test_done_marks_several_items(run, data_file):
    path = data_file("features.xlsx")
    result = run("done", "H20261122-002", "H20261121-009", "--result", "已联系快递改好", "--by", "阿杰", "--sheet", "features.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "H20261122-002（第 3 行）→ 已完成，处理人 阿杰\n"
        "H20261121-009（第 5 行）→ 已完成，处理人 阿杰\n"
    )
    assert cells(path, "E3", "N3", "O3", "P3") == ["已完成", "阿杰", "2026-11-23 10:30", "已联系快递改好"]
    assert cells(path, "E5", "N5", "O5", "P5") == ["已完成", "阿杰", "2026-11-23 10:30", "已联系快递改好"]
    assert cells(path, "E2", "E4") == [None, None]


@freeze_time(MORNING)
def test_a_sorted_sheet_still_gets_the_right_rows(run, data_file):
    path = data_file("sorted.xlsx")
    # Sorted by 订单号, H20261122-002 is now on row 5 and H20261121-009 on row 4.
    result = run("done", "H20261122-002", "H20261121-009", "--by", "阿杰", "--sheet", "sorted.xlsx")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["交接"]
    done = {sheet.cell(r, 1).value: sheet.cell(r, 5).value for r in range(2, 6)}
    assert done == {"H20261122-001": None, "H20261122-002": "已完成", "H20261122-003": None, "H20261121-009": "已完成"}
    assert "H20261122-002（第 5 行）" in result.stdout and "H20261121-009（第 4 行）" in result.stdout


def test_an_unknown_id_is_an_error_and_nothing_is_written(run, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    result = run("done", "H20261122-002", "H9", "H10", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr == "Error: 表格里没有这些编号：H9、H10（什么都没有写入）\n"
    assert path.read_bytes() == before


@pytest.mark.parametrize("typed", ["", "  "])
def test_done_with_an_empty_id_is_an_error_and_nothing_is_written(run, data_file, typed):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    result = run("done", typed, "--sheet", "features.xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: 没有给出编号（什么都没有写入）：写要标的编号，例如 handover done H20261122-001\n"
    assert path.read_bytes() == before


@freeze_time(MORNING)
def test_status_user_from_config_and_blank_ids_filled(run, tmp_path):
    import openpyxl as xl

    book = xl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(["类型", "订单号", "登记时间"])
    sheet.append(["漏发", "1001", "2026-11-22 21:00"])
    sheet.append(["催货", "1002", "2026-11-22 22:00"])
    book.save(tmp_path / "h.xlsx")
    (tmp_path / "handover.toml").write_text('sheet = "h.xlsx"\nuser = "小周"\n', encoding="utf-8")
    result = run("check", "--assign-ids")
    assert result.exit_code == 0
    assert result.stdout == "检查了 2 行，没有发现问题。\n第 2 行没有编号，已补上 H20261122-001\n第 3 行没有编号，已补上 H20261122-002\n"
    result = run("done", "H20261122-002", "--status", "cancelled")
    assert result.stdout == "H20261122-002（第 3 行）→ 已取消，处理人 小周\n"
    sheet = openpyxl.load_workbook(tmp_path / "h.xlsx")["交接"]
    assert [c.value for c in sheet[1]] == ["类型", "订单号", "登记时间", "编号", "状态", "处理人", "处理时间"]
    assert [c.value for c in sheet[3]] == ["催货", "1002", "2026-11-22 22:00", "H20261122-002", "已取消", "小周", "2026-11-23 10:30"]


@freeze_time(MORNING)
@pytest.mark.parametrize("typed, shown", [("完成", "已完成"), ("取消", "已取消"), ("处理中", "处理中")])
def test_done_with_a_status_written_as_the_sheet_accepts_it(run, data_file, typed, shown):
    data_file("features.xlsx")
    result = run("done", "H20261122-002", "--status", typed, "--by", "小周", "--sheet", "features.xlsx")
    assert (result.exit_code, result.stdout) == (0, f"H20261122-002（第 3 行）→ {shown}，处理人 小周\n")


def test_a_doubled_id_is_refused(run, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(["编号", "类型", "订单号"])
    sheet.append(["H1", "漏发", "1"])
    sheet.append(["H1", "漏发", "2"])
    book.save(tmp_path / "h.xlsx")
    result = run("done", "H1", "--sheet", "h.xlsx")
    assert result.exit_code == 1
    assert result.stderr == "Error: 编号重复，不知道该改哪一行：H1 在第 2、3 行。请先把重复的编号改掉（什么都没有写入）\n"


def test_done_while_open_in_excel(run, data_file, tmp_path):
    data_file("features.xlsx")
    (tmp_path / "~$features.xlsx").write_bytes(b"")
    result = run("done", "H20261122-002", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 有人正在用 Excel/WPS/LibreOffice 打开 features.xlsx（锁文件 ~$features.xlsx）")


def test_verbose_shows_the_traceback(run, data_file):
    data_file("features.xlsx")
    from handover.errors import UnknownIdError

    with pytest.raises(UnknownIdError):
        run("--verbose", "done", "NOPE", "--sheet", "features.xlsx")


@pytest.mark.parametrize("flag", ["-v", "--verbose"])
def test_verbose_typed_after_the_command_shows_the_traceback_too(run, data_file, flag):
    data_file("features.xlsx")
    from handover.errors import UnknownIdError

    with pytest.raises(UnknownIdError):
        run("done", "NOPE", "--sheet", "features.xlsx", flag)


@freeze_time(MORNING)
def test_done_keeps_everything_the_team_built(run, data_file):
    path = data_file("features.xlsx")
    assert run("done", "H20261122-001", "--by", "阿杰", "--sheet", "features.xlsx").exit_code == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["交接", "仓库联系人"]
    sheet = book["交接"]
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == ["E2:E500"]
    assert [str(cf.sqref) for cf in sheet.conditional_formatting] == ["E2:E500"]
    assert sheet["C2"].comment.text == "买家是老客户，优先处理"
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width == 24
    assert [sheet.cell(r, 6).value for r in range(2, 6)] == ["老客户", None, None, "加急"]
    assert (sheet["E2"].value, sheet["O2"].value) == ("已完成", "2026-11-23 10:30")


@freeze_time("2027-01-02 10:00:00+08:00")
def test_a_handled_time_without_a_year_takes_the_year_it_was_logged(run, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(["编号", "类型", "订单号", "登记时间", "处理时间", "状态"])
    sheet.append(["H1", "漏发", "1", "2026-12-31 22:00", "12月31日 23:30", "已完成"])
    book.save(tmp_path / "h.xlsx")
    import json

    data = json.loads(run("check", "--sheet", "h.xlsx", "--format", "json").stdout)
    assert data["problems"] == []
    from zoneinfo import ZoneInfo

    from handover.backends.xlsx import XlsxBackend
    from handover.model.handover_tab import parse_handover

    grid = XlsxBackend(tmp_path / "h.xlsx").read(["交接"])["交接"]
    item = parse_handover(grid, ZoneInfo("Asia/Shanghai")).items[0]
    assert item.handled_at.isoformat() == "2026-12-31T23:30:00+08:00"


@freeze_time(MORNING)
def test_done_and_log_on_a_workbook_saved_by_libreoffice(run, data_file):
    path = data_file("libreoffice.xlsx")
    assert run("done", "H20261122-002", "--by", "阿杰", "--sheet", "libreoffice.xlsx").exit_code == 0
    assert run("log", "--category", "漏发", "--order", "123456", "--by", "小周", "--sheet", "libreoffice.xlsx").exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book["交接"]
    assert (sheet["E3"].value, sheet["N3"].value, sheet["O3"].value) == ("已完成", "阿杰", "2026-11-23 10:30")
    assert [sheet.cell(6, c).value for c in (1, 2, 3)] == ["H20261123-001", "漏发", "123456"]
    assert sheet["F2"].value == "老客户" and sheet["C2"].comment.text == "买家是老客户，优先处理"
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == ["E2:E500"]
    assert book.sheetnames == ["交接", "仓库联系人"]


def _workbook(path, header, *rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


@freeze_time(MORNING)
def test_done_on_one_id_while_two_other_rows_share_an_id_marks_it(run, tmp_path):
    # done reads only the rows it changes: a doubled id elsewhere is check's business, as it always was.
    _workbook(tmp_path / "h.xlsx", ["编号", "类型", "订单号", "状态"],
              ["H1", "漏发", "1", ""], ["H2", "漏发", "2", ""], ["H1", "催货", "3", ""])
    result = run("done", "H2", "--by", "阿杰", "--sheet", "h.xlsx")
    assert (result.exit_code, result.stdout) == (0, "H2（第 3 行）→ 已完成，处理人 阿杰\n")
    sheet = openpyxl.load_workbook(tmp_path / "h.xlsx")["交接"]
    assert [sheet.cell(r, 4).value for r in (2, 3, 4)] == [None, "已完成", None]


@freeze_time(MORNING)
def test_done_on_ids_typed_with_spaces_finds_them_padded_or_stored_as_numbers(run, tmp_path):
    _workbook(tmp_path / "h.xlsx", ["编号", "类型", "订单号", "状态"],
              [" H1 ", "漏发", "1", ""], ["H2", "漏发", "2", ""], [12, "漏发", "3", ""])
    result = run("done", " H1", "12 ", "--by", "阿杰", "--sheet", "h.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "H1（第 2 行）→ 已完成，处理人 阿杰\n12（第 4 行）→ 已完成，处理人 阿杰\n"
    sheet = openpyxl.load_workbook(tmp_path / "h.xlsx")["交接"]
    assert [sheet.cell(r, 4).value for r in (2, 3, 4)] == ["已完成", None, "已完成"]


def test_done_on_an_id_two_rows_share_and_on_one_nobody_has_names_both(run, tmp_path):
    _workbook(tmp_path / "h.xlsx", ["编号", "类型", "订单号"],
              ["H1", "漏发", "1"], ["H2", "漏发", "2"], ["H1", "漏发", "3"])
    before = (tmp_path / "h.xlsx").read_bytes()
    result = run("done", "H9", "--sheet", "h.xlsx")
    assert (result.exit_code, result.stderr) == (1, "Error: 表格里没有这些编号：H9（什么都没有写入）\n")
    result = run("done", "H2", "H1", "--sheet", "h.xlsx")
    assert result.exit_code == 1
    assert result.stderr == "Error: 编号重复，不知道该改哪一行：H1 在第 2、4 行。请先把重复的编号改掉（什么都没有写入）\n"
    assert (tmp_path / "h.xlsx").read_bytes() == before


@freeze_time(MORNING)
def test_done_gives_a_row_without_id_one_no_other_row_holds(run, tmp_path):
    # done parses only H20261122-002's row and the row without id, yet the new id skips the 001 and 003
    # that rows it did not parse hold.
    _workbook(tmp_path / "h.xlsx", ["编号", "类型", "订单号", "登记时间"],
              ["H20261122-001", "漏发", "1", "2026-11-22 21:00"], ["H20261122-002", "漏发", "2", "2026-11-22 21:30"],
              ["H20261122-003", "漏发", "3", "2026-11-22 21:40"], ["", "催货", "4", "2026-11-22 22:00"])
    result = run("done", "H20261122-002", "--by", "阿杰", "--sheet", "h.xlsx")
    assert result.stdout == "H20261122-002（第 3 行）→ 已完成，处理人 阿杰\n第 5 行没有编号，已补上 H20261122-004\n"
    sheet = openpyxl.load_workbook(tmp_path / "h.xlsx")["交接"]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == [f"H20261122-00{n}" for n in range(1, 5)]
