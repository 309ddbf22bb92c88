"""The compiler: rule-file text → a checked, immutable `Client`.

The stages, one module each, in the order `compile.compile_text` runs them:
`limits` (size and depth bounds) → `parser` (text → Lark tree, grammar `rules.lark` beside it;
`recovery` reads on after a syntax error)
→ `build` (tree → syntax nodes, `templates` split) → `assemble` (statements → `Client`)
→ `check_sections` and `check_refs` (static checks, reported through `report`; `logic`
reasons about conditions). Everything positioned is reported as a `Diagnostic`.

The package imports `compile` on first use: deciding renders texts with `templates` alone, and a
decision served from the compile cache should not pay for Lark, the checks and their data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compile import compile_bytes, compile_file, compile_text

__all__ = ["compile_bytes", "compile_file", "compile_text"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import compile

        return getattr(compile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
