"""A property over generated calls (issue 22, findings 4 and 5): whatever a daemon hands
`decide` (every field of any type, unicode, huge and empty values, unknown fields, any call id),
it returns a decision or raises the engine's own error naming a field; never another exception.
Derandomized with bounded examples, so the suite runs the same calls every time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules_engine import Call
from rules_engine.errors import RulesEngineError

FIELDS = ("client", "number", "at", "forwarded", "caller", "language", "agent", "answers", "said")
AT = datetime(2026, 11, 28, 23, 15, tzinfo=timezone(timedelta(hours=-6)))

texts = st.one_of(
    st.text(max_size=40),
    st.text(min_size=1_000, max_size=30_000, alphabet=st.characters(codec="utf-8")),
    st.sampled_from(
        [
            "",
            " ",
            "acme_plumbing",
            "hale_law",
            "+13125550100",
            "+13125550177",
            "anonymous",
            "sip:anonymous@anonymous.invalid",
            "busy",
            "user-busy",
            "es-MX",
            "en",
            "burst_pipe",
            "2026-11-28T23:15:00-06:00",
            "2026-11-28T23:15",
            "1.795e9",
            "+1795000000",
            "\x00",
            "\u202e",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "{agent}",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.binary(max_size=30),
    st.datetimes(timezones=st.one_of(st.none(), st.just(UTC), st.timezones())),
    st.dates(),
    st.just(pendulum.datetime(2026, 11, 28, 23, 15, tz="America/Chicago")),
    st.just(AT),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=6
)
answers = st.dictionaries(st.one_of(st.sampled_from(["type", "name", "callback"]), texts), values, max_size=3)
fields = st.fixed_dictionaries(
    {"at": st.one_of(st.just(AT), values)},
    optional={
        **{name: values for name in FIELDS if name not in ("at", "answers")},
        "answers": st.one_of(answers, values),
        "client": st.one_of(st.sampled_from(["acme_plumbing", "hale_law", "riverside_medical"]), values),
        "extra": values,
    },
)
call_ids = st.one_of(st.none(), values)


def decided_or_refused(engine: Any, mapping: dict[str, Any], call_id: object, from_json: bool) -> None:
    try:
        call = Call.model_validate(mapping) if from_json else Call(**mapping)
        decision = engine.decide(call, call_id=call_id)
    except RulesEngineError as error:
        assert getattr(error, "field", None), f"{type(error).__name__} names no field: {error}"
        return
    assert decision.client in engine.clients


@pytest.mark.slow
@settings(max_examples=250, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapping=fields, call_id=call_ids, from_json=st.booleans())
def test_any_call_is_decided_or_refused_naming_a_field(examples_engine, mapping, call_id, from_json):
    decided_or_refused(examples_engine, mapping, call_id, from_json)


@pytest.mark.parametrize(
    "mapping",
    [
        {"client": "acme_plumbing", "at": date(2026, 11, 28)},
        {"client": "acme_plumbing", "at": float("nan")},
        {"client": "acme_plumbing", "at": AT, "answers": {"type": b"burst_pipe"}},
        {"client": "acme_plumbing", "at": AT, "answers": [("type", "burst_pipe")]},
        {"client": ["acme_plumbing"], "at": AT},
        {"client": "acme_plumbing", "at": "x" * 100_000},
        {"number": 13125550100, "at": AT},
    ],
)
def test_awkward_calls_found_while_writing_the_property(examples_engine, mapping):
    decided_or_refused(examples_engine, mapping, None, from_json=False)
