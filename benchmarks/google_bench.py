"""Requests and wall time of GoogleBackend against the naive gspread way, on the local Sheets emulator.

    python benchmarks/google_bench.py [--rows 20000] [--changes 50]
    python benchmarks/google_bench.py --rows 5000     # the request counts issue 14 asks for

A 交接 tab of `--rows` rows (the 18 SPEC columns) is served by tests/sheets_emulator.py on 127.0.0.1.
Measured: opening and reading it; a plan of `--changes` status changes; a `done` of `--changes` ids (4
cells each: 状态, 处理人, 处理时间, 处理结果); and the commands themselves, `pull` (to JSON) and `done`
on `--changes` ids, run through the library exactly as the CLI runs them. The naive way opens the sheet, reads it with
get_all_values() and writes one update_cell per changed cell. Nothing leaves this machine.

Emulator wall time has no network in it; the "at 200 ms" column adds an assumed 200 ms round trip per
request to Google, and "quota" is the share of the 60 requests per minute per user Google allows. The
"reads + writes" column splits the requests by kind (metadata counts as a read): SPEC "Quota" allows a
read-only command one read, and a writing command two reads (the second right before the write) and one
write.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sheets_emulator import SheetsEmulator, make_client  # noqa: E402

from handover import commands  # noqa: E402
from handover.backends.google import GoogleBackend  # noqa: E402
from handover.model.config import Config  # noqa: E402
from handover.render import views  # noqa: E402
from handover.sheet import CellChange, TabWrite  # noqa: E402
from handover.workspace import Workspace  # noqa: E402

HEADER = ["编号", "登记时间", "登记人", "店铺", "平台", "类型", "订单号", "买家", "电话", "快递公司", "快递单号",
          "原地址", "新地址", "问题描述", "状态", "处理人", "处理时间", "处理结果"]
RETURN_HEADER = ["编号", "平台", "订单号", "买家", "退货原因", "运费承担", "退货快递", "退货单号", "申请时间", "同意时间",
                 "填单时间", "签收时间", "退款状态", "处理结果"]
PLATFORMS = ["淘宝", "天猫", "抖音", "快手", "拼多多", "京东"]
CATEGORIES = ["漏发", "没有物流", "催货", "改地址", "拦截", "查重量", "未选尺码", "地址不达"]
COURIERS = ["申通", "中通", "圆通", "韵达", "顺丰", "极兔"]
ROUND_TRIP = 0.2  # seconds, an assumption for a request to Google from a shop's office line


def handover_rows(count: int) -> list[list]:
    rows: list[list] = [HEADER]
    for n in range(1, count + 1):
        rows.append([
            f"H20261122-{n:05d}", 46348.9 + n / 86400, "晚班小李", "旗舰店", PLATFORMS[n % 6], CATEGORIES[n % 8],
            f"3{n:018d}", f"买家{n}", f"138{n % 100000000:08d}", COURIERS[n % 6], f"YT{n:013d}",
            "浙江省杭州市西湖区某路 1 号", "" if n % 4 else "浙江省杭州市滨江区某路 2 号", "顾客说没收到赠品",
            "待处理", "", "", ""])
    return rows


def measure(emulator: SheetsEmulator, fn) -> tuple[int, float, str]:
    emulator.reset_counts()
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    reads = emulator.reads() + emulator.count("metadata")
    return emulator.count(), seconds, f"{reads} + {emulator.writes()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    step = max(1, args.rows // args.changes)
    targets = [(1 + n * step, f"H20261122-{1 + n * step:05d}") for n in range(args.changes)]  # (data index, id)
    status_col = HEADER.index("状态")

    results = []
    with SheetsEmulator() as emulator:
        rows = handover_rows(args.rows)

        def fresh() -> str:
            # With the 退货 tab `pull` also reads, as `handover init` lays a sheet out; without it, the
            # read costs two more requests (the refused batch and the tab list).
            return emulator.create_spreadsheet("客服交接表", {"交接": rows, "退货": [RETURN_HEADER]})

        # --- GoogleBackend
        key = fresh()
        backend = GoogleBackend(key, client=make_client(emulator), notify=print)
        results.append((f"read {args.rows} rows", "GoogleBackend", *measure(emulator, lambda: backend.read(["交接"]))))

        plan = [TabWrite("交接", HEADER, id_column="编号", changes=[
            CellChange(index + 1, row_id, "状态", "待处理", "处理中") for index, row_id in targets])]
        results.append((f"{args.changes} changes", "GoogleBackend", *measure(emulator, lambda: backend.write(plan))))

        done = [TabWrite("交接", HEADER, id_column="编号", changes=[
            change for index, row_id in targets for change in (
                CellChange(index + 1, row_id, "状态", "处理中", "已完成"),
                CellChange(index + 1, row_id, "处理人", None, "早班小王"),
                CellChange(index + 1, row_id, "处理时间", None, "2026-11-23 09:30"),
                CellChange(index + 1, row_id, "处理结果", None, "已联系仓库补发"))])]
        results.append((f"done {args.changes} ids ({4 * args.changes} cells)", "GoogleBackend",
                        *measure(emulator, lambda: backend.write(done))))
        assert [line[status_col] for line in emulator.values(key, "交接")[1:]].count("已完成") == args.changes

        # --- the commands themselves: `handover pull --format json` and `handover done` on 50 ids
        key = fresh()
        workspace = Workspace(Config(), GoogleBackend(key, client=make_client(emulator), notify=print))
        results.append((f"pull on {args.rows} rows", "handover pull",
                        *measure(emulator, lambda: views.render_pull(commands.pull(workspace), "json", tz=workspace.tz))))
        workspace = Workspace(Config(), GoogleBackend(key, client=make_client(emulator), notify=print))
        ids = [row_id for _, row_id in targets]
        results.append((f"done {args.changes} ids", "handover done",
                        *measure(emulator, lambda: commands.done(workspace, ids, by="早班小王", result="已联系仓库补发"))))
        assert [line[status_col] for line in emulator.values(key, "交接")[1:]].count("已完成") == args.changes

        # --- the naive gspread way
        key = fresh()
        client = make_client(emulator)
        holder = {}

        def naive_read() -> None:
            worksheet = client.open_by_key(key).worksheet("交接")
            holder["ws"], holder["values"] = worksheet, worksheet.get_all_values()

        results.append((f"read {args.rows} rows", "gspread naive", *measure(emulator, naive_read)))
        worksheet = holder["ws"]
        results.append((f"{args.changes} changes", "gspread update_cell",
                        *measure(emulator, lambda: [worksheet.update_cell(index + 1, status_col + 1, "处理中")
                                                    for index, _ in targets])))

        def naive_done() -> None:
            for index, _ in targets:
                for offset, value in enumerate(("已完成", "早班小王", "2026-11-23 09:30", "已联系仓库补发")):
                    worksheet.update_cell(index + 1, status_col + 1 + offset, value)

        results.append((f"done {args.changes} ids ({4 * args.changes} cells)", "gspread update_cell",
                        *measure(emulator, naive_done)))

    print(f"{'operation':<28} {'way':<20} {'requests':>8} {'reads + writes':>15} {'emulator':>10} {'at 200 ms':>10} "
          f"{'quota':>7}")
    for operation, way, count, seconds, split in results:
        print(f"{operation:<28} {way:<20} {count:>8} {split:>15} {seconds:>9.2f}s {seconds + count * ROUND_TRIP:>9.1f}s "
              f"{count / 60:>6.0%}")
    print("quota: share of Google's 60 requests per minute per user; above 100% the rest waits for 429s.")


if __name__ == "__main__":
    main()
