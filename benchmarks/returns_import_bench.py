"""Benchmark for issue 12: `handover returns import` (dry run) over a 100,000-row Taobao refund export.

    python benchmarks/returns_import_bench.py [--rows 100000] [--pairs 5] [--keep DIR]

Generates, into a temp folder (never the repository), a GB18030 refund export as 千牛 退款管理 writes it
(36 columns, ids as `="…"`, every row a different return: requests, agreed, shipped back with a waybill,
refunded, closed; all amounts different) and a workbook whose 退货 tab already holds 1,000 of those returns
(typed by hand, no 退款编号, so each is found by its order). Then, each in a fresh Python process, in pairs
(the machine is shared and noisy: each pair runs back to back, and the ratio is taken per pair):
  - the floor: a bare `csv.reader` pass over the export, decoding GB18030;
  - ours: `handover returns import FILE --sheet book.xlsx`, the dry run a user types (read every row, find
    each return in the tab, plan the write, print the summary).
Each is timed twice: the work itself, from after the imports to the end (`work`), and the whole process,
Python start-up and module imports included (`process`: handover's imports cost about 0.07 s, the same
for every command, with its bytecode compiled first as an installed copy has it). Ours runs once more on a quarter of the rows, and on that quarter in four files (as
many rows as the big file, a quarter of the returns), to show that memory grows with the returns held
(each one's newest copy, which the plan needs), not with the rows read (the files are streamed).
Target (issue 12): within 3x the floor, memory flat.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from as_installed import compile_package

REPO = Path(__file__).resolve().parent.parent

HEADER = ["订单编号", "退款编号", "支付宝交易号", "订单付款时间", "宝贝ID", "宝贝标题", "商家编码", "买家实际支付金额",
          "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间 ", "退款状态", "货物状态",
          "退货物流信息", "发货物流信息", "客服介入状态", "卖家真实姓名", "卖家退货地址", "卖家邮编", "卖家电话", "卖家手机",
          "退货物流单号", "退货物流公司", "买家退款原因", "买家退款说明", "买家退货时间", "责任方", "售中或售后", "备注标签",
          "商家备注", "完结时间", "部分退款/全部退款", "审核操作人", "退款原因标签"]
STATES = (["买家已经申请退款，等待卖家同意"] * 15 + ["卖家已经同意退款，等待买家退货"] * 15
          + ["买家已经退货，等待卖家确认收货"] * 25 + ["退款成功"] * 35 + ["退款关闭"] * 8 + ["卖家拒绝退款"] * 2)
TITLES = ["2026冬季新款加厚羽绒服女中长款", "纯棉短袖T恤男宽松潮牌", "真丝衬衫女长袖法式复古", "羊毛针织开衫外套"]
REASONS = ["七天无理由退换货", "尺码不合适", "质量问题", "颜色/款式与商品描述不符", "不想要了"]
COURIERS = [("圆通速递", "YT{:013d}"), ("中通快递", "75{:012d}"), ("申通快递", "77{:013d}"), ("韵达快递", "43{:013d}")]
ON_THE_TAB = 1_000


def order_id(index: int) -> str:
    return f"39{5800000000000000 + index * 7919:017d}"


def generate(path: Path, rows: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, 0, 0, 0)
    stamp = "%Y-%m-%d %H:%M:%S"
    with open(path, "w", encoding="gb18030", newline="") as handle:
        handle.write(",".join(HEADER) + "\r\n")
        writer = csv.writer(handle, lineterminator="\r\n")
        for index in range(rows):
            applied = start + timedelta(seconds=index * 25)
            state = rng.choice(STATES)
            shipped = state in ("买家已经退货，等待卖家确认收货", "退款成功") and rng.random() < 0.8
            courier, shape = rng.choice(COURIERS)
            returned = applied + timedelta(hours=rng.randint(2, 60)) if shipped else None
            finished = (returned or applied) + timedelta(days=2) if state in ("退款成功", "退款关闭") else None
            deadline = None if finished else (returned or applied) + timedelta(days=10 if shipped else 5)
            paid = rng.randint(990, 99900) / 100
            writer.writerow([
                f'="{order_id(index)}"', f'="{200000000000000 + index}"', f"2026100122001{index:010d}",
                (applied - timedelta(days=3)).strftime(stamp), "600001", rng.choice(TITLES), "SKU1", f"{paid:,.2f}",
                f"{paid:,.2f}", "系统退款", "是", applied.strftime(stamp), deadline.strftime(stamp) if deadline else "",
                state, "买家已退货" if shipped else "买家未收到货", "", "圆通速递,YT1234567890123", "", "王*",
                "浙江省杭州市余杭区良睦路88号", "310000", "0571-88886666", "138****0000",
                shape.format(index) if shipped else "", courier if shipped else "", rng.choice(REASONS), "",
                returned.strftime(stamp) if returned else "", "买家", "售后", "", "", finished.strftime(stamp) if finished else "",
                "全部退款", "客服A", "",
            ])


def workbook(path: Path) -> None:
    """A shop's workbook whose 退货 tab holds the first returns of the export, typed by hand."""
    sys.path.insert(0, str(REPO))
    from openpyxl import load_workbook

    from handover.backends.newbook import create_workbook
    from handover.commands import standard_tabs

    create_workbook(path, standard_tabs())
    book = load_workbook(path)
    tab = book["退货"]
    for index in range(ON_THE_TAB):
        tab.append([f"R20261001-{index + 1:04d}", "淘宝", order_id(index), f"tb_{index}", "尺码偏小"])
    book.save(path)


