"""A decision as people read it: the one renderer behind `rules-engine decide` and `explain`.

It reads the decision as JSON values (`Decision.to_dict()`, which is also what the decision
log stores) and the call the same way, so a decision logged long ago reads exactly as one
made now. Top to bottom: the local time and the windows that hold, the greeting as the
agent will say it, the script, the urgency, the route (who is reached first, at what
number, how long to wait, what happens next) and, for each part, the rule that decided it.

What the decision does not carry comes from a `Source` when there is one (`decide` has the
client): the client's title, its time zone's name, and the lines of the rule text it was
compiled from, quoted beside the rules that decided. Without one (`explain` has only the log), rules are named by line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import model as m
from ..decide.decision import METHOD_WORDS, spoken_duration
from ..errors import SourceText
from ..schedule import clock

# A line up to its first `#` that is not inside a quoted text.
CODE_BEFORE_COMMENT = re.compile(r'(?:[^"#]|"(?:[^"\\\n]|\\.)*"?)*')


def code_of(line: str) -> str:
    """A rule file's line up to its first `#` that is not inside a quoted text, stripped."""
    match = CODE_BEFORE_COMMENT.match(line)  # the pattern matches every line, if only emptily
    return match.group(0).strip() if match else line.strip()


@dataclass(frozen=True)
class Source:
    """What the client's rule file adds to a rendering: its title, time zone and lines."""

    title: str
    timezone: str
    lines: Sequence[str]

    @classmethod
    def of(cls, client: m.Client) -> Source:
        """The client's title (or id), its zone, and the lines of the text it was compiled from
        (not the file read again: it may have changed since)."""
        return cls(client.title or client.id, client.timezone, SourceText.of(client.path, client.source).lines)


def render(
    decision: Mapping[str, Any], call: Mapping[str, Any], source: Source | None = None, status_given: bool = False
) -> str:
    """The readable form of one decision (with its `trace`) for `call`.

    `status_given`: the call came with a status of its own (`decide --status`), so a
    decision without one says that status has ended.
    """
    return "\n".join(Rendering(decision, call, source, status_given).lines())


