"""One scenario's call, built step by step, and the decision the engine makes for it.

The decision is made lazily, at the first `Then` after the call last changed, so a
scenario reads like a call: who, when, why, what the caller said, then what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from ..engine import Engine
from ..schedule import clock


class ScenarioFailure(AssertionError):
    """A scenario's expectation that the engine's decision does not meet, in plain words."""


_engines: dict[Path, Engine] = {}


def engine_for(path: Path) -> Engine:
    """One engine per rules path and test session: compiling once keeps scenarios fast."""
    path = path.resolve()
    if path not in _engines:
        _engines[path] = Engine.from_path(path)
    return _engines[path]


@dataclass
class World:
    rules_dir: Path
    rules_path: Path | None = None
    client_id: str | None = None
    at: datetime | None = None  # aware, or naive = client-local wall clock
    call: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    status: dict[str, Any] | None = None
    decision_json: dict | None = None
    fallback: int = 0  # which of the route's actions the next `Then` speaks of

    # ---- setting up the call ------------------------------------------------------------------
    def changed(self) -> None:
        self.decision_json = None
        self.fallback = 0

    @property
    def engine(self) -> Engine:
        return engine_for(self.rules_path or self.rules_dir)

    def require_client(self) -> str:
        if self.client_id is None:
            clients = self.engine.clients
            if len(clients) != 1:
                raise ScenarioFailure('say which client first, e.g. Given the client "acme_plumbing"')
            self.client_id = next(iter(clients))
        return self.client_id

    def instant(self) -> datetime:
        if self.at is None:
            raise ScenarioFailure("say when the call comes first, e.g. Given it is Saturday 2026-11-28 at 23:15")
        if self.at.tzinfo is not None:
            return self.at
        client = self.engine.client(self.require_client())
        return clock.to_instant(self.at, clock.zone(client.timezone))

    def on_call(self, team: str):
        """The contact on call for `team` at the scenario's time (live overrides included)."""
        client = self.engine.client(self.require_client())
        if team not in client.teams:
            raise ScenarioFailure(f'client "{client.id}" has no on-call team "{team}"')
        live = self.engine.store.snapshot(client.id).overrides
        name = self.engine.plan(client.id).oncall.who(team, self.instant(), live)
        return client.contacts.get(name) if name else None

    # ---- the decision -------------------------------------------------------------------------
    def decide(self) -> dict:
        if self.decision_json is None:
            from ..decide.call import (
                Call,  # the engine's own call model validates what the steps built
            )

            engine = self.engine
            client_id = self.require_client()
            if self.status is not None:
                # Set before the call, and before it ends: a scenario may show a status that has ended.
                until = self.status.get("until")
                set_at = min(self.instant(), until) if until is not None else self.instant()
                engine.set_status(client_id, **self.status, now=set_at - timedelta(minutes=1))
            try:
                call = Call(
                    client=client_id,
                    at=self.instant(),
                    answers=dict(self.answers),
                    said=" ".join(self.said) or None,
                    **self.call,
                )
                decision = engine.decide(call)
            finally:
                if self.status is not None:
                    engine.clear_status(client_id)
            self.decision_json = decision.to_dict()
            from .coverage import record

            record(engine.client(client_id), self.decision_json)
        return self.decision_json

    def explain(self) -> str:
        """The decision's trace, as an account manager reads it."""
        decision = self.decide()
        lines = [f"  at {decision.get('at')} — windows: {', '.join(decision.get('windows') or []) or 'none'}"]
        for entry in decision.get("trace", []):
            result = entry.get("result")
            verdict = {True: "yes", False: "no", None: "not known yet"}.get(result, str(result))
            note = f" — {entry['note']}" if entry.get("note") else ""
            lines.append(f"  {entry.get('section')}: {entry.get('rule')} (line {entry.get('line')}): {verdict}{note}")
        return "\n".join(lines)

    def fail(self, expected: str, actual: str) -> NoReturn:
        raise ScenarioFailure(f"Expected {expected},\nbut {actual}.\nHow the engine decided:\n{self.explain()}")
