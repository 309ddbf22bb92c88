"""The step library: every input of a call and every part of a decision, in plain words.

Loaded as a pytest plugin. Rules come from `--rules PATH` (a directory or a file; default
`client_configs/` under the test root) or from a `Given the rules in "…"` step.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import pytest_bdd
from pytest_bdd import parsers
from pytest_bdd.exceptions import StepDefinitionNotFoundError

from .. import model as m
from ..errors import (
    RulesEngineError,
    RulesError,
    UnknownClientError,
    did_you_mean,
    render_all,
)
from ..model import WEEKDAYS
from ..schedule import clock
from .phrases import (
    FORWARDING_PHRASES,
    in_words,
    iso_seconds,
    language_code,
    language_name,
    seconds_of,
)
from .suggest import hint as step_hint
from .suggest import register
from .world import ScenarioFailure, World

Q = r'"(?P<{}>[^"]*)"'


def phrase(decorator, keyword: str):
    """pytest-bdd's `given`/`when`/`then`, each phrase also registered for "did you mean"."""

    def step(pattern, **options):
        register(keyword, getattr(pattern, "name", pattern))
        return decorator(pattern, **options)

    return step


given, when, then = (
    phrase(pytest_bdd.given, "Given"),
    phrase(pytest_bdd.when, "When"),
    phrase(pytest_bdd.then, "Then"),
)


def quoted(name: str) -> str:
    return Q.format(name)


def pytest_addoption(parser):
    parser.addoption("--rules", default=None, help="rules directory or file for acceptance scenarios")


@pytest.fixture
def world(request) -> World:
    option = request.config.getoption("--rules")
    rules_dir = Path(option) if option else Path(request.config.rootpath) / "client_configs"
    return World(rules_dir=rules_dir)


SCENARIO = pytest.StashKey[str]()
FAILED_STEP = pytest.StashKey[str]()
STEP_HINT = pytest.StashKey[str]()


def pytest_bdd_before_scenario(request, feature, scenario):
    where = Path(feature.filename)
    try:
        where = where.relative_to(Path.cwd())
    except ValueError:
        pass
    request.node.stash[SCENARIO] = f"Scenario: {scenario.name} ({where}, line {scenario.line_number})"
    row = getattr(getattr(request.node, "callspec", None), "id", None)
    title = f"{scenario.name} [{row}]" if row else scenario.name
    request.node.user_properties += [("feature", f"{feature.name} ({where})"), ("scenario", title)]


def pytest_bdd_step_error(request, step):
    request.node.stash[FAILED_STEP] = f"Step: {step.keyword} {step.name} (line {step.line_number})"


def pytest_bdd_step_func_lookup_error(request, step):
    request.node.stash[FAILED_STEP] = f"Step: {step.keyword} {step.name} (line {step.line_number})"
    hint = step_hint(step.type.capitalize(), step.name)
    if hint:
        request.node.stash[STEP_HINT] = hint


def plain_words(error: BaseException) -> str | None:
    """What went wrong, for an account manager; None for a fault in the engine itself."""
    if isinstance(error, ScenarioFailure):
        return str(error)
    if isinstance(error, RulesError):
        return "The rules do not compile:\n" + render_all(error.diagnostics)
    if isinstance(error, RulesEngineError):
        return str(error)
    if isinstance(error, StepDefinitionNotFoundError):
        return "This step is not a phrase of the step library (docs/scenarios.md lists them all)."
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Show a failed scenario in the account manager's words, without a Python traceback."""
    outcome = yield
    report = outcome.get_result()
    message = plain_words(call.excinfo.value) if call.excinfo is not None else None
    if message is not None and STEP_HINT in item.stash:
        message += f"\nHint: {item.stash[STEP_HINT]}"
    if message is not None:
        where = [item.stash.get(SCENARIO, item.nodeid), item.stash.get(FAILED_STEP, "")]
        report.longrepr = "\n".join(line for line in where if line) + "\n" + message


# ---- Given: which rules, which client ------------------------------------------------------------------


