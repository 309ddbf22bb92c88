"""Call ids a daemon can use (issue 22, finding 6): the id a decision was logged under comes
back with it, and the log can be read back from Python by id or by client and time span."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from rules_engine import Call, Engine
from rules_engine.errors import CallError
from rules_engine.runtime.decision_log import DecisionLogError
from rules_engine.runtime.decision_log_file import FileDecisionLog
from tests.support import ACME

CALL = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})


@pytest.fixture
def logged(tmp_path):
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
    with Engine(ACME, decision_log=log) as engine:
        yield engine
    log.close()


def test_a_decision_without_a_log_or_an_id_is_the_same_json_as_before(engine):
    decision = engine.decide(CALL)
    assert decision.call_id is None and "call_id" not in decision.to_dict()


def test_a_given_call_id_comes_back_with_the_decision(engine):
    decision = engine.decide(CALL, call_id="sw-4711")
    assert decision.call_id == "sw-4711" and json.loads(decision.to_json())["call_id"] == "sw-4711"


def test_a_call_logged_without_an_id_can_be_found_by_the_id_decide_returns(logged):
    decision = logged.decide(CALL)
    assert decision.call_id and len(decision.call_id) == 32
    explained = logged.explain(decision.call_id)
    assert explained is not None and explained.record["call_id"] == decision.call_id
    assert explained.record["decision"]["urgency"] == "emergency"
    assert explained.source is not None and "Acme Plumbing" in explained.source.text
    assert explained.record["decision"]["script"]["steps"]  # read back in full, as `explain` prints it
    assert logged.explain("never-logged") is None


def test_explain_names_a_bad_call_id_and_needs_a_log(engine, logged):
    with pytest.raises(DecisionLogError, match="no decision log"):
        engine.explain("sw-4711")
    with pytest.raises(CallError) as caught:
        logged.explain("")
    assert getattr(caught.value, "field", None) == "call_id"


def test_a_clients_calls_are_listed_by_when_they_were_logged(logged):
    before = datetime.now(UTC) - timedelta(seconds=1)
    ids = [logged.decide(CALL, call_id=f"c{n}").call_id for n in range(3)]
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert [r["call_id"] for r in logged.logged("acme_plumbing", before, after)] == ids
    assert logged.logged("acme_plumbing", after, after + timedelta(hours=1)) == []
    assert [r["call_id"] for r in logged.logged("acme_plumbing", before, after, limit=2)] == ids[:2]
