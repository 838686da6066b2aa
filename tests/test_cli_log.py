import openpyxl
import pytest
from freezegun import freeze_time


@freeze_time("2026-11-22 23:40:00+08:00")
def test_log_appends_a_validated_row(run, data_file):
    path = data_file("features.xlsx")
    result = run("log", "--category", "改地址", "--order", "3958120345678999999", "--tracking", "sf 1409 8765 4321 0",
                 "--old-address", "北京市朝阳区建国路 1 号", "--new-address", "=北京市海淀区", "--phone", "13800138000",
                 "--buyer", "张先生", "--platform", "淘宝", "--by", "小周", "--sheet", "features.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记 H20261122-004（第 6 行）：改地址 3958120345678999999\n"
    sheet = openpyxl.load_workbook(path)["交接"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[6]]))
    assert row["编号"] == "H20261122-004" and row["类型"] == "改地址" and row["订单号"] == "3958120345678999999"
    assert row["登记时间"] == "2026-11-22 23:40" and row["状态"] == "待处理"
    assert row["新地址"] == "=北京市海淀区" and sheet.cell(6, header.index("新地址") + 1).data_type == "s"
    assert row["我们的备注"] is None
    # Columns the sheet lacked were added at the end.
    assert header[-3:] == ["登记人", "平台", "店铺"][:0] + header[-3:]
    assert row["登记人"] == "小周" and row["平台"] == "淘宝"


def test_log_refuses_an_incomplete_item_and_writes_nothing(run, data_file):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    result = run("log", "--category", "改地址", "--order", "3.45678901234568E+18", "--sheet", "features.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --order：订单号 3.45678901234568E+18 被表格转成了数字")
    assert "；--new-address：改地址需要新地址" in result.stderr
    assert path.read_bytes() == before


def test_log_needs_a_category(run, data_file):
    data_file("features.xlsx")
    assert run("log", "--order", "1", "--sheet", "features.xlsx").exit_code == 2


# ------------------------------------------------------------------- what the night shift types (issue 10)

def logged_order(path, row: int) -> object:
    sheet = openpyxl.load_workbook(path)["交接"]
    header = [c.value for c in sheet[1]]
    return sheet.cell(row, header.index("订单号") + 1).value


@freeze_time("2026-11-22 23:40:00+08:00")
@pytest.mark.parametrize("typed", ["3958 1203 4567 8905 678", "'3958120345678905678", '="3958120345678905678"',
                                   "３９５８１２０３４５６７８９０５６７８", " 3958120345678905678\t"])
def test_log_with_the_order_id_as_pasted_stores_the_clean_id_it_echoes(run, data_file, typed):
    path = data_file("features.xlsx")
    result = run("log", "--category", "漏发", "--platform", "淘宝", "--order", typed, "--sheet", "features.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记 H20261122-004（第 6 行）：漏发 3958120345678905678\n"
    assert result.stderr == ""
    assert logged_order(path, 6) == "3958120345678905678"


@freeze_time("2026-11-22 23:40:00+08:00")
def test_log_with_spaces_in_the_tracking_number_and_phone_stores_them_clean(run, data_file):
    path = data_file("features.xlsx")
    result = run("log", "--category", "查重量", "--tracking", "sf 1409 8765 4321 0", "--phone", "+86 138 0013 8000",
                 "--buyer", "张先生", "--sheet", "features.xlsx")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["交接"]
    row = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[6]]))
    assert (row["快递单号"], row["电话"]) == ("SF1409876543210", "13800138000")


