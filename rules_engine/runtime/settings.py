"""Engine settings — rules directory, live-state store, decision log, default language —
from a YAML file or from arguments.

The YAML is read with `yaml.safe_load` only: a file that asks for a Python object
(`!!python/object/apply:…`) is refused with an error that says so, never built.
Relative paths in a settings file are relative to that file, so a daemon started from any
directory reads the same files. Every problem is a `SettingsError`, never a YAML or
pydantic exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from ..decide.sip import country_code
from ..errors import RulesEngineError, did_you_mean
from .stores import is_database_url

LANGUAGE = re.compile(r"^[a-z][a-z0-9_]*$")
SCOPE = re.compile(r"^(decide|read|metrics|admin|portal:[a-z][a-z0-9_]*)$")
MIN_TOKEN_LENGTH = 24


class SettingsError(RulesEngineError):
    """The engine's settings are missing, malformed or unsafe."""


class Token(BaseModel):
    """A bearer token of `rules-engine serve` and what it may do (docs/service.md).

    Scopes: `decide` (a switch deciding calls), `portal:CLIENT` (that client's status,
    overrides and on-call view, and its calls' logged decisions), `read` (every call's
    logged decision: an agent desktop), `metrics` (`/metrics` and the full `/readyz`),
    `admin` (everything, reloads included).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    token: str
    scopes: tuple[str, ...]

    @field_validator("token")
    @classmethod
    def _long(cls, value: str) -> str:
        if len(value) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"a token needs at least {MIN_TOKEN_LENGTH} characters "
                "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for scope in value:
            if not SCOPE.match(scope):
                raise ValueError(f"`{scope}` is not a scope: use decide, read, metrics, admin or portal:CLIENT_ID")
        if not value:
            raise ValueError("a token needs at least one scope: decide, read, metrics, admin or portal:CLIENT_ID")
        return value


class Settings(BaseModel):
    """What an engine serves and where it keeps its state.

    `store` is where live state (statuses, on-call overrides) is kept: a SQLite file, or a
    `postgresql://` URL for several daemons sharing it; without one, live state is kept in
    memory and lost on restart. `decision_log` is a JSON-lines file receiving one line per
    decision (rotated past `decision_log_max_bytes`), or a `postgresql://` URL for a log a
    fleet shares; without one, nothing is logged. `default_language`
    is the language of calls that do not say one. `cache_dir` is a directory (the process
    user's own, mode 0700) where compiled clients are kept across restarts; without one,
    every start compiles every file (docs/compile-cache.md). `tokens` are the bearer tokens
    `rules-engine serve` accepts, each with its scopes (none: the service answers only on
    loopback, without authentication). `accounts` is where the console keeps the people who log
    in (a SQLite file or a `postgresql://` URL; docs/console.md): with it, `serve` serves the
    console too. `console_secure_cookies: false` lets the console's cookies travel over plain
    http, which `serve` allows on a loopback address only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: Path
    store: Path | str | None = None  # a str only for a postgresql:// URL
    decision_log: Path | str | None = None  # the same
    default_language: str | None = None
    # ISO 3166 alpha-2 (US, GB, …): the country of national numbers in SIP headers (docs/sip.md).
    default_country: str | None = None
    cache_dir: Path | None = None
    # Rotation of a decision log file: past this size it moves to `<log>.1` (None: never).
    decision_log_max_bytes: int | None = Field(default=None, ge=4096)
    decision_log_keep_files: int = Field(default=10, ge=1)  # rotated files kept
    # A decision log file written in batches, one every this many seconds, by a thread of its
    # own (a crash may lose the last batch); 0: each record written by `decide` itself. None:
    # `rules-engine serve` batches (SERVE_BATCH_SECONDS), an engine of a daemon's making does not.
    decision_log_batch_seconds: float | None = Field(default=None, ge=0, le=1)
    # Each file's last good version kept on disk (in cache_dir, else beside a SQLite store).
    keep_last_good: bool = True
    tokens: tuple[Token, ...] = ()
    accounts: Path | str | None = None  # a str only for a postgresql:// URL
    console_secure_cookies: bool = True

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not LANGUAGE.match(value):
            raise ValueError(f"`{value}` is not a language code such as en or es")
        return value

    @field_validator("tokens")
    @classmethod
    def _one_secret_each(cls, value: tuple[Token, ...]) -> tuple[Token, ...]:
        """Two entries with one secret would give each the other's scopes (a switch's token
        that also reloads): refused, naming both."""
        named: dict[str, str] = {}
        for token in value:
            if token.token in named:
                raise ValueError(
                    f"the tokens `{named[token.token]}` and `{token.name}` share one secret: give each its "
                    "own token, or list every scope it needs on one entry"
                )
            named[token.token] = token.name
        return value

    @field_validator("default_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return country_code(value) if value is not None else None

    @field_validator("store", "decision_log", "accounts")
    @classmethod
    def _file_or_database(cls, value: Path | str | None, info: ValidationInfo) -> Path | str | None:
        if isinstance(value, str) and not is_database_url(value):
            if "://" in value:
                what = {
                    "store": "a store: give a SQLite file",
                    "accounts": "an accounts store: give a SQLite file",
                }.get(str(info.field_name), "a decision log: give a file")
                raise ValueError(f"`{value.split('://')[0]}://` is not {what} or a postgresql:// URL")
            return Path(value)
        return value

    @classmethod
    def of(cls, values: Mapping[str, Any], source: str = "settings") -> Settings:
        """Settings from plain values, every problem told in a `SettingsError` naming `source`."""
        unknown = [key for key in values if key not in cls.model_fields]
        if unknown:
            hint = did_you_mean(str(unknown[0]), cls.model_fields)
            raise SettingsError(
                f"{source}: unknown setting `{unknown[0]}`"
                + (f"; {hint}" if hint else "")
                + f" (the settings are {', '.join(cls.model_fields)})"
            )
        try:
            return cls(**values)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            name = ".".join(str(part) for part in error["loc"])
            message = "is required" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
            raise SettingsError(f"{source}: {name}: {message}") from None

    @classmethod
    def chosen(cls, source: Settings | str | Path | None, values: Mapping[str, Any]) -> Settings:
        """The settings of `source` (a `Settings`, a YAML settings file, or none: `values` alone)
        with `values` replacing what it says; every problem a `SettingsError`."""
        if isinstance(source, Settings):
            return cls.of({**source.model_dump(), **values})
        if source is not None:
            return cls.from_yaml(source, **values)
        return cls.of(values, "arguments")

    def last_good_dir(self) -> Path | None:
        """Where the last good version of each file is kept on disk: `last-good/` in the cache
        directory if there is one, else beside a SQLite store; else nowhere (None)."""
        if self.cache_dir is not None:
            return self.cache_dir / "last-good"
        if isinstance(self.store, Path):
            return self.store.with_name(self.store.stem + ".last-good")
        return None

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> Settings:
        """Read a settings file; keyword arguments (not None) replace what it says."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"{path}: cannot read the settings file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise SettingsError(f"{path}: the settings file is not UTF-8 text") from None
        data = parse_yaml(text, str(path)) or {}
        if not isinstance(data, dict):
            raise SettingsError(f"{path}: the settings file must be a mapping of setting: value")
        if data.get("tokens"):
            private(path)
        given = {key: value for key, value in overrides.items() if value is not None}
        values = {**data, **given}
        for key in ("rules", "store", "decision_log", "cache_dir", "accounts"):
            if isinstance(values.get(key), str) and key not in given and "://" not in values[key]:  # a URL is no path
                values[key] = path.parent / Path(values[key]).expanduser()
        return cls.of(values, str(path))


def private(path: Path) -> None:
    """A settings file holding tokens must be readable by its owner alone: anyone else who
    reads it could decide calls, change live state or reload."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise SettingsError(
            f"{path}: refused: the file holds tokens and is readable by "
            + ("others" if mode & 0o007 else "its group")
            + f" (mode {mode:04o}); make it private: chmod 600 {path}"
        )


def parse_yaml(text: str, source: str) -> Any:
    """`yaml.safe_load`, with its errors told as `SettingsError` at the line they occur."""
    try:
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        where = f"{source}:{exc.problem_mark.line + 1}" if exc.problem_mark else source
        raise SettingsError(
            f"{where}: refused: the tag `{tag_of(exc)}` asks YAML to build an object (such as a Python "
            f"object); a settings file holds only plain values: text, numbers, lists, mappings"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise SettingsError(f"{where}: the settings file is not valid YAML: {problem}") from None


def tag_of(exc: yaml.constructor.ConstructorError) -> str:
    """The offending tag, as written (`!!python/object/apply:os.system`)."""
    found = re.search(r"tag '([^']*)'", exc.problem or "")
    tag = found.group(1) if found else "?"
    return tag.replace("tag:yaml.org,2002:", "!!")
