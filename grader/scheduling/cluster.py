"""Open a Dask client (local cluster on loopback, or an existing scheduler) and run tasks through it.

Results are handed to a callback as each task finishes and released at once,
so memory stays flat and a crash of the coordinator loses at most what is in
flight. Must not touch the gradebook or know what a task does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from grader.errors import GraderError
from grader.sandbox.slots import MAX_SLOTS, SlotLease, claim_slot

Item = TypeVar("Item")
Result = TypeVar("Result")

# The slot each thread holds on this host (see worker_slot). A slot is a lock held by
# this process, so it is process state by nature; it lives no longer than its thread.
_thread_slots = threading.local()


class ClusterError(GraderError):
    """The Dask scheduler cannot be reached or the local cluster cannot start."""


@dataclass(frozen=True)
class ClusterOptions:
    """Where tasks run: `workers` local processes, or the cluster at `scheduler`."""

    workers: int = 1
    scheduler: str | None = None  # "tcp://HOST:PORT" of an existing cluster
    gpu: bool = False  # ask for one "GPU" resource per task
    connect_timeout_seconds: float = 10.0


@contextmanager
def open_client(options: ClusterOptions) -> Iterator[Any]:
    """A connected `distributed.Client`; a local cluster listens on 127.0.0.1 only, without dashboard."""
    from distributed import Client, LocalCluster  # imported here: ~0.3 s, only needed for notebooks

    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout=options.connect_timeout_seconds)
        except OSError as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {options.scheduler} ({exc})",
                hint="start it with `dask scheduler` and workers with `dask worker ADDRESS`, or use --workers N",
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    resources = {"GPU": 1} if options.gpu else None
    cluster = LocalCluster(
        n_workers=options.workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # the scheduler always serves HTTP: keep it on loopback, any free port
        resources=resources,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def worker_slot() -> int:
    """This thread's sandbox slot: claimed on this host on first use, held until the thread ends.

    No two threads, worker processes or clusters on one host hold the same slot at once
    (`grader.sandbox.claim_slot` locks it), so their sandboxes never share a uid. A local
    worker asks for the slot of its number first; a claim fails with SlotUnavailable
    when all MAX_SLOTS slots of the host are taken.
    """
    lease: SlotLease | None = getattr(_thread_slots, "lease", None)
    if lease is None or not lease.held or lease.pid != os.getpid():  # a forked child claims anew
        lease = claim_slot(preferred=_local_worker_number())
        _thread_slots.lease = lease
    return lease.slot


def _local_worker_number() -> int | None:
    """A local cluster's worker number (LocalCluster names them 0, 1, …), or None."""
    try:
        from distributed import get_worker

        name = get_worker().name
    except (ImportError, ValueError):
        return None
    if isinstance(name, int) and not isinstance(name, bool):
        return name % MAX_SLOTS
    return None


def run_tasks(
    client: Any,
    task: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    key_of: Callable[[Item], str],
    on_result: Callable[[Item, Result], None],
    on_failure: Callable[[Item, BaseException], None],
    gpu: bool = False,
    retries: int = 1,
) -> None:
    """Submit one task per item; hand each result over as it completes, then release it."""
    from distributed import as_completed

    futures = {
        client.submit(
            task,
            item,
            key=key_of(item),
            pure=False,
            retries=retries,
            resources={"GPU": 1} if gpu else None,
        ): item
        for item in items
    }
    for future in as_completed(futures):
        item = futures.pop(future)
        try:
            result = future.result()
        except Exception as exc:  # a task's failure is that item's failure, never the batch's
            on_failure(item, exc)
        else:
            on_result(item, result)
        finally:
            future.release()
