"""Call outcomes and escalation results, recorded after the engine decides, and the report
an answering service is judged by (docs/metrics.md)."""
