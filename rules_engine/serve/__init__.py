"""Serving: rule directories, reloads and live state around the pure decision.

`catalog` loads a directory into an immutable set of clients and reloads it incrementally;
`compile_cache` keeps compiled clients across restarts; `watch` reloads on file changes;
`state` and `store_sqlite` keep owners' statuses and on-call overrides; `decision_log`
records decisions; `settings` reads the engine's YAML settings.
"""
