"""Serving figures for docs/embedding.md: what keeping last good versions costs at start, how
fast a restart with broken files serves them, and how soon `watch()` follows a deploy.

    .venv/bin/python benchmarks/serving.py          # 1,000 generated clients, 20 deploys of each kind

Everything runs in a temporary directory, deleted afterwards; figures go to the screen and to
benchmarks/results/serving.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from generate_corpus import generate

from rules_engine.engine import Engine

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "serving.json"


def start(root: Path, **settings) -> tuple[float, int]:
    """Seconds to start an engine over `root`, and how many clients it serves. The engine is
    dropped before the next start, whose collection of garbage would otherwise walk it."""
    gc.collect()
    began = time.perf_counter()
    engine = Engine(root, **settings)
    took = time.perf_counter() - began
    served = len(engine.clients)
    engine.close()
    del engine
    gc.collect()
    return took, served


def starts(work: Path, count: int) -> dict:
    """Starts over `count` clients: cold and cached, with and without last good versions kept,
    and a restart that finds ten files broken."""
    corpus = work / "corpus"
    files = generate(corpus, count)
    cold_without, _ = start(corpus, cache_dir=work / "cache-a", keep_last_good=False)
    cold_with, _ = start(corpus, cache_dir=work / "cache-b")
    warm_without, _ = start(corpus, cache_dir=work / "cache-a", keep_last_good=False)
    warm_with, _ = start(corpus, cache_dir=work / "cache-b")
    for file in files[:10]:
        file.write_text(file.read_text().replace("route {", "rout {", 1))
    broken, served = start(corpus, cache_dir=work / "cache-b")
    state = sum(f.stat().st_size for f in (work / "cache-b" / "last-good").rglob("*") if f.is_file())
    return {
        "clients": count,
        "cold_s": {"without_last_good": round(cold_without, 2), "with": round(cold_with, 2)},
        "cached_s": {"without_last_good": round(warm_without, 2), "with": round(warm_with, 2)},
        "ten_broken_s": round(broken, 2),
        "served_with_ten_broken": served,
        "last_good_bytes": state,
    }


def release(folder: Path, corpus: list[Path]) -> None:
    folder.mkdir(parents=True)
    for file in corpus:
        shutil.copy(file, folder / file.name)


def swap(link: Path, target: str) -> None:
    temporary = link.with_name(link.name + ".tmp")
    os.symlink(target, temporary)
    os.replace(temporary, link)


def follow(engine: Engine, client: str, version: str) -> float:
    began = time.perf_counter()
    while engine.client(client).rules_version == version:
        if time.perf_counter() - began > 10:
            raise AssertionError("the deploy was not followed")
        time.sleep(0.005)
    return time.perf_counter() - began


def deploys(work: Path, rounds: int) -> dict:
    """Seconds from a link swap to the new version serving, for a ConfigMap volume and a `current` link."""
    corpus = generate(work / "small", 50)
    volume, releases = work / "configmap", work / "releases"
    release(volume / "..v0", corpus)
    os.symlink("..v0", volume / "..data")
    for file in corpus:
        os.symlink(f"..data/{file.name}", volume / file.name)
    release(releases / "v0", corpus)
    os.symlink("releases/v0", work / "current")
    out = {}
    for kind, root in (("configmap", volume), ("current_link", work / "current")):
        latencies = []
        with Engine(root) as engine, engine.watch(debounce=0.05):
            client = next(iter(sorted(engine.clients)))
            for n in range(1, rounds + 1):
                before = engine.client(client).rules_version
                if kind == "configmap":
                    release(volume / f"..v{n}", corpus)
                    first = volume / f"..v{n}" / corpus[0].name
                    first.write_text(first.read_text() + f"\n# deploy {n}\n")
                    swap(volume / "..data", f"..v{n}")
                else:
                    release(releases / f"v{n}", corpus)
                    first = releases / f"v{n}" / corpus[0].name
                    first.write_text(first.read_text() + f"\n# deploy {n}\n")
                    swap(work / "current", f"releases/v{n}")
                latencies.append(follow(engine, client, before))
        out[kind] = {
            "median_s": round(statistics.median(latencies), 3),
            "max_s": round(max(latencies), 3),
            "deploys": rounds,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--deploys", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serving-bench-"))
    try:
        figures = {"starts": starts(work, args.clients), "deploys": deploys(work, args.deploys)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    s, d = figures["starts"], figures["deploys"]
    print(
        f"start, {s['clients']} clients, nothing cached   {s['cold_s']['without_last_good']} s; "
        f"keeping last good versions: {s['cold_s']['with']} s"
    )
    print(
        f"start, everything cached            {s['cached_s']['without_last_good']} s; "
        f"keeping last good versions: {s['cached_s']['with']} s"
    )
    print(
        f"restart with 10 files broken        {s['ten_broken_s']} s, {s['served_with_ten_broken']} clients served "
        f"(last-good state on disk: {s['last_good_bytes'] / 2**20:.1f} MiB)"
    )
    for kind, figure in d.items():
        print(
            f"deploy followed by watch(), {kind:<12} median {figure['median_s']} s, max {figure['max_s']} s "
            f"over {figure['deploys']} deploys (target: within 2 s)"
        )


if __name__ == "__main__":
    main()
