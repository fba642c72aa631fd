"""Can student code be run safely on this machine? The host's part of the answer, and its words.

Job: check that bubblewrap is installed, user namespaces are enabled, the kernel
environment exists and the sandbox uid can read it; say what the driver's self-check
inside a real sandbox must find (not uid 0, no capabilities, its own PID namespace, no
network but loopback, host paths such as /root, /etc/shadow and the repository absent,
the kernel environment read-only) and turn what it found into one `SandboxCheck`.
`check_sandbox` in `runner.py` runs that self-check: this module never starts a
sandbox and never imports the runner (the dependency goes one way, runner → check).

Must not: fall back to anything weaker when a check fails (the caller refuses to run
student code, with the hint), or print (the CLI decides what to show).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.sandbox.bwrap import unreadable_reason
from grader.settings import resolve_kernel_env

INSTALL_BWRAP = "run `make sandbox-tools` as root, or: sudo apt-get install -y bubblewrap"
BUILD_KERNEL_ENV = "run `make kernel-env` as root (it builds the kernel environment world-readable)"
ENABLE_USERNS = "enable unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000"
#: Host paths the sandbox must never show, besides the repository itself.
SECRET_PATHS = ("/root", "/etc/shadow", "/etc/gshadow", "/etc/ssh", "/home", "/var", "/srv", "/mnt")


def default_kernel_env() -> Path:
    """The kernel environment when none is given: $HW_GRADER_KERNEL_ENV (the Makefile sets it),
    else /opt/hw-grader/kernel-env; `grader.settings.resolve_kernel_env` is the one rule."""
    return resolve_kernel_env()


class SandboxUnavailable(GraderError):
    """Student code cannot be run safely here; the message says why, the hint what to do."""


@dataclass(frozen=True)
class SandboxCheck:
    """The answer of check_sandbox: ok, or one line on what is wrong and what to do."""

    ok: bool
    message: str
    hint: str

    def raise_unless_ok(self) -> None:
        if not self.ok:
            raise SandboxUnavailable(self.message, hint=self.hint)


def repository_root() -> Path:
    """The checkout this grader runs from (it must be invisible inside the sandbox)."""
    return Path(__file__).resolve().parents[2]


def _userns_problem() -> str | None:
    for knob, bad in (
        ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
        ("/proc/sys/user/max_user_namespaces", "0"),
    ):
        try:
            if Path(knob).read_text().strip() == bad:
                return f"user namespaces are disabled ({knob} is {bad})"
        except OSError:
            continue
    return None


def _pyvenv_home(kernel_env: Path) -> str:
    for line in (kernel_env / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home":
            return value.strip().rstrip("/") + "/"
    return ""


def host_problem(kernel_env: Path, *, switch_uid: bool) -> SandboxCheck | None:
    """What is missing on the host before a sandbox can even be tried, or None."""
    if shutil.which("bwrap") is None:
        return SandboxCheck(False, "bubblewrap (bwrap) is not installed", INSTALL_BWRAP)
    if (problem := _userns_problem()) is not None:
        return SandboxCheck(False, problem, ENABLE_USERNS)
    python = kernel_env / "bin" / "python"
    if not python.exists() or not (kernel_env / "pyvenv.cfg").is_file():
        return SandboxCheck(
            False, f"the kernel environment {kernel_env} is missing", BUILD_KERNEL_ENV
        )
    home = _pyvenv_home(kernel_env)
    if not home.startswith("/usr/"):
        return SandboxCheck(
            False,
            f"the kernel environment is built on {home or 'an unknown'} python, which the sandbox cannot see (only /usr)",
            BUILD_KERNEL_ENV + " (it uses SYSTEM_PYTHON=/usr/bin/python3.11)",
        )
    if switch_uid:
        for path in (kernel_env, kernel_env / "pyvenv.cfg", python.resolve()):
            if (reason := unreadable_reason(path)) is not None:
                return SandboxCheck(
                    False,
                    f"the sandbox uid cannot use the kernel environment: {reason}",
                    BUILD_KERNEL_ENV,
                )
    return None


def self_check_paths(kernel_env: Path, site_packages: list[str]) -> tuple[list[str], list[str]]:
    """What the driver's self-check must find inside: (paths absent, paths read-only)."""
    absent = [*SECRET_PATHS, str(repository_root())]
    read_only = ["/", "/usr", "/etc", "/dev", str(kernel_env), *site_packages]
    return absent, read_only


def unavailable_check(error: SandboxUnavailable) -> SandboxCheck:
    """A sandbox that could not even start, as the check's answer."""
    return SandboxCheck(False, error.message, error.hint or ENABLE_USERNS)


def self_check_verdict(
    problems: list[str], *, uid: int | None, kernel_env: Path, limits: str = ""
) -> SandboxCheck:
    """The check's answer once the self-check ran as `uid` (None: no uid switch, not root);
    `limits` says how the sandbox's limits hold (`CgroupSupport.describe`)."""
    if problems:
        return SandboxCheck(
            False,
            "the sandbox self-check failed: " + "; ".join(problems),
            "do not run student code on this machine until the sandbox is fixed (see README, Sandbox)",
        )
    who = f"uid {uid}" if uid is not None else f"uid {os.getuid()} (not root: no uid switch)"
    message = f"sandbox ready: bubblewrap, {who}, kernel environment {kernel_env}"
    return SandboxCheck(True, message + (f"; {limits}" if limits else ""), "")
