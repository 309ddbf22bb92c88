"""The analysis's speed figures (issue 13): matrix, diff and the no-effect warnings of `check`.

    .venv/bin/python benchmarks/analysis.py

Each figure is the best of several runs, as wall-clock and CPU time (this machine is shared:
the CPU time is what a quiet machine's wall clock would show), against its target:

- the matrix of one week, for each example client (the week of Christmas 2026): < 0.5 s;
- a 90-day diff of two versions of an example client: Acme Plumbing with the edit of
  USER-TASKS 9 (lunch moved to 12:30, Bob swapped into the weekly rotation), and each
  example client with a window edge moved by 30 minutes: < 2 s;
- `check`'s no-effect warnings for each example client, over the 365 days from 2026-01-01
  (every closure and holiday of the files within them): < 0.3 s a client.
"""

from __future__ import annotations

import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

from rules_engine.analysis.diff import diff_clients
from rules_engine.analysis.digest import digest
from rules_engine.analysis.matrix import matrix
from rules_engine.analysis.no_effect import no_effect_warnings
from rules_engine.compiler.compile import compile_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "client_configs").glob("*.rules"))
ROUNDS = 5


def best(work, paths: list[tuple[Path, object]], rounds: int = ROUNDS) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result) of the fastest of `rounds` runs of `work(*clients)`.
    Each run gets the clients compiled afresh (untimed), so it also prepares them for deciding,
    as a command run from the shell does."""
    runs = []
    for _ in range(rounds):
        clients = [compiled(path, change) for path, change in paths]
        wall, cpu = time.perf_counter(), time.process_time()
        result = work(*clients)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, result))
    return min(runs, key=lambda run: run[1])


def compiled(path: Path, change=None):
    text = path.read_text(encoding="utf-8")
    return compile_text(change(text) if change else text, str(path))[0]


def lunch_and_bob(text: str) -> str:
    text = text.replace("window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:30-13:30")
    return text.replace("{ alice, bob, carol }", "{ bob, alice, carol }")


def window_moved(text: str) -> str:
    """The first window's first time moved 30 minutes later."""
    line = re.search(r"window \w+ = [^\n]*?(\d\d):(\d\d)", text)
    minutes = int(line.group(1)) * 60 + int(line.group(2)) + 30
    return text[: line.start(1)] + f"{minutes // 60:02d}:{minutes % 60:02d}" + text[line.end(2) :]


def row(name: str, wall: float, cpu: float, target: float, note: str = "") -> bool:
    met = cpu < target
    print(f"  {name:<48} {wall:7.3f} {cpu:7.3f}   < {target:<4g} {'met' if met else 'MISSED':<6} {note}")
    return met


def main() -> int:
    print(f"analysis benchmarks: Python {platform.python_version()}, {platform.machine()}, best of {ROUNDS} runs")
    print(f"  {'figure':<48} {'wall s':>7} {'cpu s':>7}   target")
    met = True
    for path in EXAMPLES:
        wall, cpu, found = best(lambda client: matrix(client, date(2026, 12, 21), 7), [(path, None)])
        rows = sum(len(r) for r in found.reasons.values())
        met &= row(f"matrix, one week: {path.stem}", wall, cpu, 0.5, f"{rows} segments over 8 reasons")
    acme = EXAMPLES[0]
    wall, cpu, changes = best(
        lambda old, new: diff_clients(old, new, date(2026, 12, 2), 90), [(acme, None), (acme, lunch_and_bob)], 3
    )
    met &= row("diff, 90 days: acme, lunch 12:30 + Bob swapped", wall, cpu, 2.0, f"{len(changes)} changes")
    wall, cpu, found = best(
        lambda old, new: digest(old, new, diff_clients(old, new, date(2026, 12, 2), 90)),
        [(acme, None), (acme, lunch_and_bob)],
        3,
    )
    met &= row("diff + grouped by edit (the text), 90 days: acme", wall, cpu, 2.0, f"{len(found.groups)} lines")
    for path in EXAMPLES:
        wall, cpu, changes = best(
            lambda old, new: diff_clients(old, new, date(2026, 12, 2), 90), [(path, None), (path, window_moved)], 3
        )
        met &= row(f"diff, 90 days: {path.stem}, a window +30 min", wall, cpu, 2.0, f"{len(changes)} changes")
    for path in EXAMPLES:
        wall, cpu, found = best(lambda client: no_effect_warnings(client, date(2026, 1, 1)), [(path, None)], 3)
        met &= row(f"no-effect warnings, 365 days: {path.stem}", wall, cpu, 0.3, f"{len(found)} warnings")
    print("all targets met (on CPU time)" if met else "some targets MISSED (on CPU time)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
