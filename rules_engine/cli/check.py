"""`rules-engine check PATH...`: compile rule files and report every problem at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..compiler import compile_file
from ..errors import Diagnostic, RulesError


def add_parser(sub):
    parser = sub.add_parser("check", help="compile rule files; exit 0 clean, 1 errors")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a .rules file or a directory of them")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return parser


def rule_files(paths: list[str]) -> tuple[list[Path], list[Diagnostic]]:
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.rules")))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Diagnostic("error", "no such file or directory", raw))
    return files, missing


def run(args) -> int:
    files, diagnostics = rule_files(args.paths)
    compiled = []
    for path in files:
        try:
            client, warnings = compile_file(path)
            compiled.append(client.id)
            diagnostics.extend(warnings)
        except RulesError as exc:
            diagnostics.extend(exc.diagnostics)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if args.format == "json":
        json.dump({"files": [str(f) for f in files], "errors": errors, "warnings": warnings,
                   "diagnostics": [d.as_dict() for d in diagnostics]}, sys.stdout, indent=2)
        print()
    else:
        for d in diagnostics:
            print(d.render(), file=sys.stderr)
        print(f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr if errors else sys.stdout)
    failed = errors > 0 or (args.strict and warnings > 0) or not files
    return 1 if failed else 0
