"""Sandboxed execution: run one command inside bubblewrap with limits, bring results out safely.

The host side (this package) decides what exists inside the sandbox and which limits
apply, and reads everything that comes out defensively; `driver.py` is the small
trusted program that runs first inside (as PID 1) to unpack inputs, enforce the wall
clock and output cap, kill what the command left behind and stream collected files.
`claim_slot` (slots.py) gives each sandbox running at once on a host a slot, and so a
uid, of its own.

Must not: run student code when `check_sandbox` fails (no automatic fallback), bind
anything the request did not list, follow symlinks or unpickle anything that came
out of a sandbox, or print (callers decide what to show).
"""

from grader.sandbox.check import SandboxCheck, SandboxUnavailable, default_kernel_env
from grader.sandbox.request import (
    ReadOnlyMount,
    SandboxLimits,
    SandboxRequest,
    SandboxResult,
    StepTimeout,
)
from grader.sandbox.runner import Sandbox, check_sandbox
from grader.sandbox.slots import MAX_SLOTS, SlotLease, SlotUnavailable, claim_slot

__all__ = [
    "MAX_SLOTS",
    "ReadOnlyMount",
    "Sandbox",
    "SandboxCheck",
    "SandboxLimits",
    "SandboxRequest",
    "SandboxResult",
    "SandboxUnavailable",
    "SlotLease",
    "SlotUnavailable",
    "StepTimeout",
    "check_sandbox",
    "claim_slot",
    "default_kernel_env",
]
