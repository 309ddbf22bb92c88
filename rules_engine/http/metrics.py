"""Prometheus metrics of one service (`GET /metrics`), in a registry of its own.

Decisions are counted by client and outcome (the kind of the route's first action, or
`waiting` while the route needs answers); refused calls by why; reloads by result. The
number of rule problems, the clients served and the live state's age are read when
Prometheus scrapes, so they are never stale.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..engine import Engine

# Decisions take tens of microseconds; a slow one (a cold client, a busy store) milliseconds.
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)


class Metrics:
    def __init__(self, engine: Engine):
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.decisions = Counter(
            "rules_engine_decisions",
            "Decisions made, by client and outcome (the first action's kind, or waiting while the route needs answers)",
            ["client", "outcome"],
            registry=registry,
        )
        self.refused = Counter(
            "rules_engine_calls_refused",
            "Calls not decided, by reason (bad_call, unknown_client)",
            ["reason"],
            registry=registry,
        )
        self.latency = Histogram(
            "rules_engine_decision_seconds",
            "Time to decide one call, request read to response body ready",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.reloads = Counter(
            "rules_engine_reloads", "Reloads of the rule files, by result (ok, problems)", ["result"], registry=registry
        )
        self.store_errors = Counter(
            "rules_engine_store_errors",
            "Requests that failed because the live-state store did not answer",
            registry=registry,
        )
        Gauge(
            "rules_engine_rule_problems", "Rule-file errors of files not served as saved", registry=registry
        ).set_function(lambda: sum(p.severity == "error" for p in engine.problems))
        Gauge("rules_engine_clients", "Clients served", registry=registry).set_function(lambda: len(engine.clients))
        Gauge(
            "rules_engine_live_state_age_seconds",
            "Seconds since the live state decisions read was last "
            "known to match its store (NaN while it cannot be read)",
            registry=registry,
        ).set_function(lambda: live_state_age(engine))

    def decided(self, client: str, outcome: str, seconds: float) -> None:
        self.decisions.labels(client, outcome).inc()
        self.latency.observe(seconds)

    def reloaded(self, ok: bool) -> None:
        self.reloads.labels("ok" if ok else "problems").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def live_state_age(engine: Engine) -> float:
    health = engine.live_state_health()
    return health.age if health.reachable and health.age is not None else float("nan")
