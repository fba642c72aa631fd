"""Open a Dask client (local cluster on loopback, or an existing scheduler) and run tasks through it.

A local cluster speaks TLS with temporary credentials made for it (issue #19): its workers
run as this user and execute pickled tasks, so a scheduler reachable by any local user on
127.0.0.1 would run their tasks too. An existing scheduler takes the credentials of a
security file (`--scheduler-tls`: CA, client certificate and key); without one the
connection is plain TCP, which the CLI warns about.

Results are handed to a callback as each task finishes and released at once,
so memory stays flat and a crash of the coordinator loses at most what is in
flight. Must not touch the gradebook or know what a task does.
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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
    scheduler: str | None = None  # "tls://HOST:PORT" (or tcp://) of an existing cluster
    gpu: bool = False  # ask for one "GPU" resource per task
    connect_timeout_seconds: float = 10.0
    security_file: Path | None = None  # TLS credentials for `scheduler` (read_security_file)


SECURITY_FIELDS = ("ca_file", "cert", "key")


def read_security_file(path: Path) -> Any:
    """A `distributed.Security` requiring TLS, from a TOML file naming `ca_file`, `cert` and
    `key` (PEM files; relative paths are relative to the file)."""
    from distributed.security import Security

    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ClusterError(
            f"cannot read the scheduler security file ({exc.strerror or exc})",
            path=path,
            hint="pass a TOML file with ca_file, cert and key",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ClusterError(
            f"the scheduler security file is not valid TOML ({exc})", path=path
        ) from None
    missing = [name for name in SECURITY_FIELDS if not isinstance(table.get(name), str)]
    unknown = sorted(set(table) - set(SECURITY_FIELDS))
    if missing or unknown:
        said = f"lacks {', '.join(missing)}" if missing else f"has unknown {', '.join(unknown)}"
        raise ClusterError(
            f"the scheduler security file {said}",
            path=path,
            hint='write ca_file = "ca.pem", cert = "client.pem", key = "client.key"',
        )
    files = {name: (path.parent / table[name]).resolve() for name in SECURITY_FIELDS}
    for name, file in files.items():
        if not file.is_file():
            raise ClusterError(f"{name} {file} does not exist", path=path)
    return Security(
        tls_ca_file=str(files["ca_file"]),
        tls_client_cert=str(files["cert"]),
        tls_client_key=str(files["key"]),
        require_encryption=True,
    )


@contextmanager
def open_client(options: ClusterOptions) -> Iterator[Any]:
    """A connected `distributed.Client`; a local cluster listens on 127.0.0.1 only, without dashboard."""
    from distributed import Client, LocalCluster  # imported here: ~0.3 s, only needed for notebooks
    from distributed.security import Security

    if options.scheduler:
        security = (
            read_security_file(options.security_file) if options.security_file is not None else None
        )
        try:
            client = Client(
                options.scheduler, timeout=options.connect_timeout_seconds, security=security
            )
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
    security = Security.temporary()  # TLS, with a key pair made for this cluster alone
    cluster = LocalCluster(
        n_workers=options.workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # the scheduler always serves HTTP: keep it on loopback, any free port
        resources=resources,
        security=security,
    )
    client = Client(cluster, security=security)
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
