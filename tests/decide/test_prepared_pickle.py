"""A client that has decided calls can still be pickled (a cache of compiled clients does
this), and the copy decides exactly as the original."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

from rules_engine.decide import decider as evaluate
from rules_engine.decide.call import Call
from rules_engine.language.compile import compile_file
from rules_engine.serve.state import LiveState
from tests.support import ACME


def test_a_prepared_client_pickles_and_the_copy_decides_the_same():
    client, _ = compile_file(ACME)
    call = Call(client="acme_plumbing", at=datetime(2026, 7, 4, 3, 0, tzinfo=timezone.utc),
                forwarded="no_answer", answers={"type": "burst_pipe"})
    original = evaluate.decide(client, call, LiveState())
    copy = pickle.loads(pickle.dumps(client))
    assert copy == client
    assert evaluate.decide(copy, call, LiveState()).to_json() == original.to_json()
