"""The rules engine behind telephone answering services.

The routing daemon and the command line hold one object, `Engine`; everything else a caller
needs is exported here.
"""

from .compiler import compile_file, compile_text
from .errors import CallError, Diagnostic, RulesEngineError, RulesError, UnknownClientError

__all__ = [
    "CallError",
    "Diagnostic",
    "RulesEngineError",
    "RulesError",
    "UnknownClientError",
    "compile_file",
    "compile_text",
]