@pytest.mark.parametrize("platform, typed, says", [
    ("淘宝", "abc", "Error: --order：不是淘宝订单号：abc（淘宝订单号是 18–19 位数字）\n"),
    ("天猫", "12345", "Error: --order：不是天猫订单号：12345 只有 5 位（天猫订单号是 18–19 位数字）\n"),
    ("抖音", "6938-4710-2938", "Error: --order：不是抖音订单号：6938-4710-2938（抖音订单号是 19 位数字）\n"),
    ("拼多多", "PDD231122", "Error: --order：不是拼多多订单号：PDD231122（拼多多订单号是 231122-508812345678901 这样"
                            "（6 位日期-15 位数字））\n"),
    (None, "order", "Error: --order：不是订单号：order（各平台的订单号都是数字）\n"),
])
def test_log_with_an_order_id_the_platform_cannot_have_is_refused_naming_order(run, data_file, platform, typed, says):
    path = data_file("features.xlsx")
    before = path.read_bytes()
    args = ["log", "--category", "漏发", "--order", typed, "--sheet", "features.xlsx"]
    result = run(*args, *(["--platform", platform] if platform else []))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", says)
    assert path.read_bytes() == before


def test_log_return_with_letters_for_a_douyin_order_is_refused_naming_order(run, data_file):
    data_file("features.xlsx")
    result = run("log", "--return", "--platform", "抖音", "--order", "dy12345", "--sheet", "features.xlsx")
    assert result.exit_code == 1 and result.stderr.startswith("Error: --order：不是抖音订单号：")


@freeze_time("2026-11-22 23:40:00+08:00")
@pytest.mark.parametrize("platform, order_id", [("淘宝", "3958120345678905678"), ("天猫", "396123456789012345"),
                                                ("抖音", "6938471029384756102"), ("快手", "2306123456789012"),
                                                ("拼多多", "231122-508812345678901"), ("京东", "268123456789")])
def test_log_with_each_platforms_real_id_shape_says_nothing_more(run, data_file, platform, order_id):
    path = data_file("features.xlsx")
    result = run("log", "--category", "漏发", "--platform", platform, "--order", order_id, "--sheet", "features.xlsx")
    assert result.exit_code == 0 and result.stderr == ""
    assert logged_order(path, 6) == order_id


@freeze_time("2026-11-22 23:40:00+08:00")
@pytest.mark.parametrize("platform, order_id, says", [
    ("淘宝", "3958120345678901", "提醒：--order 3958120345678901 不太像淘宝订单号（通常是 18–19 位数字），请核对\n"),
    ("拼多多", "231122508812345678901", "提醒：--order 231122508812345678901 不太像拼多多订单号（通常是 "
                                        "231122-508812345678901 这样（6 位日期-15 位数字）），请核对\n"),
    (None, "123456", "提醒：--order 123456 不太像订单号（各平台的订单号至少 9 位），请核对\n"),
    (None, "E20231122000123", "提醒：--order E20231122000123 不太像订单号（各平台的订单号都是数字），请核对\n"),
])
def test_log_with_an_unusual_order_id_warns_and_logs_it(run, data_file, platform, order_id, says):
    path = data_file("features.xlsx")
    args = ["log", "--category", "漏发", "--order", order_id, "--sheet", "features.xlsx"]
    result = run(*args, *(["--platform", platform] if platform else []))
    assert result.exit_code == 0, result.output
    assert result.stderr == says
    assert logged_order(path, 6) == order_id


# ------------------------------------------------------------- a problem names the flag (issue 11)

ORDER = "3958120345678999999"


