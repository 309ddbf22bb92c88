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

The names are imported on first use (PEP 562), not when the package is: `rules-engine
--version` and `check` load only what they use, and `import rules_engine.cli` does not pay
for the engine. `from rules_engine import Engine` works as ever; type checkers read the
imports under `TYPE_CHECKING`.

The library logs through `logging.getLogger("rules_engine…")` and never writes to stderr on
its own: its logger has a `NullHandler`, so a daemon sees the messages where it sends them.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from .engine_async import AsyncEngine
    from .errors import (
        CallError,
        Diagnostic,
        RulesEngineError,
        RulesError,
        UnknownClientError,
    )
    from .runtime.settings import Settings

# Each exported name and the module it comes from: what the imports above say, for run time.
EXPORTS = {
    "Action": ".decide.decision",
    "Ask": ".decide.decision",
    "AsyncEngine": ".engine_async",
    "Call": ".decide.call",
    "CallError": ".errors",
    "Callback": ".decide.decision",
    "Decision": ".decide.decision",
    "Diagnostic": ".errors",
    "Engine": ".engine",
    "Escalate": ".decide.decision",
    "EscalationStep": ".decide.decision",
    "FinalAction": ".decide.decision",
    "Greeting": ".decide.decision",
    "Hangup": ".decide.decision",
    "Language": ".decide.decision",
    "LiveStateStamp": ".decide.decision",
    "Message": ".decide.decision",
    "Patch": ".decide.decision",
    "Route": ".decide.decision",
    "RulesEngineError": ".errors",
    "RulesError": ".errors",
    "Say": ".decide.decision",
    "Script": ".decide.decision",
    "ScriptStep": ".decide.decision",
    "Settings": ".runtime.settings",
    "Status": ".decide.decision",
    "Target": ".decide.decision",
    "TraceEntry": ".decide.decision",
    "UnknownClientError": ".errors",
    "Voicemail": ".decide.decision",
    "compile_file": ".compiler.compile",
    "compile_text": ".compiler.compile",
}

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Action",
    "Ask",
    "AsyncEngine",
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


def __getattr__(name: str) -> Any:
    module = EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
