"""Which CUDA device nodes `--gpu` passes into the sandbox, and the line said when there are none.

Job: from the names in /dev (a list, so tests give a fake one), pick the NVIDIA device nodes a
CUDA program needs: each GPU (`nvidia0`, `nvidia1`, ...) and the control nodes (`nvidiactl`,
`nvidia-uvm`, `nvidia-uvm-tools`, `nvidia-modeset`). bwrap binds exactly these into the
sandbox's own /dev (`SandboxRequest.devices`); nothing else of the host's /dev goes in. The
driver's user-space libraries come with /usr; torch in the kernel environment must be a CUDA
build for the device to be used (the CPU wheel the Makefile installs runs on the CPU).

Must not: pass any other device, or fail a run because a GPU is missing (the caller warns
and goes on with the CPU).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

GPU_NODE = re.compile(r"^nvidia\d+$")
CONTROL_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset")
NO_GPU = (
    "--gpu: no CUDA device on this machine (no /dev/nvidia0 and /dev/nvidiactl), so notebooks "
    "and models run on the CPU"
)


def cuda_device_nodes(dev_entries: Iterable[str]) -> tuple[str, ...]:
    """The /dev paths to pass for CUDA, or () when there is no GPU node or no control node."""
    names = set(dev_entries)
    gpus = sorted((name for name in names if GPU_NODE.match(name)), key=lambda n: int(n[6:]))
    if not gpus or "nvidiactl" not in names:
        return ()
    return tuple(f"/dev/{name}" for name in [*gpus, *(c for c in CONTROL_NODES if c in names)])


def host_cuda_devices(dev: Path = Path("/dev")) -> tuple[str, ...]:
    """`cuda_device_nodes` of this machine's /dev."""
    try:
        return cuda_device_nodes(os.listdir(dev))
    except OSError:
        return ()
