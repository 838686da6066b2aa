"""The order exports and affiliate reports finance hands over: which columns each has (per platform,
PLATFORMS.md), and where a column a rule needs is found when a file lacks it. Opening and streaming them
is `handover.exports`'; what their rows mean, `export_rows`'.
"""

from __future__ import annotations

from ..exports import COMMON_NAMES, ExportFile, ExportShape

# Header names per logical column, most specific first: the first name found in a file wins, so the
# Taobao report's 买家实际支付金额 is used even though its 总金额 column comes earlier. Sources: PLATFORMS.md.
ORDER_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": COMMON_NAMES["order_id"],
    "sub_order_id": ("子订单编号", "淘宝子订单编号", "子订单号"),
    "refund_id": COMMON_NAMES["refund_id"],
    "paid": COMMON_NAMES["paid"],
    "postage": ("买家应付邮费", "邮费(元)", "邮费", "运费"),
    "paid_at": ("订单付款时间", "支付完成时间", "付款时间", "支付时间", "订单成交时间", "成交时间"),
    "created_at": ("订单创建时间", "订单提交时间", "下单时间", "创建时间"),
    "shipped_at": ("发货时间", "卖家发货时间", "实际发货时间"),
    "promised_at": ("承诺发货时间", "预计发货时间", "预约发货时间", "约定发货时间", "最晚发货时间"),
    "title": ("宝贝标题", "商品标题", "商品名称", "选购商品", "宝贝名称", "商品"),
    "presale_flag": ("分阶段订单信息", "特权订金订单id", "定金排名", "是否预售", "预售类型"),
    "order_type": ("订单类型",),
    "order_status": ("订单状态", "交易状态"),
    "refund_status": COMMON_NAMES["refund_status"],
    "refund_reason": COMMON_NAMES["refund_reason"],
    "refund_amount": COMMON_NAMES["refund_amount"],
    # The order's own total (goods and postage before discounts): no amount of the row can exceed it.
    "total": ("总金额",),
    "refund_applied_at": COMMON_NAMES["refund_applied_at"],
    "tracking_no": ("物流单号", "运单号", "快递单号", "发货物流信息"),
    "platform": COMMON_NAMES["platform"],
}
AFFILIATE_NAMES: dict[str, tuple[str, ...]] = {
    "order_id": ("淘宝父订单编号", "父订单编号", "订单编号", "淘宝订单编号", "订单号"),
    "sub_order_id": ("淘宝子订单编号", "子订单编号"),
    "paid": ("付款金额", "结算金额", "实际成交价格", "成交金额", "实付金额"),
    "commission": ("佣金金额", "佣金", "结算佣金", "预估收入", "结算预估收入"),
    "commission_rate": ("佣金比例", "佣金比率", "收入比率"),
    "service_fee": ("服务费金额",),
    "confirmed_at": ("确认收货时间",),
    "settled_at": ("淘客结算时间", "结算时间", "订单结算时间"),
    "status": ("订单状态",),
    "presale_unpaid": ("是否预售未付尾款订单",),
    "clawback": ("应退回佣金",),
    "clawback_fee": ("应退回服务费",),
    "dispute_amount": ("维权退款金额",),
    "dispute_status": ("维权状态",),
    "dispute_done_at": ("维权完成时间",),
}
MAPPABLE = sorted(set(ORDER_NAMES) | set(AFFILIATE_NAMES))

# Every pre-sale marker and every reason column of an order export counts; 淘宝联盟 reports are the only
# affiliate reports we know.
ORDERS = ExportShape("orders", ORDER_NAMES, multi=frozenset({"presale_flag", "refund_reason"}))
AFFILIATE = ExportShape("affiliate", AFFILIATE_NAMES, platform="taobao")


def file_kind(export: ExportFile) -> str:
    """What the file looks like, for the report: orders, refunds, settlement or disputes."""
    if export.shape is AFFILIATE:
        return "disputes" if export.has("clawback") or export.has("dispute_status") else "settlement"
    return "refunds" if export.has("refund_id") or (export.has("refund_reason") and not export.has("order_status")) else "orders"


# Where what a rule needs is found, per platform (PLATFORMS.md): (the file, its kind, the columns), for
# telling finance which file to add. None: any other platform.
_TAOBAO_WHERE = {
    "refund_reason": ("退款报表", "refunds", "买家退款原因"),
    "presale_flag": ("订单报表", "orders", "宝贝标题里的【预售】、分阶段订单信息"),
    "shipped_at": ("订单报表", "orders", "订单状态、物流单号"),
    "paid_at": ("订单报表", "orders", "订单付款时间"),
    "paid": ("订单报表", "orders", "买家实际支付金额"),
}
WHERE_FOUND: dict[str | None, dict[str, tuple[str, str, str]]] = {
    "taobao": _TAOBAO_WHERE,
    "tmall": _TAOBAO_WHERE,
    "douyin": {
        "refund_reason": ("带售后信息的抖店订单导出", "orders", "售后原因"),
        "presale_flag": ("抖店订单导出", "orders", "订单类型、承诺发货时间"),
        "shipped_at": ("抖店订单导出", "orders", "发货时间、订单状态"),
        "paid_at": ("抖店订单导出", "orders", "支付完成时间、承诺发货时间"),
        "paid": ("抖店订单导出", "orders", "订单应付金额"),
    },
    None: {
        "refund_reason": ("退款或售后报表", "refunds", "退款原因、售后原因"),
        "presale_flag": ("订单导出", "orders", "预售标记、商品标题或承诺发货时间"),
        "shipped_at": ("订单导出", "orders", "发货时间、订单状态或物流单号"),
        "paid_at": ("订单导出", "orders", "付款时间或承诺发货时间"),
        "paid": ("订单导出", "orders", "实付金额"),
    },
}
_NEED_NAMES = {"refund_reason": "退款原因", "presale_flag": "预售标记", "shipped_at": "发货情况", "paid_at": "付款时间",
               "paid": "实付金额"}


def where_found(need: str, platform: str | None, given: list[ExportFile]) -> str:
    """One line for finance: what is missing, in which file and column it is, and what to do."""
    known = platform in WHERE_FOUND
    file, kind, columns = WHERE_FOUND[platform if known else None][need]
    what = _NEED_NAMES[need]
    same = [export.label for export in given if file_kind(export) == kind]
    if same:
        fix = f"{'、'.join(same)} 里没有这一列，请重新导出带这一列的{file}"
    else:
        fix = f"请加 --orders {file}.csv"
    if need == "presale_flag":
        fix += "；文件里全是预售订单的话，也可以在 handover.toml 的 [compensation] 写 presale_only = false"
    if not known:
        fix += f"；列名不同就在 handover.toml 的 [columns] 写 {need} = \"列名\""
    return f"{what}在{file}里（{columns}）：{fix}"
