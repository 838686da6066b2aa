import openpyxl

from handover.model.schema import HANDOVER_COLUMNS


def test_init_creates_a_workbook_ready_to_type_into(run, tmp_path):
    result = run("init", "shop.xlsx")
    assert result.exit_code == 0
    assert result.stdout == "已创建 shop.xlsx\n已创建 handover.toml\n"
    book = openpyxl.load_workbook(tmp_path / "shop.xlsx")
    sheet = book["交接"]
    assert [c.value for c in sheet[1]] == [c.header for c in HANDOVER_COLUMNS]
    assert sheet.freeze_panes == "A2"
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert lists["E2:E20000"] == '"淘宝,天猫,抖音,快手,拼多多,京东"'
    assert lists["F2:F20000"].startswith('"漏发,无物流,催发货,改地址')
    assert lists["O2:O20000"] == '"待处理,处理中,已完成,已取消"'
    assert all(name in lists["J2:J20000"] for name in ("申通", "中通", "圆通", "韵达", "顺丰", "极兔", "邮政", "京东", "德邦"))
    assert sheet.column_dimensions["G"].width >= 20
    # Order ids, 编号, phones and waybills are typed into text columns, so Excel/WPS keep every digit.
    text_columns = {sheet.cell(1, column).value for column in range(1, sheet.max_column + 1)
                    if sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].number_format == "@"}
    assert text_columns == {"编号", "订单号", "电话", "快递单号"}
    returns = book["退货"]
    assert {returns.cell(1, column).value for column in range(1, returns.max_column + 1)
            if returns.column_dimensions[openpyxl.utils.get_column_letter(column)].number_format == "@"} == \
        {"编号", "订单号", "退货单号", "退款编号"}
    # The new workbook passes its own check and the config points at it.
    assert run("check").stdout == "检查了 0 行，没有发现问题。\n「退货」检查了 0 行，没有发现问题。\n"
    assert 'sheet = "shop.xlsx"' in (tmp_path / "handover.toml").read_text(encoding="utf-8")


def test_init_never_overwrites(run, tmp_path):
    (tmp_path / "shop.xlsx").write_bytes(b"precious")
    result = run("init", "shop.xlsx")
    assert result.exit_code == 1
    assert result.stderr == "Error: shop.xlsx 已经存在：handover init 不会覆盖它，请换个文件名\n"
    assert (tmp_path / "shop.xlsx").read_bytes() == b"precious"
