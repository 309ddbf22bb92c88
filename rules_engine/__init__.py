"""The rules engine behind telephone answering services.

The routing daemon and the command line hold one object, `Engine`; everything else a caller
needs is exported here: the call, the settings, the errors, and the decision with each of its
parts, so a daemon can read a decision, match on its actions and build decisions of its own
in its tests without importing the engine's internal modules:

    from rules_engine import Call, Engine, Escalate, Patch

    match action:                      # an element of `decision.route.actions`
        case Patch(targets=targets): ...
        case Escalate(steps=steps): ...

The parts are frozen, slotted, keyword-only dataclasses (`Target(method="call", address=…)`);
`Action`, `FinalAction` and `ScriptStep` are the unions a route's actions, an escalation's
`finally` and a script's steps are drawn from.

The library logs through `logging.getLogger("rules_engine…")` and never writes to stderr on
its own: its logger has a `NullHandler`, so a daemon sees the messages where it sends them.
"""

import logging

from .compiler.compile import compile_file, compile_text
from .decide.call import Call
from .decide.decision import (
    Action,
    Ask,
    Callback,
    Decision,
    Escalate,
    EscalationStep,
    FinalAction,
    Greeting,
    Hangup,
    Language,
    LiveStateStamp,
    Message,
    Patch,
    Route,
    Say,
    Script,
    ScriptStep,
    Status,
    Target,
    TraceEntry,
    Voicemail,
)
from .engine import Engine
from .errors import (
    CallError,
    Diagnostic,
    RulesEngineError,
    RulesError,
    UnknownClientError,
)
from .runtime.settings import Settings

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Action",
    "Ask",
    "Call",
    "CallError",
    "Callback",
    "Decision",
    "Diagnostic",
    "Engine",
    "Escalate",
    "EscalationStep",
    "FinalAction",
    "Greeting",
    "Hangup",
    "Language",
    "LiveStateStamp",
    "Message",
    "Patch",
    "Route",
    "RulesEngineError",
    "RulesError",
    "Say",
    "Script",
    "ScriptStep",
    "Settings",
    "Status",
    "Target",
    "TraceEntry",
    "UnknownClientError",
    "Voicemail",
    "compile_file",
    "compile_text",
]
