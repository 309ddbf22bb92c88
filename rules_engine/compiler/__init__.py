"""The compiler: rule-file text → a checked, immutable `Client`.

The stages, one module each, in the order `compile.compile_text` runs them:
`limits` (size and depth bounds) → `parser` (text → Lark tree, grammar `rules.lark` beside it;
`recovery` reads on after a syntax error)
→ `build` (tree → syntax nodes, `templates` split) → `assemble` (statements → `Client`)
→ `check_sections` and `check_refs` (static checks, reported through `report`; `logic`
reasons about conditions). Everything positioned is reported as a `Diagnostic`.
"""

from .compile import compile_bytes, compile_file, compile_text

__all__ = ["compile_bytes", "compile_file", "compile_text"]
