"""The facade the routing daemon and the command line hold: load clients, decide calls."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import model as m
from . import phones
from .decide.call import Call, bounded, checked_answers
from .decide.conditions import phone_key
from .decide.decider import Decider
from .decide.decision import Decision, LiveStateStamp
from .decide.plan import ClientPlan
from .errors import CallError, Diagnostic, RulesError, UnknownClientError, did_you_mean
from .live import LiveOverride, LiveState, OwnerStatus
from .outcomes import metrics as outcome_metrics
from .outcomes.recorder import Recorder
from .outcomes.recorder import open_store as open_outcome_store
from .outcomes.records import Escalation, Outcome
from .outcomes.store import MemoryOutcomes, OutcomeStore
from .runtime import catalog as catalogs
from .runtime.compile_cache import CompileCache
from .runtime.decision_log import DecisionLog, open_log
from .runtime.last_good import LastGood
from .runtime.settings import Settings
from .runtime.state import LiveStateHealth, MemoryStore, Store
from .runtime.stores import open_store
from .runtime.watch import Watcher


class Engine:
    """Serves one directory (or file) of client rules.

    Swapping `self._catalog` is a single reference assignment, so a thread that read it
    keeps one consistent version for the whole of its decision. Reloads are serialized by
    `_reload_lock`; deciding never takes it.

    A store or decision log passed in stays the caller's to close; those the engine opens
    itself (`from_settings`) are closed by `close()`.

    With `cache_dir`, compiled clients are kept on disk there (docs/compile-cache.md): a
    restart compiles only files that changed, and builds each client on its first use.

    The last good version of each file is kept in `last_good_dir` (by default `last-good/`
    in the cache directory), so that a restart that finds a file broken serves that version
    (`last_good.py`); `keep_last_good=False` keeps it in memory only.

    Call outcomes go to `outcomes` (docs/metrics.md): an outcome store beside the live-state
    store when the settings name one, else one in memory.
    """

    def __init__(
        self,
        path: str | Path,
        store: Store | None = None,
        decision_log: DecisionLog | None = None,
        default_language: str | None = None,
        cache_dir: str | Path | None = None,
        last_good_dir: str | Path | None = None,
        keep_last_good: bool = True,
        outcomes: OutcomeStore | None = None,
    ):
        self.path = Path(path)
        self.store: Store = store if store is not None else MemoryStore()
        self._shared_store = self.store.shared  # decisions from a shared store say how old their state is
        self.outcomes = Recorder(outcomes if outcomes is not None else MemoryOutcomes())
        self._owns_outcomes = False
        self.decision_log = decision_log
        self.default_language = default_language
        self._reload_lock = threading.Lock()
        self._watchers: list[Watcher] = []
        self._owned: list[Any] = []  # resources `close()` releases
        self._cache = CompileCache(cache_dir) if cache_dir is not None else None
        if not self.path.exists():  # at start-up a missing path is a mistake; on reload, see `reload`
            raise RulesError(
                [
                    Diagnostic(
                        "error",
                        "no such file or directory",
                        str(self.path),
                        hint="the engine serves a .rules file or a directory of them",
                    )
                ]
            )
        if last_good_dir is None and cache_dir is not None:
            last_good_dir = Path(cache_dir) / "last-good"
        self._last_good = LastGood(self.path, last_good_dir if keep_last_good else None)
        catalog = catalogs.load(self.path, cache=self._cache)
        recovered = self._last_good.recover(catalog, self._cache)
        if recovered is not None:  # files broken at start: their last good versions serve
            catalog = catalogs.load(self.path, previous=recovered, cache=self._cache)
        self._catalog = self._settle(catalog)

    @classmethod
    def from_path(cls, path: str | Path, **settings) -> Engine:
        return cls(path, **settings)

    @classmethod
    def from_settings(cls, settings: Settings | str | Path | None = None, **values: Any) -> Engine:
        """An engine as the settings say: a `Settings`, a YAML settings file, or keyword values
        (`rules=…, store=…, decision_log=…, default_language=…`), which also override a file's."""
        if isinstance(settings, Settings):
            settings = settings.model_copy(update={k: v for k, v in values.items() if v is not None})
            settings = Settings.of(settings.model_dump())
        elif settings is not None:
            settings = Settings.from_yaml(settings, **values)
        else:
            settings = Settings.of(values, "arguments")
        store = open_store(settings.store) if settings.store is not None else None
        log = outcomes = None
        try:
            log = (
                open_log(settings.decision_log, settings.decision_log_max_bytes, settings.decision_log_keep_files)
                if settings.decision_log is not None
                else None
            )
            outcomes = open_outcome_store(settings.store) if settings.store is not None else None
            last_good_dir = None  # in the cache directory if there is one, else beside a SQLite store
            if settings.cache_dir is None and isinstance(settings.store, Path):
                last_good_dir = settings.store.with_name(settings.store.stem + ".last-good")
            engine = cls(
                settings.rules,
                store=store,
                decision_log=log,
                default_language=settings.default_language,
                cache_dir=settings.cache_dir,
                last_good_dir=last_good_dir,
                keep_last_good=settings.keep_last_good,
                outcomes=outcomes,
            )
        except BaseException:
            for resource in (store, log, outcomes):
                if resource is not None:
                    resource.close()
            raise
        engine._owned = [r for r in (store, log) if r is not None]
        engine._owns_outcomes = outcomes is not None
        return engine

    # ---- serving while files change ---------------------------------------------------------

    def reload(self) -> catalogs.ReloadReport:
        """Recompile the files that changed and swap the result in at once.

        A file that fails keeps its last good version serving (its errors are in the report
        and in `problems`); a deleted file stops being served, and the report names it. A
        reload that finds no rule file at all (the directory emptied, gone or unreadable)
        changes nothing and says so in `problems`: that is an accident, not every client leaving.
        """
        with self._reload_lock:
            old = self._catalog
            new = self._settle(catalogs.load(self.path, previous=old, cache=self._cache))
            self._catalog = new
        return catalogs.report(old, new, catalogs.recompiled_files(old, new))

    def _settle(self, catalog: catalogs.Catalog) -> catalogs.Catalog:
        """Record the versions `catalog` serves as the last good ones, and give the decision log
        the sources of versions new to it, so that it can show a call's rules as they were."""
        catalog, sources = self._last_good.settle(catalog)
        if sources and self.decision_log is not None:
            self.decision_log.keep_sources(sources)
        return catalog

    def watch(self, debounce: float = 0.2, on_reload: Callable[[catalogs.ReloadReport], None] | None = None) -> Watcher:
        """Reload whenever the rule files change, from a background thread, until the returned
        watcher is stopped (or used as a context manager), or the engine is closed."""
        watcher = Watcher(self, debounce, on_reload)
        self._watchers.append(watcher)
        return watcher.start()

    def reopen_logs(self) -> None:
        """Reopen the decision log file at its path: call it once logrotate has moved the file away
        (a daemon does it on SIGHUP), so that decisions go to the new file, not the renamed one."""
        if self.decision_log is not None:
            self.decision_log.reopen()

    def close(self) -> None:
        """Stop watching and release the store and decision log the engine opened."""
        for watcher in self._watchers:
            watcher.stop()
        self._watchers.clear()
        self.outcomes.close(store_too=self._owns_outcomes)
        self._owns_outcomes = False
        for resource in self._owned:
            resource.close()
        self._owned = []

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def clients(self) -> dict[str, m.Client]:
        return dict(self._catalog.clients)

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        """Errors of files that are not being served (the last good version, if any, serves)."""
        return self._catalog.problems

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self._catalog.warnings

    def client(self, client_id: str | None = None, number: str | None = None) -> m.Client:
        return self._served(client_id, number).client()

    def plan(self, client_id: str) -> ClientPlan:
        """The plan `client_id`'s calls are decided with (made on its first use): for tools
        that time the stages (`decide.route_only`) or ask the client's calendars directly."""
        return self._served(client_id).ready().plan

    def _served(self, client_id: str | None = None, number: str | None = None) -> catalogs.Served:
        catalog = self._catalog
        if client_id is not None:
            found = catalog.clients.served.get(client_id)
            if found is None:
                raise UnknownClientError(f"no client `{client_id}` is served", field="client")
            return found
        if number is not None:
            try:
                number = phones.e164(number)
            except phones.PhoneError as exc:
                raise CallError(f"{exc.message}; {exc.hint}", field="number") from None
            owner = catalog.by_number.get(number)
            if owner is None:
                raise UnknownClientError(f"no client is served at number {number}", field="number")
            return catalog.clients.served[owner]
        raise UnknownClientError("a call needs a client id or a dialled number", field="client")

    def decide(self, call: Call, call_id: str | None = None) -> Decision:
        """Decide one call: greeting, script, urgency and route, with the trace of why.

        With a decision log configured, the decision is appended to it under `call_id`
        (the daemon's own id for the call; one is made up when not given). With a `call_id`,
        the facts reports need are recorded in the background (`record_outcome`).
        """
        if not isinstance(call, Call):
            raise CallError(
                f"decide takes a Call, not {type(call).__name__}; "
                "Call(**fields) or Call.model_validate(mapping) makes one"
            )
        bounded(call_id, "call_id")
        served = self._served(call.client, call.number).ready()
        plan = served.plan
        if call.answers:
            call = checked_answers(served.client, plan.answers, call)
        if call.client is not None and call.number is not None and phone_key(call.number) not in plan.number_keys:
            raise CallError(f"{call.number} is not a number of client `{served.client.id}`", field="number")
        if self._shared_store:
            state, stamp = self.store.stamped(served.client.id)
            decision = replace(
                Decider(plan, call, state, self.default_language).decision(), live_state=LiveStateStamp.of(stamp)
            )
        else:
            decision = Decider(plan, call, self.store.snapshot(served.client.id), self.default_language).decision()
        self._log_decision(call, decision, call_id)
        if call_id is not None:
            self.outcomes.offer(call, decision, call_id)
        return decision

    def set_status(
        self, client: str, note: str, until: datetime | None = None, instructions: str | None = None
    ) -> None:
        """Leave the owner's temporary status ("In court until 3pm"); it holds until `until`."""
        self.client(client)
        if not isinstance(note, str) or not note.strip():
            raise CallError("a status needs a note", field="note")
        if instructions is not None and not isinstance(instructions, str):
            raise CallError("must be text", field="instructions")
        bounded(note, "note")
        bounded(instructions, "instructions")
        if until is not None and (not isinstance(until, datetime) or until.utcoffset() is None):
            raise CallError("the end of a status needs a date-time with a time zone offset", field="until")
        self.store.set_status(client, OwnerStatus(note=note.strip(), until=until, instructions=instructions))

    def clear_status(self, client: str) -> None:
        self.client(client)
        self.store.clear_status(client)

    # ---- live on-call overrides -------------------------------------------------------------

    def set_override(
        self, client: str, team: str, person: str, start: datetime, end: datetime, reason: str | None = None
    ) -> LiveOverride:
        """`person` covers `team` from `start` to `end` (aware date-times), above every rotation."""
        served = self.client(client)
        for name, value in (("team", team), ("person", person)):
            if not isinstance(value, str):
                raise CallError("must be text", field=name)
        if team not in served.teams:
            hint = did_you_mean(team, served.teams)
            raise CallError(
                f"client `{client}` has no on-call team `{team}`" + (f"; {hint}" if hint else ""), field="team"
            )
        if person not in served.contacts:
            hint = did_you_mean(person, served.contacts)
            raise CallError(
                f"client `{client}` has no contact `{person}`" + (f"; {hint}" if hint else ""), field="person"
            )
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise CallError("needs a date-time with a time zone offset", field=name)
        if end <= start:
            raise CallError("an override must end after it starts", field="end")
        if reason is not None and not isinstance(reason, str):
            raise CallError("must be text", field="reason")
        bounded(reason, "reason")
        override = LiveOverride(team=team, person=person, start=start, end=end, reason=reason)
        self.store.add_override(client, override)
        return override

    def clear_overrides(self, client: str, team: str | None = None) -> None:
        """Remove the live overrides of `client` (of one team only, if given)."""
        served = self.client(client)
        if team is not None and team not in served.teams:
            hint = did_you_mean(team, served.teams)
            raise CallError(
                f"client `{client}` has no on-call team `{team}`" + (f"; {hint}" if hint else ""), field="team"
            )
        self.store.clear_overrides(client, team)

    def live_state(self, client: str) -> LiveState:
        """The status and live overrides `client`'s decisions read now."""
        self.client(client)
        return self.store.snapshot(client)

    def live_state_health(self) -> LiveStateHealth:
        """Whether the live-state store answers and how old the snapshot decisions read is
        (for a service's readiness check and metrics; docs/embedding.md)."""
        return self.store.health()

    def _log_decision(self, call: Call, decision: Decision, call_id: str | None = None) -> str | None:
        """Append the decision to the decision log, if one is configured; returns its call id."""
        log = self.decision_log
        return log.write(call, decision, call_id) if log is not None else None

    # ---- call outcomes and the report (docs/metrics.md) ---------------------------------------

    def record_outcome(
        self,
        call_id: str,
        outcome: str,
        *,
        at: datetime | None = None,
        waited_seconds: float | None = None,
        handled_seconds: float | None = None,
        resolved: bool | None = None,
        transferred: bool | None = None,
        csat: float | None = None,
        client: str | None = None,
    ) -> Outcome:
        """How the call decided under `call_id` ended: `answered`, `abandoned`, `missed`, `failed`
        or `dropped`, once. `client`, when given, must be the call's client. Every value is
        checked; a problem is an `OutcomeError` naming the field."""
        return self.outcomes.record_outcome(
            call_id,
            outcome,
            client=client,
            at=at,
            waited_seconds=waited_seconds,
            handled_seconds=handled_seconds,
            resolved=resolved,
            transferred=transferred,
            csat=csat,
        )

    def record_escalation(
        self,
        call_id: str,
        *,
        step: int,
        contact: str,
        method: str,
        result: str,
        at: datetime,
        client: str | None = None,
    ) -> Escalation:
        """The result of one notification of the call's escalation plan: `step` (1, 2, … in the
        order the steps ran), the `contact` notified and by which `method`, and `result`
        (`acknowledged`, `no_answer` or `failed`) at `at`."""
        return self.outcomes.record_escalation(
            call_id, self.client, client=client, step=step, contact=contact, method=method, result=result, at=at
        )

    def report(
        self,
        client: str,
        start: date | datetime,
        end: date | datetime,
        *,
        short_abandon_seconds: float = 5,
        service_level_seconds: float = 20,
        fcr_window: timedelta = timedelta(days=7),
    ) -> dict:
        """The client's calls decided from `start` to `end` (dates: whole local days, `end`
        included) and how they ended, as a JSON-ready dict (every key: docs/metrics.md)."""
        parameters = outcome_metrics.parameters(short_abandon_seconds, service_level_seconds, fcr_window)
        return self.outcomes.report(self.client(client), start, end, parameters)
