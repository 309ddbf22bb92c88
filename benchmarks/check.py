"""What `rules-engine check` of one example client costs, now that it proves reachability and gaps (issue 21).

Each example client is checked as an account manager checks it, a fresh `rules-engine check
FILE --from 2026-12-01` process, once to warm the caches and then `--runs` times; the median
and fastest wall time are printed with the processes' CPU time (on a shared machine, the CPU
time is what a quiet machine's wall clock would show). Every run must exit 0 with "no
errors, no warnings": the example clients have no false warning.

    .venv/bin/python benchmarks/check.py                      # 7 runs of each client
    .venv/bin/python benchmarks/check.py --tree /tmp/before   # another checkout, for before/after

Target (issue 21): under 1 s a client on a quiet machine. Not asserted by any test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from cli import entry_point, measure  # benchmarks/cli.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.0
FROM = "2026-12-01"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each client (default 7)")
    parser.add_argument("--tree", type=Path, metavar="DIR", help="time the package of another checkout")
    args = parser.parse_args()
    entry = entry_point(args.tree.resolve() if args.tree else None)
    print(f"{args.tree or 'this checkout'}, {args.runs} runs each, {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'client':<20} {'median s':>9} {'fastest s':>10} {'CPU s':>7} {'target s':>9}")
    failed = False
    for path in sorted((ROOT / "client_configs").glob("*.rules")):
        argv = [*entry, "check", str(path), "--from", FROM]
        done = subprocess.run(
            argv, check=False, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True
        )
        if done.returncode != 0 or "no errors, no warnings" not in done.stdout:
            print(f"{path.stem}: check did not come back clean:\n{done.stdout}{done.stderr}")
            failed = True
            continue
        walls, cpu = measure(argv, args.runs)
        median = statistics.median(walls)
        verdict = "met" if cpu < TARGET else "missed"
        print(f"{path.stem:<20} {median:>9.3f} {min(walls):>10.3f} {cpu:>7.3f} {TARGET:>9.2f}  {verdict} (CPU)")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
