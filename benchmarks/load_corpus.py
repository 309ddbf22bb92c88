"""Load a corpus of clients in a fresh process and print what it cost, as JSON on stdout.

Run by `run.py` in a subprocess, so that "cold" means a new interpreter with nothing
compiled, and peak memory (`ru_maxrss`) belongs to this load alone.

    python benchmarks/load_corpus.py CORPUS_DIR --cache DIR       # cold start (fills the cache), warm, reload
    python benchmarks/load_corpus.py CORPUS_DIR --from-cache DIR  # a restart that finds the cache warm

Both use the engine's own compile cache (`Engine(..., cache_dir=DIR)`, docs/compile-cache.md):
the cold start compiles every file and writes its entry, as a daemon's first start with the
cache on does; the restart reads only the entries' headers, and each client is built on
its first use (timed separately, for all clients at once).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path

from measure import Stopwatch


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kB).

    Linux carries the high-water mark across exec, so before this process outgrows its
    parent, the figure is the parent's; `current_rss_mb` is the baseline to compare with.
    """
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float | None:
    """Resident memory now (Linux /proc), or None where that is not available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def edit(path: Path, round_: int) -> None:
    """The edit an account manager makes: rename and move a closure."""
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r'closed "[^"]*" (\d{4})-12-24', rf'closed "Holidays {round_}" \1-12-23', text, count=1)
    if edited == text:
        raise SystemExit(f"{path}: no closure to edit")
    path.write_text(edited, encoding="utf-8")


def cold(corpus: Path, cache_dir: Path, reloads: int) -> dict:
    out = {}
    with Stopwatch() as imports:
        from rules_engine.engine import Engine
    out["import_s"] = round(imports.wall, 3)
    out["rss_imported_mb"] = current_rss_mb()

    with Stopwatch() as load:
        engine = Engine(corpus, cache_dir=cache_dir)
    clients = engine.clients
    out.update(
        clients=len(clients),
        problems=len(engine.problems),
        cold_wall_s=round(load.wall, 2),
        cold_cpu_s=round(load.cpu, 2),
        rss_loaded_mb=rss_mb(),
    )

    # Serving memory: each client planned for deciding (`Engine.plan`, as its first call does).
    with Stopwatch() as prepare:
        for client_id in clients:
            engine.plan(client_id)
    out.update(
        prepare_wall_s=round(prepare.wall, 2),
        prepare_cpu_s=round(prepare.cpu, 2),
        rss_prepared_mb=rss_mb(),
        rss_now_mb=current_rss_mb(),
    )

    # A second load in the same process: every file unchanged, nothing recompiled.
    with Stopwatch() as warm:
        report = engine.reload()
    out.update(warm_wall_s=round(warm.wall, 3), warm_cpu_s=round(warm.cpu, 3), warm_recompiled=len(report.recompiled))

    files = sorted(corpus.glob("*.rules"))
    times, recompiled = [], []
    for round_ in range(reloads):
        edit(files[(round_ * 97) % len(files)], round_)
        with Stopwatch() as one:
            report = engine.reload()
        times.append(one.wall)
        recompiled.append(len(report.recompiled))
    times.sort()
    out.update(
        reload_ms=[round(t * 1000, 1) for t in times],
        reload_median_ms=round(times[len(times) // 2] * 1000, 1),
        reload_recompiled=recompiled,
    )

    out["cache_mb"] = round(sum(f.stat().st_size for f in cache_dir.iterdir()) / 2**20, 1)
    return out


def from_cache(corpus: Path, cache_dir: Path) -> dict:
    """A restart that finds every file in the cache: headers read at start, clients built on first use."""
    from rules_engine.engine import Engine

    out = {"rss_imported_mb": current_rss_mb()}
    with Stopwatch() as load:
        engine = Engine(corpus, cache_dir=cache_dir)
    out.update(
        problems=len(engine.problems),
        cached_wall_s=round(load.wall, 3),
        cached_cpu_s=round(load.cpu, 3),
        rss_loaded_mb=rss_mb(),
    )
    with Stopwatch() as build:
        for client_id in engine.clients:
            engine.plan(client_id)
    out.update(clients=len(engine.clients), first_use_all_wall_s=round(build.wall, 2), rss_prepared_mb=rss_mb())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--cache", type=Path, metavar="DIR")
    group.add_argument("--from-cache", type=Path, metavar="DIR")
    parser.add_argument("--reloads", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    result = cold(args.corpus, args.cache, args.reloads) if args.cache else from_cache(args.corpus, args.from_cache)
    result["total_s"] = round(time.perf_counter() - started, 2)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
