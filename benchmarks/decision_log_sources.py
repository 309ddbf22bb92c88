"""The file decision log's kept rules sources stay bounded however many reloads there are:
what `decisions.jsonl.sources/` holds after many reloads, and what pruning it (and the
scripts) costs a rotation.

    .venv/bin/python benchmarks/decision_log_sources.py                  # 2,000 reloads
    .venv/bin/python benchmarks/decision_log_sources.py --reloads 200    # a quicker run

The example clients (client_configs/) are copied to a temporary directory (deleted afterwards);
each reload saves acme_plumbing with one more comment line (a new rules version), then decides
`--calls` of its calls into a log rotating at `--max-bytes` that keeps `--keep-files`. It checks
that the sources kept are exactly the versions the kept records refer to plus those serving,
and that the oldest kept record is explained with its rules text, then prints the figures.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog, Pending, log_files, records

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "client_configs"
CALL = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})


def size_of(directory: Path) -> tuple[int, int]:
    files = [file for file in directory.iterdir() if file.is_file()]
    return len(files), sum(file.stat().st_size for file in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reloads", type=int, default=2_000)
    parser.add_argument("--calls", type=int, default=3, help="decisions after each reload")
    parser.add_argument("--max-bytes", type=int, default=256 * 1024)
    parser.add_argument("--keep-files", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="decision-log-sources-bench-"))
    try:
        rules, path = work / "rules", work / "decisions.jsonl"
        shutil.copytree(EXAMPLES, rules)
        acme = (rules / "acme_plumbing.rules").read_text(encoding="utf-8")
        log = FileDecisionLog(path, max_bytes=args.max_bytes, keep_files=args.keep_files)
        prunes: list[float] = []
        prune = log._prune

        def timed_prune(pending: Pending) -> None:
            started = time.perf_counter()
            prune(pending)
            prunes.append(time.perf_counter() - started)

        log._prune = timed_prune  # type: ignore[method-assign]
        engine = Engine(rules, decision_log=log)
        started = time.perf_counter()
        for n in range(args.reloads):
            (rules / "acme_plumbing.rules").write_text(acme + f"# deploy {n}\n", encoding="utf-8")
            engine.reload()
            for k in range(args.calls):
                engine.decide(CALL, call_id=f"call-{n}-{k}")
        elapsed = time.perf_counter() - started
        log.close()

        kept = [record for file in log_files(path) for record in records(file)]
        serving = {engine.client(client).rules_version for client in engine.clients}
        sources = {file.stem for file in (work / "decisions.jsonl.sources").glob("*.json")}
        assert sources == {record["rules_version"] for record in kept} | serving, "sources kept ≠ those needed"
        oldest = min(kept, key=lambda record: [int(part) for part in record["call_id"].split("-")[1:]])
        explained = engine.explain(oldest["call_id"])
        assert explained is not None and explained.source is not None, "the oldest kept record lost its rules"
        assert explained.source.rules_version == oldest["rules_version"]

        count, source_bytes = size_of(work / "decisions.jsonl.sources")
        log_bytes = sum(file.stat().st_size for file in log_files(path))
        _, index_bytes = size_of(work / "decisions.jsonl.index")
        print(f"{args.reloads:,} reloads, {args.reloads * args.calls:,} decisions in {elapsed:.1f} s")
        print(f"log: {len(log_files(path))} files, {log_bytes / 1e6:.2f} MB, {len(kept):,} records kept")
        print(f"sources: {count} files, {source_bytes / 1e6:.2f} MB ({len(serving)} serving)")
        print(f"index: {index_bytes / 1e3:.0f} kB")
        if prunes:
            print(
                f"prune at rotation: {len(prunes)} rotations, median {statistics.median(prunes) * 1e3:.2f} ms, "
                f"worst {max(prunes) * 1e3:.2f} ms"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
