"""Loading leaves the interpreter as it found it: the cycle collector, paused while files
compile, is on again afterwards only if it was on before, however many loads overlap."""

from __future__ import annotations

import gc
import threading

import pytest

from rules_engine.runtime import catalog

CLIENT = """client shop_{n} "Shop {n}" {{
    timezone  "Europe/London"
    numbers   "+4420794600{n:02d}"
    contact desk "Desk" {{ call "+442079460999" }}
    greeting default {{ en "Shop {n}" }}
    route {{ otherwise -> patch desk }}
}}
"""


@pytest.fixture
def folder(tmp_path):
    for n in range(6):
        (tmp_path / f"shop_{n}.rules").write_text(CLIENT.format(n=n), encoding="utf-8")
    return tmp_path


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    set_collector(was)


def set_collector(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(folder, collector, enabled):
    set_collector(enabled)
    loaded = catalog.load(folder)
    assert len(loaded.clients) == 6
    assert gc.isenabled() is enabled


def test_overlapping_loads_turn_the_collector_back_on(folder, collector):
    gc.enable()
    start = threading.Barrier(4)
    sizes = []

    def load():
        start.wait()
        sizes.append(len(catalog.load(folder).clients))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sizes == [6] * 4
    assert gc.isenabled()


def test_a_failing_load_turns_the_collector_back_on(folder, collector, monkeypatch):
    gc.enable()

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(catalog, "scan", broken)
    with pytest.raises(OSError):
        catalog.load(folder)
    assert gc.isenabled()
