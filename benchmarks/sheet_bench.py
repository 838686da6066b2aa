"""How handover's reads and writes compare with the floor and with the naive way, on a big sheet.

    python benchmarks/sheet_bench.py [--rows 50000] [--keep DIR]

Generates a handover workbook of N rows (all categories, realistic text, datetime cells) and runs, each
in its own fresh process so that wall time includes start-up and peak memory is that process's own:

  pull    `handover pull --format json`            vs a bare python-calamine read (the floor)
                                                    vs a bare openpyxl read-only read
  done    `handover done` on 10 ids                 vs a bare openpyxl load + save (the naive write)

Prints one table. Targets (issue 2): pull within 2x of the calamine floor; done well under openpyxl's
load + save.

The sheet is shaped like one that has accumulated for years: most rows are finished (已完成/已取消)
and 10% are open — 5,000 open items, far more than any real morning. A second pull runs on the same
size of sheet with 60% open (30,000 items, each also going into the courier/warehouse/call messages
and their JSON) to show how the cost grows with the open items rather than with the rows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

CATEGORIES = ["漏发", "无物流", "催发货", "改地址", "拦截", "查重量", "尺码确认", "地址不达", "其他"]
PLATFORMS = ["淘宝", "天猫", "抖音", "快手", "拼多多"]
HEADER = ["编号", "登记时间", "登记人", "店铺", "平台", "类型", "订单号", "买家", "电话", "快递公司", "快递单号",
          "原地址", "新地址", "问题描述", "状态", "处理人", "处理时间", "处理结果"]


def generate(path: Path, rows: int, open_share: float = 0.1) -> list[str]:
    """Write the workbook with openpyxl's streaming writer; return the ids."""
    from openpyxl import Workbook

    rng = random.Random(20261122)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("交接")
    sheet.append(HEADER)
    start = datetime(2025, 1, 1, 19, 0)
    ids = []
    for number in range(rows):
        logged = start + timedelta(minutes=number * 13)
        item_id = f"H{logged:%Y%m%d}-{number % 1000 + 1:03d}"
        ids.append(item_id)
        category = CATEGORIES[number % len(CATEGORIES)]
        tracking = f"YT{rng.randrange(10**12, 10**13):013d}" if category in ("改地址", "拦截", "查重量") else ""
        sheet.append([
            item_id, logged, "小周", "悦衣旗舰店", PLATFORMS[number % 5], category,
            str(rng.randrange(10**18, 10**19)), f"buyer{number}", f"138{rng.randrange(10**8):08d}",
            "圆通" if tracking else "", tracking,
            "浙江省杭州市西湖区文三路 90 号 3 幢 502" if tracking else "",
            "浙江省杭州市滨江区江南大道 588 号" if category == "改地址" else "",
            "买家说少了一件，请仓库核对后补发", _status(number, open_share), "", "", "",
        ])
    book.save(path)
    return ids


def _status(number: int, open_share: float) -> str:
    # Spread evenly: row n is open when the running share of open rows falls below the target.
    is_open = int((number + 1) * open_share) > int(number * open_share)
    return ("", "待处理", "处理中")[number % 3] if is_open else ("已完成", "已取消")[number % 7 == 0]


def measure(code_or_argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(code_or_argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        sys.exit(f"failed: {' '.join(code_or_argv)}\n{process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def handover(*args: str) -> list[str]:
    return [sys.executable, "-m", "handover", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each job; the best is shown (shared machines are noisy)")
    parser.add_argument("--keep", type=Path, help="keep the generated workbook in this folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="handover-bench-"))
    path = folder / "big.xlsx"
    started = time.perf_counter()
    ids = generate(path, args.rows)
    heavy = folder / "heavy.xlsx"
    generate(heavy, args.rows, open_share=0.6)
    print(f"generated 2 x {args.rows:,} rows ({path.stat().st_size / 2**20:.1f} MiB each) "
          f"in {time.perf_counter() - started:.1f} s\n")
    ten = ids[:: max(1, len(ids) // 10)][:10]

    calamine = python(
        "import python_calamine as c, sys\n"
        f"rows = c.CalamineWorkbook.from_path({str(path)!r}).get_sheet_by_name('交接').to_python(skip_empty_area=False)\n"
        "print(len(rows))"
    )
    openpyxl_read = python(
        "import openpyxl\n"
        f"book = openpyxl.load_workbook({str(path)!r}, read_only=True)\n"
        "print(sum(1 for _ in book['交接'].iter_rows(values_only=True)))"
    )

    def fresh_copy() -> Path:
        target = folder / "copy.xlsx"
        shutil.copyfile(path, target)
        shutil.rmtree(folder / ".handover", ignore_errors=True)
        return target

    def best(argv_for_run) -> tuple[float, float]:
        runs = [measure(argv_for_run()) for _ in range(args.repeat)]
        return min(wall for wall, _ in runs), max(peak for _, peak in runs)

    def on_copy(*argv: str):
        return lambda: [part if part != "{copy}" else str(fresh_copy()) for part in argv]

    results = [
        ("pull --format json", *best(lambda: handover("pull", "--sheet", str(path), "--format", "json"))),
        ("  same, 60% open", *best(lambda: handover("pull", "--sheet", str(heavy), "--format", "json"))),
        ("  calamine read (floor)", *best(lambda: calamine)),
        ("  openpyxl read-only read", *best(lambda: openpyxl_read)),
        ("done on 10 ids", *best(on_copy(*handover("done", *ten, "--by", "bench", "--sheet", "{copy}")))),
        ("  openpyxl load + save", *best(lambda: python(
            f"import openpyxl\nbook = openpyxl.load_workbook({str(folder / 'copy.xlsx')!r})\n"
            f"book.save({str(folder / 'copy.xlsx')!r})"))),
    ]

    print(f"{'job':<28}{'wall s':>9}{'peak MiB':>11}")
    for name, wall, peak in results:
        print(f"{name:<28}{wall:>9.2f}{peak:>11.0f}")
    floor = results[2][1]
    print(f"\npull / calamine floor: {results[0][1] / floor:.2f}x (target <= 2x); "
          f"with 60% open: {results[1][1] / floor:.2f}x")
    print(f"done / openpyxl load+save: {results[4][1] / results[5][1]:.2f}x")

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, args.keep / "big.xlsx")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
