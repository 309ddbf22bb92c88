"""`rules-engine users`: the first admin and every account after it, passwords from standard
input (or the terminal), never from arguments; each change in the audit log."""

from __future__ import annotations

import io

import pytest

from rules_engine.cli import main
from rules_engine.console.accounts import Accounts
from rules_engine.console.audit import Audit
from rules_engine.console.db import SQLiteDatabase


def users(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["users", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_reset_and_remove_accounts(tmp_path, capsys, monkeypatch):
    store = str(tmp_path / "accounts.db")
    assert users(capsys, monkeypatch, "add", "root", "--role", "admin", "--accounts", store, stdin="a long secret\n")[
        :2
    ] == (0, "added root (admin)\n")
    assert users(
        capsys, monkeypatch, "add", "ann", "--role", "client", "--client", "acme_plumbing", "--accounts", store,
        stdin="another secret\n",
    )[0] == 0  # fmt: skip
    code, out, _ = users(capsys, monkeypatch, "list", "--accounts", store)
    assert (code, out) == (0, "ann\tclient\tacme_plumbing\nroot\tadmin\tall clients\n")
    db = SQLiteDatabase(tmp_path / "accounts.db")
    accounts = Accounts(db)
    stored = db.rows("SELECT password FROM console_account WHERE name = 'root'")[0][0]
    assert stored.startswith("$argon2id$") and "a long secret" not in stored
    assert accounts.verify("root", "a long secret") is not None
    assert users(capsys, monkeypatch, "reset", "root", "--accounts", store, stdin="a newer secret\n")[0] == 0
    assert accounts.verify("root", "a long secret") is None and accounts.verify("root", "a newer secret") is not None
    assert users(capsys, monkeypatch, "remove", "ann", "--accounts", store)[0] == 0
    assert [a.name for a in accounts.all()] == ["root"]
    actions = [(e.action, e.detail["account"]) for e in Audit(db).entries(None, "")]
    assert actions == [
        ("account_removed", "ann"),
        ("password_reset", "root"),
        ("account_added", "ann"),
        ("account_added", "root"),
    ]
    assert all(e.actor.startswith("command line (") for e in Audit(db).entries(None, ""))
    db.close()


def test_the_settings_file_names_the_store(tmp_path, capsys, monkeypatch):
    (tmp_path / "service.yaml").write_text("rules: rules\naccounts: people.db\n")
    code, _, _ = users(
        capsys, monkeypatch, "add", "root", "--role", "admin", "--settings", str(tmp_path / "service.yaml"),
        stdin="a long secret\n",
    )  # fmt: skip
    assert code == 0 and (tmp_path / "people.db").exists()


@pytest.mark.parametrize(
    ("argv", "stdin", "said"),
    [
        (["add", "ann", "--role", "client"], "a long secret\n", "exactly one client"),
        (["add", "root", "--role", "admin", "--client", "x"], "a long secret\n", "an admin sees every client"),
        (["add", "Root Admin", "--role", "admin"], "a long secret\n", "is not an account name"),
        (["add", "root", "--role", "admin"], "short\n", "at least 10 characters"),
        (["add", "root", "--role", "admin"], "", "no password on standard input"),
        (["remove", "nobody"], "", "there is no account `nobody`"),
        (["list"], "", None),
    ],
)
def test_mistakes_are_told_in_one_line(tmp_path, capsys, monkeypatch, argv, stdin, said):
    code, _, err = users(capsys, monkeypatch, *argv, "--accounts", str(tmp_path / "a.db"), stdin=stdin)
    if said is None:
        assert (code, err) == (0, "")
    else:
        assert code == 1 and said in err and err.count("\n") == 1


def test_a_password_is_never_taken_from_the_arguments(tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit) as exited:
        users(capsys, monkeypatch, "add", "root", "--role", "admin", "--password", "secret", "--accounts", "a.db")
    assert exited.value.code == 2


def test_without_a_store_it_says_how_to_name_one(capsys, monkeypatch):
    code, _, err = users(capsys, monkeypatch, "list")
    assert code == 1 and "--accounts" in err
