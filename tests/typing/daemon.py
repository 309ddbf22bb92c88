"""A routing daemon's side of the engine, written as a daemon's author writes it.

It builds calls, decides them, turns each decision into what the agent's console shows, and
builds a decision of its own the way a daemon's tests do. `tests/test_types.py` checks it
with `mypy --strict` against the types the package ships (from the checkout, and from a
directory outside it, through the install) and runs it. Every `match` ends in
`assert_never`, so a kind of action or script step added to the decision without a case
here fails type checking: the daemon learns of it from mypy, not from a call.

Run it: `.venv/bin/python tests/typing/daemon.py [RULES_DIR]`.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from typing import assert_never

from rules_engine import (
    Action,
    Ask,
    Call,
    Callback,
    CallError,
    Decision,
    Engine,
    Escalate,
    EscalationStep,
    FinalAction,
    Greeting,
    Hangup,
    Language,
    Message,
    Patch,
    Route,
    Say,
    Script,
    Target,
    Voicemail,
)

CHICAGO = timezone(timedelta(hours=-6))


def reach(target: Target) -> str:
    who = f"{target.name} ({target.team})" if target.name and target.team else target.name or target.address
    return f"{target.method} {who} at {target.address}"


def final_instruction(action: FinalAction) -> str:
    """What the agent does when an escalation's steps reach nobody."""
    match action:
        case Patch(targets=targets):
            return "put through to " + ", ".join(reach(t) for t in targets)
        case Message(priority=priority, targets=targets):
            return f"take a message ({priority}) for " + (", ".join(reach(t) for t in targets) or "the client")
        case Voicemail():
            return "send to voicemail"
        case Callback(within=within):
            return f"promise a callback within {within}"
        case Hangup(say=say):
            return f'say "{say}" and hang up'
        case _:
            assert_never(action)


def instruction(action: Action) -> str:
    """One action of a route, for the agent's console."""
    match action:
        case Escalate(policy=policy, steps=steps, repeat=repeat, final=final):
            rounds = [
                f"step {n}: {', '.join(reach(t) for t in step.targets)}, wait {step.wait}"
                for n, step in enumerate(steps, 1)
            ]
            last = f"; if nobody answers: {final_instruction(final)}" if final is not None else ""
            return f"escalate {policy} ({repeat}x): " + "; ".join(rounds) + last
        case Patch() | Message() | Voicemail() | Callback() | Hangup():
            return final_instruction(action)
        case _:
            assert_never(action)


def prompts(script: Script | None) -> list[str]:
    lines: list[str] = []
    for step in script.steps if script is not None else ():
        match step:
            case Ask(field=field, text=text, required=required, choices=choices):
                options = f" [{', '.join(choices)}]" if choices else ""
                lines.append(f"ask {field}{' (required)' if required else ''}: {text}{options}")
            case Say(text=text):
                lines.append(f"say: {text}")
            case _:
                assert_never(step)
    return lines


def console(decision: Decision) -> list[str]:
    """What the agent's console shows for a decision."""
    lines = [f"{decision.client} ({decision.rules_version}), greeting {decision.greeting.id}: {decision.greeting.text}"]
    lines += prompts(decision.script)
    if decision.route is None:
        lines.append("ask next: " + ", ".join(decision.needs))
    else:
        lines += [instruction(action) for action in decision.route.actions]
    if decision.urgency is not None:
        lines.append(f"urgency: {decision.urgency}")
    return lines


def calls(at: datetime) -> list[Call]:
    """The calls a switch would send: by number or by client, `at` as a date-time or ISO text."""
    return [
        Call(number="+13125550100", at=at, forwarded="user-busy", answers={"type": "burst_pipe"}),
        Call(client="acme_plumbing", at=at.isoformat(), forwarded="no_answer", language="es-MX", said="a flood"),
        Call(client="acme_plumbing", at=at, answers={"type": "burst-pipe"}),  # refused, naming the field
    ]


def made_up_decision() -> Decision:
    """A decision built as a daemon's own tests build one, without an engine."""
    bob = Target(contact="bob", name="Bob Ortiz", team="plumbers", method="call", address="+13125550112")
    office = Target(contact="office", name="Front desk", method="email", address="office@acme.example")
    return Decision(
        client="acme_plumbing",
        at="2026-11-28T23:15:00-06:00",
        rules_version="test",
        windows=("night",),
        language=Language(used="en", why="the call named no language: the client's default"),
        greeting=Greeting(id="after_hours", language="en", text="Our office is closed."),
        script=Script(
            id="intake",
            steps=(
                Ask(field="type", language="en", text="What is the problem?", required=True, choices=("burst_pipe",)),
                Say(language="en", text="Help is on the way."),
            ),
        ),
        urgency="emergency",
        route=Route(
            rule=1,
            line=75,
            actions=(
                Escalate(
                    policy="emergency",
                    steps=(EscalationStep(targets=(bob,), wait="PT5M"),),
                    repeat=2,
                    final=Message(priority="high", targets=(office,)),
                ),
                Voicemail(),
            ),
        ),
    )


def main(rules: str = "client_configs") -> None:
    engine = Engine.from_path(rules)
    for call in calls(datetime(2026, 11, 28, 23, 15, tzinfo=CHICAGO)):
        try:
            print("\n".join(console(engine.decide(call))))
        except CallError as error:
            print(f"refused: {error}")  # `error.field` names the field at fault
    print("\n".join(console(made_up_decision())))


if __name__ == "__main__":
    main(*sys.argv[1:])
