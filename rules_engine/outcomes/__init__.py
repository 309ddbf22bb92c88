"""What happened after a decision, and the report an answering service is judged by (docs/metrics.md).

Modules in the order data flows through them:

- `records`: the rows (a decided call's facts, an outcome, an escalation result) and every check of them;
- `store`, `store_sql`, `store_sqlite`, `store_postgres`: where rows are kept (memory, or tables of
  their own beside the live state, migrated and pooled through `rules_engine.storage`) and the
  history a report reads;
- `recorder`: the engine's side (a decided call handed to the background writer of
  `rules_engine.storage`, bounded, never waited for; record an outcome or an escalation result;
  make a report);
- `metrics`: a history → the report's figures (pure);
- `html`: the report → one self-contained page with charts;
- `generate`: seeded, realistic histories of the example clients (tests, docs, the benchmark).
"""
