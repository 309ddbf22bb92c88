"""Every example client's decisions, pinned byte for byte (golden files).

`tests/golden/decisions/CLIENT.jsonl` holds one line for each call of a broad, fixed set:
a compact JSON object with the call, the live state it was decided under (a status, an
override) and the decision exactly as `decision.to_json()` writes it, so that a deliberate
change shows in a diff as one line per decision changed.
The calls cover a week of local times, both DST changes of 2026, public holidays, the
file's own holidays and closures, every forwarding reason, each language and one the
client lacks, calls with and without answers, `said`, caller, dialled number and agent.

The decisions were read when first written (see the commit adding this file); from then
on they pin behaviour, so that work on the evaluator's speed cannot change a byte of what
it answers. Regenerate after a deliberate change with
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/decide/test_golden_decisions.py`, then read the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rules_engine import model as m
from rules_engine.decide import decision as d
from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.support import CLIENTS, GOLDEN

GOLDEN_DECISIONS = GOLDEN / "decisions"


WEEK = [date(2026, 6, 15) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
TIMES = [
    "00:30",
    "06:00",
    "07:59",
    "08:00",
    "08:30",
    "09:00",
    "11:59",
    "12:00",
    "12:30",
    "13:00",
    "13:59",
    "14:00",
    "17:29",
    "17:30",
    "17:59",
    "18:00",
    "22:00",
    "23:59",
]
PUBLIC_HOLIDAYS = [
    datetime(2026, 1, 1, 10),
    datetime(2026, 7, 3, 10),
    datetime(2026, 12, 25, 10),
    datetime(2026, 12, 28, 11),
    datetime(2026, 4, 6, 9, 30),
]
REASONS = [
    "always",
    "scheduled",
    "manual",
    "busy",
    "no_answer",
    "unavailable",
    "direct",
    "unknown",
    "user-busy",
    "No_Answer",
    "deflection",
]
AGENTS = ["Sam", None, "Zoë {agent}"]
NUMBER_ANSWERS = ["109", "95", "104", "104.5", "-3"]  # answers to `number` questions: around 104, a decimal, below zero
SAID = [
    "water is flooding the basement",
    "I think there is a GAS  leak",
    "my dog ate snake bait",
    "chest pain since this morning",
    "about an injunction",
    "please call me back",
]


# ---- the calls ------------------------------------------------------------------------------------------


def dst_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants at which `zone` changes its offset in `year` (found hour by hour)."""
    changes = []
    at = datetime(year, 1, 1, tzinfo=UTC)
    while at.year == year:
        if at.astimezone(zone).utcoffset() != (at + timedelta(hours=1)).astimezone(zone).utcoffset():
            changes.append(at + timedelta(hours=1))
        at += timedelta(hours=1)
    return changes


def choice_fields(client: m.Client) -> dict[str, list[str]]:
    return {
        step.field: [c.value for c in step.choices]
        for script in client.scripts.values()
        for step in script.steps
        if isinstance(step, m.Ask) and step.choices
    }


def full_answers(client: m.Client, choice: int) -> dict[str, str]:
    """An answer to every question of every script; the `choice`-th value of each choice question."""
    answers = {}
    for script in client.scripts.values():
        for step in script.steps:
            if isinstance(step, m.Ask):
                if step.choices:
                    answers[step.field] = step.choices[choice % len(step.choices)].value
                elif step.phone:
                    answers[step.field] = "(312) 555-0177"
                elif step.number is not None:
                    answers[step.field] = NUMBER_ANSWERS[choice % len(NUMBER_ANSWERS)]
                else:
                    answers[step.field] = f"the caller's {step.field} {{answer.{step.field}}}"
    return answers