class Run(NamedTuple):
    process: float  # seconds, the whole process
    work: float  # seconds, after the imports
    peak: float  # MB, max RSS


def measure(imports: str, code: str) -> Run:
    """`imports`, then `code` timed, in a fresh Python process; stdout goes nowhere."""
    wrapper = (f"{imports}\nimport resource, sys, time\n_start = time.perf_counter()\ntry:\n"
               + "".join(f"    {line}\n" for line in code.splitlines())
               + "except SystemExit:\n    pass\n"
               "print(f'@@ {time.perf_counter() - _start:.3f} "
               "{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}', file=sys.stderr)\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper], cwd=REPO, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    process = time.perf_counter() - started
    marker = [line for line in done.stderr.splitlines() if line.startswith("@@ ")]
    if done.returncode != 0 or not marker:
        raise SystemExit(f"benchmark step failed:\n{done.stderr[-2000:]}")
    _, work, peak = marker[-1].split()
    return Run(process, float(work), float(peak))


def floor(path: Path) -> Run:
    return measure("import csv", f"with open({str(path)!r}, encoding='gb18030', newline='') as f:\n"
                                 "    n = sum(1 for _ in csv.reader(f))\nprint(n)")


def ours(paths: list[Path], book: Path) -> Run:
    args = ["returns", "import", *map(str, paths), "--sheet", str(book)]
    return measure("from handover.cli import cli", f"cli({args!r}, prog_name='handover')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep the files")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="handover-bench-") as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        big, small, book = folder / "淘宝退款_big.csv", folder / "淘宝退款_quarter.csv", folder / "book.xlsx"
        started = time.perf_counter()
        generate(big, args.rows)
        generate(small, args.rows // 4)
        workbook(book)
        print(f"generated {args.rows:,} + {args.rows // 4:,} rows ({big.stat().st_size / 1e6:.0f} MB GB18030) and a "
              f"{ON_THE_TAB:,}-row 退货 tab in {time.perf_counter() - started:.1f} s")
        pairs = [(floor(big), ours([big], book)) for _ in range(args.pairs)]
        quarter = ours([small], book)
        # The same rows as the big file, of a quarter of the returns: what memory follows, rows or returns.
        copies = [folder / f"淘宝退款_quarter_{number}.csv" for number in range(1, 5)]
        for copy in copies:
            copy.write_bytes(small.read_bytes())
        repeated = ours(copies, book)
        print("            floor: work  process   peak    ours: work  process   peak    ratio: work  process")
        for number, (bare, run) in enumerate(pairs, start=1):
            print(f"pair {number}:        {bare.work:5.2f} s  {bare.process:5.2f} s  {bare.peak:5.1f} MB"
                  f"        {run.work:5.2f} s  {run.process:5.2f} s  {run.peak:5.1f} MB"
                  f"        {run.work / bare.work:4.2f}x    {run.process / bare.process:4.2f}x")
        work = statistics.median(run.work / bare.work for bare, run in pairs)
        process = statistics.median(run.process / bare.process for bare, run in pairs)
        peak = statistics.median(run.peak for _, run in pairs)
        print(f"median ratio: work {work:.2f}x, process {process:.2f}x")
        print(f"memory: {args.rows:,} rows peak {peak:.1f} MB, {args.rows // 4:,} rows peak {quarter.peak:.1f} MB "
              f"({(peak - quarter.peak) * 1024 / (args.rows - args.rows // 4):.2f} KB more per return); "
              f"{args.rows:,} rows of {args.rows // 4:,} returns (that quarter in 4 files) peak {repeated.peak:.1f} MB")
        print(f"target: within 3x the floor -> work {'OK' if work <= 3 else 'SLOWER THAN 3x'}, "
              f"process {'OK' if process <= 3 else 'SLOWER THAN 3x'}")


if __name__ == "__main__":
    main()
