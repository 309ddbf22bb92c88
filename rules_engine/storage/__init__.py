"""How the engine keeps what it writes: one of each mechanism, shared by every store and log.

- `writer`: the bounded background writer (`BoundedWriter`): a queue that never makes its
  caller wait, batches, retries with backoff, counts what it drops, and a `flush` and `close`
  that tell the truth. The PostgreSQL decision log, the file decision log's backlog and the
  outcome recorder write through it.
- `schema`: what a store's tables are (`Schema`: a name and its migrations), and the one
  message that refuses a database newer than the engine.
- `sqlite`: migrating (and checking, for readers) a schema in a SQLite file: a version table,
  `BEGIN IMMEDIATE` before anything is created.
- `locations`: whether a setting names a database (a `postgresql://` URL) or a file.
- `postgres`: the PostgreSQL side: one connection pool per database and process, shared by the
  live-state store, the outcome store and the decision log (`Database`); migrating a schema
  under an advisory lock taken before anything is created; the pool's messages routed to the
  `rules_engine.storage` logger.

Below `runtime/` and `outcomes/`, which use it; it imports only `errors` and the standard
library, and psycopg only in `postgres` (which only PostgreSQL users import). docs/storage.md
describes the rules.
"""