@given(parsers.re(r"the client " + quoted("client")))
def given_client(world: World, client: str, request):
    world.client_id = client
    where = world.rules_path or world.rules_dir
    # With neither `--rules` nor `Given the rules in …`, the clients come from client_configs/.
    chosen = world.rules_path is not None or request.config.getoption("--rules") is not None
    pass_rules = (
        "" if chosen else "\nPass --rules PATH (the .rules file or directory this client is in) to run its scenarios."
    )
    if not where.exists():
        raise ScenarioFailure(f'There are no rules at {where}, so there is no client "{client}"' + pass_rules)
    try:
        world.engine.client(client)
    except UnknownClientError:
        known = sorted(world.engine.clients)
        hint = did_you_mean(client, known)
        raise ScenarioFailure(
            f'There is no client "{client}" in {where}'
            + (f"; {hint}" if hint else "")
            + "\nThe clients there are: "
            + (", ".join(known) or "none")
            + pass_rules
        ) from None
    world.changed()


@given(parsers.re(r"the rules in " + quoted("path")))
def given_rules(world: World, path: str, request):
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path(request.config.rootpath) / candidate
    if not candidate.exists():
        raise ScenarioFailure(f'no rules at "{path}"')
    world.rules_path = candidate
    world.changed()


# ---- Given: when, why, who ---------------------------------------------------------------------------------


@given(parsers.re(r"it is (?:(?P<weekday>[A-Za-z]+) )?(?P<day>\d{4}-\d\d-\d\d) at (?P<time>\d\d?:\d\d)"))
def given_local_time(world: World, weekday: str | None, day: str, time: str):
    try:
        local = datetime.fromisoformat(f"{day}T{int(time.split(':')[0]):02d}:{time.split(':')[1]}")
    except ValueError:
        raise ScenarioFailure(f"{day} at {time} is not a date and time of the calendar") from None
    if weekday and weekday.lower() != WEEKDAYS[local.weekday()]:
        raise ScenarioFailure(f"{day} is a {WEEKDAYS[local.weekday()].capitalize()}, not a {weekday}")
    world.at = local
    world.changed()


@given(parsers.re(r"it is (?P<instant>\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:Z|[+-]\d\d:\d\d))"))
def given_instant(world: World, instant: str):
    world.at = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    world.changed()


@given(parsers.re(r"the call was forwarded because (?P<phrase>.+)"))
def given_forwarded_because(world: World, phrase: str):
    reason = FORWARDING_PHRASES.get(phrase.strip())
    if reason is None:
        known = "; ".join(f'"{p}"' for p in FORWARDING_PHRASES)
        raise ScenarioFailure(f'unknown forwarding phrase "{phrase}". Known: {known}')
    world.call["forwarded"] = reason
    world.changed()


@given(parsers.re(r"the call was forwarded as " + quoted("reason")))
def given_forwarded_as(world: World, reason: str):
    world.call["forwarded"] = reason
    world.changed()


@given(parsers.re(r"the caller is " + quoted("number")))
def given_caller(world: World, number: str):
    world.call["caller"] = number
    world.changed()


@given("the caller's number is withheld")
def given_no_caller(world: World):
    world.call.pop("caller", None)
    world.changed()


@given(parsers.re(r"the caller dialled " + quoted("number")))
def given_dialed(world: World, number: str):
    world.call["number"] = number
    world.changed()


@given(parsers.re(r"the caller speaks (?P<language>.+)"))
def given_language(world: World, language: str):
    world.call["language"] = language_code(language)
    world.changed()


@given(parsers.re(r"the agent is " + quoted("agent")))
def given_agent(world: World, agent: str):
    world.call["agent"] = agent
    world.changed()


@given(
    parsers.re(
        r"the owner's status is " + quoted("note") + r"(?: until (?P<until>\d\d?:\d\d|\d{4}-\d\d-\d\d[ T]\d\d:\d\d))?"
    )
)
def given_status(world: World, note: str, until: str | None):
    status: dict = {"note": note}
    if until:
        client = world.engine.client(world.require_client())
        tz = clock.zone(client.timezone)
        if len(until) <= 5:
            base = world.at if world.at is not None else datetime.now()
            local = base.astimezone(tz).replace(tzinfo=None) if base.tzinfo else base
            hours, minutes = (int(x) for x in until.split(":"))
            local_until = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        else:
            local_until = datetime.fromisoformat(until.replace(" ", "T"))
        status["until"] = clock.to_instant(local_until, tz)
    world.status = status
    world.changed()


# ---- When: what the caller says ---------------------------------------------------------------------------


@when(parsers.re(r"the caller reports " + quoted("value")))
def when_reports(world: World, value: str):
    world.answers["type"] = value
    world.changed()


@when(parsers.re(r"the caller answers " + quoted("field") + r" with " + quoted("value")))
def when_answers(world: World, field: str, value: str):
    world.answers[field] = value
    world.changed()


