"""Publishing rule files: the Publisher's checks, numbering and rollback; the history made to
start with what serves when the console mounts; an instance following what another published;
and the files ⇄ console commands (`rules-engine rules export|import`)."""

from __future__ import annotations

import pytest

from rules_engine.console.audit import Audit
from rules_engine.console.db import SQLiteDatabase
from rules_engine.console.fleet import Follower, reconcile
from rules_engine.console.publishing import Publisher, PublishRefused
from rules_engine.engine import Engine
from tests.support import client_text

# A second language with a greeting that has no text in it: a warning, not an error.
WARNED = client_text("alpha", "Alpha, warned").replace("languages en", "languages en, es")


@pytest.fixture
def db(tmp_path):
    opened = SQLiteDatabase(tmp_path / "console.db")
    yield opened
    opened.close()


@pytest.fixture
def publisher(rules_dir, db):
    engine = Engine(rules_dir)
    found = Publisher(db, engine, Audit(db))
    reconcile(found)
    yield found
    engine.close()


def served_greeting(engine: Engine, client: str) -> str:
    return engine.client(client).greetings[0].texts["en"].source


def test_a_publish_writes_the_file_serves_it_at_once_and_records_it_with_the_next_number(publisher, rules_dir):
    text = client_text("alpha", "Alpha, new hours")
    version = publisher.publish("alpha", text, "mia", "new greeting", address="10.0.0.1")
    assert version.number == 2 and version.action == "publish" and version.author == "mia"
    assert (rules_dir / "alpha.rules").read_text() == text
    assert served_greeting(publisher.engine, "alpha") == "Alpha, new hours"
    assert publisher.engine.client("alpha").rules_version == version.rules_version
    [entry] = [e for e in publisher.audit.entries(None, "mia") if e.action == "publish"]
    assert (entry.client, entry.address, entry.detail["number"]) == ("alpha", "10.0.0.1", 2)


def test_errors_block_the_publish_and_nothing_changes(publisher, rules_dir):
    before = (rules_dir / "alpha.rules").read_text()
    with pytest.raises(PublishRefused) as refused:
        publisher.publish("alpha", client_text("alpha", "Broken", broken=True), "mia", "oops")
    assert refused.value.checked.errors and refused.value.checked.errors[0].line == 7
    assert (rules_dir / "alpha.rules").read_text() == before
    assert publisher.current("alpha").number == 1


def test_a_number_another_client_is_dialled_on_is_an_error(publisher):
    with pytest.raises(PublishRefused) as refused:
        publisher.publish("alpha", client_text("alpha", "Alpha", "+13125550300"), "mia", "steal beta's number")
    assert "+13125550300" in refused.value.checked.errors[0].message


def test_warnings_need_acknowledging(publisher):
    with pytest.raises(PublishRefused) as refused:
        publisher.publish("alpha", WARNED, "mia", "Spanish")
    assert not refused.value.checked.errors and refused.value.checked.warnings
    assert publisher.current("alpha").number == 1
    assert publisher.publish("alpha", WARNED, "mia", "Spanish", acknowledged=True).number == 2


def test_a_rollback_publishes_the_old_text_again_as_a_new_version(publisher):
    original = publisher.current("alpha")
    publisher.publish("alpha", client_text("alpha", "Alpha two"), "mia", "two")
    publisher.publish("alpha", client_text("alpha", "Alpha three"), "mia", "three")
    back = publisher.rollback("alpha", 1, "root", address="10.0.0.2")
    assert (back.number, back.action, back.source, back.text) == (4, "rollback", 1, original.text)
    assert served_greeting(publisher.engine, "alpha") == "Alpha speaking"
    assert [v.number for v in publisher.history("alpha")] == [4, 3, 2, 1]
    assert [e.action for e in publisher.audit.entries(None, "root")][:1] == ["rollback"]


def test_the_history_starts_with_what_serves_and_a_restart_records_nothing_new(publisher, db):
    assert {c: (v.number, v.author, v.action) for c, v in publisher.last_publishes().items()} == {
        "alpha": (1, "files", "import"),
        "beta": (1, "files", "import"),
    }
    assert reconcile(publisher) == ([], [])
    assert publisher.newest_number("alpha") == 1


def test_a_file_changed_while_stopped_is_imported_at_start(publisher, rules_dir):
    (rules_dir / "beta.rules").write_text(client_text("beta", "Beta, edited in git", "+13125550300"))
    publisher.engine.reload()
    assert reconcile(publisher) == (["beta"], [])
    assert publisher.current("beta").number == 2 and publisher.current("beta").author == "files"


