"""Benchmark for issue 10: reading a workbook while another program keeps saving it in place.

    python benchmarks/mid_save_bench.py [--runs 200] [--workbook tests/data/features.xlsx]

A child process saves the workbook in place over and over, as some programs do (truncate, then write
the file in a few pieces), resting a random 0-60 ms between saves. Meanwhile this process reads it
`--runs` times two ways and counts the outcomes:
  - one bare calamine read (what handover did before: "invalid Zip archive" whenever it caught a save);
  - `XlsxBackend.read` (retries while the file keeps changing, then says another program is saving).
It also prints the median and slowest read time of the second way.
"""

from __future__ import annotations

import argparse
import collections
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SAVER = """
import random, sys, time
path, data = sys.argv[1], open(sys.argv[1], "rb").read()
pieces = 4
while True:
    with open(path, "r+b") as out:
        out.truncate(0)
        size = -(-len(data) // pieces)
        for start in range(0, len(data), size):
            out.write(data[start:start + size])
            out.flush()
            time.sleep(0.003)
    time.sleep(random.uniform(0, 0.06))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workbook", type=Path, default=REPO / "tests" / "data" / "features.xlsx")
    args = parser.parse_args()

    from python_calamine import CalamineWorkbook

    from handover.backends.xlsx import XlsxBackend
    from handover.errors import HandoverError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "交接.xlsx"
        path.write_bytes(args.workbook.read_bytes())
        saver = subprocess.Popen([sys.executable, "-c", SAVER, str(path)])
        try:
            time.sleep(0.2)
            bare = collections.Counter()
            for _ in range(args.runs):
                try:
                    CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
                    bare["read"] += 1
                except Exception as error:  # counted by kind, whatever calamine raises
                    bare[str(error).split(":")[0]] += 1
                time.sleep(random.uniform(0, 0.02))
            handover, times = collections.Counter(), []
            for _ in range(args.runs):
                start = time.perf_counter()
                try:
                    XlsxBackend(path).read(["交接"])
                    handover["read"] += 1
                except HandoverError as error:
                    handover[type(error).__name__ + ": " + str(error)[:40]] += 1
                times.append(time.perf_counter() - start)
                time.sleep(random.uniform(0, 0.02))
        finally:
            saver.kill()
            saver.wait()
    print(f"workbook {args.workbook.name} ({args.workbook.stat().st_size} bytes), {args.runs} reads each, saved in place meanwhile")
    print("bare calamine read:", dict(bare))
    print("XlsxBackend.read:  ", dict(handover))
    print(f"XlsxBackend.read time: median {statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
