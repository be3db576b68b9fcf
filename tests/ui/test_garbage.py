"""Cyclic garbage is collected on the main thread, never on a worker (a Qt object dying on a pool thread
crashed the export dialog's worker)."""

from __future__ import annotations

import gc
import threading
import weakref

from ostandari_desk.ui.garbage import MainThreadCollector, collect_on_main_thread
from ostandari_desk.ui.tasks import run_task, wait_for_tasks


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_automatic_collector_is_off_and_the_main_thread_collects(prepared_app, qtbot):
    collector = collect_on_main_thread(prepared_app)
    assert collect_on_main_thread(prepared_app) is collector  # once per application
    assert isinstance(collector, MainThreadCollector) and not gc.isenabled()

    gc.collect()  # empty the generations: what follows depends on the timer alone
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle
    # well past the young generation's threshold (widgets of earlier tests freed meanwhile lower the count)
    alive = [[] for _ in range(10 * gc.get_threshold()[0])]
    qtbot.waitUntil(lambda: gone() is None, timeout=3000)
    assert len(alive) > gc.get_threshold()[0]


def test_a_worker_that_allocates_never_collects_on_its_thread(prepared_app, qtbot):
    collect_on_main_thread(prepared_app)
    collected_on: list[str] = []

    def record(phase: str, _info: dict) -> None:
        if phase == "start":
            collected_on.append(threading.current_thread().name)

    def allocate() -> int:
        alive = [[] for _ in range(200_000)]  # hundreds of times the young generation's threshold
        return len(alive)

    gc.callbacks.append(record)
    try:
        done: list[int] = []
        run_task(None, allocate, on_done=done.append, progress=False)
        assert wait_for_tasks()
        qtbot.waitUntil(lambda: bool(done), timeout=3000)
    finally:
        gc.callbacks.remove(record)
    assert done == [200_000]
    assert set(collected_on) <= {threading.main_thread().name}
