"""Parallel grading on Dask distributed: one code path for a local cluster and a remote one.

Dask places tasks, retries those lost with a worker, and carries results
back. What it does not do is done by the caller: the coordinator writes each
result as it arrives (upserts keyed by submission), and the sandbox kills
each notebook's process tree on cancel, timeout or worker loss.
"""

from grader.scheduling.cluster import ClusterOptions, open_client, run_tasks, worker_slot

__all__ = ["ClusterOptions", "open_client", "run_tasks", "worker_slot"]
