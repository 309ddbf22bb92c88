"""`rules-engine decide`: decide one call and show what the agent will say and where it goes, and why.

Without `--json` the output is for an account manager: the local time and the windows that
hold, the greeting exactly as the agent will say it, the script, the urgency, the route
(who is called first, at what number, how long to wait, what happens next) and, for each
part, the line of the rule file that decided it.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path

from .. import model as m
from ..decide import decision as d
from ..decide.call import Call
from ..engine import Engine
from ..errors import CallError, Diagnostic, UnknownClientError, did_you_mean
from ..schedule import clock
from .live import add_store_option, open_engine_or_report


def add_parser(sub):
    parser = sub.add_parser(
        "decide", help="decide one call: greeting, script, urgency and route, with the rules that decided",
        description="Decide one call as the engine would, and show why.",
    )
    parser.add_argument("path", metavar="PATH", help="a .rules file or a directory of them")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--client", metavar="ID", help="the client's id")
    who.add_argument("--number", metavar="NUM", help="the number the caller dialled")
    parser.add_argument("--at", required=True, metavar="DATETIME",
                        help="ISO 8601; with an offset it is that instant, without one the client's local time")
    parser.add_argument("--forwarded", metavar="REASON", default="unknown",
                        help=f"why the call was forwarded: {', '.join(m.FORWARDING_REASONS)}, "
                             "or an RFC 5806 reason (user-busy, no-answer, …)")
    parser.add_argument("--caller", metavar="NUM", help="the caller's number")
    parser.add_argument("--language", metavar="LANG", help="the caller's language, e.g. es")
    parser.add_argument("--agent", metavar="NAME", help="the agent's name, for {agent}")
    parser.add_argument("--answer", metavar="NAME=VALUE", action="append", type=answer, default=[],
                        help="an answer the call already carries (repeatable)")
    parser.add_argument("--said", metavar="TEXT", help="the agent's notes or a transcript")
    parser.add_argument("--status", metavar="NOTE", help="the owner's status note for this call")
    parser.add_argument("--status-until", metavar="DATETIME", help="when that status ends")
    parser.add_argument("--json", action="store_true", help="print the decision as JSON")
    add_store_option(parser)
    return parser


def answer(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"`{text}` is not NAME=VALUE (e.g. --answer type=burst_pipe)")
    return name.strip(), value.strip()


def when(text: str, zone_name: str, option: str) -> datetime:
    """An ISO 8601 date-time; without an offset, the client's local wall-clock time (fold=0)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CallError(f"`{text}` is not an ISO 8601 date-time (e.g. 2026-11-28T23:15 or 2026-11-28T23:15:00-06:00)",
                        field=option) from None
    if value.utcoffset() is None:
        zone = clock.zone(zone_name)
        return clock.to_instant(value, zone).astimezone(zone)
    return value


def run(args) -> int:
    if args.status_until and not args.status:
        print(Diagnostic("error", "--status-until needs --status NOTE", "--status-until").render(), file=sys.stderr)
        return 2
    engine = open_engine_or_report(args)
    if engine is None:
        return 1
    try:
        client = engine.client(args.client, args.number)
        at = when(args.at, client.timezone, "at")
        if args.status:
            until = when(args.status_until, client.timezone, "status-until") if args.status_until else None
            engine.set_status(client.id, note=args.status, until=until)
        call = Call(client=args.client, number=args.number, at=at, forwarded=args.forwarded, caller=args.caller,
                    language=args.language, agent=args.agent, answers=dict(args.answer), said=args.said)
        decision = engine.decide(call)
    except CallError as exc:
        for problem in engine.problems:
            print(problem.render(), file=sys.stderr)
        print(input_error(exc, engine, args).render(), file=sys.stderr)
        return 1
    if args.json:
        print(decision.to_json(indent=2))
    else:
        print(Report(client, call, decision, args.status is not None).text())
    return 0


