"""Small hand-made histories of one small client, replayed through an engine's public calls.

Each `record_*` function decides its calls with call ids and records what happened, through
`Engine.decide`, `record_outcome` and `record_escalation` only, so the same history can be
written to any store. The answers are worked out by hand in the tests that use them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rules_engine.decide.call import Call
from rules_engine.engine import Engine

CHICAGO = ZoneInfo("America/Chicago")
TINY = """client tiny_vets "Tiny Vets" {
    timezone  "America/Chicago"
    languages en
    numbers   "+13125550300"
    contact ann "Ann Lee" { call "+13125550301"  sms "+13125550301" }
    contact ben "Ben Cho" { call "+13125550302" }
    escalation urgent { step call ann, wait 5m  step call ben, wait 5m }
    greeting default { en "Tiny Vets, how can I help?" }
    route {
        when forwarded busy      -> patch ann
        when forwarded no_answer -> escalate urgent
        otherwise                -> take message
    }
}
"""
BUSY_LINE = TINY.splitlines().index("        when forwarded busy      -> patch ann") + 1


def tiny_engine(folder: Path, **settings) -> Engine:
    """An engine serving `folder`, with Tiny Vets' file written into it (beside any already there)."""
    (folder / "tiny_vets.rules").write_text(TINY, encoding="utf-8")
    return Engine(folder, **settings)


def local(text: str) -> datetime:
    """A local Chicago wall-clock time, `YYYY-MM-DD HH:MM[:SS]`."""
    return datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


def decide(engine: Engine, call_id: str, at: datetime, forwarded: str, caller: str | None = None) -> None:
    engine.decide(Call(client="tiny_vets", at=at, forwarded=forwarded, caller=caller), call_id=call_id)


def record_mixed_day(engine: Engine) -> None:
    """Nine calls on Tuesday 3 and Wednesday 4 November 2026, one of each kind and then some."""
    calls = [  # id, local time, forwarding reason, caller, outcome, outcome values
        (
            "c1",
            "2026-11-03 09:00",
            "busy",
            "+13125551001",
            "answered",
            dict(waited_seconds=10, handled_seconds=120, resolved=True, transferred=False, csat=5),
        ),
        (
            "c2",
            "2026-11-03 09:10",
            "busy",
            "+13125551002",
            "answered",
            dict(waited_seconds=30, handled_seconds=300, resolved=False, transferred=True, csat=3),
        ),
        ("c3", "2026-11-03 09:20", "busy", "+13125551003", "abandoned", dict(waited_seconds=40)),
        ("c4", "2026-11-03 09:30", "busy", "+13125551004", "abandoned", dict(waited_seconds=3)),
        ("c5", "2026-11-03 22:00", "no_answer", None, "missed", dict(waited_seconds=25)),
        ("c6", "2026-11-03 22:30", "no_answer", "+13125551006", "failed", {}),
        ("c7", "2026-11-04 10:00", "direct", "+13125551007", "dropped", dict(waited_seconds=8, handled_seconds=60)),
        (
            "c8",
            "2026-11-04 10:15",
            "direct",
            None,
            "answered",
            dict(waited_seconds=20, handled_seconds=90, resolved=True),
        ),
        ("c9", "2026-11-04 10:30", "direct", "+13125551009", None, {}),
    ]
    for call_id, at, forwarded, caller, outcome, values in calls:
        decide(engine, call_id, local(at), forwarded, caller)
        if outcome is not None:
            engine.record_outcome(call_id, outcome, at=local(at) + timedelta(minutes=5), **values)


def record_fcr_edges(engine: Engine) -> None:
    """Four resolved calls on Monday 9 November 2026 at 10:00, and the repeat calls after them."""
    first = local("2026-11-09 10:00")
    for call_id, caller in (
        ("fcr-a1", "+13125552001"),
        ("fcr-b1", "+13125552002"),
        ("fcr-c1", "+13125552003"),
        ("fcr-n1", None),
    ):
        decide(engine, call_id, first, "busy", caller)
        engine.record_outcome(call_id, "answered", at=first + timedelta(minutes=3), waited_seconds=5, resolved=True)
    decide(engine, "fcr-a2", first + timedelta(days=7), "busy", "+13125552001")  # just inside
    decide(engine, "fcr-b2", first + timedelta(days=7, seconds=1), "busy", "+13125552002")  # just outside


def record_escalations(engine: Engine) -> None:
    """Three escalated calls (forwarded no_answer): acknowledged at step 2, at step 1 at night, never."""
    e1, e2, e3 = local("2026-11-05 14:00"), local("2026-11-05 23:00"), local("2026-11-06 15:00")
    for call_id, at in (("e1", e1), ("e2", e2), ("e3", e3)):
        decide(engine, call_id, at, "no_answer", "+13125553000")
    minutes = timedelta(minutes=1)
    results = [
        ("e1", 1, "ann", "no_answer", e1 + 5 * minutes),
        ("e1", 2, "ben", "acknowledged", e1 + 7 * minutes),
        ("e2", 1, "ann", "acknowledged", e2 + 2 * minutes),
        ("e3", 1, "ann", "no_answer", e3 + 5 * minutes),
        ("e3", 2, "ben", "no_answer", e3 + 10 * minutes),
    ]
    for call_id, step, contact, result, at in results:
        engine.record_escalation(call_id, step=step, contact=contact, method="call", result=result, at=at)
