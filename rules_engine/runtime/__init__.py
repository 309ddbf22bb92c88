"""The runtime: serving the pure decision — rule files, reloads, live state, logs, settings.

The engine's collaborators (`Engine` holds one of each, docs/architecture.md): `rules` (the
rule files served), `live_state` (statuses and overrides, checked, and the snapshot a decision
reads), `logs` (the decision log); `opened` holds what the engine opened from its settings.

Below them: `catalog` loads a directory into an immutable set of clients and reloads it
incrementally; `compile_cache` keeps compiled clients across restarts and `last_good` the
version of each file that serves, so a restart never serves a broken file; `rule_sources`
keeps the text of every version by its rules version; `watch` reloads on file changes and
deploys; `state` is the `Store` protocol of live state and its in-process stores, `snapshot`
the in-memory copy decisions read, kept current by `store_sqlite` or `store_postgres`
(`stores` opens the one the settings name, and the outcome store beside it);
`decision_log` is the `DecisionLog` protocol (with its health) and its factory,
`decision_log_file` (with `log_index` and `decision_record`) records decisions in files,
`decision_log_pg` in PostgreSQL; `settings` reads the engine's YAML settings; `files` has the
file-system helpers they share. The stores and logs migrate, pool connections and write in
the background through `rules_engine.storage`.
"""
