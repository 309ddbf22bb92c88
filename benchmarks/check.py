"""What `rules-engine check` of one example client costs, now that it proves reachability and gaps (issue 21).

Each example client is checked as an account manager checks it, a fresh `rules-engine check
FILE --from 2026-12-01` process, once to warm the caches and then `--runs` times; the median
and fastest wall time are printed with the processes' CPU time (on a shared machine, the CPU
time is what a quiet machine's wall clock would show). Every run must exit 0 with "no
errors, no warnings": the example clients have no false warning.

    .venv/bin/python benchmarks/check.py                      # 7 runs of each client
    .venv/bin/python benchmarks/check.py --tree /tmp/before   # another checkout, for before/after

Target (issue 21): under 1 s a client on a quiet machine. Not asserted by any test.

Then, in this process and for this checkout only, the CPU time of each stage that `check`
adds to compiling (best of `--runs`): the on-call members, the no-effect warnings, the
survey of every class of call over the year, reachability and the gaps that matter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
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
    if args.tree is None:
        stages(args.runs)
    return 1 if failed else 0


def stages(runs: int) -> None:
    """The CPU time of each stage of `check` after compiling, best of `runs`, per example client."""
    from rules_engine.analysis.gaps import gap_warnings
    from rules_engine.analysis.no_effect import no_effect_warnings
    from rules_engine.analysis.reach import Reach
    from rules_engine.analysis.survey import Survey
    from rules_engine.compiler.compile import compile_file
    from rules_engine.schedule.shifts import coverage_warnings

    start = date.fromisoformat(FROM)
    print("CPU s per stage, in process (best of the runs):")
    print(f"{'client':<20} {'members':>8} {'no-effect':>10} {'survey':>7} {'reach':>6} {'gaps':>6} {'added':>6}")
    for path in sorted((ROOT / "client_configs").glob("*.rules")):
        client, _ = compile_file(path)
        best: dict[str, float] = {}
        for _ in range(runs):
            marks = [time.process_time()]
            coverage_warnings(client, start)
            marks.append(time.process_time())
            assert no_effect_warnings(client, start) == []
            marks.append(time.process_time())
            survey = Survey(client, start, 365)
            marks.append(time.process_time())
            assert Reach(survey).warnings() == []
            marks.append(time.process_time())
            assert gap_warnings(survey) == []
            marks.append(time.process_time())
            for name, a, b in zip(("members", "no-effect", "survey", "reach", "gaps"), marks, marks[1:], strict=False):
                best[name] = min(best.get(name, b - a), b - a)
        added = best["survey"] + best["reach"] + best["gaps"]
        figures = " ".join(
            f"{best[k]:>{w}.3f}"
            for k, w in (("members", 8), ("no-effect", 10), ("survey", 7), ("reach", 6), ("gaps", 6))
        )
        print(f"{path.stem:<20} {figures} {added:>6.3f}")


if __name__ == "__main__":
    sys.exit(main())