class Rendering:
    def __init__(self, decision: Mapping[str, Any], call: Mapping[str, Any], source: Source | None, status_given: bool):
        self.decision = decision
        self.call = call
        self.source = source
        self.status_given = status_given
        self.out: list[str] = []

    def lines(self) -> list[str]:
        self.header()
        self.greeting()
        self.script()
        self.urgency()
        self.route()
        return self.out

    # ---- the rules that decided -----------------------------------------------------------------------

    def quote(self, line: int) -> str:
        """The rule as written on `line`, without a trailing comment (`line N` alone without the file)."""
        lines = self.source.lines if self.source else ()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        text = code_of(text)
        return f"line {line}: {text}" if text else f"line {line}"

    def traced(self, section: str) -> list[Mapping[str, Any]]:
        return [entry for entry in self.decision.get("trace") or () if entry.get("section") == section]

    def why(self, section: str, label: str = "decided by") -> None:
        """The deciding rule's line, and the rules before it that did not hold."""
        tried = self.traced(section)
        if not tried:
            return
        self.out.append(f"  {label} {self.quote(tried[-1]['line'])}")
        skipped = [f"line {e['line']} ({'rule ' if isinstance(e['rule'], int) else ''}{e['rule']})" for e in tried[:-1]]
        if skipped:
            self.out.append("    after these did not hold: " + ", ".join(skipped))

    # ---- the parts, top to bottom ---------------------------------------------------------------------

    def header(self) -> None:
        decision, call, source = self.decision, self.call, self.source
        client = decision["client"]
        local = datetime.fromisoformat(decision["at"])  # the call's local time, with its offset
        if source is not None:
            local = local.astimezone(clock.zone(source.timezone))  # the same, with the zone's name
        offset = local.strftime("%z")
        utc = f"UTC{offset[:3]}:{offset[3:]}"
        named = f"{source.title} ({client})" if source else client
        zone = f" {local.tzname()} ({utc}, {source.timezone})" if source else f" ({utc})"
        answers = call.get("answers") or {}
        self.out += [
            f"{named}, rules version {decision['rules_version']}",
            f"Call:      {local:%a %d %b %Y %H:%M}{zone}",
            f"           forwarded {call.get('forwarded', 'unknown')}, caller {call.get('caller') or 'not given'}, "
            f"language {call.get('language') or 'not given'}",
            "           "
            + (", ".join(f"{name} = {value}" for name, value in answers.items()) if answers else "no answers yet"),
            "Windows:   " + (", ".join(decision["windows"]) or "none of the named windows holds"),
        ]
        for entry in self.traced("calendar"):  # which closure, which holiday
            self.out.append(f"           {entry['rule']}: {entry.get('note')} ({self.quote(entry['line'])})")
        language = decision.get("language")  # decisions logged before issue 12 have none
        if language is not None and language.get("asked") is not None:  # how the tag asked for was read
            self.out.append(f"Language:  {language['used']} ({language['why']})")
        status = decision.get("status")
        if status is not None:
            until = f" (until {status['until']})" if status.get("until") else ""
            self.out.append(f"Status:    {status['note']}{until}")
        elif self.status_given:
            self.out.append("Status:    none (the one given has ended)")

    def greeting(self) -> None:
        greeting = self.decision["greeting"]
        title = f' "{greeting["title"]}"' if greeting.get("title") else ""
        fallback = ""
        language = (self.decision.get("language") or {}).get("used") or self.call.get("language")
        if language and greeting["language"] != language:
            fallback = f" (no {language} text: the default language is used)"
        self.out += [
            "",
            f"GREETING  {greeting['id']}{title}, in {greeting['language']}{fallback}",
            f'  "{greeting["text"]}"',
        ]
        self.why("greeting")

    def script(self) -> None:
        script = self.decision.get("script")
        if script is None:
            self.out += ["", "SCRIPT    none"]
            return
        self.out += ["", f"SCRIPT    {script['id']}"]
        self.why("script", "chosen by")
        spoken = self.decision["greeting"]["language"]
        for number, step in enumerate(script["steps"], start=1):
            if step["kind"] == "say":
                self.out.append(f'  {number}. say: "{step["text"]}"')
                continue
            notes = ["required"] if step.get("required") else []
            if step.get("phone"):
                notes.append("a phone number")
            if step.get("choices"):
                notes.append("one of " + ", ".join(step["choices"]))
            if step.get("number") is not None:
                bounds = step["number"]
                notes.append(f"a number from {bounds['min']} to {bounds['max']}" if "min" in bounds else "a number")
            if step.get("waits_for"):
                notes.append("only if the answers to " + ", ".join(step["waits_for"]) + " call for it")
            if step["language"] != spoken:
                notes.append(f"no {spoken} text: in {step['language']}")
            extra = f" ({'; '.join(notes)})" if notes else ""
            self.out.append(f'  {number}. ask {step["field"]}{extra}: "{step["text"]}"')
            if step.get("answer") is not None:
                self.out.append(f"       already answered: {step['answer']}")

    def urgency(self) -> None:
        if not self.traced("urgency"):
            return
        urgency = self.decision.get("urgency")
        if urgency is None:
            self.out += ["", "URGENCY   not known yet"]
            self.why("urgency", "waits at")
        else:
            self.out += ["", f"URGENCY   {urgency}"]
            self.why("urgency")

    def route(self) -> None:
        decision = self.decision
        route = decision.get("route")
        needs = decision.get("needs") or ()
        if route is None:
            self.out += ["", "ROUTE     not decided yet: ask " + (", ".join(needs) or "the script") + " first"]
            self.why("route", "waits at")
            return
        self.out += ["", f"ROUTE     rule {route['rule']} of `route`"]
        self.why("route")
        for number, action in enumerate(route["actions"], start=1):
            lead = f"  {number}. " if number == 1 else f"  {number}. if that fails: "
            self.action(action, lead, "       ")
        for entry in self.traced("oncall") + self.traced("escalation"):
            where = f" ({self.quote(entry['line'])})" if entry.get("line") else ""
            self.out.append(
                f"  on call: {entry['rule']}: {entry.get('note')}{where}"
                if entry["section"] == "oncall"
                else f"  note: {entry.get('note')}{where}"
            )
        if needs:
            self.out.append("  still to ask for the urgency: " + ", ".join(needs))

    def action(self, action: Mapping[str, Any], lead: str, indent: str) -> None:
        out, kind = self.out, action["kind"]
        targets = action.get("targets") or ()
        if kind != "hangup" and action.get("say") is not None:
            out.append(f'{lead}first tell the caller: "{action["say"]}"')
            lead = indent + "then "
        if kind == "patch":
            team = f" (on call for {action['team']})" if action.get("team") else ""
            if not targets:
                out.append(f"{lead}put the caller through{team}: nobody can be reached")
            for target in targets:
                out.append(f"{lead}put the caller through to {who(target)}")
        elif kind == "escalate":
            repeat = action.get("repeat", 1)
            rounds = f", up to {repeat} rounds" if repeat > 1 else ""
            out.append(f"{lead}escalate `{action['policy']}`{rounds}:")
            for number, step in enumerate(action["steps"], start=1):
                reach = "; ".join(f"{METHOD_WORDS[t['method']]} {who(t)}" for t in step["targets"])
                out.append(f"{indent}step {number}: {reach}; then wait {spoken_duration(step['wait'])} for an answer")
            if action.get("finally") is not None:
                self.action(action["finally"], f"{indent}if nobody answers: ", indent + "  ")
        elif kind == "message":
            to = "; ".join(f"by {METHOD_WORDS[t['method']]} to {who(t)}" for t in targets)
            out.append(
                f"{lead}take a message (priority {action.get('priority', 'normal')})"
                + (f", deliver {to}" if to else "")
            )
        elif kind == "voicemail":
            out.append(f"{lead}send the caller to voicemail")
        elif kind == "callback":
            out.append(f"{lead}promise a call back within {spoken_duration(action['within'])}")
        elif kind == "hangup":
            out.append(f'{lead}say "{action["say"]}" and hang up')


def who(target: Mapping[str, Any]) -> str:
    if target.get("contact") is None:
        return str(target["address"])
    team = f", on call for {target['team']}" if target.get("team") else ""
    return f"{target['name']} ({target['contact']}{team}) at {target['address']}"
