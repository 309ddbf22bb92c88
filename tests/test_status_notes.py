"""An owner's status with a note per caller language and a start ahead (issue 24, the portal):
a Spanish caller hears the Spanish note, a caller in a language not written the default one,
and a status scheduled for tomorrow is not heard today. Kept by every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import CallError
from rules_engine.runtime.stores import open_store
from tests.support import ACME

AT = datetime(2026, 11, 24, 16, tzinfo=UTC)  # a Tuesday, 10:00 in Chicago
SET = AT - timedelta(hours=1)
NOTES = {"es": "En el juzgado hasta las 3"}


def call(language: str | None) -> Call:
    return Call(client="acme_plumbing", at=AT, forwarded="manual", language=language)


def greeting(engine: Engine, language: str | None) -> str:
    decision = engine.decide(call(language))
    assert decision.greeting is not None
    return decision.greeting.text


def test_a_spanish_caller_hears_the_spanish_note_and_a_french_caller_the_default():
    engine = Engine(ACME)
    engine.set_status("acme_plumbing", "In court until 3", notes=NOTES, now=SET)
    spanish = engine.decide(call("es-MX"))
    assert spanish.greeting is not None and spanish.greeting.text.endswith(": En el juzgado hasta las 3")
    assert spanish.status is not None and spanish.status.note == "En el juzgado hasta las 3"
    assert greeting(engine, "fr").endswith(": In court until 3")  # no French: the default language, note
    assert greeting(engine, "en").endswith(": In court until 3")
    assert engine.decide(call("fr")).status.note == "In court until 3"


def test_a_note_written_for_a_regional_tag_is_heard_by_callers_matched_to_its_language():
    engine = Engine(ACME)
    engine.set_status("acme_plumbing", "Out", notes={"es-MX": "Fuera"}, now=SET)
    assert greeting(engine, "es").endswith(": Fuera")


def test_a_status_starting_tomorrow_is_not_heard_today_and_is_heard_tomorrow():
    engine = Engine(ACME)
    engine.set_status("acme_plumbing", "On vacation", starts=AT + timedelta(days=1), now=SET)
    today = engine.decide(call("en"))
    assert today.status is None and "On vacation" not in today.greeting.text
    tomorrow = engine.decide(call("en").model_copy(update={"at": AT + timedelta(days=1, hours=1)}))
    assert tomorrow.status is not None and tomorrow.greeting.text.endswith(": On vacation")


def test_a_status_without_notes_reads_as_before():
    engine = Engine(ACME)
    engine.set_status("acme_plumbing", "In court", now=SET)
    assert engine.live_state("acme_plumbing").status.as_json() == {
        "note": "In court",
        "instructions": None,
        "until": None,
    }


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"notes": {"<script>": "x"}}, "is not a language tag"),
        ({"notes": {"es": 5}}, "must be text"),
        ({"notes": {"es": "x" * 1001}}, "the limit is 1,000"),
        ({"starts": AT + timedelta(hours=2), "until": AT + timedelta(hours=1)}, "must end after it starts"),
        ({"starts": datetime(2026, 11, 25)}, "time zone offset"),
    ],
)
def test_wrong_notes_and_starts_are_refused_by_name(kwargs, message):
    with pytest.raises(CallError, match=message):
        Engine(ACME).set_status("acme_plumbing", "Out", now=SET, **kwargs)


def test_the_sqlite_store_keeps_notes_and_start_across_a_restart(tmp_path):
    path = tmp_path / "state.db"
    with Engine.from_settings(rules=ACME, store=path) as engine:
        engine.set_status("acme_plumbing", "Away", notes=NOTES, starts=AT, now=SET)
    store = open_store(path)
    try:
        status = store.snapshot("acme_plumbing").status
        assert status.notes == NOTES and status.starts == AT and status.note == "Away"
    finally:
        store.close()


def test_the_postgresql_store_keeps_notes_and_start(postgres_url):
    with Engine.from_settings(rules=ACME, store=postgres_url) as engine:
        engine.set_status("acme_plumbing", "Away", notes=NOTES, starts=AT, now=SET)
    with Engine.from_settings(rules=ACME, store=postgres_url) as engine:
        status = engine.live_state("acme_plumbing").status
        assert status.notes == NOTES and status.starts == AT
        assert greeting(engine, "es").endswith(": En el juzgado hasta las 3")
