"""worker_slot(): every worker thread of a host holds a slot (a sandbox uid) no one else holds."""

from __future__ import annotations

import os
import threading
import warnings
import zlib
from types import SimpleNamespace

import distributed
import pytest

from grader.sandbox import MAX_SLOTS, claim_slot
from grader.sandbox import slots as slots_module
from grader.scheduling import ClusterOptions, cluster, open_client, worker_slot


@pytest.fixture
def slot_dir(tmp_path, monkeypatch):
    """A lock directory of the test's own, so that slots are predictable; slots the
    test's threads held are dropped (released) with it."""
    directory = tmp_path / "slots"
    monkeypatch.setattr(slots_module, "slots_directory", lambda: directory)
    monkeypatch.setattr(cluster, "_thread_slots", threading.local())
    return directory


def _fake_workers(monkeypatch, names_by_thread: dict[str, object]) -> None:
    """`distributed.get_worker()` as a worker named per thread; elsewhere, not in a worker."""

    def get_worker() -> SimpleNamespace:
        name = threading.current_thread().name
        if name not in names_by_thread:
            raise ValueError("No worker found")
        return SimpleNamespace(name=names_by_thread[name])

    monkeypatch.setattr(distributed, "get_worker", get_worker)


def _slots_held_at_once(names_by_thread: dict[str, object]) -> dict[str, int]:
    """Each thread takes its slot (twice: it keeps it) and holds it until all have one."""
    slots: dict[str, int] = {}
    together = threading.Barrier(len(names_by_thread))

    def work() -> None:
        first = worker_slot()
        assert worker_slot() == first
        slots[threading.current_thread().name] = first
        together.wait(timeout=10)

    threads = [threading.Thread(target=work, name=name) for name in names_by_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return slots


def _crc32_colliding_names() -> tuple[str, str]:
    seen: dict[int, str] = {}
    for host in range(256):
        name = f"tcp://10.0.0.{host}:40000"
        bucket = zlib.crc32(name.encode()) % MAX_SLOTS
        if bucket in seen:
            return seen[bucket], name
        seen[bucket] = name
    raise AssertionError("no crc32 collision among 256 names")


def test_remote_workers_whose_names_collide_under_crc32_get_different_slots(slot_dir, monkeypatch):
    first, second = _crc32_colliding_names()
    assert zlib.crc32(first.encode()) % MAX_SLOTS == zlib.crc32(second.encode()) % MAX_SLOTS
    _fake_workers(monkeypatch, {"a": first, "b": second})
    slots = _slots_held_at_once({"a": first, "b": second})
    assert sorted(slots.values()) == [0, 1]


def test_a_local_worker_asks_for_its_own_number_first(slot_dir, monkeypatch):
    names = {"w3": 3, "w67": 67, "also3": 3}  # 67 % 64 == 3 as well
    _fake_workers(monkeypatch, names)
    slots = _slots_held_at_once(names)
    assert sorted(slots.values()) == [0, 1, 3]
    assert 3 in (slots["w3"], slots["also3"], slots["w67"])


def test_a_thread_gives_its_slot_back_when_it_ends(slot_dir, monkeypatch):
    _fake_workers(monkeypatch, {})
    assert _slots_held_at_once({"x": None, "y": None}).keys() == {"x", "y"}
    with claim_slot(directory=slot_dir) as lease:
        assert lease.slot == 0


def test_outside_a_worker_a_thread_also_holds_a_slot(slot_dir, monkeypatch):
    _fake_workers(monkeypatch, {})
    slot = worker_slot()
    assert worker_slot() == slot
    with claim_slot(directory=slot_dir) as other:
        assert other.slot != slot


@pytest.mark.slow  # starts a local Dask cluster
def test_local_cluster_workers_hold_different_slots():
    with open_client(ClusterOptions(workers=2)) as client:
        workers = sorted(client.scheduler_info()["workers"])
        futures = [
            client.submit(worker_slot, key=f"slot-{index}", pure=False, workers=[address])
            for index, address in enumerate(workers)
        ]
        slots = client.gather(futures)
        again = client.gather(
            [client.submit(worker_slot, key="slot-again", pure=False, workers=[workers[0]])]
        )
    assert len(set(slots)) == 2
    assert again == [slots[0]]  # a worker keeps its slot from task to task


def test_a_forked_child_claims_a_slot_of_its_own(slot_dir, monkeypatch):
    _fake_workers(monkeypatch, {})
    parent = worker_slot()
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork() in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        os.write(write_end, str(worker_slot()).encode())
        os._exit(0)
    os.close(write_end)
    child = int(os.read(read_end, 16))
    os.close(read_end)
    os.waitpid(pid, 0)
    assert (parent, child) == (0, 1)
    assert worker_slot() == parent
