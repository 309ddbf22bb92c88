"""`rules-engine serve` and the console's settings: plain-http cookies only on loopback."""

from __future__ import annotations

from rules_engine.cli import main
from tests.support import CONFIGS

TOKEN = "ops-token-0123456789abcdefghij"


def test_plain_http_cookies_are_refused_on_a_public_address(tmp_path, capsys):
    settings = tmp_path / "service.yaml"
    settings.write_text(
        f"rules: {CONFIGS}\naccounts: accounts.db\nconsole_secure_cookies: false\n"
        f"tokens:\n  - {{name: ops, token: {TOKEN}, scopes: [admin]}}\n",
        encoding="utf-8",
    )
    settings.chmod(0o600)  # settings holding tokens must be private
    code = main(["serve", "--settings", str(settings), "--host", "0.0.0.0", "--port", "0"])
    assert code == 1
    err = capsys.readouterr().err
    assert "refusing to send the console's cookies over plain http on 0.0.0.0" in err
    assert err.count("\n") == 1
