"""How handover's reads and writes compare with the floor and with the naive way, on a big sheet.

    python benchmarks/sheet_bench.py [--rows 50000] [--rounds 7] [--only pull|done] [--keep DIR [--reuse]]

To measure another checkout (main, say, for before/after figures), run it from outside any checkout with
that one first on the path: `cd /tmp && PYTHONPATH=/path/to/checkout python /path/to/sheet_bench.py`.

Generates handover workbooks of N rows (all categories, realistic text, datetime cells) and runs, each
in its own fresh process so that wall time includes start-up (with the package's bytecode compiled, as
installed) and peak memory is that process's own:

  pull    `handover pull --format json`   vs a bare python-calamine read of the same workbook (the floor),
          on a sheet with 2% of its rows open and on one with 50% open
  done    `handover done` on 10 ids       vs a bare openpyxl load + save of the same workbook (the naive write);
          and, where LibreOffice is installed, on a copy it saved (text in a shared-strings table, as Excel
          and WPS save it) beside a bare calamine read of that copy

The machine may be shared and noisy, so the jobs run in rounds, one run of each job per round in turn:
each ratio is taken within a round (paired runs) and the median over the rounds is reported, beside the
ratio of the best runs.

The floor is one calamine read on one core. handover decodes a big tab in two halves at once when the
machine has two cores or more (backends/xlsx_halves.py); the cores this machine has are printed, and with
one core pull reads the tab whole, as the floor does.

Targets (issue 13): pull <= 1.3x the calamine floor with 2% open and <= 2x with 50% open; done <= 0.05x
openpyxl's load + save.

The sheets are shaped like ones that have accumulated for years: most rows are finished (已完成/已取消).
2% open is 1,000 open items, more than a real morning; 50% open is 25,000 items, each also going into the
courier/warehouse/call messages and their JSON, to show how the cost grows with the open items rather than
with the rows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from as_installed import compile_package

CATEGORIES = ["漏发", "无物流", "催发货", "改地址", "拦截", "查重量", "尺码确认", "地址不达", "其他"]
PLATFORMS = ["淘宝", "天猫", "抖音", "快手", "拼多多"]
HEADER = ["编号", "登记时间", "登记人", "店铺", "平台", "类型", "订单号", "买家", "电话", "快递公司", "快递单号",
          "原地址", "新地址", "问题描述", "状态", "处理人", "处理时间", "处理结果"]


def generate(path: Path, rows: int, open_share: float) -> list[str]:
    """Write the workbook with openpyxl's streaming writer; return the ids."""
    from openpyxl import Workbook

    rng = random.Random(20261122)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("交接")
    sheet.append(HEADER)
    ids = ids_of(rows)
    for number, item_id in enumerate(ids):
        category = CATEGORIES[number % len(CATEGORIES)]
        tracking = f"YT{rng.randrange(10**12, 10**13):013d}" if category in ("改地址", "拦截", "查重量") else ""
        sheet.append([
            item_id, logged_at(number), "小周", "悦衣旗舰店", PLATFORMS[number % 5], category,
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


def cores_allowed() -> int:
    # As handover counts them (xlsx_halves.cores), without importing it: an older checkout has no such module.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def measure(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def handover(*args: str) -> list[str]:
    return [sys.executable, "-m", "handover", *args]


def calamine(path: Path) -> list[str]:
    return python(
        "import python_calamine as c\n"
        f"rows = c.CalamineWorkbook.from_path({str(path)!r}).get_sheet_by_name('交接').to_python(skip_empty_area=False)\n"
        "print(len(rows))"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7, help="rounds of paired runs (shared machines are noisy)")
    parser.add_argument("--only", choices=["pull", "done"], help="run only these jobs")
    parser.add_argument("--keep", type=Path, help="keep the generated workbooks in this folder")
    parser.add_argument("--reuse", action="store_true", help="with --keep: use the workbooks kept there before")
    args = parser.parse_args()

    compile_package()

    folder = Path(tempfile.mkdtemp(prefix="handover-bench-"))
    light, heavy = folder / "open2.xlsx", folder / "open50.xlsx"
    kept = [args.keep / light.name, args.keep / heavy.name] if args.keep else []
    started = time.perf_counter()
    if args.reuse and kept and all(path.exists() for path in kept):
        shutil.copyfile(kept[0], light)
        shutil.copyfile(kept[1], heavy)
        ids = ids_of(args.rows)
        print(f"{cores_allowed()} cores; reusing the workbooks in {args.keep}")
    else:
        ids = generate(light, args.rows, open_share=0.02)
        generate(heavy, args.rows, open_share=0.5)
        print(f"{cores_allowed()} cores; generated 2 x {args.rows:,} rows ({light.stat().st_size / 2**20:.1f} MiB each) "
              f"in {time.perf_counter() - started:.1f} s")
    shared = excel_style_copy(light, folder) if args.only in (None, "done") else None
    print()
    ten = ids[:: max(1, len(ids) // 10)][:10]
    copy = folder / "copy.xlsx"

    def done_on(workbook: Path) -> list[str]:
        shutil.copyfile(workbook, copy)
        shutil.rmtree(folder / ".handover", ignore_errors=True)
        return handover("done", *ten, "--by", "bench", "--sheet", str(copy))

    def fresh_copy() -> list[str]:
        return done_on(light)

    def openpyxl_save() -> list[str]:
        shutil.copyfile(light, copy)
        return python(f"import openpyxl\nbook = openpyxl.load_workbook({str(copy)!r})\nbook.save({str(copy)!r})")

    # name -> a function giving the argv of one run (called right before the run: done needs a fresh copy)
    jobs = {}
    if args.only in (None, "pull"):
        jobs |= {
            "pull, 2% open": lambda: handover("pull", "--sheet", str(light), "--format", "json"),
            "  calamine read, 2% open": lambda: calamine(light),
            "pull, 50% open": lambda: handover("pull", "--sheet", str(heavy), "--format", "json"),
            "  calamine read, 50% open": lambda: calamine(heavy),
        }
    if args.only in (None, "done"):
        jobs |= {"done on 10 ids": fresh_copy, "  openpyxl load + save": openpyxl_save}
        if shared is not None:
            jobs |= {"done, shared strings": lambda: done_on(shared),
                     "  calamine read, shared": lambda: calamine(shared)}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
    for _ in range(args.rounds):
        for name, argv in jobs.items():
            runs[name].append(measure(argv()))

    print(f"{'job':<28}{'best s':>9}{'median s':>10}{'peak MiB':>11}")
    for name, measured in runs.items():
        walls = [wall for wall, _ in measured]
        print(f"{name:<28}{min(walls):>9.2f}{statistics.median(walls):>10.2f}{max(p for _, p in measured):>11.0f}")
    print()

    def ratio(job: str, floor: str, target: float, label: str) -> None:
        if job not in runs:
            return
        paired = statistics.median(a[0] / b[0] for a, b in zip(runs[job], runs[floor]))
        best = min(w for w, _ in runs[job]) / min(w for w, _ in runs[floor])
        print(f"{label:<34} median of pairs {paired:.3f}x, best / best {best:.3f}x (target <= {target}x)")

    ratio("pull, 2% open", "  calamine read, 2% open", 1.3, "pull / calamine, 2% open:")
    ratio("pull, 50% open", "  calamine read, 50% open", 2, "pull / calamine, 50% open:")
    ratio("done on 10 ids", "  openpyxl load + save", 0.05, "done / openpyxl load+save:")
    if "done on 10 ids" in runs and "  calamine read, 2% open" in runs:
        # done decodes only what it needs (first rows, the 编号 column, the rows it marks) and rewrites the
        # sheet part: beside a bare whole read of the same workbook, for scale.
        paired = statistics.median(a[0] / b[0] for a, b in zip(runs["done on 10 ids"], runs["  calamine read, 2% open"]))
        print(f"{'done / calamine read (same workbook):':<34} median of pairs {paired:.3f}x")
    if "done, shared strings" in runs:
        paired = statistics.median(a[0] / b[0] for a, b in zip(runs["done, shared strings"], runs["  calamine read, shared"]))
        print(f"{'done / calamine read, shared strings:':<34} median of pairs {paired:.3f}x")

    if args.keep and not args.reuse:
        args.keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(light, args.keep / light.name)
        shutil.copyfile(heavy, args.keep / heavy.name)
    shutil.rmtree(folder)


def logged_at(number: int) -> datetime:
    return datetime(2025, 1, 1, 19, 0) + timedelta(minutes=number * 13)


def ids_of(rows: int) -> list[str]:
    """The ids `generate` gives its rows."""
    return [f"H{logged_at(number):%Y%m%d}-{number % 1000 + 1:03d}" for number in range(rows)]


def excel_style_copy(workbook: Path, folder: Path) -> Path | None:
    """The workbook as LibreOffice saves it (text in the shared-strings table, as Excel and WPS keep it;
    openpyxl writes text inline), or None without LibreOffice."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        print("LibreOffice is not installed: no shared-strings copy (apt-get install libreoffice-calc-nogui)")
        return None
    target = folder / "saved-by-office"
    target.mkdir()
    subprocess.run([office, "--headless", "--convert-to", "xlsx", "--outdir", str(target), str(workbook)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False)
    saved = target / workbook.name
    return saved if saved.exists() else None


if __name__ == "__main__":
    main()
