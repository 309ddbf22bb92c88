"""The facade the routing daemon, the service and the command line hold: load clients, decide calls.

`Engine` decides calls itself and hands its other jobs to four collaborators it holds
(docs/architecture.md): the rule files it serves (`runtime/rules.py`: the catalog, reloads,
the watch, last good versions, the compile cache), live state (`runtime/live_state.py`:
statuses, overrides, the snapshot a decision reads, the store's health), the decision log
(`runtime/logs.py`) and call outcomes (`outcomes/recorder.py`: recording, the report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Never

from .decide import Call, ClientPlan, Decider, Decision
from .decide.call import checked_call_id
from .decide.decision import json_items, written_as
from .errors import CallError, Diagnostic
from .outcomes import metrics as outcome_metrics
from .outcomes.recorder import Recorder
from .outcomes.store import MemoryOutcomes, OutcomeStore
from .runtime.decision_log import DecisionLogError
from .runtime.live_state import LiveStateKeeper
from .runtime.logs import Logs
from .runtime.opened import Opened
from .runtime.rules import Rules, RulesHealth
from .runtime.settings import Settings, Token
from .runtime.state import LiveStateHealth, MemoryStore, Store
from .runtime.watch import RESCAN_S

if TYPE_CHECKING:
    from . import model as m
    from .live import LiveOverride, LiveState
    from .outcomes.records import Escalation, Outcome
    from .runtime.catalog import ReloadReport
    from .runtime.decision_log import DecisionLog
    from .runtime.log_reading import Explained
    from .runtime.watch import Watcher


class Engine:
    """Serves one directory (or file) of client rules, and decides calls for its clients.

    A store, decision log or outcome store passed in stays the caller's to close; those the
    engine opens itself (`from_settings`) are closed by `close()`.

    With `cache_dir`, compiled clients are kept on disk there (docs/compile-cache.md): a
    restart compiles only files that changed, and builds each client on its first use.
    The last good version of each file is kept in `last_good_dir` (by default `last-good/`
    in the cache directory), so that a restart that finds a file broken serves that version
    (`runtime/last_good.py`); `keep_last_good=False` keeps it in memory only. Live state is
    kept in `store` (in memory without one); decisions are appended to `decision_log`, if
    given; call outcomes go to `outcomes` (docs/metrics.md), in memory without one.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        store: Store | None = None,
        decision_log: DecisionLog | None = None,
        default_language: str | None = None,
        cache_dir: str | Path | None = None,
        last_good_dir: str | Path | None = None,
        keep_last_good: bool = True,
        outcomes: OutcomeStore | None = None,
    ) -> None:
        self.default_language = default_language
        self.outcomes = Recorder(outcomes if outcomes is not None else MemoryOutcomes())
        self._live = LiveStateKeeper(store if store is not None else MemoryStore())
        self._logs = Logs(decision_log)
        self._opened = Opened()  # what `from_settings` opened, closed by `close()`
        self._rules = Rules(
            Path(path),
            cache_dir=Path(cache_dir) if cache_dir is not None else None,
            last_good_dir=Path(last_good_dir) if last_good_dir is not None else None,
            keep_last_good=keep_last_good,
            on_new_sources=self._logs.keep_sources,
        )

    @classmethod
    def from_path(
        cls,
        path: str | Path,
        *,
        store: Store | None = None,
        decision_log: DecisionLog | None = None,
        default_language: str | None = None,
        cache_dir: str | Path | None = None,
        last_good_dir: str | Path | None = None,
        keep_last_good: bool = True,
        outcomes: OutcomeStore | None = None,
    ) -> Engine:
        """The same as `Engine(path, …)`."""
        return cls(
            path,
            store=store,
            decision_log=decision_log,
            default_language=default_language,
            cache_dir=cache_dir,
            last_good_dir=last_good_dir,
            keep_last_good=keep_last_good,
            outcomes=outcomes,
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings | str | Path | None = None,
        *,
        rules: str | Path | None = None,
        store: str | Path | None = None,
        decision_log: str | Path | None = None,
        default_language: str | None = None,
        cache_dir: str | Path | None = None,
        decision_log_max_bytes: int | None = None,
        decision_log_keep_files: int | None = None,
        keep_last_good: bool | None = None,
        tokens: Iterable[Token | Mapping[str, Any]] | None = None,
        **misspelt: Never,
    ) -> Engine:
        """An engine as the settings say: a `Settings`, a YAML settings file, or the keyword
        values alone; values given (not None) replace what the settings say. The store, decision
        log and outcome store the settings name are opened, and closed by `close()`.

        A keyword that names no setting is refused with a `SettingsError` that suggests the
        nearest (`decisions_log` → `decision_log`); a type checker refuses it before that."""
        given = {
            "rules": rules,
            "store": store,
            "decision_log": decision_log,
            "default_language": default_language,
            "cache_dir": cache_dir,
            "decision_log_max_bytes": decision_log_max_bytes,
            "decision_log_keep_files": decision_log_keep_files,
            "keep_last_good": keep_last_good,
            "tokens": tuple(tokens) if tokens is not None else None,
        }
        values: dict[str, object] = {name: value for name, value in given.items() if value is not None}
        chosen = Settings.chosen(settings, {**values, **misspelt})
        opened = Opened.of(chosen)
        try:
            engine = cls(
                chosen.rules,
                store=opened.store,
                decision_log=opened.decision_log,
                default_language=chosen.default_language,
                cache_dir=chosen.cache_dir,
                last_good_dir=chosen.last_good_dir(),
                keep_last_good=chosen.keep_last_good,
                outcomes=opened.outcomes,
            )
        except BaseException:
            opened.close()
            raise
        engine._opened = opened
        return engine

    # ---- the rule files served ------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The `.rules` file or directory served."""
        return self._rules.path

    @property
    def clients(self) -> dict[str, m.Client]:
        return dict(self._rules.catalog.clients)

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        """Errors of files that are not being served (the last good version, if any, serves)."""
        return self._rules.catalog.problems

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self._rules.catalog.warnings

    def client(self, client_id: str | None = None, number: str | None = None) -> m.Client:
        """The client served under `client_id`, or else at the dialled `number`."""
        return self._rules.version(client_id, number).client()

    def plan(self, client_id: str) -> ClientPlan:
        """The plan `client_id`'s calls are decided with (made on its first use): for tools
        that time the stages (`decide.route_only`) or ask the client's calendars directly."""
        return self._rules.version(client_id).planned().plan

    def reload(self) -> ReloadReport:
        """Recompile the files that changed and swap the result in at once.

        A file that fails keeps its last good version serving (its errors are in the report
        and in `problems`); a deleted file stops being served, and the report names it. A
        reload that finds no rule file at all (the directory emptied, gone or unreadable)
        changes nothing and says so in `problems`: that is an accident, not every client leaving.
        """
        return self._rules.reload()

    def watch(
        self,
        debounce: float = 0.2,
        on_reload: Callable[[ReloadReport], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        rescan: float = RESCAN_S,
    ) -> Watcher:
        """Reload whenever the rule files change, from a background thread, until the returned
        watcher is stopped (or used as a context manager), or the engine is closed.

        Besides the filesystem's events, the files are listed every `rescan` seconds and
        reloaded when they differ from what serves, so a directory deleted and made again, a
        link that dangled, a renamed parent or lost events never leave the watch blind for
        longer than that. `on_reload` is given each reload's report, `on_error` each failure
        (the watch goes on); `watcher.health()` and `rules_health()` tell how it is doing."""
        return self._rules.watch(debounce, on_reload, on_error, rescan)

    def rules_health(self) -> RulesHealth:
        """How many clients serve, how many files have errors, and how the watch is doing; its
        `ready` is what a service's readiness check asks (docs/embedding.md)."""
        return self._rules.health()

    # ---- deciding a call ---------------------------------------------------------------------

    def decide(self, call: Call, call_id: str | None = None) -> Decision:
        """Decide one call: greeting, script, urgency and route, with the trace of why.

        With a decision log configured, the decision is appended to it under `call_id`
        (the daemon's own id for the call: text of 1 to 200 printable characters; a random one
        is made up when not given) and `decision.call_id` says which. With a `call_id`, the
        facts reports need are recorded in the background (`record_outcome`).
        """
        if not isinstance(call, Call):
            raise CallError(
                f"decide takes a Call, not {type(call).__name__}; "
                "Call(**fields) or Call.model_validate(mapping) makes one"
            )
        call_id = checked_call_id(call_id)
        planned = self._rules.version(call.client, call.number).planned()
        call = planned.checked(call)
        state, stamp = self._live.read(planned.client.id)
        decision = Decider(planned.plan, call, state, self.default_language).decision()
        if stamp is not None:
            decision = replace(decision, live_state=stamp)
        if self._logs.decision_log is None:
            logged_as = call_id
            items = None
        else:  # the decision is written once: for the log's record and for the answer (`to_json`)
            items = json_items(decision)
            logged_as = self._logs.write(call, decision, call_id, items)
        if call_id is not None:
            self.outcomes.offer(call, decision, call_id)
        if logged_as is None:
            return decision
        decision = replace(decision, call_id=logged_as)
        if items is not None:
            written_as(decision, items)
        return decision

    # ---- live state: owners' statuses and on-call overrides --------------------------------------

    @property
    def store(self) -> Store:
        """Where live state is kept."""
        return self._live.store

    def set_status(
        self,
        client: str,
        note: str,
        until: datetime | None = None,
        instructions: str | None = None,
        *,
        now: datetime | None = None,
        notes: Mapping[str, str] | None = None,
        starts: datetime | None = None,
    ) -> None:
        """Leave the owner's temporary status ("In court until 3pm"); it holds until `until`,
        which must be later than `now` (the time it is set: the current time unless a tool that
        decides calls at other times, such as `rules-engine decide --at`, says which).
        `notes`: language tag → the note callers in that language hear instead of `note`
        (`{"es": "En el juzgado"}`); `starts`: a status scheduled ahead, active from then."""
        self._live.set_status(self.client(client), note, until, instructions, now, notes=notes, starts=starts)

    def clear_status(self, client: str) -> None:
        self._live.clear_status(self.client(client))

    def set_override(
        self, client: str, team: str, person: str, start: datetime, end: datetime, reason: str | None = None
    ) -> LiveOverride:
        """`person` covers `team` from `start` to `end` (aware date-times), above every rotation."""
        return self._live.set_override(self.client(client), team, person, start, end, reason)

    def clear_overrides(self, client: str, team: str | None = None) -> None:
        """Remove the live overrides of `client` (of one team only, if given)."""
        self._live.clear_overrides(self.client(client), team)

    def remove_override(self, client: str, override: LiveOverride) -> None:
        """Remove one live override of `client`, as `live_state(client).overrides` lists it; the
        team's others stay (in one write, so no decision sees the team without them). Removing
        one that is no longer there changes nothing."""
        self._live.remove_override(self.client(client), override)

    def live_state(self, client: str) -> LiveState:
        """The status and live overrides `client`'s decisions read now."""
        return self._live.snapshot(self.client(client).id)

    def live_state_health(self) -> LiveStateHealth:
        """Whether the live-state store answers and how old the snapshot decisions read is
        (for a service's readiness check and metrics; docs/embedding.md)."""
        return self._live.health()

    # ---- the decision log ----------------------------------------------------------------------

    @property
    def decision_log(self) -> DecisionLog | None:
        """Where decisions are logged, if anywhere."""
        return self._logs.decision_log

    def explain(self, call_id: str) -> Explained | None:
        """What `rules-engine explain` shows of the call logged under `call_id`, as data (the
        record, the rules text that decided it, torn lines skipped); None when none is logged.
        A `DecisionLogError` without a log, or when the log cannot be read. It reads files or
        the database: an asyncio daemon calls it through `AsyncEngine`."""
        wanted = checked_call_id(call_id)
        if wanted is None:
            raise CallError("is required: the call id the decision was logged under", field="call_id")
        try:
            return self._logs.explain(wanted)
        except OSError as exc:
            raise DecisionLogError(f"cannot read the decision log: {exc.strerror or exc}") from None

    def logged(self, client: str, start: datetime, end: datetime, limit: int = 1000) -> list[dict[str, Any]]:
        """The records of `client`'s calls logged from `start` (included) to `end` (excluded, aware
        date-times), the oldest first, at most `limit`; the errors of `explain`."""
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise CallError("must be a date-time with a time zone offset", field=name)
        try:
            return self._logs.logged(self.client(client).id, start, end, limit)
        except OSError as exc:
            raise DecisionLogError(f"cannot read the decision log: {exc.strerror or exc}") from None

    def reopen_logs(self) -> None:
        """Reopen the decision log file at its path: call it once logrotate has moved the file away
        (a daemon does it on SIGHUP), so that decisions go to the new file, not the renamed one."""
        self._logs.reopen()

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
    ) -> dict[str, Any]:
        """The client's calls decided from `start` to `end` (dates: whole local days, `end`
        included) and how they ended, as a JSON-ready dict (every key: docs/metrics.md)."""
        parameters = outcome_metrics.parameters(short_abandon_seconds, service_level_seconds, fcr_window)
        return self.outcomes.report(self.client(client), start, end, parameters)

    # ---- closing -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop watching, write the outcomes still queued, and close the stores and decision log
        the engine opened (`from_settings`); those given to it stay open."""
        self._rules.stop_watching()
        self.outcomes.close(store_too=False)
        self._opened.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
