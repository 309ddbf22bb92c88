"""The HTTP decision service (`rules-engine serve`): switches that are not Python ask it over HTTP.

`app.create_app(engine, …)` builds the ASGI application around one `Engine`; `runner.serve`
runs it under uvicorn with the signals an operator expects. docs/service.md is the guide.
"""

from ..extras import needs

with needs("service", "rules_engine.http (the HTTP service)"):
    from .app import create_app

__all__ = ["create_app"]
