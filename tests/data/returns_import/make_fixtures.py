"""Regenerate the files the `returns import` tests read (tests frozen at 2026-11-23 09:05 Shanghai).

    python tests/data/returns_import/make_fixtures.py [TARGET_DIR]

Exports as the sellers' backends give them, built from the headers PLATFORMS.md documents (quirks
included); columns marked "inferred" there are the usual neighbours of the documented ones:
- `淘宝退款_1122.csv`: the Taobao/Tmall refund export (千牛 退款管理) downloaded on 11-22, GB18030, ids as
  `="…"`, a header with a trailing space (`超时时间 `) and one in quotes, money with thousands separators,
  `-` for an empty waybill; two rows that cannot be used (an id Excel turned into a float, money written
  the European way). Also `淘宝退款_1122_utf8.csv`: the same file in UTF-8.
- `淘宝退款_1123.csv`: the next day's export, GB18030: a return refunded (完结时间 stamped), one agreed (no
  new time, a later 超时时间), one shipped back, two new ones (one whose 超时时间 differs from the computed
  deadline by days, one by seconds), two unchanged.
- `淘宝退款_1123_晚.csv`: the same export later that day, after the shop pressed 延长收货 on one return: only
  its 超时时间 moved. `淘宝退款_1123_改过.csv`: a copy of the 11-23 export someone edited (one waybill differs,
  every time the same). `淘宝退款_两件.csv`: two refunds of the order the 退货 tab holds once, typed by hand.
- `淘宝退款_断了.csv`: the 11-22 export whose download stopped in the middle of its last line.
- `抖店售后_1123.csv`: the Douyin 抖店 after-sale export, UTF-8 with BOM; `抖店售后_1123.xlsx`: the same as
  xlsx with datetime cells. One row has a status the import does not know (换货中). `抖店售后_1123_数字.xlsx`:
  the same as a real xlsx export stores it: every cell that can be a number is one (售后单号, 退款金额 39 and
  0, 商品数量, a waybill of digits), every time a datetime cell; only ids too long for a number stay text.
- `淘宝退款_1123.xlsx`: the 11-23 Taobao export as xlsx, numbers and datetime cells wherever a cell can hold
  them (买家实际支付金额 and 买家退款金额 1299 and 59.9, digit waybills, 宝贝ID). `淘宝退款_数字坏了.xlsx`: number
  cells that cannot be used: 39.123 (three decimals), an order id stored as a number and so cut to 15
  significant digits, and 1e-05.
- `淘宝退款_时间倒了.csv`: a return whose 买家退货时间 is earlier than its 退款的申请时间, as the platform exports
  it; `淘宝退款_时间倒了_退款.csv`: the same return refunded a day later.
- `拼多多售后_1123.csv`: the Pinduoduo after-sale export, UTF-8 without BOM, `(元)` money headers.
- `shop.xlsx`: the shop's workbook: a 交接 tab, and a 退货 tab laid out before the import existed (no
  退款编号 / 退款金额 / 平台更新时间 columns) with the shop's own 备注 column, three returns typed by hand:
  a Taobao one and a Douyin one the exports also hold, and a Pinduoduo one no export mentions.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def wrap(value: str) -> str:
    """How Taobao keeps an id as text in its CSV: ="3958…"."""
    return f'="{value}"'


TAOBAO_HEADER = ["订单编号", "退款编号", "支付宝交易号", "订单付款时间", "宝贝ID", "宝贝标题", "商家编码", "买家实际支付金额",
                 "买家退款金额", "是否需要退货", "退款的申请时间", "超时时间 ", "退款状态", "货物状态", "发货物流信息",
                 "退货物流公司", "退货物流单号", '"买家退款原因"', "买家退款说明", "买家退货时间", "完结时间", "退款原因标签"]


def taobao(order: str, refund: str, *, paid: str = "299.00", refund_amount: str | None = None, applied: str,
           deadline: str = "", status: str, goods: str = "买家未收到货", courier: str = "", tracking: str = "-",
           reason: str = "七天无理由退换货", returned: str = "", finished: str = "", title: str = "羊毛混纺大衣") -> list[str]:
    return [wrap(f"39580000000000{order}"), wrap(f"20000000000{refund}"), f"2026111022001{order}0000", "2026-11-10 20:00:00",
            "600001", title, "CT-01", paid, refund_amount or paid, "是", applied, deadline, status, goods,
            "圆通速递,YT1111111111111", courier, tracking, reason, "", returned, finished, reason[:4]]


TAOBAO_1122 = [
    # 2: R20261120-001 typed by hand (no 退款编号): shipped back 11-20 18:20, platform deadline 11-30 18:20
    taobao("00101", "0101", applied="2026-11-20 10:00:00", deadline="2026-11-30 18:20:00",
           status="买家已经退货，等待卖家确认收货", goods="买家已退货", courier="圆通速递", tracking="YT8962646785389",
           reason="尺码不合适", returned="2026-11-20 18:20:00"),
    # 3: a new request, waiting for the shop
    taobao("00102", "0102", paid="1,299.00", applied="2026-11-21 21:30:00", deadline="2026-11-26 21:30:00",
           status="买家已经申请退款，等待卖家同意", title="真丝衬衫"),
    # 4: withdrawn by the buyer: closed
    taobao("00103", "0103", applied="2026-11-15 09:00:00", status="退款关闭", reason="拍错了", finished="2026-11-17 10:00:00"),
    # 5: refunded after the parcel came back
    taobao("00104", "0104", paid="59.90", applied="2026-11-18 12:00:00", status="退款成功", goods="买家已退货",
           courier="中通快递", tracking="75312345678901", returned="2026-11-18 20:00:00", finished="2026-11-21 15:00:00"),
    # 6: the order id Excel turned into a number: digits lost
    ["3.95800000000001E+18", wrap("200000000000105"), "", "2026-11-10 20:00:00", "600001", "围巾", "", "99.00", "99.00",
     "是", "2026-11-21 10:00:00", "2026-11-26 10:00:00", "买家已经申请退款，等待卖家同意", "买家未收到货", "", "", "-",
     "七天无理由退换货", "", "", "", "七天无理由"],
    # 7: money written the European way: refused, never guessed
    taobao("00106", "0106", paid="1.234,50", applied="2026-11-21 11:00:00", deadline="2026-11-26 11:00:00",
           status="买家已经申请退款，等待卖家同意"),
    # 8: agreed, the buyer has not sent the parcel yet
    taobao("00107", "0107", applied="2026-11-21 08:00:00", deadline="2026-11-28 08:30:00",
           status="卖家已经同意退款，等待买家退货", goods="买家已收到货"),
]

TAOBAO_1123 = [
    # R20261120-001's return: refunded yesterday afternoon (完结时间 stamped, no deadline any more)
    taobao("00101", "0101", applied="2026-11-20 10:00:00", status="退款成功", goods="买家已退货", courier="圆通速递",
           tracking="YT8962646785389", reason="尺码不合适", returned="2026-11-20 18:20:00", finished="2026-11-22 16:05:00"),
    # agreed yesterday 10:00: no time of its own in the export, the deadline moved to the buyer's 7 days
    taobao("00102", "0102", paid="1,299.00", applied="2026-11-21 21:30:00", deadline="2026-11-29 10:00:00",
           status="卖家已经同意退款，等待买家退货", title="真丝衬衫"),
    taobao("00103", "0103", applied="2026-11-15 09:00:00", status="退款关闭", reason="拍错了", finished="2026-11-17 10:00:00"),
    taobao("00104", "0104", paid="59.90", applied="2026-11-18 12:00:00", status="退款成功", goods="买家已退货",
           courier="中通快递", tracking="75312345678901", returned="2026-11-18 20:00:00", finished="2026-11-21 15:00:00"),
    # shipped back yesterday evening
    taobao("00107", "0107", applied="2026-11-21 08:00:00", deadline="2026-12-02 19:00:00",
           status="买家已经退货，等待卖家确认收货", goods="买家已退货", courier="申通快递", tracking="773098765432101",
           returned="2026-11-22 19:00:00"),
    # new: shipped back 11-19 20:00, the platform says 11-24 20:00 (the 10-day rule would say 11-29 20:00)
    taobao("00108", "0108", applied="2026-11-19 10:00:00", deadline="2026-11-24 20:00:00",
           status="买家已经退货，等待卖家确认收货", goods="买家已退货", courier="韵达快递", tracking="431234567890123",
           reason="质量问题", returned="2026-11-19 20:00:00"),
    # new: shipped back 11-15 11:00, the platform's deadline is the computed one to the second
    taobao("00109", "0109", applied="2026-11-14 09:00:00", deadline="2026-11-25 11:00:05",
           status="买家已经退货，等待卖家确认收货", goods="买家已退货", courier="顺丰速运", tracking="SF1385628716739",
           reason="不喜欢", returned="2026-11-15 11:00:00"),
]

# Later on 11-23: the shop pressed 延长收货 on 00108 in the backend; only its 超时时间 moved.
TAOBAO_1123_LATER = [row[:11] + ["2026-12-01 20:00:00"] + row[12:] if row[0] == wrap("3958000000000000108") else row
                     for row in TAOBAO_1123]
# A copy of the 11-23 export someone edited before passing it on: 00107's waybill differs, nothing else.
TAOBAO_1123_EDITED = [row[:16] + ["773098765400000"] + row[17:] if row[0] == wrap("3958000000000000107") else row
                      for row in TAOBAO_1123]
# Two refunds of one order (two items of 00101), while the 退货 tab holds that order once, typed by hand.
TAOBAO_TWO_ITEMS = [TAOBAO_1122[0], taobao("00101", "0111", paid="59.00", applied="2026-11-20 10:05:00",
                                           deadline="2026-11-25 10:05:00", status="买家已经申请退款，等待卖家同意",
                                           title="腰带")]

DOUYIN_HEADER = ["售后单号", "主订单编号", "子订单编号", "选购商品", "商品数量", "售后类型", "售后状态", "售后原因",
                 "售后申请时间", "退款金额", "退货物流公司", "退货物流单号", "退货发货时间", "收件人"]
DOUYIN = [
    # R20261119-001 typed by hand: the parcel is on its way back
    ["7000000000000201", "6930000000000000201", "6930000000000002011", "加绒卫衣 黑色 L", "1", "退货退款", "待商家收货",
     "颜色和图片不一样", "2026-11-19 09:15:00", "89.00", "中通快递", "78900011122233", "2026-11-19 20:05:00", "陈*"],
    # a new request
    ["7000000000000202", "6930000000000000202", "6930000000000002021", "羊绒围巾", "1", "退货退款", "待商家处理",
     "不想要了", "2026-11-22 22:10:00", "159.00", "", "", "", "刘*"],
    # refunded
    ["7000000000000203", "6930000000000000203", "6930000000000002031", "棉拖鞋", "1", "仅退款", "退款成功",
     "未按约定时间发货", "2026-11-20 08:00:00", "39.00", "", "", "", "王*"],
    # an exchange: a status the import does not know
    ["7000000000000204", "6930000000000000204", "6930000000000002041", "牛仔裤", "1", "换货", "换货中",
     "尺码不合适", "2026-11-21 12:00:00", "0.00", "", "", "", "赵*"],
]

PDD_HEADER = ["售后编号", "订单号", "商品", "售后类型", "售后状态", "申请时间", "退款金额(元)", "售后原因", "退货物流公司",
              "退货物流单号"]
PDD = [
    ["9000000000000301", "231122-508812340007777", "保温杯", "退货退款", "已同意退货退款待用户发货", "2026-11-22 11:00:00",
     "¥39.00", "不想要了", "", ""],
    ["9000000000000302", "231120-508812340008888", "加厚羽绒服", "退货退款", "买家逾期未处理退款失败", "2026-11-10 11:00:00",
     "¥1,299.00", "尺码不合适", "", ""],
    ["9000000000000303", "231122-508812340009999", "毛线帽", "仅退款", "待商家处理", "2026-11-22 20:00:00", "¥19.90",
     "质量问题", "", ""],
]

RETURNS_HEADER = ["编号", "平台", "订单号", "买家", "退货原因", "运费承担", "退货快递", "退货单号", "申请时间", "同意时间",
                  "填单时间", "签收时间", "退款状态", "处理结果", "超时时间", "延长时间", "备注"]
RETURNS = [
    ["R20261120-001", "淘宝", "3958000000000000101", "tb_lily2020", "尺码偏小", "运费险", None, None, "2026-11-20 10:02",
     None, None, None, "待处理", "已联系买家，同意退货", None, None, "老客户"],
    ["R20261119-001", "抖音", "6930000000000000201", "陈女士", "颜色和图片不一样", "商家", "中通", "78900011122233",
     "2026-11-19 09:15", "2026-11-19 09:40", "2026-11-19 20:05", None, "退货中", None, None, None, "先验货"],
    ["R20261118-001", "拼多多", "231118-508812340003333", "江南小雨", "不想要了", "买家", "韵达", "4312300011122",
     "2026-11-18 08:00", "2026-11-18 09:00", "2026-11-18 16:30", None, "退货中", None, None, None, None],
]
HANDOVER_HEADER = ["编号", "登记时间", "平台", "类型", "订单号", "问题描述", "状态"]
HANDOVER = [["H20261122-001", "2026-11-22 21:05", "淘宝", "漏发", "3958120345678901234", "少了腰带", "待处理"]]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    # The platforms write their header raw (quotes and spaces included); the csv module would re-quote them.
    buffer.write(",".join(header) + "\r\n")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _book(path: Path, tabs: dict[str, tuple[list[str], list[list]]]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in tabs.items():
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for values in rows:
            sheet.append(values)
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # digit strings stay text, as a column formatted 文本 keeps them
    fixed = datetime(2026, 11, 23, 8, 0)
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.save(path)


def _cells(row: list[str]) -> list:
    """An xlsx export's cells: times as datetime cells, everything else text."""
    return [datetime.fromisoformat(value) if len(value) == 19 and value[4] == "-" else value for value in row]


