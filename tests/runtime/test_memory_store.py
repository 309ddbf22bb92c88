"""The in-process stores keep the `Store` protocol whole: `stamped` says each client's revision."""

from __future__ import annotations

from datetime import UTC, datetime

from rules_engine.live import EMPTY, LiveOverride, OwnerStatus
from rules_engine.runtime.state import MemoryStore, OverlayStore, Stamp

COURT = OwnerStatus(note="in court")
CAROL = LiveOverride(
    team="plumbers", person="carol", start=datetime(2026, 11, 24, tzinfo=UTC), end=datetime(2026, 11, 25, tzinfo=UTC)
)


def test_a_memory_store_counts_each_clients_changes_and_is_never_behind():
    store = MemoryStore()
    assert store.stamped("acme_plumbing") == (EMPTY, Stamp(revision=0, synced_at=None, age=0.0))
    store.set_status("acme_plumbing", COURT)
    store.add_override("acme_plumbing", CAROL)
    store.clear_status("hale_law")
    state, stamp = store.stamped("acme_plumbing")
    assert (state.status, state.overrides, stamp.revision) == (COURT, (CAROL,), 2)
    assert store.stamped("hale_law")[1].revision == 1
    store.clear_overrides("acme_plumbing")
    assert store.stamped("acme_plumbing") == (store.snapshot("acme_plumbing"), Stamp(3, None, 0.0))
    assert store.snapshot("acme_plumbing").overrides == ()


def test_an_overlay_reads_the_store_below_with_its_stamp_until_it_changes_a_client_itself():
    below = MemoryStore()
    below.set_status("acme_plumbing", COURT)
    overlay = OverlayStore(below)
    assert overlay.stamped("acme_plumbing") == below.stamped("acme_plumbing")
    overlay.add_override("acme_plumbing", CAROL)
    state, stamp = overlay.stamped("acme_plumbing")
    assert (state.status, state.overrides, stamp) == (COURT, (CAROL,), Stamp(1, None, 0.0))
    assert below.snapshot("acme_plumbing").overrides == ()  # the store below is never written
    assert below.stamped("acme_plumbing")[1].revision == 1
