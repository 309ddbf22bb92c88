"""Serving: rule directories, reloads and live state around the pure decision.

`catalog` loads a directory into an immutable set of clients and reloads it incrementally;
`compile_cache` keeps compiled clients across restarts; `watch` reloads on file changes;
`state` holds owners' statuses and on-call overrides, `snapshot` the in-memory copy
decisions read, kept current by `store_sqlite` or `store_postgres` (`stores` opens the one
the settings name); `decision_log` records decisions; `settings` reads the engine's YAML
settings.
"""
