"""The load benchmark's own check, bounded (finding 8): a few hundred decisions through
`rules-engine serve` with a token and both logs on, every one a 200 equal to `Engine.decide`."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT


def test_every_answer_under_load_is_a_200_equal_to_engine_decide():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_service.py"),
            *("--calls", "300", "--warmup", "50"),
            "--connections",
            "4",
        ],
        check=False,  # the exit status and output are read below
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "responses     {200: 300}; equal to Engine.decide: 100.00%" in result.stdout
