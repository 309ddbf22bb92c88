"""Every condition atom, the connectives, and the three-valued logic of section 2.

Each test writes a tiny client whose route picks `voicemail` when the condition under test
holds and `callback` otherwise, so the expectation is read straight off the rule text.
"""

from datetime import UTC, datetime

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide.call import Call
from rules_engine.decide.decider import decide
from rules_engine.live import EMPTY, LiveState, OwnerStatus

HEADER = """
client shop "Corner Shop" {
    timezone "Europe/London"
    languages en, es
    numbers "+442071234567", "+442071234568"
    holidays GB-ENG
    holiday "Stocktaking" 2026-06-10
    closed "Refit" 2026-06-15 09:00 to 2026-06-16 09:00
    window open = mon-fri 09:00-17:30
    list vip = "+447700900001", "+447700900002"
    list shop_lines = "+442071234568"
    greeting default { en "Hello" }
"""

# A Monday, 10:00 in London (BST, UTC+1): open, no holiday, no closure.
MONDAY_10 = datetime(2026, 6, 8, 9, 0, tzinfo=UTC)


def route_for(condition: str, script: str = "", live: LiveState = EMPTY, at: datetime = MONDAY_10, **call):
    text = (
        HEADER
        + script
        + f"""
    route {{
        when {condition} -> voicemail
        otherwise -> callback within 30m
    }}
}}"""
    )
    client, _ = compile_text(text)
    decision = decide(client, Call(client="shop", at=at, **call), live)
    return decision


def holds(condition: str, **kwargs) -> bool:
    route = route_for(condition, **kwargs).route
    return route.rule == 1


INTAKE = """
    script intake {
        ask name "Your name?" required
        ask type "What is it about?" choice (order, complaint, other)
        ask detail "Tell me more" when type is complaint
    }
    choose script intake otherwise
"""


@pytest.mark.parametrize(
    "at, expected",
    [
        (MONDAY_10, True),
        (datetime(2026, 6, 8, 16, 29, tzinfo=UTC), True),  # 17:29 BST
        (datetime(2026, 6, 8, 16, 30, tzinfo=UTC), False),  # 17:30 BST: end is exclusive
        (datetime(2026, 6, 13, 9, 0, tzinfo=UTC), False),  # a Saturday
    ],
)
def test_window(at, expected):
    assert holds("open", at=at) is expected


def test_inline_schedule():
    assert holds("mon 09:00-11:00") is True
    assert holds("tue-fri") is False


@pytest.mark.parametrize(
    "at, expected",
    [
        (datetime(2026, 5, 25, 11, 0, tzinfo=UTC), True),  # Spring bank holiday (last Monday of May)
        (datetime(2026, 6, 10, 11, 0, tzinfo=UTC), True),  # the file's own holiday
        (MONDAY_10, False),
    ],
)
def test_holiday(at, expected):
    assert holds("holiday", at=at) is expected


@pytest.mark.parametrize(
    "at, expected",
    [
        (datetime(2026, 6, 15, 7, 59, tzinfo=UTC), False),  # 08:59 BST
        (datetime(2026, 6, 15, 8, 0, tzinfo=UTC), True),  # 09:00 BST
        (datetime(2026, 6, 16, 7, 59, tzinfo=UTC), True),
        (datetime(2026, 6, 16, 8, 0, tzinfo=UTC), False),
    ],
)
def test_closed(at, expected):
    assert holds("closed", at=at) is expected


def test_windows_listed_in_the_decision():
    decision = route_for("open", at=datetime(2026, 6, 15, 10, 0, tzinfo=UTC))  # Monday, refit
    assert decision.windows == ("open", "closed")
    assert route_for("open", at=datetime(2026, 5, 25, 11, 0, tzinfo=UTC)).windows == ("open", "holiday")


@pytest.mark.parametrize(
    "reason, expected", [("busy", True), ("user-busy", True), ("no_answer", True), ("always", False), (None, False)]
)
def test_forwarded_list(reason, expected):
    extra = {} if reason is None else {"forwarded": reason}
    assert holds("forwarded (busy, no_answer)", **extra) is expected


def test_forwarded_default_is_unknown():
    assert holds("forwarded unknown") is True


def test_caller_is_and_in():
    assert holds('caller is "+447700900009"', caller="+447700900009") is True
    assert holds('caller is "+447700900009"', caller="+447700900001") is False
    assert holds("caller in vip", caller="+447700900002") is True
    assert holds("caller in vip", caller="+447700900003") is False


def test_caller_in_without_caller_id_is_false_both_ways():
    assert holds("caller in vip") is False
    assert holds("not caller in vip") is True


