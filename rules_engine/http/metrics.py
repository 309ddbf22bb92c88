"""Prometheus metrics of one service (`GET /metrics`), in a registry of its own.

Decisions are counted by client and outcome (the kind of the route's first action, or
`waiting` while the route needs answers); refused calls by why; requests by endpoint (the
route's path template) and status; reloads by result, both results there from the start.
The number of rule problems, the clients served, whether the store is up, whether the
instance is ready and degraded, and the live state's age are read when Prometheus scrapes,
so they are never stale; the age is a number at all times, growing while the store is down
(an alert on it fires during an outage). The process's CPU, memory and open files are the
standard `process_*` series.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily

from ..engine import Engine
from .readiness import degraded_because

# Decisions take tens of microseconds; a slow one (a cold client, a busy store) milliseconds.
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)


class Metrics:
    def __init__(self, engine: Engine, ready: Callable[[], bool] = lambda: True):
        self.registry = registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.requests = Counter(
            "rules_engine_requests",
            "HTTP requests answered, by endpoint (the route's path, `unrouted` for none) and status",
            ["endpoint", "status"],
            registry=registry,
        )
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
        for result in ("ok", "problems"):
            self.reloads.labels(result)
        self.store_errors = StoreErrors(engine)
        registry.register(self.store_errors)
        Gauge(
            "rules_engine_store_up", "1 while the live-state store answers, 0 while it does not", registry=registry
        ).set_function(lambda: float(engine.live_state_health().reachable))
        Gauge(
            "rules_engine_ready", "1 while the instance asks for calls (GET /readyz answers 200)", registry=registry
        ).set_function(lambda: float(ready()))
        Gauge(
            "rules_engine_degraded",
            "1 while the instance decides calls but not as it should: the store down, or rule files served "
            "from their last good version (GET /readyz says why)",
            registry=registry,
        ).set_function(lambda: float(bool(degraded_because(engine))))
        Gauge(
            "rules_engine_rule_problems", "Rule-file errors of files not served as saved", registry=registry
        ).set_function(lambda: sum(p.severity == "error" for p in engine.problems))
        Gauge("rules_engine_clients", "Clients served", registry=registry).set_function(lambda: len(engine.clients))
        Gauge(
            "rules_engine_live_state_age_seconds",
            "Seconds since the live state decisions read was last known to match its store "
            "(it keeps growing while the store is down)",
            registry=registry,
        ).set_function(lambda: live_state_age(engine, started))
        started = time.monotonic()
        self._decided: dict[tuple[str, str], Counter] = {}  # the series of each label pair, once looked up
        self._answered: dict[tuple[str, int], Counter] = {}

    def decided(self, client: str, outcome: str, seconds: float) -> None:
        counter = self._decided.get((client, outcome))
        if counter is None:  # `labels()` checks and locks on every call: each series is looked up once
            counter = self._decided[client, outcome] = self.decisions.labels(client, outcome)
        counter.inc()
        self.latency.observe(seconds)

    def answered(self, endpoint: str, status: int) -> None:
        """Count one request answered by `endpoint` (the route's path) with `status`."""
        counter = self._answered.get((endpoint, status))
        if counter is None:
            counter = self._answered[endpoint, status] = self.requests.labels(endpoint, str(status))
        counter.inc()

    def reloaded(self, ok: bool) -> None:
        self.reloads.labels("ok" if ok else "problems").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def live_state_age(engine: Engine, started: float) -> float:
    """The snapshot's age; before the store was ever read, the time since the service started."""
    age = engine.live_state_health().age
    return age if age is not None else time.monotonic() - started


class StoreErrors:
    """`rules_engine_store_errors_total{operation}`: failed writes (a request that changed live
    state answered 503), counted here, and failed reads (a check or refresh of the snapshot
    the store did not answer), which the store counts in its own threads."""

    def __init__(self, engine: Engine):
        self.engine, self.writes = engine, 0

    def inc(self) -> None:
        self.writes += 1

    def describe(self):
        return [self._family()]

    def collect(self):
        family = self._family()
        family.add_metric(["read"], self.engine.live_state_health().read_errors)
        family.add_metric(["write"], self.writes)
        return [family]

    @staticmethod
    def _family() -> CounterMetricFamily:
        return CounterMetricFamily(
            "rules_engine_store_errors",
            "Failed uses of the live-state store, by operation (read: a check or refresh of the snapshot; "
            "write: a change asked over HTTP, answered 503)",
            labels=["operation"],
        )


class RequestCounter:
    """ASGI middleware: counts each answered request by endpoint and status."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = 500

        async def send_with_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            self.metrics.answered(getattr(route, "path", "unrouted"), status)
