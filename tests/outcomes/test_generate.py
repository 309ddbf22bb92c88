"""The generator of outcome histories: seeded, realistic in shape, and accepted by every check."""

from __future__ import annotations

from datetime import date

import pytest

from rules_engine.engine import Engine
from rules_engine.outcomes import generate
from rules_engine.outcomes.store import MemoryOutcomes
from tests.support import CLIENTS, CONFIGS

START = date(2026, 10, 5)  # a Monday


@pytest.fixture(scope="module")
def engine():
    return Engine(CONFIGS)


def test_the_same_seed_gives_the_same_history_and_another_seed_another(engine):
    first = list(generate.history(engine, "acme_plumbing", START, 7, seed=3))
    assert first == list(generate.history(engine, "acme_plumbing", START, 7, seed=3))
    assert first != list(generate.history(engine, "acme_plumbing", START, 7, seed=4))


@pytest.mark.parametrize("client", CLIENTS)
def test_a_month_of_generated_calls_looks_like_an_answering_services(engine, client):
    store = MemoryOutcomes()
    with Engine(CONFIGS, outcomes=store) as recording:
        calls = generate.write(store, generate.history(engine, client, START, 28, seed=11))
        report = recording.report(client, START, date(2026, 11, 1))
    assert report["received"] == calls and 700 < calls < 1500  # about 40 a weekday, fewer at weekends
    assert 0.6 < report["answered"] / calls < 0.9
    assert 0 < report["no_outcome"] < 0.05 * calls
    assert 5 < report["abandonment_rate"] < 25 and 50 < report["service_level"] < 90
    assert 40 < report["fcr_rate"] < report["resolution_rate"] + 20
    days = {d["date"]: d["received"] for d in report["by_day"]}
    weekdays = [n for d, n in days.items() if date.fromisoformat(d).weekday() < 5]
    weekends = [n for d, n in days.items() if date.fromisoformat(d).weekday() >= 5]
    assert sum(weekdays) / len(weekdays) > 1.5 * sum(weekends) / len(weekends)
    hours = {}
    for entry in report["by_hour"]:
        hours[entry["hour"]] = hours.get(entry["hour"], 0) + entry["received"]
    assert hours.get(10, 0) > 5 * hours.get(3, 0)  # mornings are busy, nights quiet
    assert report["escalations"]["count"] > 0
    assert sum(r["received"] for r in report["by_rule"]) == calls  # every call got a route


def test_the_reports_parts_add_up_on_a_generated_history(engine):
    store = MemoryOutcomes()
    with Engine(CONFIGS, outcomes=store) as recording:
        generate.write(store, generate.history(engine, "harbour_vets", START, 14, seed=5))
        report = recording.report("harbour_vets", START, date(2026, 10, 18))
    kinds = ("answered", "abandoned", "short_abandoned", "missed", "failed", "dropped", "no_outcome")
    assert sum(report[k] for k in kinds) == report["received"]
    for part in ("by_day", "by_hour", "by_rule"):
        for kind in (*kinds, "received"):
            assert sum(entry[kind] for entry in report[part]) == report[kind], (part, kind)
    assert sum(w["resolved"] for w in report["by_week"]) == report["resolved"]
    people = report["escalations"]["by_person"].values()
    assert sum(p["notified"] for p in people) == report["escalations"]["notifications"]
