"""`rules-engine serve`: the decision service over HTTP, for switches that are not Python.

docs/service.md lists the endpoints; the settings file gives the store, the decision log
and the bearer tokens. Exit codes: 0 after a clean shutdown (SIGTERM), 1 when it cannot
start (bad settings, rules that do not load, a public address without tokens).
"""

from __future__ import annotations

import argparse
import sys

from ..engine import Engine
from ..errors import RulesEngineError
from ..extras import needs
from ..runtime.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Serve decisions over HTTP: POST /v1/decide, /v1/decide/sip, live state, health, metrics."
    parser.add_argument(
        "--rules", metavar="DIR", help="a .rules file or a directory of them (or `rules:` in --settings)"
    )
    parser.add_argument(
        "--settings", metavar="FILE", help="a YAML settings file: rules, store, decision_log, tokens, …"
    )
    parser.add_argument(
        "--default-country",
        metavar="CC",
        help="read national numbers in SIP headers (sip:3125550100@…) as numbers of this country "
        "(ISO 3166 alpha-2: US, CA, GB, …; or `default_country:` in --settings); docs/sip.md",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="the port (default 8080; 0 picks a free one)")
    parser.add_argument(
        "--log", metavar="FILE", help="write the JSON request log here (default standard error); reopened on SIGHUP"
    )
    parser.add_argument(
        "--port-file",
        metavar="FILE",
        help="write the port here once listening (with --port 0: learn which port was picked)",
    )


def run(args: argparse.Namespace) -> int:
    with needs("service", "rules-engine serve"):
        from ..http import create_app
        from ..http.access_log import AccessLog
        from ..http.auth import check_portals
        from ..http.runner import check_bind, serve

    try:
        if args.settings:
            settings = Settings.from_yaml(args.settings, rules=args.rules, default_country=args.default_country)
        elif args.rules:
            settings = Settings.of({"rules": args.rules, "default_country": args.default_country}, "arguments")
        else:
            print("rules-engine serve: give --rules DIR or --settings FILE", file=sys.stderr)
            return 2
        check_bind(args.host, settings.tokens)
        engine = Engine.from_settings(settings)
        try:
            check_portals(settings.tokens, engine.clients, args.settings or "arguments")
        except RulesEngineError:
            engine.close()
            raise
    except RulesEngineError as exc:
        print(f"rules-engine serve: {exc}", file=sys.stderr)
        return 1
    for problem in engine.problems:
        print(problem.render(), file=sys.stderr)
    log = AccessLog(args.log)
    try:
        serve(
            create_app(engine, settings.tokens, log=log, default_country=settings.default_country),
            args.host,
            args.port,
            settings.tokens,
            log,
            port_file=args.port_file,
        )
    except OSError as exc:
        print(f"rules-engine serve: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    finally:
        engine.close()
        log.close()
    return 0
