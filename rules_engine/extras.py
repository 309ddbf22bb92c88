"""The optional parts of the install, and the one line that names a missing one.

The core install (`pip install rules-engine`) is what a daemon needs to decide calls. The
rest comes in extras, as pyproject.toml declares them: `service` (`rules-engine serve`),
`postgres` (a `postgresql://` store or log), `report` (the outcome report's page with
charts), `scenarios` (`rules-engine test`) and `console` (the console's pages and
`rules-engine users`). Code that needs one imports it inside
`needs(extra, what)`, so that a missing library is told as

    rules-engine serve needs the service extra: pip install 'rules-engine[service]'

(a `MissingExtraError`, a `RulesEngineError`) rather than as an `ImportError` traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .errors import RulesEngineError

# The top-level modules each extra installs (pyproject.toml's [project.optional-dependencies]).
EXTRAS = {
    "service": ("fastapi", "starlette", "uvicorn", "httptools", "uvloop", "prometheus_client"),
    "postgres": ("psycopg", "psycopg_pool"),
    "report": ("matplotlib",),
    "scenarios": ("pytest", "_pytest", "pytest_bdd"),
    "console": ("jinja2", "markupsafe", "argon2", "_argon2_cffi_bindings", "multipart", "python_multipart"),
}


class MissingExtraError(RulesEngineError):
    """Something asked for a part of the package whose extra is not installed."""

    def __init__(self, extra: str, what: str):
        super().__init__(f"{what} needs the {extra} extra: pip install 'rules-engine[{extra}]'")
        self.extra = extra
        self.what = what


@contextmanager
def needs(extra: str, what: str) -> Iterator[None]:
    """Imports in this block come from `extra`; if one of its modules is missing, `what` (as the
    user named it: `rules-engine serve`, `a postgresql:// store`) needs that extra.

    Only a missing module of `extra` is turned into a `MissingExtraError`: any other import
    error is a fault of the installation or of the code, and keeps its traceback. Nested
    blocks for the same extra tell the outermost `what`, the one closest to the user.
    """
    try:
        yield
    except MissingExtraError as exc:
        if exc.extra != extra:
            raise
        raise MissingExtraError(extra, what) from None
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in EXTRAS[extra]:
            raise
        raise MissingExtraError(extra, what) from None