class Cases:
    """The calls of one client, each with the parameters that vary cycled at different periods."""

    def __init__(self, client: m.Client):
        self.client = client
        self.zone = ZoneInfo(client.timezone)
        self.languages = [None] + [n.value for n in client.languages] + ["de"]
        self.numbers = [n.value for n in client.numbers] + [None]
        vips = [n.value for lst in client.lists.values() for n in lst.numbers]
        self.callers = (
            ["+1 (708) 555-0123", None] + vips[:1] + ([" ".join([vips[-1][:3], vips[-1][3:]])] if vips else [])
        )
        self.cases: list[dict] = []

    def call(self, at: datetime, live: dict | None = None, **fields) -> None:
        n = len(self.cases)
        call = {
            "client": self.client.id,
            "at": at.isoformat(),
            "forwarded": REASONS[n % len(REASONS)],
            "caller": self.callers[n % len(self.callers)],
            "language": self.languages[n % len(self.languages)],
            "agent": AGENTS[n % len(AGENTS)],
            "number": self.numbers[n % len(self.numbers)],
        }
        call.update(fields)
        self.cases.append({"call": {k: v for k, v in call.items() if v is not None or k in fields}, "live": live})

    def local(self, day: date, hh_mm: str) -> datetime:
        return datetime.combine(day, time.fromisoformat(hh_mm)).replace(tzinfo=self.zone)

    def build(self) -> list[dict]:
        client = self.client
        for day in WEEK:  # arrival only, a week of local times
            for hh_mm in TIMES:
                self.call(self.local(day, hh_mm))
        for change in dst_changes(self.zone, 2026):  # either side of each DST change, UTC half-hours
            for k in range(-6, 7):
                self.call(change + timedelta(minutes=30 * k))
            self.call(change - timedelta(minutes=30), answers=full_answers(client, 0))
        special = [at.replace(tzinfo=self.zone) for at in PUBLIC_HOLIDAYS]
        special += [datetime.combine(h.date, time(10)).replace(tzinfo=self.zone) for h in client.holiday_dates]
        for closure in client.closures:
            start, end = (dt.local.replace(tzinfo=self.zone) for dt in (closure.start, closure.end))
            special += [start - timedelta(minutes=1), start, start + (end - start) / 2, end - timedelta(minutes=1), end]
        for at in special:
            self.call(at)
            self.call(at, answers=full_answers(client, len(self.cases)))

        # With answers: every choice at a weekday noon and a weekend night; then variations.
        for at in (self.local(WEEK[1], "10:15"), self.local(WEEK[5], "23:00")):
            for index in range(max([len(v) for v in choice_fields(client).values()] or [1])):
                self.call(at, answers=full_answers(client, index))
        fields = list(full_answers(client, 0))
        for n, day in enumerate(WEEK):
            for hh_mm in ("10:00", "12:30", "19:00"):
                at = self.local(day, hh_mm)
                answers = full_answers(client, n)
                self.call(at, answers=answers, said=SAID[n % len(SAID)])
                self.call(at, answers={fields[0]: answers[fields[0]]})  # one answer only
                self.call(at, answers={f: v for f, v in answers.items() if f in choice_fields(client)})
                self.call(at, answers={f: ("  " if i % 2 else v) for i, (f, v) in enumerate(answers.items())})
                self.call(at, said=SAID[(n + 3) % len(SAID)])

        # Live state: a status (active, expired, with instructions), and an override per team.
        at = self.local(WEEK[2], "11:00")
        for live in (
            {"status": {"note": "In court until 3pm", "until": (at + timedelta(hours=4)).isoformat()}},
            {"status": {"note": "Away", "until": (at - timedelta(minutes=1)).isoformat()}},
            {"status": {"note": "Out {agent}", "instructions": "Take a message"}},
        ):
            for when in (at, self.local(WEEK[2], "20:00")):
                self.call(when, live, forwarded="manual")
                self.call(when, live, forwarded="manual", answers=full_answers(client, 1))
                self.call(when, live, forwarded="busy", answers=full_answers(client, 2))
        people = list(client.contacts)
        for team in client.teams:
            start = self.local(WEEK[3], "18:00")
            live = {
                "override": {
                    "team": team,
                    "person": people[-1],
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=6)).isoformat(),
                }
            }
            for when in (start - timedelta(minutes=1), start, start + timedelta(hours=5), start + timedelta(hours=6)):
                for index in range(max([len(v) for v in choice_fields(client).values()] or [1])):
                    self.call(when, live, answers=full_answers(client, index), said=SAID[index % len(SAID)])
        return self.cases


# ---- deciding them --------------------------------------------------------------------------------------


