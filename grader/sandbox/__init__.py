"""Sandboxed execution: run one command inside bubblewrap with limits, bring results out safely.

The host side (this package) decides what exists inside the sandbox and which limits
apply, and reads everything that comes out defensively; `driver.py` is the small
trusted program that runs first inside (as PID 1) to unpack inputs, enforce the wall
clock and output cap, kill what the command left behind and stream collected files.

Must not: run student code when `check_sandbox` fails (no automatic fallback), bind
anything the request did not list, follow symlinks or unpickle anything that came
out of a sandbox, or print (callers decide what to show).
"""

from grader.sandbox.check import SandboxCheck, SandboxUnavailable, check_sandbox, default_kernel_env
from grader.sandbox.request import ReadOnlyMount, SandboxLimits, SandboxRequest, SandboxResult
from grader.sandbox.runner import Sandbox

__all__ = [
    "ReadOnlyMount",
    "Sandbox",
    "SandboxCheck",
    "SandboxLimits",
    "SandboxRequest",
    "SandboxResult",
    "SandboxUnavailable",
    "check_sandbox",
    "default_kernel_env",
]
