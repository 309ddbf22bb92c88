"""`rules-engine serve`: the decision service over HTTP, for switches that are not Python.

docs/service.md lists the endpoints; the settings file gives the store, the decision log
and the bearer tokens. Exit codes: 0 after a clean shutdown (SIGTERM), 1 when it cannot
start (bad settings, rules that do not load, a public address without tokens).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine import Engine
from ..errors import RulesEngineError
from ..extras import MissingExtraError, needs
from ..runtime.settings import Settings

# The service writes its decision log file in batches, one every this many seconds (a setting,
# `decision_log_batch_seconds`: 0 writes each record before its answer is sent).
SERVE_BATCH_SECONDS = 0.05


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
    parser.add_argument(
        "--accounts",
        metavar="FILE|URL",
        help="serve the console too, its accounts kept in this SQLite file or postgresql:// database "
        "(or `accounts:` in --settings); docs/console.md",
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
    parser.add_argument(
        "--pid-file", metavar="FILE", help="write the process id here while serving (for logrotate's postrotate)"
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="keep compiled clients and each file's last good version here across restarts: a file broken "
        "at a restart is served from its last good version (or `cache_dir:` in --settings)",
    )
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=None,
        metavar="S",
        help="after SIGTERM, keep answering (with /readyz 503) this long before closing the listener (default 5)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="N processes sharing the port, each with its own engine (needs a store; default 1)",
    )


def run(args: argparse.Namespace) -> int:
    with needs("service", "rules-engine serve"):
        from ..http.auth import check_portals
        from ..http.runner import DRAIN_SECONDS, check_bind, problems_of, serve

    try:
        if args.settings:
            settings = Settings.from_yaml(
                args.settings,
                rules=args.rules,
                default_country=args.default_country,
                cache_dir=args.cache_dir,
                accounts=args.accounts,
            )
        elif args.rules:
            given = {
                "rules": args.rules,
                "default_country": args.default_country,
                "cache_dir": args.cache_dir,
                "accounts": args.accounts,
            }
            settings = Settings.of({k: v for k, v in given.items() if v is not None}, "arguments")
        else:
            print("rules-engine serve: give --rules DIR or --settings FILE", file=sys.stderr)
            return 2
        check_bind(args.host, settings.tokens)
        if settings.decision_log_batch_seconds is None:
            settings = settings.model_copy(update={"decision_log_batch_seconds": SERVE_BATCH_SECONDS})
        check_console(settings, args.host)  # once, here: with --workers, before any worker starts
        if args.workers > 1 and settings.store is None:
            raise RulesEngineError(
                "--workers needs a live-state store (`store:` in --settings: a SQLite file or a postgresql:// URL), "
                "so that a status or an override set through one worker holds in every worker"
            )
        engine = Engine.from_settings(settings)
        try:
            check_portals(settings.tokens, engine.clients, args.settings or "arguments")
        except RulesEngineError:
            engine.close()
            raise
    except RulesEngineError as exc:
        if isinstance(exc, MissingExtraError):
            raise  # told in its one line, as every missing extra is
        print(f"rules-engine serve: {exc}", file=sys.stderr)
        return 1
    for problem in engine.problems:
        print(problem.render(), file=sys.stderr)
    drain = DRAIN_SECONDS if args.drain_seconds is None else args.drain_seconds
    if args.workers > 1:
        engine.close()  # each worker opens its own
        return serve_in_workers(args, settings, drain)
    try:
        app, log, close = instance(engine, settings, args)
    except RulesEngineError as exc:
        engine.close()
        if isinstance(exc, MissingExtraError):
            raise  # told in its one line, as every missing extra is
        print(f"rules-engine serve: {exc}", file=sys.stderr)
        return 1
    if engine.problems:
        log.event("start_problems", problems=problems_of(engine), note="files at fault serve their last good version")
    try:
        serve(
            app,
            args.host,
            args.port,
            settings.tokens,
            log,
            drain_seconds=drain,
            port_file=args.port_file,
            pid_file=args.pid_file,
        )
    except OSError as exc:
        return cannot_listen(args, exc)
    finally:
        close()
    return 0


def instance(engine: Engine, settings: Settings, args: argparse.Namespace):
    """One serving process over `engine`: its app (with the console when the settings name its
    accounts), its request log, and the function that closes the three."""
    from ..http import create_app
    from ..http.access_log import AccessLog

    log = AccessLog(args.log)
    app = create_app(engine, settings.tokens, log=log, default_country=settings.default_country)
    try:
        console = with_console(app, engine, settings, args.host)
    except BaseException:
        log.close()
        raise

    def close() -> None:
        if console is not None:
            console.close()
        engine.close()
        log.close()

    return app, log, close


def cannot_listen(args: argparse.Namespace, exc: OSError) -> int:
    print(f"rules-engine serve: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
    return 1


def serve_in_workers(args: argparse.Namespace, settings: Settings, drain: float) -> int:
    from ..http.access_log import AccessLog
    from ..http.workers import serve_workers

    def build(number: int):
        return instance(Engine.from_settings(worker_settings(settings, number)), settings, args)

    log = AccessLog(args.log)
    try:
        return serve_workers(
            build,
            args.workers,
            args.host,
            args.port,
            settings.tokens,
            log,
            drain_seconds=drain,
            port_file=args.port_file,
            pid_file=args.pid_file,
        )
    except OSError as exc:
        return cannot_listen(args, exc)
    finally:
        log.close()


def worker_settings(settings: Settings, number: int) -> Settings:
    """Worker `number`'s settings: a decision log file is written by one process, so workers
    after the first write `<log>.w2`, `<log>.w3`… beside it (`explain` on the log searches
    them too); a PostgreSQL log is shared as it is."""
    log = settings.decision_log
    if number == 1 or not isinstance(log, Path):
        return settings
    return settings.model_copy(update={"decision_log": log.with_name(f"{log.name}.w{number}")})


def check_console(settings: Settings, host: str) -> None:
    """When the settings name the console's accounts store: its extra is installed and its
    cookies may be sent as configured (a RulesEngineError saying why not)."""
    if settings.accounts is None:
        return
    with needs("console", "the console"):
        from ..console import mount as _console  # noqa: F401  (the extra's libraries, found or named)
        from ..http.runner import is_loopback
    if not settings.console_secure_cookies and not is_loopback(host):
        raise RulesEngineError(
            f"refusing to send the console's cookies over plain http on {host}: "
            "`console_secure_cookies: false` is for a loopback address only (docs/console.md)"
        )


def with_console(app, engine: Engine, settings: Settings, host: str):
    """Mount the console when the settings name its accounts store; its database, or None."""
    if settings.accounts is None:
        return None
    check_console(settings, host)
    from ..console.mount import mount

    return mount(app, engine, settings.accounts, settings.console_secure_cookies)