def test_an_instance_started_from_an_older_copy_is_brought_forward_not_recorded(publisher, rules_dir, tmp_path, db):
    publisher.publish("alpha", client_text("alpha", "Alpha, published"), "mia", "new")
    old_copy = tmp_path / "late"
    old_copy.mkdir()
    (old_copy / "alpha.rules").write_text(client_text("alpha", "Alpha speaking", "+13125550200"))
    late = Publisher(db, Engine(old_copy), Audit(db))
    assert reconcile(late) == ([], ["alpha"])
    assert served_greeting(late.engine, "alpha") == "Alpha, published"
    assert publisher.newest_number("alpha") == 2


def test_a_follower_serves_what_another_instance_published_and_records_nothing(publisher, db, tmp_path):
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    for name in ("alpha", "beta"):
        (other_dir / f"{name}.rules").write_text(publisher.current(name).text)
    other = Engine(other_dir)
    follower = Follower(db, other, Publisher(db, other, Audit(db)))
    follower.poll()  # its starting point
    publisher.publish("alpha", client_text("alpha", "Alpha from one"), "mia", "one")
    assert follower.poll() == ["alpha"]
    assert served_greeting(other, "alpha") == "Alpha from one"
    assert follower.poll() == []
    assert publisher.newest_number("alpha") == 2
    assert [e.action for e in publisher.audit.entries(None, "mia")].count("publish") == 1


def test_a_follower_survives_a_store_that_fails_and_catches_up(publisher, db, tmp_path, caplog):
    class Failing:
        broken = True

        def rows(self, statement, values=()):
            if self.broken:
                raise OSError("connection refused")
            return db.rows(statement, values)

    store = Failing()
    follower = Follower(store, publisher.engine, publisher)  # type: ignore[arg-type]
    assert follower.poll() == [] and follower.poll() == []
    assert [r.message for r in caplog.records].count(
        "console: cannot follow published versions (connection refused); retrying"
    ) == 1
    store.broken = False
    follower.poll()
    assert "following published versions again" in caplog.text


def test_export_then_import_round_trips_and_records_only_what_changed(publisher, db, tmp_path, cli):
    out = tmp_path / "out"
    result = cli("rules", "export", out, "--accounts", db.where)
    assert result.code == 0, result.err
    assert {p.name for p in out.iterdir()} == {"alpha.rules", "beta.rules"}
    assert cli("rules", "import", out, "--accounts", db.where).code == 0
    assert publisher.newest_number("alpha") == 1  # nothing changed, nothing recorded
    (out / "beta.rules").write_text(client_text("beta", "Beta from git", "+13125550300"))
    result = cli("rules", "import", out, "--accounts", db.where, "--message", "from git")
    assert result.code == 0, result.err
    beta = publisher.current("beta")
    assert (beta.number, beta.action, beta.message) == (2, "import", "from git")
    assert beta.author.startswith("command line (")
    assert [e.action for e in publisher.audit.entries(None, beta.author)] == ["import"]


def test_an_import_with_an_error_in_any_file_records_nothing_and_says_where(publisher, db, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    (out / "alpha.rules").write_text(client_text("alpha", "Alpha fine"))
    (out / "beta.rules").write_text(client_text("beta", "Beta broken", "+13125550300", broken=True))
    result = cli("rules", "import", out, "--accounts", db.where)
    assert result.code == 1
    assert f"{out / 'beta.rules'}:7:" in result.out and "nothing was imported" in result.err
    assert publisher.newest_number("alpha") == publisher.newest_number("beta") == 1


def test_an_import_with_warnings_needs_accepting(publisher, db, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    (out / "alpha.rules").write_text(WARNED)
    assert cli("rules", "import", out, "--accounts", db.where).code == 1
    assert publisher.newest_number("alpha") == 1
    assert cli("rules", "import", out, "--accounts", db.where, "--accept-warnings").code == 0
    assert publisher.newest_number("alpha") == 2


def test_an_import_of_some_clients_is_checked_beside_the_others_recorded(publisher, db, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    (out / "alpha.rules").write_text(client_text("alpha", "Alpha takes beta's number", "+13125550300"))
    result = cli("rules", "import", out, "--accounts", db.where)
    assert result.code == 1 and "+13125550300" in result.out
    assert publisher.newest_number("alpha") == 1


def test_an_import_may_swap_two_clients_numbers_at_once(publisher, db, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    (out / "alpha.rules").write_text(client_text("alpha", "Alpha speaking", "+13125550300"))
    (out / "beta.rules").write_text(client_text("beta", "Beta speaking", "+13125550200"))
    result = cli("rules", "import", out, "--accounts", db.where, "-m", "swap")
    assert result.code == 0, result.out + result.err
    assert publisher.newest_number("alpha") == publisher.newest_number("beta") == 2