def _typed(row: list[str]) -> list:
    """An xlsx export's cells as Excel stores them: datetime cells for times, a number for every cell that
    is one (money with its thousands commas gone: 1,299.00 is the number 1299), text for ids too long to
    be a number without losing digits, and for the rest."""
    cells: list = []
    for value in _cells(row):
        bare = value.replace(",", "") if isinstance(value, str) else value
        if isinstance(value, datetime) or value in ("", "-"):
            cells.append(value or None)
        elif bare.isdigit():
            cells.append(int(bare) if int(bare) < 2**53 else value)
        elif bare.replace(".", "", 1).isdigit():
            cells.append(float(bare))
        else:
            cells.append(value)
    return cells


# The 11-23 Taobao export as xlsx: ids unwrapped (an xlsx has no `="…"`), text as long as they are.
TAOBAO_1123_BOOK = [[cell[2:-1] if cell.startswith('="') else cell for cell in row] for row in TAOBAO_1123]


def _request_cells(order: str | float, refund: str, refund_amount: float) -> list:
    """A request waiting for the shop, as an xlsx export's cells."""
    return [order, refund, None, datetime(2026, 11, 10, 20), 600001, "围巾", "CT-01", 99, refund_amount, "是",
            datetime(2026, 11, 21, 10), datetime(2026, 11, 26, 10), "买家已经申请退款，等待卖家同意", "买家未收到货", None,
            None, None, "七天无理由退换货", None, None, None, "七天无理由"]