def test_dialed():
    assert holds('dialed "+442071234568"', number="+442071234568") is True
    assert holds('dialed "+442071234568"', number="+442071234567") is False
    assert holds("dialed in shop_lines", number="+442071234568") is True
    assert holds("dialed in shop_lines") is False  # called by client id: no dialled number


def test_language():
    assert holds("language es", language="es") is True
    assert holds("language es", language="en") is False
    assert holds("language en") is True  # no language given: the client's default


def test_status():
    active = LiveState(status=OwnerStatus(note="In court", until=datetime(2026, 6, 8, 12, 0, tzinfo=UTC)))
    assert holds("status", live=active) is True
    assert holds("status") is False
    assert holds("status", live=active, at=datetime(2026, 6, 8, 12, 0, tzinfo=UTC)) is False  # expired


@pytest.mark.parametrize(
    "text, expected",
    [
        ("There is a FLOOD in the kitchen", True),
        ("the basement is flooding", True),  # a word start
        ("waterflood", False),  # not at a word start
        ("I smell a gas   leak", True),  # any white space between words
        ("gasleak", False),
        ("", False),
        (None, False),
    ],
)
def test_said(text, expected):
    extra = {} if text is None else {"said": text}
    assert holds('said ("flood", "gas leak")', **extra) is expected


def test_said_phrase_is_not_a_regular_expression():
    assert holds('said ("a.c")', said="abc") is False
    assert holds('said ("a.c")', said="the a.c unit") is True


def test_answers_known():
    assert holds("type is order", script=INTAKE, answers={"type": "order"}) is True
    assert holds("type is order", script=INTAKE, answers={"type": "Order"}) is True  # any case
    assert holds("type in (order, other)", script=INTAKE, answers={"type": "complaint"}) is False
    assert holds("name is set", script=INTAKE, answers={"name": "Sam"}) is True


def test_answer_asked_but_missing_is_unknown_so_no_route_yet():
    decision = route_for("type is order", script=INTAKE)
    assert decision.route is None
    assert decision.needs == ("type",)
    assert [(e.section, e.rule, e.result) for e in decision.trace if e.section == "route"] == [("route", 1, None)]


# `colour` is asked only by a script these calls never get (a condition on a field that no
# script at all asks does not compile: tests/compiler/test_unasked_field.py).
PAINT = INTAKE + '    script paint { ask colour "Which colour?" }\n'


def test_answer_the_chosen_script_never_asks_is_absent_so_false():
    # The rule is false, and the route goes on.
    assert holds("colour is red", script=PAINT) is False


def test_an_answer_the_call_carries_counts_even_if_the_chosen_script_does_not_ask_it():
    assert holds("colour is red", script=PAINT, answers={"colour": "red"}) is True


def test_question_whose_condition_is_false_is_not_asked_so_its_field_is_absent():
    # `detail` is asked only for complaints; for an order it is absent, so `detail is set` is false.
    assert holds("detail is set", script=INTAKE, answers={"type": "order"}) is False
    assert route_for("detail is set", script=INTAKE, answers={"type": "complaint"}).needs == ("detail",)


def test_kleene_logic_decides_without_the_missing_answer():
    # false and unknown → false; true or unknown → true
    assert holds("tue and type is order", script=INTAKE) is False
    assert holds("mon or type is order", script=INTAKE) is True
    assert route_for("mon and type is order", script=INTAKE).route is None
    assert route_for("not type is order", script=INTAKE).route is None


def test_precedence_not_and_or():
    # `not A and B or C` is `((not A) and B) or C`
    assert holds("not open and open or forwarded busy", forwarded="busy") is True
    assert holds("not open and open or forwarded busy") is False
    assert holds("not (open and forwarded busy)") is True


def test_needs_lists_fields_in_script_order_and_only_those_that_matter():
    decision = route_for("(type is order and name is set) or (tue and detail is set)", script=INTAKE)
    # `tue` is false on a Monday, so `detail` cannot matter; name and type can, in script order.
    assert decision.needs == ("name", "type")


URGENCY = (
    INTAKE
    + """
    urgency {
        high when type is complaint
        normal otherwise
    }
"""
)


def test_urgency_is_unknown_until_answered_and_routes_wait_for_it():
    decision = route_for("urgency is high", script=URGENCY)
    assert decision.urgency is None and decision.route is None
    assert decision.needs == ("type",)
    decided = route_for("urgency is high", script=URGENCY, answers={"type": "complaint"})
    assert decided.urgency == "high" and decided.route.rule == 1 and decided.needs == ()


def test_route_that_does_not_need_the_urgency_is_decided_without_it():
    decision = route_for("open", script=URGENCY)
    assert decision.route.rule == 1
    assert decision.urgency is None
    assert decision.needs == ("type",)  # still what the urgency waits for
