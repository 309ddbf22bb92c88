"""Readiness means "send me calls" (`GET /readyz`).

An instance is ready while it has rules loaded and a snapshot of live state to decide with,
and is neither starting nor draining. A live-state store that does not answer does not make
it unready: decisions go on from the last snapshot (their `live_state` says how old), and a
probe that pulled every instance out of rotation during a database outage would stop the
calls the outage had left flowing. Such an instance is ready but *degraded*, and says why:
the store down, a watch of the rule files that is not current (`Engine.rules_health`), or rule
files that failed and are served from their last good version.
"""

from __future__ import annotations

import os
from typing import Any

from ..engine import Engine


def degraded_because(engine: Engine) -> list[str]:
    """Why the instance decides calls, but not as well as it should (empty: it is not degraded)."""
    reasons = []
    health = engine.live_state_health()
    if not health.reachable:
        reasons.append(f"live-state store down: {health.error}; deciding from a snapshot {age_text(health.age)} old")
    watch = engine.rules_health().watch
    if watch is not None and not watch.current:  # edits and deploys are not followed: still the rules it has
        reasons.append(
            "the rules watch is not following the files"
            + (f": {watch.last_error}" if watch.last_error else "")
            + "; deciding with the rules loaded"
        )
    errors = sum(p.severity == "error" for p in engine.problems)
    if errors:
        reasons.append(f"{errors} rule problem(s): the files at fault are served from their last good version")
    return reasons


def readiness(service: Any) -> tuple[bool, dict[str, Any]]:
    """Whether the instance should get calls, and the body saying why and what it serves."""
    engine: Engine = service.engine
    served = engine.clients
    health = engine.live_state_health()
    has_snapshot = health.age is not None  # the store was read at least once (a memory store always)
    reasons = degraded_because(engine)
    ready = bool(served) and has_snapshot and not service.starting and not service.draining
    if service.starting:
        status = "starting"
    elif service.draining:
        status = "draining"
    elif not ready:
        status = "no rules" if not served else "no live state yet"
    else:
        status = "degraded" if reasons else "ok"
    body = {
        "ready": ready,
        "status": status,
        "degraded": reasons,
        "clients": len(served),
        "rules_versions": {c.id: c.rules_version for c in served.values()},
        "problems": sum(p.severity == "error" for p in engine.problems),
        "store": health.as_dict(),
        "draining": service.draining,
        "pid": os.getpid(),  # which worker answered, with `serve --workers N`
    }
    return ready, body


def age_text(age: float | None) -> str:
    return "of unknown age" if age is None else f"{age:.0f} s"