@when(
    parsers.re(
        r"the caller says (?:that )?(?:the |it is |its )?(?P<what>[A-Za-z][A-Za-z ]*?) is "
        r"(?P<number>-?\d+(?:\.\d+)?)(?: ?(?:°F|°C|°|degrees))?"
    )
)
def when_says_number(world: World, what: str, number: str):
    """`the caller says the outside temperature is 106`: the answer to the `number` question
    whose field or prompt the words name (`outside`, "How hot is it outside?")."""
    world.answers[number_field(world, what)] = number
    world.changed()


def number_field(world: World, what: str) -> str:
    """The field of the client's `number` question that `what` names: by its field's words,
    or by words of its prompt; a scenario failure listing the number questions otherwise."""
    client = world.engine.client(world.require_client())
    asks = {
        step.field: step
        for script in client.scripts.values()
        for step in script.steps
        if isinstance(step, m.Ask) and step.number is not None
    }
    words = what.lower().split()
    found = [
        field
        for field, ask in asks.items()
        if "_".join(words) == field
        or set(field.split("_")) <= set(words)
        or any(what.lower() in template.source.lower() for template in ask.prompt.by_language.values())
    ]
    if len(found) != 1:
        known = ", ".join(f'"{field}"' for field in asks) or "none"
        which = "more than one" if found else "no"
        raise ScenarioFailure(
            f'{which} number question of client "{client.id}" is about "{what}" (its number questions: {known}); '
            'name the field, e.g. When the caller answers "FIELD" with "106"'
        )
    return found[0]


@when(parsers.re(r"the agent notes " + quoted("text")))
def when_notes(world: World, text: str):
    world.said.append(text)
    world.changed()


@when("the call arrives")
def when_call_arrives(world: World):
    world.decide()


# ---- Then: greeting, script, urgency -------------------------------------------------------------------------


@then(parsers.re(r"the agent greets with " + quoted("greeting")))
def then_greeting(world: World, greeting: str):
    actual = world.decide()["greeting"]
    if actual["id"] != greeting:
        world.fail(f'the greeting "{greeting}"', f'the agent greets with "{actual["id"]}": "{actual["text"]}"')


@then(parsers.re(r"the agent says " + quoted("text")))
def then_says(world: World, text: str):
    actual = world.decide()["greeting"]["text"]
    if text.lower() not in actual.lower():
        world.fail(f'the greeting to contain "{text}"', f'the agent says "{actual}"')


@then(parsers.re(r"the agent greets in (?P<language>.+)"))
def then_greeting_language(world: World, language: str):
    expected = language_code(language)
    actual = world.decide()["greeting"]["language"]
    if actual != expected:
        world.fail(f"the greeting in {language_name(expected)}", f"it is in {language_name(actual)}")


@then(parsers.re(r"the script is " + quoted("script")))
def then_script(world: World, script: str):
    actual = (world.decide().get("script") or {}).get("id")
    if actual != script:
        world.fail(f'the script "{script}"', f'the script is "{actual}"' if actual else "no script is chosen")


@then(parsers.re(r"the script (?P<negated>does not say|says) " + quoted("text")))
def then_script_says(world: World, negated: str, text: str):
    """A `say` step of the script (one with `when` is there only while its condition holds)."""
    steps = (world.decide().get("script") or {}).get("steps", [])
    said = [step["text"] for step in steps if step["kind"] == "say"]
    present = any(text.lower() in line.lower() for line in said)
    if present == (negated == "does not say"):
        expected = f'the script {"not " if negated == "does not say" else ""}to say "{text}"'
        world.fail(expected, "it says " + ("; ".join(f'"{line}"' for line in said) or "nothing"))


@then(parsers.re(r"the agent must still ask for " + quoted("field")))
def then_needs(world: World, field: str):
    needs = world.decide()["needs"]
    if field not in needs:
        world.fail(
            f'the agent to still need "{field}"',
            "the engine needs " + (", ".join(f'"{n}"' for n in needs) if needs else "nothing more"),
        )


@then("no route is chosen yet")
def then_no_route(world: World):
    route = world.decide()["route"]
    if route is not None:
        world.fail(
            "no route until the questions are answered",
            f"route rule {route['rule']} (line {route.get('line')}) was chosen",
        )