def input_error(exc: CallError, engine: Engine, args) -> Diagnostic:
    message = str(exc)[len(exc.field) + 2:] if exc.field else str(exc)
    if isinstance(exc, UnknownClientError):
        known = engine.clients
        if not known:
            hint = f"no client could be served from {args.path}"
        elif args.number is not None:
            numbers = {n.value: c.id for c in known.values() for n in c.numbers}
            hint = did_you_mean(args.number, numbers) or "served numbers: " + ", ".join(sorted(numbers))
        else:
            hint = did_you_mean(args.client or "", known) or "served clients: " + ", ".join(
                f"`{name}`" for name in sorted(known))
        return Diagnostic("error", message, args.path, hint=hint)
    return Diagnostic("error", message, f"--{exc.field.replace('_', '-')}" if exc.field else "call")


METHOD_WORDS = {"call": "call", "sms": "text", "email": "email"}
DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def spoken_duration(iso: str) -> str:
    """`PT1H30M` → `1 h 30 min`."""
    match = DURATION.match(iso)
    if not match:
        return iso
    parts = [f"{n} {unit}" for n, unit in zip(match.groups(), ("d", "h", "min", "s")) if n]
    return " ".join(parts) or "0 s"


# A line up to its first `#` that is not inside a quoted text.
CODE_BEFORE_COMMENT = re.compile(r'(?:[^"#]|"(?:[^"\\\n]|\\.)*"?)*')


