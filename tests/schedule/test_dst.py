"""DST days in three zones (one southern): windows follow the local wall clock, per the stdlib's zoneinfo."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.decide.call import Call
from rules_engine.live import EMPTY

# (zone, spring-forward date, fall-back date), from each zone's published DST rules for 2026.
DST_DAYS = [
    ("America/Chicago", date(2026, 3, 8), date(2026, 11, 1)),
    ("Europe/London", date(2026, 3, 29), date(2026, 10, 25)),
    ("Australia/Sydney", date(2026, 10, 4), date(2026, 4, 5)),  # southern hemisphere: spring in October
]


def client_in(zone: str):
    text = f"""
client tz_test "DST test" {{
    timezone "{zone}"
    window early = daily 01:00-05:00
    window late  = daily 22:00-06:00
    greeting default {{ en "Hello" }}
    route {{ otherwise -> voicemail }}
}}"""
    return compile_text(text)[0]


def instants(day: date, zone: ZoneInfo):
    """Every quarter hour from the local midnight before `day` to the one after it."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC) - timedelta(hours=6)
    return [start + timedelta(minutes=15 * i) for i in range(4 * 36)]


@pytest.mark.parametrize("zone_name, spring, autumn", DST_DAYS)
@pytest.mark.parametrize("which", ["spring", "autumn"])
def test_windows_follow_the_wall_clock(zone_name, spring, autumn, which):
    day = spring if which == "spring" else autumn
    zone = ZoneInfo(zone_name)
    plan = ClientPlan.of(client_in(zone_name))
    inside = 0
    for instant in instants(day, zone):
        local = instant.astimezone(zone)
        expected_early = 1 <= local.hour < 5
        expected_late = local.hour >= 22 or local.hour < 6
        decision = Decider(plan, Call(client="tz_test", at=instant), EMPTY).decision()
        assert ("early" in decision.windows) is expected_early, local
        assert ("late" in decision.windows) is expected_late, local
        assert decision.at == local.isoformat()
        inside += expected_early and local.date() == day
    # daily 01:00-05:00: 3 real hours when the clocks go forward, 5 when they go back.
    assert inside / 4 == (3 if which == "spring" else 5)


@pytest.mark.parametrize("zone_name, spring, autumn", DST_DAYS)
def test_local_at_in_a_skipped_or_repeated_hour(zone_name, spring, autumn, tmp_path, cli):
    zone = ZoneInfo(zone_name)
    rules = tmp_path / "tz.rules"
    rules.write_text(
        f'client tz_test "DST test" {{ timezone "{zone_name}" greeting default {{ en "Hi" }} '
        "route { otherwise -> voicemail } }"
    )
    # Find the skipped and the repeated wall-clock hour of each change with zoneinfo alone.
    checked = 0
    for day in (spring, autumn):
        for hour in range(24):
            wall = datetime(day.year, day.month, day.day, hour, 30)
            first = wall.replace(tzinfo=zone, fold=0)
            second = wall.replace(tzinfo=zone, fold=1)
            if first.utcoffset() == second.utcoffset():
                continue
            checked += 1
            code, out, _ = cli("decide", rules, "--client", "tz_test", "--at", wall.isoformat(), "--json")
            assert code == 0
            decided = json.loads(out)["at"]
            # fold=0: a skipped time is read with the offset before the change, a repeated one is the first.
            assert decided == first.astimezone(UTC).astimezone(zone).isoformat()
    assert checked == 2  # one skipped and one repeated hour
