"""How long an account manager waits for the command line: wall time of whole processes.

Each command runs as people run it, a fresh `rules-engine` process (the console script
beside this interpreter), once to warm the disk cache and write byte code, then `--runs`
times; the median and the fastest wall time are printed, with the CPU time the processes
used (user + system, from the kernel's accounting of children) and the load average, since
on a shared machine wall time is mostly the neighbours'.

    .venv/bin/python benchmarks/cli.py              # 15 runs of each command
    .venv/bin/python benchmarks/cli.py --runs 5
    .venv/bin/python benchmarks/cli.py --tree /tmp/before   # another checkout's package, same interpreter

`--tree` runs `rules_engine.cli.main` from another checkout (for example the one before a
change: `mkdir /tmp/before && git archive main | tar -x -C /tmp/before`), in this venv, for
before/after figures taken side by side on the same machine.

Targets on a quiet machine (issue 20): `--version` under 0.15 s, `check` of one example
client under 0.5 s, `decide` of one call under 0.5 s, `holidays` of one client's year under
0.5 s. Not asserted by any test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "client_configs" / "acme_plumbing.rules"
COMMANDS = {
    "--version": (["--version"], 0.15),
    "check": (["check", str(ACME)], 0.5),
    "decide": (
        ["decide", str(ACME), "--client", "acme_plumbing", "--at", "2026-11-28T23:15", "--forwarded", "busy"],
        0.5,
    ),
    "holidays": (["holidays", str(ACME), "--client", "acme_plumbing", "--year", "2027"], 0.5),
}


def entry_point(tree: Path | None = None) -> list[str]:
    """The `rules-engine` script installed beside this interpreter, or the same entry run by `-c`
    (from `tree`'s package when given)."""
    if tree is not None:
        code = f"import sys; sys.path.insert(0, {str(tree)!r}); from rules_engine.cli import main; sys.exit(main())"
        return [sys.executable, "-c", code]
    script = Path(sys.executable).with_name("rules-engine")
    if script.is_file():
        return [str(script)]
    found = shutil.which("rules-engine")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from rules_engine.cli import main; sys.exit(main())"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(argv: list[str], runs: int) -> tuple[list[float], float]:
    """Wall times of `runs` processes (after one unmeasured), and their median CPU time."""
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        cpu = children_cpu()
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu)
    return walls, statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs of each command (default 15)")
    parser.add_argument("--tree", type=Path, metavar="DIR", help="time the package of another checkout")
    args = parser.parse_args()
    entry = entry_point(args.tree.resolve() if args.tree else None)
    print(f"{args.tree or entry[0]}, {args.runs} runs each, {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'command':<10} {'median s':>9} {'fastest s':>10} {'CPU s':>7} {'target s':>9}")
    for name, (arguments, target) in COMMANDS.items():
        walls, cpu = measure(entry + arguments, args.runs)
        median = statistics.median(walls)
        verdict = "met" if median < target else "missed"
        print(f"{name:<10} {median:>9.3f} {min(walls):>10.3f} {cpu:>7.3f} {target:>9.2f}  {verdict}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