@freeze_time("2026-11-23 09:00:00+08:00")
@pytest.mark.parametrize("args, says", [
    (["--category", "拦截", "--order", ORDER], "--old-address：拦截需要原地址"),
    (["--category", "拦截", "--old-address", "杭州市西湖区"], "--tracking：拦截需要快递单号或订单号"),
    (["--category", "改地址", "--order", ORDER],
     "--tracking：改地址需要快递单号；--courier：改地址需要快递公司（或能认出快递公司的单号）；"
     "--old-address：改地址需要原地址；--new-address：改地址需要新地址"),
    (["--category", "查重量"], "--tracking：查重量需要快递单号"),
    (["--category", "漏发"], "--order：漏发需要订单号"),
    (["--category", "尺码确认", "--order", ORDER], "--phone：尺码确认需要能联系到买家：填电话或买家昵称"),
    (["--category", "退款", "--order", ORDER],
     "--category：不认识的类型「退款」（可用：漏发、无物流、催发货、改地址、拦截、查重量、尺码确认、地址不达、其他）"),
    (["--category", "漏发", "--order", "3.45678901234568E+18"],
     "--order：订单号 3.45678901234568E+18 被表格转成了数字，后几位已丢失：请把这一列设为文本，再从平台重新复制订单号"),
    (["--category", "漏发", "--order", ORDER, "--platform", "美团"],
     "--platform：不认识的平台「美团」（可用：淘宝、天猫、抖音、快手、拼多多、京东）"),
    (["--category", "漏发", "--order", ORDER, "--phone", "12345"],
     "--phone：不是电话号码：12345（手机 11 位，座机如 021-12345678）"),
    (["--category", "查重量", "--tracking", "SF#1"], "--tracking：不是快递单号：SF#1"),
    (["--category", "查重量", "--tracking", "SF1409876543210", "--courier", "安能"], "--courier：不认识的快递公司「安能」"),
    (["--return"], "--platform：平台为空：填上平台，才能按那个平台的规则算退款倒计时；--order：订单号为空：每条退货都要有订单号"),
    (["--return", "--platform", "抖音", "--order", "6938471029389999999", "--return-tracking", "x", "--shipping-paid-by",
      "我", "--refund-status", "好了", "--return-courier", "安能"],
     "--return-tracking：不是快递单号：X；--shipping-paid-by：看不懂运费由谁承担「我」（写 买家、商家 或 运费险）；"
     "--refund-status：不认识的退款状态「好了」（可用：待处理、待买家退货、退货中、已签收、已退款、已拒绝、已关闭）；"
     "--return-courier：不认识的快递公司「安能」"),
    (["--return", "--platform", "抖音", "--order", "6938471029389999999", "--requested-at", "明天", "--approved-at",
      "2099-01-01 10:00", "--waybill-at", "2026-11-20 10:00", "--signed-at", "2026-11-19 10:00"],
     "--requested-at：看不懂的时间：明天（请写成 2026-11-22 23:40）；--approved-at：2099-01-01 10:00 还没到（现在 "
     "2026-11-23 09:00）：请核对年份和日期；--signed-at：2026-11-19 10:00 早于「填单时间」2026-11-20 10:00：退货的时间应该"
     "依次往后，请核对这两个时间"),
])
def test_log_with_a_field_wrong_names_the_flag_of_that_field_and_writes_nothing(run, tmp_path, args, says):
    assert run("init", "h.xlsx").exit_code == 0
    before = (tmp_path / "h.xlsx").read_bytes()
    result = run("log", *args, "--sheet", "h.xlsx")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {says}\n")
    assert (tmp_path / "h.xlsx").read_bytes() == before


def test_log_on_a_sheet_with_english_headers_still_names_the_flags(run, data_file):
    data_file("english.xlsx")  # its 快递单号 column is "Tracking No"; it has no 原地址 column
    result = run("log", "--category", "拦截", "--phone", "1380013800", "--sheet", "english.xlsx")
    assert (result.exit_code, result.stderr) == (1, "Error: --phone：不是电话号码：1380013800（手机 11 位，座机如 "
                                                    "021-12345678）；--tracking：拦截需要快递单号或订单号；"
                                                    "--old-address：拦截需要原地址\n")


