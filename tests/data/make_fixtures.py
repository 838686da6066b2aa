"""Regenerate the core test workbooks in tests/data/.

    python tests/data/make_fixtures.py

- `features.xlsx`: a handover tab carrying everything a team builds into its sheet (dropdowns,
  conditional formatting, a comment, frozen header, column widths, bold and filled cells, an extra
  column of their own, styled empty rows below the data) plus a second tab; headers in a custom order.
- `english.xlsx`: English headers in another order, ids in text and in number cells, dates as
  serials, text and datetime cells.
- `sorted.xlsx`: the same items as `features.xlsx` after someone sorted the tab by 订单号.
- `libreoffice.xlsx`: `features.xlsx` opened and saved by LibreOffice Calc (needs `soffice`): another
  writer's XML (its own attributes on every row and cell, shared strings, styles), as teams' files are.
- `shared.xlsx`: a night's sheet the way the zero-lost-edits tests need it: H20261122-001 … -014 on rows
  2-15, all open, then row 16 typed without 编号 (its order id sorts last, so a reverse sort moves it).
- `title_row.xlsx`: a shop's own layout: a title row above the header, no 新地址 column, the shop's own
  `备注` column at the end, and the 编号 column in the middle; plus a 退货 tab with a title row too.
- `no_new_address.xlsx`: the same without the title rows; `no_id_column.xlsx`: the same as
  `title_row.xlsx` without a 编号 column.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent

FEATURE_HEADER = ["编号", "类型", "订单号", "登记时间", "状态", "我们的备注", "买家", "电话", "快递单号",
                  "快递公司", "原地址", "新地址", "问题描述", "处理人", "处理时间", "处理结果"]
FEATURE_ROWS = [
    ["H20261122-001", "漏发", "3958120345678901234", datetime(2026, 11, 22, 21, 5), "", "老客户", "阿may", "", "", "", "", "", "少了腰带", "", "", ""],
    ["H20261122-002", "改地址", "6938471029384756102", datetime(2026, 11, 22, 19, 40), "待处理", "", "陈女士", "13987654321",
     "YT8823456789012", "圆通", "杭州市西湖区文三路 90 号", "杭州市滨江区江南大道 588 号", "", "", "", ""],
    ["H20261122-003", "尺码确认", "231122-508812345678901", datetime(2026, 11, 22, 20, 3), "", "", "江南小雨", "15800001111", "", "", "", "", "没选尺码", "", "", ""],
    ["H20261121-009", "催发货", "3961234567890123456", datetime(2026, 11, 21, 23, 5), "处理中", "加急", "", "", "", "", "", "", "明天出差", "阿杰", "", ""],
]


def _text(cell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"


def features(path: Path, rows=FEATURE_ROWS) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "交接"
    sheet.append(FEATURE_HEADER)
    for values in rows:
        sheet.append([v if v != "" else None for v in values])
    for row in sheet.iter_rows():
        for cell in row:
            _text(cell)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFDDEEFF")
    # Styled but empty rows below the data, as a template sheet has.
    for number in range(len(rows) + 2, len(rows) + 8):
        sheet.cell(row=number, column=1).fill = PatternFill("solid", fgColor="FFFFF2CC")
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions["M"].width = 40
    status = DataValidation(type="list", formula1='"待处理,处理中,已完成,已取消"', allow_blank=True)
    sheet.add_data_validation(status)
    status.add("E2:E500")
    sheet.conditional_formatting.add(
        "E2:E500", CellIsRule(operator="equal", formula=['"待处理"'], fill=PatternFill(bgColor="FFFFC7CE"))
    )
    sheet["C2"].comment = Comment("买家是老客户，优先处理", "小周")
    other = workbook.create_sheet("仓库联系人")
    other.append(["仓库", "联系人", "QQ"])
    other.append(["杭州仓", "老李", "12345678"])
    workbook.save(path)


def sorted_copy(path: Path) -> None:
    features(path, rows=sorted(FEATURE_ROWS, key=lambda row: row[2]))


def english(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "交接"
    sheet.append(["Category", "Order ID", "ID", "Logged at", "Phone", "Tracking No", "Courier", "Status", "Detail"])
    sheet.append(["missing item", 123456789012, "H1", 46348.98611111111, "138 1234 5678", "sf 1409 8765 4321 0", "", "open", "text date"])
    sheet.append(["urge", "3958120345678901234", "H2", "2026/11/22 23:40", 13812345678, "", "", "", "numbers"])
    sheet.append(["催货", 3.958120345678934e18, "H3", "11月22日 23:55", "", "", "", "done", "float-mangled id"])
    for row in sheet.iter_rows():
        for cell in row:
            _text(cell)
    workbook.save(path)


SHARED_HEADER = ["编号", "登记时间", "平台", "类型", "订单号", "买家", "电话", "问题描述", "状态", "处理人", "处理时间",
                 "处理结果"]


def shared(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "交接"
    sheet.append(SHARED_HEADER)
    for n in range(1, 15):
        sheet.append([f"H20261122-{n:03d}", f"2026-11-22 {20 + n % 4}:{n:02d}", "淘宝", "漏发", f"39581203456789{n:05d}",
                      f"买家{n}", None, "少发一件", "待处理"])
    sheet.append([None, "2026-11-22 23:50", "淘宝", "催发货", "3958120345678999999", "小林", None, "催了三次", "待处理"])
    workbook.create_sheet("退货").append(["编号", "平台", "订单号", "买家", "退货单号", "申请时间", "退款状态"])
    workbook.save(path)


TITLE_HEADER = ["登记时间", "平台", "类型", "编号", "订单号", "买家", "电话", "快递公司", "快递单号", "原地址", "问题描述",
                "状态", "处理人", "处理时间", "备注"]
TITLE_ROWS = [
    ["2026-11-22 21:05", "淘宝", "漏发", "H20261122-001", "3958120345678901234", "阿may", "13812345678", None, None, None,
     "少了腰带", "待处理", None, None, "老客户"],
    ["2026-11-22 21:40", "抖音", "改地址", "H20261122-002", "6938471029384756102", "陈女士", "13987654321", "圆通",
     "YT8823456789012", "杭州市西湖区文三路 90 号", "改到滨江区江南大道 588 号", "待处理", None, None, "VIP 客户，周末在家"],
    ["2026-11-22 22:10", "拼多多", "尺码确认", "H20261122-003", "231122-508812345678901", "江南小雨", "15800001111", None,
     None, None, "没选尺码", None, None, None, None],
]


def shop_layout(path: Path, *, title: bool = True, ids: bool = True) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "交接"
    keep = [i for i, name in enumerate(TITLE_HEADER) if ids or name != "编号"]
    if title:
        sheet.append(["小鹿服饰 交接表 2026年11月"])
    sheet.append([TITLE_HEADER[i] for i in keep])
    for values in TITLE_ROWS:
        sheet.append([values[i] for i in keep])
    returns = workbook.create_sheet("退货")
    if title:
        returns.append(["小鹿服饰 退货登记"])
    returns.append(["编号", "平台", "订单号", "买家", "退货单号", "申请时间", "退款状态", "备注"])
    returns.append(["R20261121-001", "拼多多", "231121-508812340005555", "小林", None, "2026-11-22 10:30", "待处理",
                    "先别退"])
    workbook.save(path)


def saved_by_libreoffice(source: Path, target: Path) -> None:
    import shutil
    import subprocess
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("soffice not found: libreoffice.xlsx left as it is")
        return
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", folder, str(source)], check=True, capture_output=True)
        shutil.copyfile(Path(folder) / source.name, target)


def main() -> None:
    features(HERE / "features.xlsx")
    sorted_copy(HERE / "sorted.xlsx")
    english(HERE / "english.xlsx")
    saved_by_libreoffice(HERE / "features.xlsx", HERE / "libreoffice.xlsx")
    shared(HERE / "shared.xlsx")
    shop_layout(HERE / "title_row.xlsx")
    shop_layout(HERE / "no_new_address.xlsx", title=False)
    shop_layout(HERE / "no_id_column.xlsx", ids=False)
    print("wrote features.xlsx, sorted.xlsx, english.xlsx, libreoffice.xlsx, shared.xlsx, title_row.xlsx, "
          "no_new_address.xlsx, no_id_column.xlsx")


if __name__ == "__main__":
    main()
