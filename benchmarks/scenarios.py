"""The calls the benchmarks decide: a year of instants (DST days included) and realistic call mixes.

Everything is drawn from a seeded generator, so two runs decide the same calls. A
scenario is a plain dict of the `Call` fields; the benchmark builds the engine's `Call`
and the floor's arguments from the same dict.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from rules_engine import model as m

FORWARDED = ("busy", "no_answer", "always", "scheduled", "manual", "unknown", "direct")
SAID = (
    "water is flooding the basement",
    "I think there is a gas leak",
    "the boiler makes a noise",
    "please call me back",
    "FLOODED kitchen",
)


def dst_days(zone: str, year: int) -> list[date]:
    """The local dates on which `zone` changes its UTC offset in `year`."""
    tz = ZoneInfo(zone)
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        end = start + timedelta(days=1)
        if start.utcoffset() != end.utcoffset():
            days.append(day)
        day += timedelta(days=1)
    return days


def instants(zone: str, count: int, year: int = 2026, seed: int = 1, dst_share: float = 0.1) -> list[datetime]:
    """`count` aware UTC instants: most spread over the year, `dst_share` on the zone's DST days
    (every part of those days, the skipped and repeated hours included)."""
    rng = random.Random(seed)
    tz = ZoneInfo(zone)
    start = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC)
    seconds = int((datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC) - start).total_seconds())
    on_dst = dst_days(zone, year)
    picked = []
    for _ in range(count):
        if on_dst and rng.random() < dst_share:
            day = rng.choice(on_dst)
            midnight = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
            picked.append(midnight + timedelta(seconds=rng.randrange(23 * 3600)))
        else:
            picked.append(start + timedelta(seconds=rng.randrange(seconds)))
    return picked


def answers_for(client: m.Client, rng: random.Random) -> dict[str, str]:
    """An answer to every question any of the client's scripts asks; choices drawn at random."""
    answers = {}
    for script in client.scripts.values():
        for step in script.steps:
            if isinstance(step, m.Ask) and step.field not in answers:
                if step.choices:
                    answers[step.field] = rng.choice(step.choices).value
                elif step.phone:
                    answers[step.field] = "+13125550177"
                else:
                    answers[step.field] = f"the caller's {step.field}"
    return answers


def calls(client: m.Client, count: int, with_answers: bool, seed: int = 2) -> list[dict]:
    """`count` calls for `client` over a year; arrival-only, or carrying every answer (and a note)."""
    rng = random.Random(seed)
    languages = [n.value for n in client.languages] or ["en"]
    vips = [n.value for lst in client.lists.values() for n in lst.numbers]
    out = []
    for at in instants(client.timezone, count, seed=seed):
        scenario = {
            "client": client.id,
            "number": rng.choice(client.numbers).value if client.numbers else None,
            "at": at,
            "forwarded": rng.choice(FORWARDED),
            "caller": rng.choice(vips) if vips and rng.random() < 0.1 else f"+1708555{rng.randrange(10000):04d}",
            "language": rng.choice([*languages, "de"]) if rng.random() < 0.4 else None,
            "agent": "Sam" if rng.random() < 0.8 else None,
        }
        if with_answers:
            scenario["answers"] = answers_for(client, rng)
            scenario["said"] = rng.choice(SAID) if rng.random() < 0.3 else None
        out.append(scenario)
    return out


def floor_args(scenario: dict) -> tuple:
    """The floor's positional arguments for a scenario (see `floor.decide`)."""
    return (
        scenario["at"],
        scenario["forwarded"],
        scenario["caller"],
        scenario["number"],
        scenario["language"],
        scenario["agent"],
        scenario.get("answers", {}),
        scenario.get("said"),
    )
