"""JSON Schemas of the call and the decision: the contract with the routing daemon, as files.

The decision's schema is `decide.schema.decision_schema` (also `Decision.json_schema()`); the
call's is the `Call` model's own.

`python -m rules_engine.schemas` writes them to `docs/schemas/` (or the folder given), from
the models themselves; a test keeps the files in `docs/` current, so a change to `Call` or
`Decision` that forgets them fails the suite.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .decide.call import Call
from .decide.schema import decision_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_FOLDER = Path("docs") / "schemas"
# What the daemon sends (validated as input) and what it receives (as the engine writes it).
SCHEMAS: dict[str, Callable[[], dict]] = {
    "call.schema.json": lambda: Call.model_json_schema(mode="validation"),
    "decision.schema.json": decision_schema,
}


def documents() -> dict[str, str]:
    """Each schema file's name and its text, as written."""
    return {
        name: json.dumps({"$schema": DRAFT, **schema()}, indent=2, ensure_ascii=False) + "\n"
        for name, schema in SCHEMAS.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python -m rules_engine.schemas [FOLDER]   (default: docs/schemas)", file=sys.stderr)
        return 2
    folder = Path(args[0]) if args else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
