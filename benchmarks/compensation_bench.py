"""How `handover compensation` compares with a bare pass over its input (issue 13, point 5).

    python benchmarks/compensation_bench.py [--rows 1000000] [--rounds 3] [--keep DIR [--reuse]]

Generates a Taobao order report of N rows in GB18030 into a temp folder (never the repository), shaped
as the issue says: 5% of its orders are pre-sale orders still not shipped, whose buyer asked for a refund
because of it (买家退款原因 未按约定时间发货, the refund still open): each is owed a payout. Another 0.5% are
pre-sale orders nobody claimed yet (at risk), 2% carry a refund amount, 15% are shipped, 5% closed.
Then, each in a fresh Python process, in alternating rounds (the machine may be shared and noisy: each
ratio is taken within a round, the median over the rounds reported), it measures wall time and peak
memory (max RSS) of
  - the floor: a bare `csv.reader` pass over the file, decoding GB18030;
  - `handover compensation --orders FILE --format json --out FILE`, on the file and on a quarter of it
    (memory must not grow with the file).

Targets (issue 13): within 2x the floor, and under 150 MB peak.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from as_installed import compile_package

REPO = Path(__file__).resolve().parent.parent

HEADER = ["订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
          "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
          "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
          "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "分阶段订单信息", "特权订金订单id", "定金排名", "退款金额",
          # The refund report's columns, joined on the order as a shop exports them together.
          "退款状态", "买家退款原因", "退款的申请时间"]
OWED_EVERY = 20  # one order in 20 (5%) is owed a payout
STATUSES = ["交易成功"] * 70 + ["卖家已发货，等待买家确认"] * 15 + ["买家已付款，等待卖家发货"] * 10 + ["交易关闭"] * 5
TITLES = ["2026冬季新款加厚羽绒服女中长款", "纯棉短袖T恤男宽松潮牌", "真丝衬衫女长袖法式复古", "羊毛针织开衫外套",
          "高腰阔腿牛仔裤女直筒", "保温杯男女士大容量316不锈钢"]
CITIES = ["浙江省 杭州市 西湖区 文三路 90 号", "上海市 浦东新区 张江路 188 弄 3 号 1202 室", "广东省 深圳市 南山区 科技园南区",
          "四川省 成都市 武侯区 天府大道中段 1268 号"]


def generate(path: Path, rows: int, seed: int = 4) -> None:
    """The order report: see the module docstring for its shape; ids as ="…" as Taobao writes them."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, 0, 0, 0)
    with open(path, "w", encoding="gb18030", newline="") as handle:
        handle.write(",".join(HEADER) + "\r\n")
        writer = csv.writer(handle, lineterminator="\r\n")
        for index in range(rows):
            order_id = f"39{5800000000000000 + index * 7919:017d}"
            paid = rng.randint(990, 99900) / 100
            created = start + timedelta(seconds=index * 4)
            owed = index % OWED_EVERY == 0
            presale = owed or index % 200 == 7
            status = "买家已付款，等待卖家发货" if presale else rng.choice(STATUSES)
            shipped = status in ("交易成功", "卖家已发货，等待买家确认")
            title = ("【预售】" if presale else "") + rng.choice(TITLES)
            refund = f"{paid:.2f}" if not presale and rng.random() < 0.02 else "0.00"
            writer.writerow([
                f'="{order_id}"', f"tb{index % 99991:05d}", "", f"{paid:.2f}", "0.00", "0", f"{paid:,.2f}", "0",
                f"{paid:,.2f}", "0", status, "", "张*", rng.choice(CITIES), "快递", "", "138****5678",
                created.strftime("%Y-%m-%d %H:%M:%S"), (created + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S"),
                title, "1", f"YT{index:013d}" if shipped else "", "圆通速递" if shipped else "", "", "1", "1001",
                "悦衣旗舰店", "", "定金已付" if presale else "", "", "", refund,
                "买家已经申请退款，等待卖家同意" if owed else "", "未按约定时间发货" if owed else "",
                (created + timedelta(days=20)).strftime("%Y-%m-%d %H:%M:%S") if owed else "",
            ])


def measure(code: str, cwd: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout tail) of `python -c code` in a fresh process."""
    wrapper = (
        "import resource, sys, time\n"
        "_start = time.perf_counter()\n"
        "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) +
        "except SystemExit:\n    pass\n"
        "print(f'@@ {time.perf_counter() - _start:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper], cwd=cwd, capture_output=True, text=True)
    marker = [line for line in done.stderr.splitlines() if line.startswith("@@ ")]
    if done.returncode != 0 or not marker:
        raise SystemExit(f"benchmark step failed:\n{done.stderr[-2000:]}")
    _, seconds, peak = marker[-1].split()
    return float(seconds), float(peak), done.stdout[-300:]


def floor_code(path: Path) -> str:
    return (f"import csv\nwith open({str(path)!r}, encoding='gb18030', newline='') as f:\n"
            "    n = sum(1 for _ in csv.reader(f))\nprint(n)")


def has_cli_command() -> bool:
    probe = subprocess.run([sys.executable, "-c", "from handover.cli import cli; print('compensation' in cli.commands)"],
                           cwd=REPO, capture_output=True, text=True)
    return probe.stdout.strip() == "True"


def compensation_code(path: Path, folder: Path, use_cli: bool) -> str:
    """The run on `path`; the CLI writes its JSON to `<path stem>.json` beside it."""
    if use_cli:
        workbook = folder / "book.xlsx"
        if not workbook.exists():
            from openpyxl import Workbook

            book = Workbook()
            book.active.title = "交接"
            book.active.append(["编号", "类型", "订单号"])
            book.save(workbook)
        args = ["compensation", "--sheet", str(workbook), "--orders", str(path), "--format", "json",
                "--out", str(path.with_suffix(".json"))]
        return f"from handover.cli import cli\ncli({args!r}, prog_name='handover')"
    return (f"import json\nfrom handover.compensation.run import run_compensation\nfrom handover.render.finance_views import report_json\n"
            f"report = run_compensation([{str(path)!r}])\n"
            "text = json.dumps(report_json(report), ensure_ascii=False)\n"
            "print(len(report.payouts), len(report.at_risk), len(report.rejected), len(text))")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of paired runs (shared machines are noisy)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep the files")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse files generated before")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="handover-bench-") as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        big, small = folder / "taobao_orders_big.csv", folder / "taobao_orders_small.csv"
        started = time.perf_counter()
        if not (args.reuse and big.exists() and small.exists()):
            generate(big, args.rows)
            generate(small, args.rows // 4)
        print(f"generated {args.rows:,} + {args.rows // 4:,} rows ({big.stat().st_size / 1e6:.0f} MB GB18030) "
              f"in {time.perf_counter() - started:.1f} s")
        use_cli = has_cli_command()
        how = "handover compensation --format json (CLI)" if use_cli else "run_compensation + report_json (library)"
        jobs = {"floor": floor_code(big), "ours": compensation_code(big, folder, use_cli),
                "quarter": compensation_code(small, folder, use_cli)}
        runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in jobs}
        for _ in range(args.rounds):
            for name, code in jobs.items():
                runs[name].append(measure(code, REPO))
        owed = runs["ours"][-1][2].strip()
        if use_cli:
            report = json.loads(big.with_suffix(".json").read_text(encoding="utf-8"))
            owed = f"{len(report['payouts']):,} payouts, {len(report['at_risk']):,} at risk"

        def best(name: str) -> tuple[float, float]:
            return min(s for s, _, _ in runs[name]), max(m for _, m, _ in runs[name])

        floor_s, floor_mb = best("floor")
        ours_s, ours_mb = best("ours")
        quarter_s, quarter_mb = best("quarter")
        paired = statistics.median(o[0] / f[0] for o, f in zip(runs["ours"], runs["floor"]))
        print(f"floor  csv.reader pass           {floor_s:6.2f} s  peak {floor_mb:6.1f} MB")
        print(f"ours   {how}: {owed}")
        print(f"       {args.rows:>9,} rows           {ours_s:6.2f} s  peak {ours_mb:6.1f} MB")
        print(f"       {args.rows // 4:>9,} rows           {quarter_s:6.2f} s  peak {quarter_mb:6.1f} MB")
        print(f"ours / floor: median of pairs {paired:.2f}x, best / best {ours_s / floor_s:.2f}x (target <= 2x); "
              f"peak {ours_mb:.0f} MB (target < 150 MB), {ours_mb - quarter_mb:+.1f} MB for 4x the rows")


if __name__ == "__main__":
    main()
