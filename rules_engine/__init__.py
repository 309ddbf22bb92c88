"""The rules engine behind telephone answering services.

The routing daemon and the command line hold one object, `Engine`; everything else a caller
needs is exported here: the call and decision models, the settings, and the errors.

The library logs through `logging.getLogger("rules_engine…")` and never writes to stderr on
its own: its logger has a `NullHandler`, so a daemon sees the messages where it sends them.
"""

import logging

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

logging.getLogger(__name__).addHandler(logging.NullHandler())

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
