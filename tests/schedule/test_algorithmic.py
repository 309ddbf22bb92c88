"""Algorithmic properties the benchmarks rely on, asserted by counting work, never by timing.

- On-call lookup and a whole decision cost the same for a rotation that started yesterday
  and one that started ten or thirty years ago: counted as Python lines executed (a
  `sys.settrace` line tracer), which any walk shift by shift would multiply by thousands,
  whatever function it hid in.
- A reload among many files parses only the files that changed, and reads no file whose
  stamp (mtime, size) is old and unchanged.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import lark
import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.schedule.calendar import Calendar
from rules_engine.schedule.oncall import OnCall

CHICAGO = ZoneInfo("America/Chicago")
MEMBERS = ("ann", "ben", "cat")
CALL_DAY = datetime(2026, 6, 15, 8, 0)  # handoffs at 08:00 local, the day of the calls

AGED_CLIENT = """
client rota "Rotation age" {{
    timezone "America/Chicago"
    numbers "+13125550900"
    contact ann "Ann" {{ call "+13125550901" }}
    contact ben "Ben" {{ call "+13125550902" }}
    contact cat "Cat" {{ call "+13125550903" }}
    oncall crew {{ rotation daily from {start} {{ ann, ben, cat }} }}
    greeting default {{ en "Hello" }}
    route {{ otherwise -> patch oncall crew }}
}}
"""

AGES = {"1 day": 1, "100 days": 100, "10 years": 3652, "30 years": 10957}


def rules_for(age_days: int) -> str:
    return AGED_CLIENT.format(start=(CALL_DAY - timedelta(days=age_days)).strftime("%Y-%m-%d %H:%M"))


def lines_executed(fn, *args) -> tuple[int, object]:
    """How many Python lines `fn(*args)` runs, in every function it calls, and its result."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()  # a coverage tool's tracer, if any, is put back afterwards
    sys.settrace(tracer)
    try:
        result = fn(*args)
    finally:
        sys.settrace(previous)
    return count, result


def expected_member(age_days: int, at: datetime) -> str:
    """Shift k covers [start + k days, start + k+1 days) on Chicago's wall clock (from the stdlib)."""
    start = CALL_DAY - timedelta(days=age_days)
    wall = at.astimezone(CHICAGO).replace(tzinfo=None)
    return MEMBERS[((wall - start) // timedelta(days=1)) % 3]


# Calls at 07:59 (the last minute of a shift), 08:00 (a handoff) and later that day.
CALL_TIMES = [datetime(2026, 6, 15, h, m, tzinfo=CHICAGO) for h, m in ((7, 59), (8, 0), (13, 30), (23, 59))]


def test_on_call_lookup_runs_as_many_lines_for_a_thirty_year_old_rotation_as_for_yesterdays():
    counts = {}
    for age, days in AGES.items():
        client, _ = compile_text(rules_for(days))
        oncall = OnCall(client, Calendar(client))
        oncall.who("crew", CALL_TIMES[0])  # first use may fill caches; the property is about every call
        per_call = []
        for at in CALL_TIMES:
            lines, person = lines_executed(oncall.who, "crew", at)
            assert person == expected_member(days, at), (age, at)
            per_call.append(lines)
        counts[age] = max(per_call)
    # A walk would run at least one line per shift: 3,652 for ten years, 10,957 for thirty.
    assert max(counts.values()) - min(counts.values()) <= 10, counts


@pytest.fixture
def aged_engines(tmp_path: Path) -> dict[str, Engine]:
    """One engine per rotation age, each serving the same client but for its rotation's start."""
    engines = {}
    for age, days in AGES.items():
        folder = tmp_path / age.replace(" ", "_")
        folder.mkdir()
        (folder / "rota.rules").write_text(rules_for(days), encoding="utf-8")
        engines[age] = Engine(folder)
    return engines


def test_a_whole_decision_runs_as_many_lines_whatever_the_age_of_the_rotation(aged_engines):
    counts = {}
    for age, engine in aged_engines.items():
        per_call = []
        for at in CALL_TIMES:
            call = Call(client="rota", at=at)
            engine.decide(call)  # first use prepares the client; measure the steady state
            lines, decision = lines_executed(engine.decide, call)
            (action,) = decision.route.actions
            assert action.targets[0].contact == expected_member(AGES[age], at), (age, at)
            per_call.append(lines)
        counts[age] = max(per_call)
    assert max(counts.values()) - min(counts.values()) <= 10, counts


# ---- reload -------------------------------------------------------------------------------------

CLIENT = """
client shop_{n} "Shop {n}" {{
    timezone "Europe/London"
    numbers "+4420700{n:05d}"
    window open = mon-fri 09:00-17:00
    contact desk "Desk" {{ call "+4420799{n:05d}" }}
    greeting open when open {{ en "Shop {n}, good day." }}
    greeting default {{ en "Shop {n} is closed." }}
    route {{ otherwise -> patch desk }}
}}
"""
FILES = 40


@pytest.fixture
def shop_folder(tmp_path: Path) -> Path:
    old = time.time() - 3600  # files saved an hour ago: their stamps can be trusted
    for n in range(FILES):
        path = tmp_path / f"shop_{n:02d}.rules"
        path.write_text(CLIENT.format(n=n), encoding="utf-8")
        os.utime(path, (old, old))
    return tmp_path


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Every text the rule parser parses, and every file read through pathlib, while the test runs."""
    seen: dict[str, list] = {"parsed": [], "read": []}
    parse, read_bytes, read_text = lark.Lark.parse, pathlib.Path.read_bytes, pathlib.Path.read_text

    def counting_parse(self, text, *args, **kwargs):
        seen["parsed"].append(text)
        return parse(self, text, *args, **kwargs)

    def counting_read_bytes(self):
        seen["read"].append(self.name)
        return read_bytes(self)

    def counting_read_text(self, *args, **kwargs):
        seen["read"].append(self.name)
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(lark.Lark, "parse", counting_parse)
    monkeypatch.setattr(pathlib.Path, "read_bytes", counting_read_bytes)
    monkeypatch.setattr(pathlib.Path, "read_text", counting_read_text)
    return seen


def greeting_at_night(engine: Engine, n: int) -> str:
    call = Call(client=f"shop_{n}", at=datetime(2026, 3, 4, 22, 0, tzinfo=UTC))
    return engine.decide(call).greeting.text


def test_reload_after_one_edit_among_many_parses_and_reads_only_that_file(shop_folder, counted):
    engine = Engine(shop_folder)
    assert len(counted["parsed"]) == FILES

    edited = shop_folder / "shop_07.rules"
    edited.write_text(CLIENT.format(n=7).replace("Shop 7 is closed.", "Shop 7 opens at nine."), encoding="utf-8")
    counted["parsed"].clear()
    counted["read"].clear()
    engine.reload()

    assert [t.split('"')[1] for t in counted["parsed"]] == ["Shop 7"]
    assert counted["read"] == ["shop_07.rules"]
    assert greeting_at_night(engine, 7) == "Shop 7 opens at nine."
    assert greeting_at_night(engine, 8) == "Shop 8 is closed."


def test_reload_with_nothing_changed_parses_and_reads_nothing(shop_folder, counted):
    engine = Engine(shop_folder)
    counted["parsed"].clear()
    counted["read"].clear()
    engine.reload()
    assert counted == {"parsed": [], "read": []}
