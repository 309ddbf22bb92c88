"""The runtime: rule directories, reloads and live state around the pure decision.

`catalog` loads a directory into an immutable set of clients and reloads it incrementally;
`compile_cache` keeps compiled clients across restarts and `last_good` the version of each
file that serves, so a restart never serves a broken file; `rule_sources` keeps the text of
every version by its rules version; `watch` reloads on file changes and deploys;
`state` holds owners' statuses and on-call overrides, `snapshot` the in-memory copy
decisions read, kept current by `store_sqlite` or `store_postgres` (`stores` opens the one
the settings name); `decision_log` is what every decision log offers (the protocol, its
health, the factory), `decision_log_file` (with `log_index` and `decision_record`) records
decisions in files, `decision_log_pg` in PostgreSQL; `settings` reads the engine's YAML
settings; `files` has the file-system helpers they share. The stores and logs migrate, pool
connections and write in the background through `rules_engine.storage`.
"""
