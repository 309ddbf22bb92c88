"""docs/embedding.md runs as written: its Python examples, its settings file, its commands."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

from rules_engine.cli import main
from tests.support import CONFIGS, ROOT

GUIDE = ROOT / "docs" / "embedding.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def test_every_example_of_the_embedding_guide_runs(tmp_path, monkeypatch, capsys):
    shutil.copytree(CONFIGS, tmp_path / "client_configs")
    monkeypatch.chdir(tmp_path)
    text = GUIDE.read_text(encoding="utf-8")
    namespace: dict = {"__name__": "embedding_guide"}
    commands = 0
    for match in BLOCK.finditer(text):
        language, code = match.groups()
        first_line = text.count("\n", 0, match.start()) + 2
        if language == "python":
            # Padding keeps the guide's line numbers in any traceback.
            exec(compile("\n" * (first_line - 1) + code, str(GUIDE), "exec"), namespace)
        elif language == "yaml":
            name = code.splitlines()[0].removeprefix("# ").strip()
            (tmp_path / name).write_text(code, encoding="utf-8")
        elif language == "console":
            for line in code.splitlines():
                if line.startswith("$ rules-engine "):
                    assert main(shlex.split(line.removeprefix("$ rules-engine "))) == 0, line
                    commands += 1
    assert commands == 1

    out = capsys.readouterr().out
    # The three-line example: 23:15 on a Saturday, Acme is closed.
    assert out.startswith("Thank you for calling Acme Plumbing. Our office is closed;")
    assert "\nCall sip-4711@pbx, decided " in out and "\nAcme Plumbing & Heating (acme_plumbing), rules version " in out
    assert (
        f"\nRules:     as written in {Path.cwd() / 'client_configs' / 'acme_plumbing.rules'} when the call came\n"
        in out
    )
    logged = [json.loads(line)["call_id"] for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert sorted(logged) == sorted(["sip-4711@pbx", "pbx-77"] + [f"sip-{n}@pbx" for n in range(20)])
    # The live state the guide set and cleared was kept in the SQLite file it names.
    assert (tmp_path / "state" / "live.db").is_file()
