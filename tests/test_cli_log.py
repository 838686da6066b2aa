import openpyxl
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
