"""Regenerate the returns-ledger test workbooks in tests/data/returns/.

    python tests/data/returns/make_fixtures.py

The tests read them as of 2026-11-22 09:00 (Asia/Shanghai), a Sunday.

- `ledger.xlsx`: a 退货 tab as a team keeps it: Chinese headers plus a column of their own (备注);
  times as datetime cells, Excel serial numbers, `2026/11/21 10:30` and `11月14日 21:00` text; one
  return of each platform and stage; one row per kind of bad date (rows 8-14); a row whose order id
  Excel turned into a float; a tracking number typed with full-width digits and spaces; a Pinduoduo
  row carrying the platform's own 超时时间.
- `english.xlsx`: English headers in another order, and a column the tool does not know.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
_EPOCH = datetime(1899, 12, 30)

HEADER = ["编号", "平台", "订单号", "买家", "备注", "退货原因", "运费承担", "退货快递", "退货单号", "申请时间",
          "同意时间", "填单时间", "签收时间", "退款状态", "处理结果", "超时时间", "延长时间"]


def serial(moment: datetime) -> float:
    """An Excel serial day number, as a sheet holds a date cell typed without a date format."""
    return (moment - _EPOCH).total_seconds() / 86400


def row(**values) -> list:
    keys = {"id": "编号", "platform": "平台", "order": "订单号", "buyer": "买家", "note": "备注", "reason": "退货原因",
            "paid_by": "运费承担", "courier": "退货快递", "tracking": "退货单号", "requested": "申请时间",
            "approved": "同意时间", "waybill": "填单时间", "signed": "签收时间", "status": "退款状态", "result": "处理结果",
            "deadline": "超时时间", "extended": "延长时间"}
    cells = {keys[key]: value for key, value in values.items()}
    return [cells.get(name) for name in HEADER]


LEDGER = [
    # 2: Douyin, in transit since 11-15 20:00: auto refund 11-22 20:00, extension open since 11-20 20:00.
    row(id="R20261115-001", platform="抖音", order="4001234567890123456", buyer="江南小雨", note="老客户", reason="尺码偏小",
        paid_by="运费险", courier="中通", tracking="73100012345678", requested=datetime(2026, 11, 14, 10, 0),
        approved=datetime(2026, 11, 14, 12, 0), waybill=datetime(2026, 11, 15, 20, 0), status="退货中"),
    # 3: Pinduoduo, request awaiting the shop since 11-21 10:30: auto refund 11-23 10:30.
    row(id="R20261121-001", platform="拼多多", order="231121-508812345678901", buyer="pdd_8848", reason="质量问题",
        paid_by="商家", requested="2026/11/21 10:30"),
    # 4: Taobao, waybill 11-14 10:00 as Excel serials, status blank: zero 11-24 10:00, act by 11-19 10:00.
    row(id="R20261112-001", platform="淘宝", order="3958120345678901234", buyer="tb_lily", reason="七天无理由",
        paid_by="买家", courier="圆通", tracking="YT8962646785389", requested=serial(datetime(2026, 11, 12, 9, 0)),
        approved=serial(datetime(2026, 11, 12, 15, 0)), waybill=serial(datetime(2026, 11, 14, 10, 0))),
    # 5: Tmall, agreed 11-15 08:00, no waybill yet: the request closed at 11-22 08:00 (missed).
    row(id="R20261114-001", platform="天猫", order="3961234567890123456", buyer="陈女士", reason="不喜欢",
        paid_by="运费险", requested="11月14日 21:00", approved="11月15日 08:00"),
    # 6: refunded: no timer.
    row(id="R20261110-001", platform="抖音", order="4009876543210987654", buyer="阿may", reason="发错货", paid_by="商家",
        courier="韵达", tracking="4312345678901", requested=datetime(2026, 11, 8, 9, 0), waybill=datetime(2026, 11, 9, 9, 0),
        signed=datetime(2026, 11, 10, 15, 0), status="退款成功", result="已退 59.90"),
    # 7: Kuaishou: no built-in timers.
    row(id="R20261120-001", platform="快手", order="KS2611200001", buyer="快手用户a", reason="不想要了",
        requested=datetime(2026, 11, 20, 14, 0)),
    # 8-14: one kind of bad date each.
    row(id="R20261121-002", platform="抖音", order="4001000000000000008", requested="昨晚十点"),
    row(id="R20261121-003", platform="抖音", order="4001000000000000009", requested="2026-02-20 10:00",
        approved="2026-02-30 10:00"),
    row(id="R20261121-004", platform="抖音", order="4001000000000000010", requested="2026-11-19 10:00",
        approved="2026-11-19 12:00", waybill="2027-11-20 10:00", tracking="73100000000010"),
    row(id="R20261121-005", platform="抖音", order="4001000000000000011", waybill="2026-11-19 10:00",
        signed="2026-11-18 09:00", tracking="73100000000011"),
    row(id="R20261121-006", platform="抖音", order="4001000000000000012", waybill="2026-11-20", tracking="73100000000012"),
    row(id="R20261121-007", platform="抖音", order="4001000000000000013", waybill="2026-11-19 10:00", signed=9999999,
        tracking="73100000000013"),
    row(id="R20261121-008", platform="抖音", order="4001000000000000014", waybill="2026-11-19 10:00",
        extended="2026-11-18 10:00", tracking="73100000000014"),
    # 15: the order id as a float cell (digits lost), an unknown platform and status.
    row(id="R20261121-009", platform="小红书", order=3.95812034567890e18, status="处理中吧"),
    # 16: Douyin, signed 11-21 12:00; the waybill clock (11-23 09:00) ends before the 48 h one (11-23 12:00).
    row(id="R20261122-001", platform="抖音", order="4001112223334445556", buyer="王先生", reason="质量问题", paid_by="商家",
        tracking="ＳＦ １３８５ ６２８７ １６７３９", waybill=datetime(2026, 11, 16, 9, 0), signed=datetime(2026, 11, 21, 12, 0),
        status="已签收"),
    # 17: Pinduoduo in transit with the platform's own deadline, earlier than the computed 11-26 18:00.
    row(id="R20261119-001", platform="拼多多", order="231119-100000000000001", buyer="多多", tracking="JT5261988016578",
        waybill="2026-11-19 18:00", deadline="2026-11-23 18:00"),
]

ENGLISH_HEADER = ["Order ID", "Platform", "Return tracking no", "Buyer", "Requested at", "Waybill at", "Status",
                  "Our notes", "ID", "Shipping paid by", "Reason"]
ENGLISH = [
    ["3958000000000000001", "Taobao", "YT 8962 6467 8538 9", "tb_amy", "2026-11-20 10:00", "2026-11-21 10:00",
     "in transit", "fragile", "R20261120-005", "buyer", "wrong size"],
    ["231121-000000000000002", "PDD", "", "pdd_bob", "2026-11-21 20:00", "", "", "", "R20261121-010", "insurance", ""],
]


def _book(path: Path, title: str, header: list[str], rows: list[list]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # keep digit strings text, as a column formatted 文本 does
    workbook.save(path)


def main() -> None:
    _book(HERE / "ledger.xlsx", "退货", HEADER, LEDGER)
    _book(HERE / "english.xlsx", "退货", ENGLISH_HEADER, ENGLISH)


if __name__ == "__main__":
    main()
