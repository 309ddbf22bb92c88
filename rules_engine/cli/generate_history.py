"""`python -m rules_engine.cli.generate_history --settings FILE --client ID --from DATE --days N`:
add a generated history of calls and outcomes (`outcomes/generate.py`) to the store the settings
name, to try `rules-engine report` on.

It is here, above the engine, because it opens one from the settings; the generator itself
sits in `outcomes/` and decides through whatever engine it is given.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from ..engine import Engine
from ..outcomes.generate import history, write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rules_engine.cli.generate_history",
        description="Add a generated history to the store the settings name (to try `rules-engine report`).",
    )
    parser.add_argument("--settings", required=True)
    parser.add_argument("--client", required=True)
    parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with Engine.from_settings(args.settings) as engine:
        count = write(engine.outcomes.store, history(engine, args.client, args.start, args.days, args.seed))
    print(f"{count} calls of {args.client} from {args.start}, over {args.days} days (seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