class Report:
    """The readable form of one decision, quoting the rule lines that decided each part."""

    def __init__(self, client: m.Client, call: Call, decision: d.Decision, status_given: bool):
        self.client = client
        self.call = call
        self.decision = decision
        self.status_given = status_given
        try:
            self.lines = Path(client.path).read_text(encoding="utf-8").splitlines()
        except OSError:
            self.lines = []
        self.out: list[str] = []

    def source(self, line: int) -> str:
        """The rule as written on `line`, without a trailing comment."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        text = CODE_BEFORE_COMMENT.match(text).group(0).strip()
        return f"line {line}: {text}" if text else f"line {line}"

    def traced(self, section: str) -> list[d.TraceEntry]:
        return [entry for entry in self.decision.trace if entry.section == section]

    def why(self, section: str, label: str = "decided by") -> None:
        """The deciding rule's line, and the rules before it that did not hold."""
        tried = self.traced(section)
        if not tried:
            return
        last = tried[-1]
        self.out.append(f"  {label} {self.source(last.line)}")
        skipped = [f"line {e.line} ({'rule ' if isinstance(e.rule, int) else ''}{e.rule})" for e in tried[:-1]]
        if skipped:
            self.out.append("    after these did not hold: " + ", ".join(skipped))

    def text(self) -> str:
        self.header()
        self.greeting()
        self.script()
        self.urgency()
        self.route()
        return "\n".join(self.out)

    def header(self) -> None:
        decision, client, call = self.decision, self.client, self.call
        local = datetime.fromisoformat(decision.at).astimezone(clock.zone(client.timezone))
        offset = local.strftime("%z")
        self.out += [
            f"{client.title or client.id} ({client.id}), rules version {decision.rules_version}",
            f"Call:      {local:%a %d %b %Y %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]}, {client.timezone})",
            f"           forwarded {call.forwarded}, caller {call.caller or 'not given'}, "
            f"language {call.language or 'not given'}",
            "           " + ", ".join(f"{name} = {value}" for name, value in call.answers.items())
            if call.answers else "           no answers yet",
            "Windows:   " + (", ".join(decision.windows) or "none of the named windows holds"),
        ]
        if decision.status is not None:
            until = f" (until {decision.status.until})" if decision.status.until else ""
            self.out.append(f"Status:    {decision.status.note}{until}")
        elif self.status_given:
            self.out.append("Status:    none (the one given has ended)")

    def greeting(self) -> None:
        greeting = self.decision.greeting
        title = f" \"{greeting.title}\"" if greeting.title else ""
        fallback = ""
        if self.call.language and greeting.language != self.call.language:
            fallback = f" (no {self.call.language} text: the default language is used)"
        self.out += ["", f"GREETING  {greeting.id}{title}, in {greeting.language}{fallback}",
                     f"  \"{greeting.text}\""]
        self.why("greeting")

    def script(self) -> None:
        script = self.decision.script
        if script is None:
            self.out += ["", "SCRIPT    none"]
            return
        self.out += ["", f"SCRIPT    {script.id}"]
        self.why("script", "chosen by")
        for number, step in enumerate(script.steps, start=1):
            if isinstance(step, d.Say):
                self.out.append(f"  {number}. say: \"{step.text}\"")
                continue
            notes = ["required"] if step.required else []
            if step.phone:
                notes.append("a phone number")
            if step.choices:
                notes.append("one of " + ", ".join(step.choices))
            if step.waits_for:
                notes.append("only if the answers to " + ", ".join(step.waits_for) + " call for it")
            if step.language != self.decision.greeting.language:
                notes.append(f"no {self.decision.greeting.language} text: in {step.language}")
            extra = f" ({'; '.join(notes)})" if notes else ""
            self.out.append(f"  {number}. ask {step.field}{extra}: \"{step.text}\"")
            if step.answer is not None:
                self.out.append(f"       already answered: {step.answer}")

    def urgency(self) -> None:
        decision = self.decision
        if not self.traced("urgency"):
            return
        if decision.urgency is None:
            self.out += ["", "URGENCY   not known yet"]
            self.why("urgency", "waits at")
        else:
            self.out += ["", f"URGENCY   {decision.urgency}"]
            self.why("urgency")

    def route(self) -> None:
        decision = self.decision
        route = decision.route
        if route is None:
            self.out += ["", "ROUTE     not decided yet: ask " + (", ".join(decision.needs) or "the script") + " first"]
            self.why("route", "waits at")
            return
        self.out += ["", f"ROUTE     rule {route.rule} of `route`"]
        self.why("route")
        for number, action in enumerate(route.actions, start=1):
            lead = f"  {number}. " if number == 1 else f"  {number}. if that fails: "
            self.action(action, lead, "       ")
        for entry in self.traced("oncall") + self.traced("escalation"):
            where = f" ({self.source(entry.line)})" if entry.line else ""
            self.out.append(f"  on call: {entry.rule}: {entry.note}{where}" if entry.section == "oncall"
                            else f"  note: {entry.note}{where}")
        if decision.needs:
            self.out.append("  still to ask for the urgency: " + ", ".join(decision.needs))

    def action(self, action: d.Action, lead: str, indent: str) -> None:
        out = self.out
        if isinstance(action, d.Patch):
            team = f" (on call for {action.team})" if action.team else ""
            if not action.targets:
                out.append(f"{lead}put the caller through{team}: nobody can be reached")
            for target in action.targets:
                out.append(f"{lead}put the caller through to {self.who(target)}")
        elif isinstance(action, d.Escalate):
            rounds = f", up to {action.repeat} rounds" if action.repeat > 1 else ""
            out.append(f"{lead}escalate `{action.policy}`{rounds}:")
            for number, step in enumerate(action.steps, start=1):
                reach = "; ".join(f"{METHOD_WORDS[t.method]} {self.who(t)}" for t in step.targets)
                out.append(f"{indent}step {number}: {reach}; then wait {spoken_duration(step.wait)} for an answer")
            if action.final is not None:
                self.action(action.final, f"{indent}if nobody answers: ", indent + "  ")
        elif isinstance(action, d.Message):
            to = "; ".join(f"by {METHOD_WORDS[t.method]} to {self.who(t)}" for t in action.targets)
            out.append(f"{lead}take a message (priority {action.priority})" + (f", deliver {to}" if to else ""))
        elif isinstance(action, d.Voicemail):
            out.append(f"{lead}send the caller to voicemail")
        elif isinstance(action, d.Callback):
            out.append(f"{lead}promise a call back within {spoken_duration(action.within)}")
        elif isinstance(action, d.Hangup):
            out.append(f"{lead}say \"{action.say}\" and hang up")

    @staticmethod
    def who(target: d.Target) -> str:
        if target.contact is None:
            return target.address
        team = f", on call for {target.team}" if target.team else ""
        return f"{target.name} ({target.contact}{team}) at {target.address}"
