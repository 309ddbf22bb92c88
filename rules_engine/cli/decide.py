"""`rules-engine decide`: decide one call and show what the agent will say and where it goes, and why.

Without `--json` the output is for an account manager (see `render`): the local time and
the windows that hold, the greeting exactly as the agent will say it, the script, the
urgency, the route and, for each part, the line of the rule file that decided it.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from .. import model as m
from ..decide.call import Call
from ..errors import CallError
from .options import AT_HELP, add_rules_path, add_store_option, error, input_error, open_engine, when
from .render import Source, render


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Decide one call as the engine would, and show why."
    add_rules_path(parser)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--client", metavar="ID", help="the client's id")
    who.add_argument("--number", metavar="NUM", help="the number the caller dialled")
    parser.add_argument("--at", required=True, metavar="DATETIME", help=AT_HELP)
    parser.add_argument(
        "--forwarded",
        metavar="REASON",
        default="unknown",
        help=f"why the call was forwarded: {', '.join(m.FORWARDING_REASONS)}, "
        "or an RFC 5806 reason (user-busy, no-answer, …)",
    )
    parser.add_argument("--caller", metavar="NUM", help="the caller's number")
    parser.add_argument("--language", metavar="LANG", help="the caller's language, e.g. es")
    parser.add_argument("--agent", metavar="NAME", help="the agent's name, for {agent}")
    parser.add_argument(
        "--answer",
        metavar="NAME=VALUE",
        action="append",
        type=answer,
        default=[],
        help="an answer the call already carries (repeatable)",
    )
    parser.add_argument("--said", metavar="TEXT", help="the agent's notes or a transcript")
    parser.add_argument("--status", metavar="NOTE", help="the owner's status note for this call")
    parser.add_argument("--status-until", metavar="DATETIME", help="when that status ends")
    parser.add_argument("--json", action="store_true", help="print the decision as JSON")
    add_store_option(parser)


def answer(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"`{text}` is not NAME=VALUE (e.g. --answer type=burst_pipe)")
    return name.strip(), value.strip()


def run(args: argparse.Namespace) -> int:
    if args.status_until and not args.status:
        error("--status-until needs --status NOTE", "--status-until")
        return 2
    engine = open_engine(args)
    if engine is None:
        return 1
    try:
        client = engine.client(args.client, args.number)
        at = when(args.at, client.timezone, "at")
        if args.status:
            until = when(args.status_until, client.timezone, "status-until") if args.status_until else None
            # A what-if: the status was set before the call, and before it ended (it may have ended).
            set_at = min(at, until) if until is not None else at
            engine.set_status(client.id, note=args.status, until=until, now=set_at - timedelta(minutes=1))
        call = Call(
            client=args.client,
            number=args.number,
            at=at,
            forwarded=args.forwarded,
            caller=args.caller,
            language=args.language,
            agent=args.agent,
            answers=dict(args.answer),
            said=args.said,
        )
        decision = engine.decide(call)
    except CallError as exc:
        return input_error(exc, engine, args)
    if args.json:
        print(decision.to_json(indent=2))
    else:
        print(
            render(
                decision.to_dict(),
                call.model_dump(mode="json", exclude_none=True),
                Source.of(client),
                status_given=args.status is not None,
            )
        )
    return 0
