"""The rules engine behind telephone answering services.

The routing daemon and the command line hold one object, `Engine`; everything else a caller
needs is exported here: the call and decision models, the settings, and the errors.

The names are imported on first use (PEP 562), not when the package is: `rules-engine
--version` and `check` load only what they use, and `import rules_engine.cli` does not pay
for the engine. `from rules_engine import Engine` works as ever; type checkers read the
imports under `TYPE_CHECKING`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compiler.compile import compile_file, compile_text
    from .decide.call import Call
    from .decide.decision import Decision
    from .engine import Engine
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
    "Call": ".decide.call",
    "CallError": ".errors",
    "Decision": ".decide.decision",
    "Diagnostic": ".errors",
    "Engine": ".engine",
    "RulesEngineError": ".errors",
    "RulesError": ".errors",
    "Settings": ".runtime.settings",
    "UnknownClientError": ".errors",
    "compile_file": ".compiler.compile",
    "compile_text": ".compiler.compile",
}

__all__ = [
    "Call",
    "CallError",
    "Decision",
    "Diagnostic",
    "Engine",
    "RulesEngineError",
    "RulesError",
    "Settings",
    "UnknownClientError",
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
