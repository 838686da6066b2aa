"""Regenerate the export files the compensation tests read (all dated around 2026-11-22 09:00 Shanghai,
the tests' frozen now).

    python tests/data/compensation/make_fixtures.py [TARGET_DIR]

Each file is what a platform's seller backend gives, quirks included (PLATFORMS.md):
- `taobao_orders.csv`: Taobao order report, GB18030, ids as `="…"` and one with a trailing tab, headers with
  trailing spaces and quotes, money with thousands separators, pre-sale markers (title, 分阶段订单信息, 定金排名).
- `taobao_refunds.csv`: the matching refund export (reasons, statuses), GB18030.
- `douyin_orders.csv`: 抖店 merged export, UTF-8 with BOM, two sub-orders for one order, 承诺发货时间.
- `pinduoduo_orders.csv`: Pinduoduo export, plain UTF-8, `(元)` headers, dash ids.
- `kuaishou_orders.xlsx`: Kuaishou export as xlsx (headers inferred), datetime cells, and an id stored as a
  number that lost its digits.
- `affiliate_settlement.csv` and `affiliate_disputes.csv`: 淘宝联盟 settlement and 维权退款 reports, GBK.
- `bad_rows.csv`: rows that cannot be used (float-mangled ids, bad money, bad dates, blank id).
- `custom_orders.csv`: a shop's own export, read with a `[columns]` mapping.
- `tmall_order_report.csv`: the shape of the one public Tmall order report (PLATFORMS.md, "Public sample
  files"): 7 columns, ids anonymised to 1…N, no refund reason, no pre-sale marker, no shipping columns.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def wrap(order_id: str) -> str:
    """How Taobao keeps an id as text in its CSV: ="3958…"."""
    return f'="{order_id}"'


TAOBAO_ORDER_HEADER = [
    "订单编号", "买家会员名", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "订单状态", "收货地址 ",
    "订单创建时间", '"订单付款时间 "', "宝贝标题 ", "物流单号 ", "物流公司", "分阶段订单信息", "特权订金订单id",
    "定金排名", "退款金额",
]
TAOBAO_ORDERS = [
    # 001: pre-sale by title, paid 11-01 10:00 -> promised 11-16 10:00, never shipped, refunded for 缺货
    [wrap("3958000000000000001"), "tb_lily2020", "88.88", "0.00", "88.88", "88.88", "交易关闭", "浙江省杭州市西湖区",
     "2026-11-01 09:58:12", "2026-11-01 10:00:00", "【预售】羊毛大衣 𠮷", "", "", "", "", "", "88.88"],
    # 002: pre-sale by 分阶段订单信息, paid 11-05 12:00 -> promised 11-20 12:00, not shipped, claim open
    [wrap("3958000000000000002") + "\t", "阿may", "1,299.00", "0.00", "1,299.00", "1,299.00", "买家已付款，等待卖家发货",
     "上海市浦东新区", "2026-11-05 11:59:00", "2026/11/05 12:00", "冬季羽绒服", "", "", "定金已付，尾款已付", "", "", "0.00"],
    # 003: pre-sale by 定金排名, promised 11-22 20:00: 11 hours left at 09:00
    [wrap("3958000000000000003"), "小鹿", "199.00", "10.00", "209.00", "209.00", "买家已付款，等待卖家发货", "广东省深圳市",
     "2026-11-07 19:50:00", "2026-11-07 20:00:00", "毛呢半身裙", "", "", "", "", "5", "0.00"],
    # 004: pre-sale, shipped, refund for another reason: nothing owed
    [wrap("3958000000000000004"), "buyer4", "59.90", "0.00", "59.90", "59.90", "卖家已发货，等待买家确认", "北京市朝阳区",
     "2026-11-01 08:00:00", "2026-11-01 08:00:00", "【预售】围巾", "YT1234567890123", "圆通速递", "", "", "", "0.00"],
    # 005: an ordinary order, shipped, no refund: never kept
    [wrap("3958000000000000005"), "buyer5", "25.00", "0.00", "25.00", "25.00", "交易成功", "江苏省南京市",
     "2026-11-10 08:00:00", "2026-11-10 08:01:00", "袜子", "ZT7890123456", "中通快递", "", "", "", "0.00"],
    # 006: ordinary order bought through an affiliate; the buyer withdrew the platform refund (seed 004)
    [wrap("3958000000000000006"), "tk_buyer", "300.00", "0.00", "300.00", "300.00", "交易成功", "四川省成都市",
     "2026-11-02 08:00:00", "2026-11-02 08:00:30", "真丝衬衫", "SF1234567890123", "顺丰速运", "", "", "", "0.00"],
    # 007: pre-sale, promised 11-25: more than two days away, not at risk
    [wrap("3958000000000000007"), "buyer7", "99.00", "0.00", "99.00", "99.00", "买家已付款，等待卖家发货", "湖北省武汉市",
     "2026-11-10 10:00:00", "2026-11-10 10:00:00", "【预售】毛衣", "", "", "", "", "", "0.00"],
    # 008: pre-sale, late, claim for 卖家缺货 withdrawn after a call: no payout, still overdue and unshipped
    [wrap("3958000000000000008"), "buyer8", "120.00", "0.00", "120.00", "120.00", "买家已付款，等待卖家发货", "湖南省长沙市",
     "2026-11-03 09:00:00", "2026-11-03 09:00:00", "【预售】棉服", "", "", "", "", "", "0.00"],
    # unpaid order: skipped
    [wrap("3958000000000000009"), "buyer9", "80.00", "0.00", "80.00", "0.00", "等待买家付款", "河南省郑州市",
     "2026-11-21 10:00:00", "", "【预售】帽子", "", "", "", "", "", "0.00"],
    # 010: pre-sale shipped at a time the report does not give, claim 缺货 filed 11-21 after the promise (11-17):
    # it may have left on time, so a person checks (never paid on a guess)
    [wrap("3958000000000000010"), "buyer10", "800.00", "0.00", "800.00", "800.00", "卖家已发货，等待买家确认", "福建省厦门市",
     "2026-11-02 08:00:00", "2026-11-02 08:00:00", "【预售】皮靴", "YD4321098765432", "韵达快递", "", "", "", "0.00"],
    # 011: ordinary order with a 缺货 refund: not pre-sale, a person must look
    [wrap("3958000000000000011"), "buyer11", "45.00", "0.00", "45.00", "45.00", "交易关闭", "山东省青岛市",
     "2026-11-15 08:00:00", "2026-11-15 08:00:00", "手套", "", "", "", "", "", "45.00"],
]

TAOBAO_REFUND_HEADER = [
    "订单编号", "退款编号", "订单付款时间", "宝贝标题", "买家实际支付金额", "买家退款金额", "退款状态", "买家退款原因",
    "买家退款说明", "退款的申请时间", "超时时间", "发货物流信息", "货物状态",
]
TAOBAO_REFUNDS = [
    [wrap("3958000000000000001"), wrap("200000000000001"), "2026-11-01 10:00:00", "【预售】羊毛大衣", "88.88", "88.88",
     "退款成功", "缺货", "等太久了", "2026-11-17 08:00:00", "", "", "未收到货"],
    [wrap("3958000000000000002"), wrap("200000000000002"), "2026-11-05 12:00:00", "冬季羽绒服", "1,299.00", "1,299.00",
     "买家已经申请退款，等待卖家同意", "未按约定时间发货（预售）", "", "2026-11-21 09:00:00", "2026-11-23 09:00:00", "", "未收到货"],
    [wrap("3958000000000000004"), wrap("200000000000004"), "2026-11-01 08:00:00", "【预售】围巾", "59.90", "59.90",
     "退款成功", "七天无理由退换货", "", "2026-11-20 10:00:00", "", "圆通速递 YT1234567890123", "已收到货"],
    [wrap("3958000000000000006"), wrap("200000000000006"), "2026-11-02 08:00:30", "真丝衬衫", "300.00", "300.00",
     "退款关闭", "描述不符", "改为支付宝退款", "2026-11-12 08:00:00", "", "顺丰速运 SF1234567890123", "已收到货"],
    [wrap("3958000000000000008"), wrap("200000000000008"), "2026-11-03 09:00:00", "【预售】棉服", "120.00", "120.00",
     "退款关闭", "卖家缺货", "", "2026-11-19 09:00:00", "", "", "未收到货"],
    [wrap("3958000000000000010"), wrap("200000000000010"), "2026-11-02 08:00:00", "【预售】皮靴", "800.00", "800.00",
     "买家已经申请退款，等待卖家同意", "缺货", "", "2026-11-21 10:00:00", "2026-11-23 10:00:00", "韵达快递 YD4321098765432", "未收到货"],
    [wrap("3958000000000000011"), wrap("200000000000011"), "2026-11-15 08:00:00", "手套", "45.00", "45.00",
     "退款成功", "缺货", "", "2026-11-15 10:00:00", "", "", "未收到货"],
]

DOUYIN_HEADER = ["主订单编号", "子订单编号", "选购商品", "商品数量", "商品金额", "订单应付金额", "运费", "订单提交时间",
                 "支付完成时间", "承诺发货时间", "发货时间", "订单状态", "售后状态", "售后原因", "订单类型"]
DOUYIN = [
    # 101: two sub-orders, promised 11-21 18:00, not shipped, refunded for 缺货: 30% of 50.00 + 38.88
    ["6930000000000000101", "6930000000000001011", "加绒卫衣 黑色 L", "1", "50.00", "50.00", "0.00", "2026-11-10 17:00:00",
     "2026-11-10 17:01:00", "2026-11-21 18:00:00", "", "已关闭", "退款成功", "缺货", "预售订单"],
    ["6930000000000000101", "6930000000000001012", "加绒卫衣 灰色 M", "1", "38.88", "38.88", "0.00", "2026-11-10 17:00:00",
     "2026-11-10 17:01:00", "2026-11-21 18:00:00", "", "已关闭", "退款成功", "缺货", "预售订单"],
    # 102: promised 11-23 08:00: 23 hours left
    ["6930000000000000102", "6930000000000001021", "羊绒围巾", "1", "159.00", "159.00", "0.00", "2026-11-08 08:00:00",
     "2026-11-08 08:00:00", "2026-11-23 08:00:00", "", "待发货", "", "", "预售订单"],
    # 103: shipped before the promise, buyer claims late anyway: appeal, do not pay
    ["6930000000000000103", "6930000000000001031", "棉拖鞋", "1", "39.00", "39.00", "0.00", "2026-11-05 08:00:00",
     "2026-11-05 08:00:00", "2026-11-21 12:00:00", "2026-11-20 16:00:00", "已发货", "售后处理中", "未按约定时间发货", "预售订单"],
    # 104: shipped eight hours late, 0.05 paid: 0.05 x 0.30 = 0.015 -> 0.02
    ["6930000000000000104", "6930000000000001041", "贴纸", "1", "0.05", "0.05", "0.00", "2026-11-05 08:00:00",
     "2026-11-05 08:00:00", "2026-11-21 12:00:00", "2026-11-21 20:00:00", "已发货", "退款成功", "未按约定时间发货", "预售订单"],
    # an ordinary order: promised and shipped in time
    ["6930000000000000105", "6930000000000001051", "口罩", "2", "9.90", "19.80", "0.00", "2026-11-20 08:00:00",
     "2026-11-20 08:00:00", "2026-11-22 08:00:00", "2026-11-20 18:00:00", "已完成", "", "", "普通订单"],
]

PDD_HEADER = ["订单号", "商品", "订单状态", "商品总价(元)", "邮费(元)", "用户实付金额(元)", "商家实收金额(元)", "支付时间",
              "发货时间", "售后状态"]
PDD = [
    # pre-sale by title, paid 11-06 10:00 -> promised 11-21 10:00: overdue, not shipped
    ["241106-123456789012345", "【预售】加厚羽绒服", "待发货", "1,309.00", "10.00", "¥1,299.00", "1,250.00",
     "2026-11-06 10:00:00", "", "无售后或售后取消"],
    ["241120-223456789012345", "保温杯", "已发货，待收货", "39.00", "0.00", "39.00", "37.00", "2026-11-20 10:00:00",
     "2026-11-20 18:00:00", "无售后或售后取消"],
]

KUAISHOU_HEADER = ["订单号", "订单创建时间", "支付时间", "订单状态", "商品名称", "实付款", "承诺发货时间", "发货时间",
                   "售后状态", "退款原因"]
KUAISHOU = [
    # promised 11-20 12:00, not shipped, claim: 2600 x 0.30 = 780 (500 under taobao_2023-style cap)
    ["2411200000000001", datetime(2026, 11, 5, 11, 0), datetime(2026, 11, 5, 12, 0), "待发货", "【预售】貂绒大衣", 2600,
     datetime(2026, 11, 20, 12, 0), None, "退款中", "未按约定时间发货"],
    # 10.00 paid, claim: 3.00 (5.00 with a ¥5 floor)
    ["2411200000000002", datetime(2026, 11, 5, 11, 0), datetime(2026, 11, 5, 12, 0), "待发货", "【预售】发圈", 10,
     datetime(2026, 11, 20, 12, 0), None, "退款中", "缺货"],
    # the id cell is a number that Excel already rounded
    [3.45678901234568e18, datetime(2026, 11, 5, 11, 0), datetime(2026, 11, 5, 12, 0), "待发货", "【预售】帽子", 59,
     datetime(2026, 11, 20, 12, 0), None, "", ""],
]

AFFILIATE_HEADER = ['"创建时间"', "确认收货时间 ", "淘客结算时间", "商品id", "商品名称", "实际成交价格", "成交商品数",
                    "佣金比例", "佣金", "服务费率", "服务费金额", "淘宝父订单编号", "淘宝子订单编号", " 来源或淘客昵称",
                    "团长名称", "是否预售未付尾款订单"]
AFFILIATE = [
    # 006: commission earned, the buyer returns off the platform: refund 300 - 30 = 270
    ["2026-11-02 08:00:00", "2026-11-06 10:00:00", "2026-11-06 10:05:00", "600001", "真丝衬衫", "300.00", "1", "10.00 %",
     "30.00", "0.00 %", "0.00", "3958000000000000006\t", "3958000000000000061\t", "优惠券达人", "", "否"],
    # the same row again (the report downloaded twice and pasted together)
    ["2026-11-02 08:00:00", "2026-11-06 10:00:00", "2026-11-06 10:05:00", "600001", "真丝衬衫", "300.00", "1", "10.00 %",
     "30.00", "0.00 %", "0.00", "3958000000000000006\t", "3958000000000000061\t", "优惠券达人", "", "否"],
    # 012: 维权 refunded 200 on the platform and the commission clawed back: nothing to do off the platform
    ["2026-11-03 08:00:00", "2026-11-07 10:00:00", "2026-11-07 10:05:00", "600002", "针织开衫", "200.00", "1", "10.00 %",
     "20.00", "0.00 %", "0.00", "3958000000000000012", "3958000000000000121", "省钱小站", "", "否"],
    # 013: 维权 in progress, 5.00 of the 15.00 commission to be clawed back: deduct 10.00, refund 140.00
    ["2026-11-03 08:00:00", "2026-11-07 10:00:00", "2026-11-07 10:05:00", "600003", "羊毛袜", "150.00", "1", "10.00 %",
     "15.00", "0.00 %", "0.00", "3958000000000000013", "3958000000000000131", "省钱小站", "", "否"],
    # 014: commission above the paid amount: an error for that row
    ["2026-11-03 08:00:00", "2026-11-07 10:00:00", "2026-11-07 10:05:00", "600004", "大衣", "300.00", "1", "50.00 %",
     "500.00", "0.00 %", "0.00", "3958000000000000014", "3958000000000000141", "省钱小站", "", "否"],
    # 015: earned, never returned: nothing
    ["2026-11-03 08:00:00", "2026-11-07 10:00:00", "2026-11-07 10:05:00", "600005", "围巾", "99.00", "1", "10.00 %",
     "9.90", "0.00 %", "0.00", "3958000000000000015", "3958000000000000151", "省钱小站", "", "否"],
]
AFFILIATE_DISPUTE_HEADER = ["淘宝订单编号", "淘宝子订单编号", "商品名称", "维权退款金额", "应退回佣金", "应退回服务费",
                            "维权状态", "订单结算时间", "维权创建时间", "维权完成时间"]
AFFILIATE_DISPUTES = [
    ["3958000000000000012", "3958000000000000121", "针织开衫", "200.00", "20.00", "0.00", "维权成功",
     "2026-11-07 10:05:00", "2026-11-10 10:00:00", "2026-11-12 10:00:00"],
    ["3958000000000000013", "3958000000000000131", "羊毛袜", "50.00", "5.00", "0.00", "维权创建",
     "2026-11-07 10:05:00", "2026-11-20 10:00:00", ""],
]

BAD_HEADER = ["订单编号", "买家实际支付金额", "订单状态", "订单付款时间", "宝贝标题"]
BAD = [
    ["3.95800000000001E+18", "88.00", "买家已付款，等待卖家发货", "2026-11-08 10:00:00", "【预售】外套"],  # row 2
    ["3958000000000000201.0", "88.00", "买家已付款，等待卖家发货", "2026-11-08 10:00:00", "【预售】外套"],  # row 3
    ["", "88.00", "买家已付款，等待卖家发货", "2026-11-08 10:00:00", "【预售】外套"],  # row 4: id missing
    [wrap("3958000000000000202"), "八十八", "买家已付款，等待卖家发货", "2026-11-08 10:00:00", "【预售】外套"],  # row 5
    [wrap("3958000000000000203"), "88.00", "买家已付款，等待卖家发货", "下周三", "【预售】外套"],  # row 6
    ["", "", "", "", ""],  # row 7: blank, ignored
    [wrap("3958000000000000204"), "66.00", "买家已付款，等待卖家发货", "2026-11-07 12:00:00", "【预售】外套"],  # row 8: fine
]

CUSTOM_HEADER = ["单号", "成交金额", "付款日期", "状态", "预售", "退款理由"]
CUSTOM = [
    ["C20261101001", "200.00", "2026-11-01 10:00", "待发货", "是", "缺货"],
    ["C20261101002", "100.00", "2026-11-01 10:00", "待发货", "否", "缺货"],
]


# The public report's header, trailing spaces included; amounts as it writes them (178.8, 21).
TMALL_HEADER = ["订单编号", "总金额", "买家实际支付金额", "收货地址 ", "订单创建时间", "订单付款时间 ", "退款金额"]
TMALL = [
    ["1", "178.8", "0", "上海", "2026-11-01 00:00:00", "", "0"],
    ["2", "21", "21", "内蒙古自治区", "2026-11-01 00:00:01", "2026-11-01 00:00:09", "0"],
    ["3", "37", "37", "安徽省", "2026-11-01 00:00:02", "2026-11-01 00:00:30", "37"],
    ["4", "157", "157", "湖南省", "2026-11-01 00:00:03", "2026-11-01 00:01:00", "0"],
    ["5", "64.8", "64.8", "江苏省", "2026-11-01 00:00:04", "2026-11-01 00:01:20", "0"],
]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # Taobao writes its header raw (quotes and spaces included); the csv module would re-quote them.
    buffer.write(",".join(header) + "\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write_all(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "taobao_orders.csv").write_bytes(csv_text(TAOBAO_ORDER_HEADER, TAOBAO_ORDERS).encode("gb18030"))
    (target / "taobao_refunds.csv").write_bytes(csv_text(TAOBAO_REFUND_HEADER, TAOBAO_REFUNDS).encode("gb18030"))
    (target / "douyin_orders.csv").write_bytes(csv_text(DOUYIN_HEADER, DOUYIN).encode("utf-8-sig"))
    (target / "pinduoduo_orders.csv").write_bytes(csv_text(PDD_HEADER, PDD).encode("utf-8"))
    (target / "affiliate_settlement.csv").write_bytes(csv_text(AFFILIATE_HEADER, AFFILIATE).encode("gbk"))
    (target / "affiliate_disputes.csv").write_bytes(csv_text(AFFILIATE_DISPUTE_HEADER, AFFILIATE_DISPUTES).encode("gbk"))
    (target / "bad_rows.csv").write_bytes(csv_text(BAD_HEADER, BAD).encode("utf-8"))
    (target / "custom_orders.csv").write_bytes(csv_text(CUSTOM_HEADER, CUSTOM).encode("utf-8"))
    (target / "tmall_order_report.csv").write_bytes(csv_text(TMALL_HEADER, TMALL).encode("gb18030"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "订单"
    sheet.append(KUAISHOU_HEADER)
    for row in KUAISHOU:
        sheet.append(row)
    fixed = datetime(2026, 11, 22, 8, 0)
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.save(target / "kuaishou_orders.xlsx")


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
