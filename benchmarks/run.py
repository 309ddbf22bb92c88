"""The benchmark command: every figure of issue 7 in one table, and as JSON.

    .venv/bin/python benchmarks/run.py            # the full run (a few minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # a smoke run: fewer calls, 100 clients

Prints a table (median and 99th percentile per call where it applies), then each target
with met/missed and the margin, and writes benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import floor
import scenarios
from generate_corpus import generate
from measure import OVERHEAD_NS, Stopwatch, best_of_rounds

from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.decide import Call, Decision, route_only
from rules_engine.engine import Engine
from rules_engine.schedule.calendar import Calendar
from rules_engine.schedule.oncall import OnCall

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = ROOT / "client_configs"
RESULTS = HERE / "results" / "latest.json"


# ---- 1. decide() on each example client ------------------------------------------------------------


def bench_decide(engine: Engine, calls_per_kind: int, rounds: int) -> dict:
    out = {}
    for client_id, client in sorted(engine.clients.items()):
        out[client_id] = {}
        for kind, with_answers in (("arrival", False), ("answers", True)):
            calls = [(Call(**s),) for s in scenarios.calls(client, calls_per_kind, with_answers)]
            out[client_id][kind] = best_of_rounds({kind: (engine.decide, calls)}, rounds)[kind]
    return out


# ---- 2. the floor: Acme Plumbing by hand ----------------------------------------------------------------


def project(ours, wanted):
    """`ours` cut down to the keys `wanted` has, recursively, so the two can be compared."""
    if isinstance(wanted, dict):
        return {k: project(ours.get(k, "<missing>"), v) for k, v in wanted.items()} if isinstance(ours, dict) else ours
    if isinstance(wanted, list) and isinstance(ours, list) and len(ours) == len(wanted):
        return [project(o, w) for o, w in zip(ours, wanted, strict=True)]
    return ours


def as_json(value):
    return json.loads(json.dumps(value))


def route_only_of(engine: Engine, client_id: str):
    """The engine's route-only work (`rules_engine.decide.route_only`): time facts, urgency and
    route over the client's plan; no greeting, no script, no `Decision` assembled (the rules
    tried are still noted in the trace, which deciding always keeps)."""
    plan = engine.plan(client_id)
    live = engine.store.snapshot(client_id)
    return lambda call: route_only(plan, call, live)


def bench_floor(engine: Engine, calls_per_kind: int, rounds: int) -> dict:
    """Ours and the floor on the same calls, timed in alternating rounds (see `best_of_rounds`)."""
    client = engine.clients.get("acme_plumbing")
    if client is None:
        return {"skipped": "client_configs/acme_plumbing.rules is not served"}
    out = {"full": {}, "disagreements": 0}
    for kind, with_answers in (("arrival", False), ("answers", True)):
        chosen = scenarios.calls(client, calls_per_kind, with_answers)
        for s in chosen:  # the floor must be the same logic, or the ratio means nothing
            expected = as_json(floor.decide(*scenarios.floor_args(s)))
            if project(engine.decide(Call(**s)).to_dict(), expected) != expected:
                out["disagreements"] += 1
        figures = best_of_rounds(
            {
                "ours": (engine.decide, [(Call(**s),) for s in chosen]),
                "floor": (floor.decide, [scenarios.floor_args(s) for s in chosen]),
            },
            rounds,
        )
        figures["ratio"] = round(figures["ours"]["median_us"] / figures["floor"]["median_us"], 1)
        out["full"][kind] = figures

    chosen = scenarios.calls(client, calls_per_kind, True)
    route_only = route_only_of(engine, "acme_plumbing")
    floor_calls = [(s["at"], s["forwarded"], s["caller"], s["answers"], s["said"]) for s in chosen]
    for s, args in zip(chosen, floor_calls, strict=True):
        urgency, route = route_only(Call(**s))
        expected = as_json(floor.route_only(*args))
        ours = [urgency, route.to_dict() if route is not None else None]
        if project(ours, expected) != expected:
            out["disagreements"] += 1
    figures = best_of_rounds(
        {"ours": (route_only, [(Call(**s),) for s in chosen]), "floor": (floor.route_only, floor_calls)}, rounds
    )
    figures["ratio"] = round(figures["ours"]["median_us"] / figures["floor"]["median_us"], 1)
    out["route_only"] = figures
    return out


def bench_to_json(engine: Engine, calls_per_kind: int, rounds: int) -> dict:
    """`Decision.to_json()`, the daemon's wire form, on Acme Plumbing's decisions of each call kind."""
    client = engine.clients.get("acme_plumbing")
    if client is None:
        return {"skipped": "client_configs/acme_plumbing.rules is not served"}
    out = {}
    for kind, with_answers in (("arrival", False), ("answers", True)):
        decisions = [(engine.decide(Call(**s)),) for s in scenarios.calls(client, calls_per_kind, with_answers)]
        out[kind] = best_of_rounds({kind: (Decision.to_json, decisions)}, rounds)[kind]
    return out


# ---- 3. on-call lookup: a rotation that started a day ago, and one ten years ago -------------------------------

ONCALL_CLIENT = """
client rota "Rotation age" {{
    timezone "America/Chicago"
    numbers "+13125550900"
    contact ann "Ann" {{ call "+13125550901" }}
    contact ben "Ben" {{ call "+13125550902" }}
    contact cat "Cat" {{ call "+13125550903" }}
    oncall fresh   {{ rotation daily from {fresh} {{ ann, ben, cat }} }}
    oncall veteran {{ rotation daily from {veteran} {{ ann, ben, cat }} }}
    greeting default {{ en "Hello" }}
    route {{ otherwise -> patch oncall fresh, else patch oncall veteran }}
}}
"""


def bench_oncall(lookups: int, rounds: int) -> dict:
    call_day = datetime(2026, 6, 15, 8, 0)
    text = ONCALL_CLIENT.format(
        fresh=(call_day - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        veteran=(call_day - timedelta(days=3652)).strftime("%Y-%m-%d %H:%M"),
    )
    client, _ = compile_text(text, "<oncall benchmark>")
    oncall = OnCall(client, Calendar(client))
    rng = random.Random(3)
    start = call_day.replace(tzinfo=timezone(timedelta(hours=-5))).astimezone(UTC)
    instants = [start + timedelta(seconds=rng.randrange(12 * 3600)) for _ in range(lookups)]
    out = best_of_rounds(
        {
            age: (oncall.who, [(team, at) for at in instants])
            for team, age in (("fresh", "1 day"), ("veteran", "10 years"))
        },
        rounds,
    )
    out["ratio"] = round(out["10 years"]["median_us"] / out["1 day"]["median_us"], 2)
    return out


# ---- 4 and 5. compiling one client, and a corpus of clients; reload --------------------------------------------


def bench_compile_one(path: Path, repeats: int) -> dict:
    compile_file(path)  # the grammar is loaded once per process; that is not a client's cost
    return best_of_rounds({"compile": (compile_file, [(path,)] * repeats)}, 3)["compile"]


def child(corpus: Path, *options: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "load_corpus.py"), str(corpus), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"load_corpus.py failed:\n{done.stderr}")
    return json.loads(done.stdout)


def bench_corpus(count: int, reloads: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rules-corpus-"))
    try:
        corpus = work / "clients"
        with Stopwatch() as made:
            files = generate(corpus, count)
        # Files on a server are not seconds old; a just-written file is not trusted by its stamp.
        old = time.time() - 60
        for file in files:
            os.utime(file, (old, old))
        cache_dir = work / "cache"  # the engine creates it, mode 0700
        cold = child(corpus, "--cache", str(cache_dir), "--reloads", str(reloads))
        cached = child(corpus, "--from-cache", str(cache_dir))
        return {"count": count, "generate_s": round(made.wall, 2), "cold": cold, "restart": cached}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- targets and the table ----------------------------------------------------------------------------------------


def verdict(name: str, actual, limit, unit: str, lower_is_better: bool = True, note: str = "") -> dict:
    if actual is None:
        return {"target": name, "status": "not measured", "note": note}
    met = actual <= limit if lower_is_better else actual >= limit
    margin = (f"{limit / actual:.1f}× headroom" if met else f"missed by {actual / limit:.1f}×") if actual else "met"
    return {
        "target": name,
        "actual": actual,
        "limit": limit,
        "unit": unit,
        "status": "met" if met else "MISSED",
        "margin": margin,
        "note": note,
    }


def targets(results: dict, quick: bool) -> list[dict]:
    out = []
    fl = results["floor"]
    if "full" in fl:
        ratio = max(v["ratio"] for v in fl["full"].values())
        out.append(verdict("full decision ≤ 10× the hand-written floor", ratio, 10, "×"))
        out.append(verdict("route-only ≤ 3× the floor", fl["route_only"]["ratio"], 3, "×"))
    worst = max(k["median_us"] for c in results["decide"].values() for k in c.values())
    out.append(verdict("full decision median < 50 µs (worst example client and call kind)", worst, 50, "µs"))
    if "skipped" not in results["to_json"]:
        out.append(
            verdict(
                "to_json() median < 10 µs (acme_plumbing, worst call kind)",
                max(k["median_us"] for k in results["to_json"].values()),
                10,
                "µs",
            )
        )
    out.append(
        verdict(
            "on-call lookup: 10-year-old rotation costs the same as 1-day-old (ratio ≤ 1.25)",
            results["oncall"]["ratio"],
            1.25,
            "×",
        )
    )
    corpus = results["corpus"]
    cold, cached = corpus["cold"], corpus["restart"]
    scale = 1000 / corpus["count"]
    note = f"--quick: {corpus['count']} clients, scaled ×{scale:g}" if quick else ""
    out.append(
        verdict(
            "1,000 clients compiled cold < 20 s (process CPU time, cache being filled; wall in the table)",
            round(cold["cold_cpu_s"] * scale, 2),
            20,
            "s",
            note=note,
        )
    )
    out.append(
        verdict(
            "1,000 clients loaded from a warm compile cache after a restart < 2 s",
            round(cached["cached_wall_s"] * scale, 3),
            2,
            "s",
            note=(note + "; " if note else "") + "each client is then built on first use",
        )
    )
    unscaled = f"--quick: measured with {corpus['count']} clients, not scaled" if quick else ""
    out.append(
        verdict(
            "1,000 clients loaded and planned in < 1 GB (peak RSS)", cold["rss_prepared_mb"], 1024, "MB", note=unscaled
        )
    )
    out.append(
        verdict("one-file reload among 1,000 < 100 ms (median)", cold["reload_median_ms"], 100, "ms", note=unscaled)
    )
    return out


def print_table(results: dict) -> None:
    rows = []

    def row(label, figures=None, extra=""):
        if figures is None:
            rows.append((label, "", "", "", "", extra))
        else:
            rows.append(
                (
                    label,
                    f"{figures['median_us']:.1f}",
                    f"{figures['p99_us']:.1f}",
                    f"{figures['cpu_mean_us']:.1f}",
                    str(figures["n"]),
                    extra,
                )
            )

    for client_id, kinds in results["decide"].items():
        for kind, figures in kinds.items():
            row(f"decide {client_id} ({'arrival only' if kind == 'arrival' else 'with answers'})", figures)
    fl = results["floor"]
    if "full" in fl:
        for kind, part in fl["full"].items():
            what = "arrival only" if kind == "arrival" else "with answers"
            row(f"decide acme_plumbing ({what}), paired run", part["ours"])
            row(f"floor decide acme_plumbing ({what})", part["floor"], f"ours ÷ floor = {part['ratio']}×")
        row("route-only acme_plumbing (engine)", fl["route_only"]["ours"])
        row(
            "route-only acme_plumbing (floor)",
            fl["route_only"]["floor"],
            f"ours ÷ floor = {fl['route_only']['ratio']}×",
        )
        row("floor ≠ engine on calls checked", None, str(fl["disagreements"]))
    for kind, figures in results["to_json"].items():
        if kind != "skipped":
            row(f"to_json() acme_plumbing ({'arrival only' if kind == 'arrival' else 'with answers'})", figures)
    for age in ("1 day", "10 years"):
        row(f"on-call lookup, rotation started {age} before", results["oncall"][age])
    row("compile acme_plumbing.rules", results["compile_one"])
    corpus = results["corpus"]
    cold, cached, n = corpus["cold"], corpus["restart"], corpus["count"]
    row(
        f"compile {n} clients cold, filling the cache (fresh process)",
        None,
        f"{cold['cold_wall_s']} s wall, {cold['cold_cpu_s']} s CPU ({cold['cache_mb']} MB of cache)",
    )
    row(
        f"load {n} clients again in process (reload, nothing changed)",
        None,
        f"{cold['warm_wall_s']} s, recompiled {cold['warm_recompiled']}",
    )
    row(
        f"restart: load {n} clients from the warm cache",
        None,
        f"{cached['cached_wall_s']} s wall, {cached['cached_cpu_s']} s CPU, {cached['problems']} problems",
    )
    row(
        f"restart: first use of all {n} cached clients",
        None,
        f"{cached['first_use_all_wall_s']} s, peak RSS {cached['rss_prepared_mb']} MB",
    )
    row(f"plan {n} clients for deciding", None, f"{cold['prepare_wall_s']} s wall, {cold['prepare_cpu_s']} s CPU")
    row(
        f"RSS: after imports / peak with {n} loaded / peak planned",
        None,
        f"{cold['rss_imported_mb']} / {cold['rss_loaded_mb']} / {cold['rss_prepared_mb']} MB",
    )
    row(
        f"reload after one of {n} files changed",
        None,
        f"median {cold['reload_median_ms']} ms of {cold['reload_ms']}, recompiled {cold['reload_recompiled']}",
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'median µs':>10}  {'p99 µs':>9}  {'cpu µs':>8}  {'n':>6}  notes")
    for label, median, p99, cpu, n_calls, extra in rows:
        print(f"{label:<{width}}  {median:>10}  {p99:>9}  {cpu:>8}  {n_calls:>6}  {extra}")
    print("(median and p99: wall clock per call; cpu: process CPU time per call, mean over the series)")
    print()
    for t in results["targets"]:
        if t["status"] == "not measured":
            print(f"  [not measured] {t['target']} {t['note']}")
            continue
        note = f"  ({t['note']})" if t["note"] else ""
        print(
            f"  [{t['status']:>6}] {t['target']}: {t['actual']} {t['unit']} vs {t['limit']} {t['unit']}, "
            f"{t['margin']}{note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer calls, 100 clients")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"where to write the JSON (default {RESULTS})")
    args = parser.parse_args()
    calls_per_kind, lookups, rounds, corpus_size, reloads = (
        (300, 2000, 1, 100, 3) if args.quick else (2000, 10000, 3, 1000, 7)
    )

    started = time.perf_counter()
    results = {
        "meta": {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
            "timer_overhead_ns": OVERHEAD_NS,
        }
    }
    engine = Engine(EXAMPLES)
    results["decide"] = bench_decide(engine, calls_per_kind, rounds)
    results["floor"] = bench_floor(engine, calls_per_kind, rounds)
    results["to_json"] = bench_to_json(engine, calls_per_kind, rounds)
    results["oncall"] = bench_oncall(lookups, rounds)
    results["compile_one"] = bench_compile_one(EXAMPLES / "acme_plumbing.rules", 10 if args.quick else 50)
    results["corpus"] = bench_corpus(corpus_size, reloads)
    results["targets"] = targets(results, args.quick)
    results["meta"]["load_average_at_end"] = os.getloadavg()
    results["meta"]["total_s"] = round(time.perf_counter() - started, 1)

    print_table(results)
    print(
        f"\n{results['meta']['total_s']} s in all; load average {results['meta']['load_average_at_start'][0]:.1f} "
        f"at the start on {results['meta']['cpus']} CPUs"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
