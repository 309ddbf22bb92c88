"""Words for a client: names, texts, forwarding reasons and classes of call as the client's owner reads them.

The pages a client is sent (the matrix) never show the rule file's own names: a greeting is
its title, or its name made readable (`after_hours` → "After hours"); a text shows its
placeholders as what the agent fills in ("[agent's name]"); a forwarding reason is what the
client did or what happened to their line ("when your line is busy or unanswered",
`forwarding.in_words`).
"""

from __future__ import annotations

from collections.abc import Sequence

import langcodes

from .. import model as m
from ..forwarding import in_words
from .classes import ANY_OTHER, NOT_GIVEN

PLACEHOLDER_WORDS = {
    "agent": "[agent's name]",
    "caller": "[caller's number]",
    "status.note": "[status note]",
}


def readable(name: str) -> str:
    """`after_hours` → `After hours`."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def greeting_title(greeting: m.Greeting) -> str:
    return readable(greeting.title) if greeting.title else readable(greeting.name)


def spoken(template: m.Template, client: m.Client) -> str:
    """A text as the agent reads it, each placeholder shown as what fills it in."""
    if not template.parts:
        return template.source
    out = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif part.name == "client":
            out.append(client.title or readable(client.id))
        elif part.name in PLACEHOLDER_WORDS:
            out.append(PLACEHOLDER_WORDS[part.name])
        elif part.name.startswith("answer."):
            out.append(f"[the caller's answer: {readable(part.name.partition('.')[2]).lower()}]")
        elif part.name.startswith("oncall."):
            out.append(f"[who is on call for {readable(part.name.partition('.')[2]).lower()}]")
        else:
            out.append(f"[{readable(part.name).lower()}]")
    return "".join(out)


def calls_when(names: Sequence[str]) -> str:
    """A heading for calls forwarded for these reasons: `Calls when your line is busy or unanswered`."""
    said = in_words(names)
    return "Every call, whatever the reason it reaches us" if said == "whatever the reason" else f"Calls when {said}"


def language(code: str) -> str:
    """`es` → `Spanish` (the code itself when the language tables do not know it)."""
    try:
        name = str(langcodes.Language.get(code).display_name())
    except (ValueError, LookupError):
        return code
    return code if name.startswith("Unknown") else name


def numbers(labels: Sequence[str], noun: str) -> str:
    named = [label for label in labels if label not in (NOT_GIVEN, ANY_OTHER)]
    extra = (["another number"] if ANY_OTHER in labels else []) + ([f"no {noun}"] if NOT_GIVEN in labels else [])
    return either(named + extra)


def either(items: Sequence[str]) -> str:
    """`a`, `a or b`, `a, b or c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def callers(when: dict) -> str:
    """A class of call, in words: `callers from +17735550199 who dial +13125550101, when you have set a status`."""
    bits = []
    for name, value in when.items():
        if name == "status":
            bits.append("when you have set a status" if value else "when you have no status set")
        elif name == "language":
            heard = [language(c) for c in value if c not in (NOT_GIVEN, ANY_OTHER)]
            if ANY_OTHER in value:
                heard.append("another language")
            if NOT_GIVEN in value:
                heard.append("no language given")
            bits.append("callers speaking " + either(heard))
        elif name == "caller":
            bits.append("callers from " + numbers(value, "number given"))
        elif name == "dialed":
            bits.append("calls to " + numbers(value, "number given"))
        elif name == "answers":
            bits += [f"{readable(field).lower()} answered {' or '.join(v)}" for field, v in value.items()]
        elif name == "said":
            bits.append("callers who said " + " and ".join(f'"{p}"' for p in value) if value else "")
    return ", ".join(bit for bit in bits if bit) or "every caller"
