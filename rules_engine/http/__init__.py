"""The HTTP decision service (`rules-engine serve`): switches that are not Python ask it over HTTP.

`app.create_app(engine, …)` builds the ASGI application around one `Engine` (`readiness`
says whether to send it calls, `metrics` what Prometheus scrapes); `runner.serve` runs it
under uvicorn with the signals an operator expects, `workers.serve_workers` in N processes
sharing the port; `events` puts what happens to it, and Python's logging, in its JSON log.
docs/service.md is the guide.
"""

from ..extras import needs

with needs("service", "rules_engine.http (the HTTP service)"):
    from .app import create_app

__all__ = ["create_app"]
