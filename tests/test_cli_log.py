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
    assert result.stderr.startswith("Error: 「订单号」订单号 3.45678901234568E+18 被表格转成了数字")
    assert "「新地址」改地址需要新地址" in result.stderr
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
@pytest.mark.parametrize("typed", ["3958 1203 4567 8901 234", "'3958120345678901234", '="3958120345678901234"',
                                   "３９５８１２０３４５６７８９０１２３４", " 3958120345678901234\t"])
def test_log_with_the_order_id_as_pasted_stores_the_clean_id_it_echoes(run, data_file, typed):
    path = data_file("features.xlsx")
    result = run("log", "--category", "漏发", "--platform", "淘宝", "--order", typed, "--sheet", "features.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已登记 H20261122-004（第 6 行）：漏发 3958120345678901234\n"
    assert result.stderr == ""
    assert logged_order(path, 6) == "3958120345678901234"


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
    ("淘宝", "abc", "Error: --order abc 不是淘宝订单号：淘宝订单号是 18–19 位数字\n"),
    ("天猫", "12345", "Error: --order 12345 不是天猫订单号：只有 5 位，天猫订单号是 18–19 位数字\n"),
    ("抖音", "6938-4710-2938", "Error: --order 6938-4710-2938 不是抖音订单号：抖音订单号是 19 位数字\n"),
    ("拼多多", "PDD231122", "Error: --order PDD231122 不是拼多多订单号：拼多多订单号是 231122-508812345678901 这样"
                            "（6 位日期-15 位数字）\n"),
    (None, "order", "Error: --order order 不是订单号：各平台的订单号都是数字\n"),
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
    assert result.exit_code == 1 and result.stderr.startswith("Error: --order dy12345 不是抖音订单号")


@freeze_time("2026-11-22 23:40:00+08:00")
@pytest.mark.parametrize("platform, order_id", [("淘宝", "3958120345678901234"), ("天猫", "396123456789012345"),
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