@then(parsers.re(r"the urgency is " + quoted("level")))
def then_urgency(world: World, level: str):
    actual = world.decide()["urgency"]
    if actual != level:
        world.fail(
            f'the urgency "{level}"', f'the urgency is "{actual}"' if actual else "the urgency is not decided yet"
        )


@then("the urgency is not decided yet")
def then_no_urgency(world: World):
    actual = world.decide()["urgency"]
    if actual is not None:
        world.fail("no urgency until the questions are answered", f'the urgency is "{actual}"')


@then(parsers.re(r"the (?:window|windows) (?:includes?|hold) " + quoted("window")))
def then_window(world: World, window: str):
    windows = world.decide()["windows"]
    if window not in windows:
        world.fail(f'"{window}" to hold', "the windows holding are " + (", ".join(windows) or "none"))


@then(parsers.re(r"the (?:window|windows) (?:does|do) not (?:include|hold) " + quoted("window")))
def then_not_window(world: World, window: str):
    windows = world.decide()["windows"]
    if window in windows:
        world.fail(f'"{window}" not to hold', "the windows holding are " + ", ".join(windows))


# ---- Then: the route, action by action ------------------------------------------------------------------------


def current_action(world: World, fallback: str | None = None) -> dict:
    """The route's action a step speaks of: the first, or with "if that fails, " the next one."""
    if fallback:
        world.fallback += 1
    route = world.decide()["route"]
    if route is None:
        world.fail("a route", "no route is chosen yet; the engine needs " + ", ".join(world.decide()["needs"]))
    actions = route["actions"]
    if world.fallback >= len(actions):
        world.fail(
            f"at least {world.fallback + 1} action(s) in the route", f"route rule {route['rule']} has {len(actions)}"
        )
    return actions[world.fallback]


def describe_action(action: dict) -> str:
    kind = action["kind"]
    if kind == "patch":
        return (
            "the call is patched to "
            + ", ".join(t.get("name") or t.get("address", "?") for t in action.get("targets", []))
            if action.get("targets")
            else "the call is patched to nobody"
        )
    if kind == "escalate":
        return f'the call is escalated by "{action["policy"]}"'
    if kind == "message":
        return f'a message is taken with priority "{action["priority"]}"'
    if kind == "hangup":
        return f'the agent says "{action.get("say")}" and hangs up'
    if kind == "callback":
        seconds = iso_seconds(action.get("within"))
        return "a callback is queued within " + (
            in_words(seconds) if seconds is not None else str(action.get("within"))
        )
    return f"the call goes to {kind}"


def target_matches(target: dict, who: str) -> bool:
    return who in (target.get("name"), target.get("contact"), target.get("address"), target.get("team"))


def expect_kind(world: World, action: dict, kind: str, expected: str) -> None:
    if action["kind"] != kind:
        world.fail(expected, describe_action(action))


@then(parsers.re(r"(?P<fallback>if that fails, )?the agent first tells the caller " + quoted("text")))
def then_tells_first(world: World, text: str, fallback: str | None):
    """The words of a `say "…" then ACTION`, told before the action; a later step checks the action."""
    action = current_action(world, fallback)
    if fallback:
        world.fallback -= 1  # the action itself is checked by the next step, which says "if that fails" again
    if text.lower() not in (action.get("say") or "").lower():
        got = f'after the words "{action["say"]}"' if action.get("say") else "with no words before it"
        world.fail(f'the agent to tell the caller "{text}" first', f"{describe_action(action)}, {got}")


@then(parsers.re(r"(?P<fallback>if that fails, )?the call is patched to " + quoted("who")))
def then_patched(world: World, who: str, fallback: str | None):
    action = current_action(world, fallback)
    expect_kind(world, action, "patch", f'the call to be patched to "{who}"')
    if not any(target_matches(t, who) for t in action.get("targets", [])):
        world.fail(f'the call to be patched to "{who}"', describe_action(action))


@then(
    parsers.re(
        r"(?P<fallback>if that fails, )?the call is escalated by "
        + quoted("policy")
        + r"(?: starting with "
        + quoted("who")
        + r" by (?P<method>call|sms|email))?"
    )
)
def then_escalated(world: World, policy: str, who: str | None, method: str | None, fallback: str | None):
    action = current_action(world, fallback)
    expected = f'the call to be escalated by "{policy}"' + (f' starting with "{who}" by {method}' if who else "")
    expect_kind(world, action, "escalate", expected)
    if action["policy"] != policy:
        world.fail(expected, describe_action(action))
    if who:
        steps = action.get("steps") or []
        first = steps[0]["targets"] if steps else []
        if not any(target_matches(t, who) and t.get("method") == method for t in first):
            got = ", ".join(f"{t.get('name') or t.get('address')} by {t.get('method')}" for t in first) or "nobody"
            world.fail(expected, f"the first step reaches {got}")


