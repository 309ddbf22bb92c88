"""What the watch's rescan costs: CPU per scan of a directory of 1,000 client files.

    .venv/bin/python benchmarks/rescan.py                 # 1,000 files, 200 scans
    .venv/bin/python benchmarks/rescan.py --files 5000 --scans 100

Every `rescan` seconds (2 by default) the watch lists the rule files and compares their names,
inodes, sizes and times with what it last loaded (`runtime/watch.py`). This writes a directory
of generated clients, starts a watch on it, and times the scan the watch itself makes (thread
CPU time and wall time, median and worst). It checks that a scan sees every file, that an
unchanged directory compares equal, and that one edited file makes it differ.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate_corpus import generate
from rules_engine.engine import Engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--scans", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        files = generate(directory, args.files)
        engine = Engine(directory)
        with engine.watch(rescan=3600) as watcher:  # scanned here, not by the thread
            first = watcher._fingerprint()
            assert first is not None and len(first[2]) == len(files), "a scan must see every file"
            cpu, wall = [], []
            for _ in range(args.scans):
                started_cpu, started = time.thread_time(), time.perf_counter()
                again = watcher._fingerprint()
                cpu.append(time.thread_time() - started_cpu)
                wall.append(time.perf_counter() - started)
                assert again == first, "an unchanged directory must compare equal"
            files[0].write_text(files[0].read_text("utf-8") + "\n", "utf-8")
            assert watcher._fingerprint() != first, "an edited file must make the scan differ"
        engine.close()
    print(
        json.dumps(
            {
                "files": args.files,
                "scans": args.scans,
                "cpu_ms_median": round(statistics.median(cpu) * 1000, 3),
                "cpu_ms_worst": round(max(cpu) * 1000, 3),
                "wall_ms_median": round(statistics.median(wall) * 1000, 3),
                "wall_ms_worst": round(max(wall) * 1000, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