def test_the_library_names_the_columns_the_sheet_has(tmp_path):
    """Without the command line, the same rejection names each column as the sheet spells it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from handover.errors import RowRejectedError
    from handover.model.handover_tab import parse_handover
    from handover.model.handover_writes import log_plan
    from handover.sheet import Grid

    tz = ZoneInfo("Asia/Shanghai")
    table = parse_handover(Grid("交接", ["ID", "Category", "Order ID", "Old Address"], []), tz)
    with pytest.raises(RowRejectedError) as rejected:
        log_plan(table, {"category": "拦截", "order_id": ORDER}, by="小周", now=datetime(2026, 11, 23, tzinfo=tz), tz=tz)
    assert str(rejected.value) == "「Old Address」拦截需要原地址"
    assert rejected.value.fields == [("old_address", "Old Address", "拦截需要原地址")]


@freeze_time("2026-11-22 23:40:00+08:00")
def test_a_script_logging_through_the_library_gets_the_same_order_id_checks(data_file):
    """`commands.log` refuses what `handover log` refuses, and reports what it warns about: the command
    line only names the flag."""
    from handover import commands, open_workspace
    from handover.errors import RowRejectedError

    path = data_file("features.xlsx")
    before = path.read_bytes()
    workspace = open_workspace(str(path))
    with pytest.raises(RowRejectedError) as refused:
        commands.log(workspace, {"category": "漏发", "platform": "淘宝", "order_id": "abc"})
    assert refused.value.fields == [("order_id", None, "不是淘宝订单号：abc（淘宝订单号是 18–19 位数字）")]
    assert path.read_bytes() == before
    report = commands.log(workspace, {"category": "漏发", "platform": "淘宝", "order_id": "3958120345678901"})
    assert report.unusual_order == "3958120345678901 不太像淘宝订单号（通常是 18–19 位数字），请核对"
    assert logged_order(path, 6) == "3958120345678901"


@freeze_time("2026-11-22 23:40:00+08:00")
def test_log_on_a_sheet_with_a_filter_puts_the_new_row_and_column_inside_it(run, tmp_path):
    """The shop filters and sorts through the header's filter buttons: a row or a column left outside
    the filter's range would stay put while the others are sorted, and no longer line up."""
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "交接"
    sheet.append(["编号", "登记时间", "平台", "类型", "订单号", "问题描述", "状态"])
    sheet.append(["H20261122-001", "2026-11-22 21:00", "淘宝", "漏发", "3958120345678901234", "少一件", "待处理"])
    sheet.auto_filter.ref = "A1:G2"
    book.save(tmp_path / "filtered.xlsx")
    result = run("log", "--category", "漏发", "--platform", "淘宝", "--order", "3958120345678909999", "--by", "小周",
                 "--sheet", str(tmp_path / "filtered.xlsx"))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "filtered.xlsx")["交接"]
    assert [cell.value for cell in sheet[1]][-1] == "登记人" and sheet["H3"].value == "小周"
    assert sheet.auto_filter.ref == "A1:H3"
    workbook_xml = zipfile.ZipFile(tmp_path / "filtered.xlsx").read("xl/workbook.xml").decode()
    assert "'交接'!$A$1:$H$3</definedName>" in workbook_xml  # the name Excel keeps beside the filter


@freeze_time("2026-11-22 23:40:00+08:00")
def test_log_of_an_order_already_open_under_the_same_category_logs_it_and_says_where(run, data_file):
    data_file("features.xlsx")
    result = run("log", "--category", "漏发", "--platform", "淘宝", "--order", "3958120345678901234",
                 "--sheet", "features.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记 H20261122-004（第 6 行）：漏发 3958120345678901234\n"
    assert result.stderr == ("提醒：订单 3958120345678901234 的漏发在第 2 行（H20261122-001）已经登记过，还没处理完："
                             "如果是同一件事，请把新登记的第 6 行改成「已取消」，要补充的写进第 2 行\n")
    # Another 类型 for the same order, or an order whose earlier row is finished, is a new issue: nothing said.
    other = run("log", "--category", "催发货", "--platform", "淘宝", "--order", "3958120345678901234",
                "--sheet", "features.xlsx")
    assert (other.exit_code, other.stderr) == (0, "")
