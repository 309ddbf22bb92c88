"""`python -m rules_engine.cli.generate_history`: a generated history in the store the settings name,
for trying `rules-engine report` on."""

from __future__ import annotations

import json
import shutil

from rules_engine.cli import main as cli
from rules_engine.cli.generate_history import main
from tests.support import ROOT


def test_a_generated_history_lands_in_the_settings_store_and_the_report_counts_it(tmp_path, capsys):
    shutil.copy(ROOT / "client_configs" / "harbour_vets.rules", tmp_path / "harbour_vets.rules")
    settings = tmp_path / "daemon.yaml"
    settings.write_text("rules: harbour_vets.rules\nstore: state.db\n", encoding="utf-8")
    arguments = ["--settings", str(settings), "--client", "harbour_vets", "--from", "2026-10-05", "--days", "2"]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    count = int(printed.split()[0])
    assert count > 0
    assert printed == f"{count} calls of harbour_vets from 2026-10-05, over 2 days (seed 1)\n"
    report = ["report", "--settings", str(settings), "--client", "harbour_vets", "--from", "2026-10-05"]
    assert cli([*report, "--to", "2026-10-06", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["received"] == count