def decide(engine: Engine, client_id: str, case: dict) -> str:
    engine.clear_status(client_id)
    engine.clear_overrides(client_id)
    live = case["live"] or {}
    if "status" in live:
        status = live["status"]
        until = datetime.fromisoformat(status["until"]) if "until" in status else None
        # set an hour before the call and before it ends: some cases show a status that has ended
        set_at = min([datetime.fromisoformat(case["call"]["at"])] + ([until] if until else [])) - timedelta(hours=1)
        engine.set_status(client_id, status["note"], until, status.get("instructions"), now=set_at)
    if "override" in live:
        o = live["override"]
        engine.set_override(
            client_id, o["team"], o["person"], datetime.fromisoformat(o["start"]), datetime.fromisoformat(o["end"])
        )
    return engine.decide(Call(**case["call"])).to_json()


def compact(value) -> str:
    """A stored decision back in `to_json()`'s own form: no spaces, text as written."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def golden_file(client_id: str) -> Path:
    return GOLDEN_DECISIONS / f"{client_id}.jsonl"


def stored_cases(client_id: str) -> list[dict]:
    """The cases of a client's golden file, one a line (split on newlines only: a text may hold U+2028)."""
    return [json.loads(line) for line in golden_file(client_id).read_text(encoding="utf-8").split("\n") if line]


@pytest.mark.parametrize("client_id", CLIENTS)
def test_decisions_match_golden_file(engine, client_id):
    cases = Cases(engine.clients[client_id]).build()
    if os.environ.get("UPDATE_GOLDEN"):
        lines = []
        for case in cases:
            text = decide(engine, client_id, case)
            decision = json.loads(text)
            assert compact(decision) == text  # the stored form gives back the bytes exactly
            lines.append(compact({**case, "decision": decision}))
        golden_file(client_id).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    stored = stored_cases(client_id)
    assert [{"call": e["call"], "live": e["live"]} for e in stored] == cases, "the calls changed: regenerate"
    for index, entry in enumerate(stored):
        assert decide(engine, client_id, entry) == compact(entry["decision"]), f"case {index}: {entry['call']}"


@pytest.mark.parametrize("client_id", CLIENTS)
def test_decision_parts_read_as_their_json(engine, client_id):
    """The parts' fields and `to_dict` say what the JSON says, the trace included."""
    for entry in stored_cases(client_id)[::7]:
        decide(engine, client_id, entry)  # sets the live state
        decision = engine.decide(Call(**entry["call"]))
        expected = entry["decision"]
        assert compact(decision.to_dict()) == compact(expected)
        assert [(t.section, t.rule, t.line, t.result, t.note) for t in decision.trace] == [
            (t["section"], t["rule"], t["line"], t["result"], t.get("note")) for t in expected["trace"]
        ]
        assert decision.greeting.text == expected["greeting"]["text"]
        assert decision.windows == tuple(expected["windows"])
        if decision.script is not None:
            assert [s.text for s in decision.script.steps] == [s["text"] for s in expected["script"]["steps"]]


def parts_of(value):
    """Every decision part inside `value`, itself included."""
    if isinstance(value, d.Part):
        yield value
        for item in dataclasses.fields(value):
            yield from parts_of(getattr(value, item.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from parts_of(item)


def test_shared_parts_hold_what_the_serializer_writes(engine):
    """A part the plan shares carries its JSON, written once when the plan was made: it is
    what the serializer writes from the part's fields, and decisions cannot change it."""
    seen, shared = set(), 0
    for client_id in CLIENTS:
        for entry in stored_cases(client_id)[::5]:
            decide(engine, client_id, entry)
            decision = engine.decide(Call(**entry["call"]))
            for part in parts_of(
                (decision.language, decision.greeting, decision.script, decision.route, decision.status, decision.trace)
            ):
                if part.json_text is not None:
                    shared += 1
                    assert part.json_text == d.part_json(part)
                seen.add(type(part))
            with pytest.raises(dataclasses.FrozenInstanceError):
                decision.greeting.text = "changed"  # type: ignore[misc]
    # Every kind of part was met (a live-state stamp is only on decisions from a shared store).
    assert seen == set(d.SHAPES) - {d.Decision, d.LiveStateStamp}
    assert shared