# Number cells that cannot be used, each on a row otherwise fine: three decimals, an order id kept as a
# number (Excel keeps 15 significant digits: 3958000000000000111 became 3958000000000000000), 1e-05.
TAOBAO_BAD_NUMBERS = [_request_cells("3958000000000000110", "200000000000110", 39.123),
                      _request_cells(3958000000000000111.0, "200000000000111", 99),
                      _request_cells("3958000000000000112", "200000000000112", 1e-05)]

# The platform's own times out of order: the parcel sent back (买家退货时间) before the refund was applied for
# (退款的申请时间); then the same return refunded.
BACKWARDS = taobao("00120", "0120", applied="2026-11-21 10:00:00", deadline="2026-12-01 08:00:00",
                   status="买家已经退货，等待卖家确认收货", goods="买家已退货", courier="圆通速递", tracking="YT8962646780120",
                   returned="2026-11-21 08:00:00")
BACKWARDS_REFUNDED = taobao("00120", "0120", applied="2026-11-21 10:00:00", status="退款成功", goods="买家已退货",
                            courier="圆通速递", tracking="YT8962646780120", returned="2026-11-21 08:00:00",
                            finished="2026-11-22 15:00:00")


def write_all(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    day1 = csv_text(TAOBAO_HEADER, TAOBAO_1122)
    (target / "淘宝退款_1122.csv").write_bytes(day1.encode("gb18030"))
    (target / "淘宝退款_1122_utf8.csv").write_bytes(day1.encode("utf-8"))
    (target / "淘宝退款_1123.csv").write_bytes(csv_text(TAOBAO_HEADER, TAOBAO_1123).encode("gb18030"))
    (target / "淘宝退款_1123_晚.csv").write_bytes(csv_text(TAOBAO_HEADER, TAOBAO_1123_LATER).encode("gb18030"))
    (target / "淘宝退款_1123_改过.csv").write_bytes(csv_text(TAOBAO_HEADER, TAOBAO_1123_EDITED).encode("gb18030"))
    (target / "淘宝退款_两件.csv").write_bytes(csv_text(TAOBAO_HEADER, TAOBAO_TWO_ITEMS).encode("gb18030"))
    lines = day1.rstrip("\r\n").split("\r\n")
    cut = "\r\n".join(lines[:-1]) + "\r\n" + lines[-1][: lines[-1].index("卖家已经同意") + 4]  # no line break at the end
    (target / "淘宝退款_断了.csv").write_bytes(cut.encode("gb18030"))
    (target / "抖店售后_1123.csv").write_bytes(csv_text(DOUYIN_HEADER, DOUYIN).encode("utf-8-sig"))
    _book(target / "抖店售后_1123.xlsx", {"售后单": (DOUYIN_HEADER, [_cells(row) for row in DOUYIN])})
    _book(target / "抖店售后_1123_数字.xlsx", {"售后单": (DOUYIN_HEADER, [_typed(row) for row in DOUYIN])})
    header = [name.strip('"') for name in TAOBAO_HEADER]
    _book(target / "淘宝退款_1123.xlsx", {"退款": (header, [_typed(row) for row in TAOBAO_1123_BOOK])})
    _book(target / "淘宝退款_数字坏了.xlsx", {"退款": (header, TAOBAO_BAD_NUMBERS)})
    (target / "淘宝退款_时间倒了.csv").write_bytes(csv_text(TAOBAO_HEADER, [BACKWARDS]).encode("gb18030"))
    (target / "淘宝退款_时间倒了_退款.csv").write_bytes(csv_text(TAOBAO_HEADER, [BACKWARDS_REFUNDED]).encode("gb18030"))
    (target / "拼多多售后_1123.csv").write_bytes(csv_text(PDD_HEADER, PDD).encode("utf-8"))
    _book(target / "shop.xlsx", {"交接": (HANDOVER_HEADER, HANDOVER), "退货": (RETURNS_HEADER, RETURNS)})


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