@then(
    parsers.re(
        r"(?P<fallback>if that fails, )?a message is taken(?: with priority "
        + quoted("priority")
        + r")?"
        + r"(?: and sent by (?P<method>call|sms|email) to "
        + quoted("who")
        + r")?"
    )
)
def then_message(world: World, priority: str | None, method: str | None, who: str | None, fallback: str | None):
    check_message(world, current_action(world, fallback), priority, method, who, "a message to be taken")


@then(
    parsers.re(
        r"if nobody acknowledges, a message is taken(?: with priority "
        + quoted("priority")
        + r")?"
        + r"(?: and sent by (?P<method>call|sms|email) to "
        + quoted("who")
        + r")?"
    )
)
def then_finally_message(world: World, priority: str | None, method: str | None, who: str | None):
    action = current_action(world)
    expect_kind(world, action, "escalate", "an escalation whose last resort is a message")
    final = action.get("finally")
    if not final:
        world.fail("a message if nobody acknowledges", f'escalation "{action["policy"]}" has no `finally`')
    check_message(world, final, priority, method, who, "a message if nobody acknowledges")


@then(parsers.re(r"if nobody acknowledges, the agent says " + quoted("text") + r" and hangs up"))
def then_finally_hangup(world: World, text: str):
    action = current_action(world)
    expected = f'the agent to say "{text}" and hang up if nobody acknowledges'
    expect_kind(world, action, "escalate", expected)
    final = action.get("finally")
    if not final:
        world.fail(expected, f'escalation "{action["policy"]}" has no `finally`')
    expect_kind(world, final, "hangup", expected)
    if text.lower() not in (final.get("say") or "").lower():
        world.fail(expected, describe_action(final))


def check_message(world: World, action: dict, priority, method, who, expected: str) -> None:
    if priority:
        expected += f' with priority "{priority}"'
    if who:
        expected += f' sent by {method} to "{who}"'
    expect_kind(world, action, "message", expected)
    if priority and action.get("priority") != priority:
        world.fail(expected, describe_action(action))
    if who and not any(target_matches(t, who) and t.get("method") == method for t in action.get("targets", [])):
        got = (
            ", ".join(f"{t.get('method')} to {t.get('name') or t.get('address')}" for t in action.get("targets", []))
            or "nobody"
        )
        world.fail(expected, f"the message goes by {got}")


@then(parsers.re(r"(?P<fallback>if that fails, )?the call goes to voicemail"))
def then_voicemail(world: World, fallback: str | None):
    expect_kind(world, current_action(world, fallback), "voicemail", "the call to go to voicemail")


@then(
    parsers.re(
        r"(?P<fallback>if that fails, )?a callback is queued within (?P<amount>\d+) "
        r"(?P<unit>seconds?|minutes?|hours?|days?)"
    )
)
def then_callback(world: World, amount: str, unit: str, fallback: str | None):
    """Durations compare as durations: `within 60 minutes` is the rule's `callback within 1h`."""
    action = current_action(world, fallback)
    expected = f"a callback within {amount} {unit}"
    expect_kind(world, action, "callback", expected)
    if iso_seconds(action.get("within")) != seconds_of(amount, unit):
        world.fail(expected, describe_action(action))


@then(parsers.re(r"(?P<fallback>if that fails, )?the agent says " + quoted("text") + r" and hangs up"))
def then_hangup(world: World, text: str, fallback: str | None):
    action = current_action(world, fallback)
    expect_kind(world, action, "hangup", f'the agent to say "{text}" and hang up')
    if text.lower() not in (action.get("say") or "").lower():
        world.fail(f'the agent to say "{text}" and hang up', describe_action(action))


# ---- Then: on call ----------------------------------------------------------------------------------------------


@then(parsers.re(quoted("person") + r" is on call for " + quoted("team")))
def then_on_call(world: World, person: str, team: str):
    contact = world.on_call(team)
    if contact is None or person not in (contact.title, contact.name):
        world.fail(f'"{person}" on call for "{team}"', f"{contact.title if contact else 'nobody'} is on call")
