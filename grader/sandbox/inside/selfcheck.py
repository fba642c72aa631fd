"""Inside the sandbox: check the sandbox itself before any student code runs.

Must not: change anything it finds (a write probe that succeeds is removed and
reported), or reach outside the machine (the one probe goes to TEST-NET 192.0.2.1).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _interfaces() -> set[str]:
    """Network interfaces, from /proc/net/dev (if_nameindex needs netlink, which is filtered)."""
    with open("/proc/net/dev") as devices:
        return {line.split(":")[0].strip() for line in devices if ":" in line}


def self_check(config: dict[str, Any]) -> list[str]:
    """What is wrong with this sandbox, checked before any student code runs."""
    import socket

    problems: list[str] = []
    if 0 in (os.getuid(), os.geteuid(), os.getgid()):
        problems.append("runs as uid or gid 0")
    with open("/proc/self/status") as status_file:
        for line in status_file:
            if line.startswith("CapEff:") and int(line.split()[1], 16) != 0:
                problems.append("has capabilities")
            if line.startswith("Seccomp:") and line.split()[1] != "2":
                problems.append("runs without its syscall filter (seccomp)")
    if os.getpid() != 1:
        problems.append("is not in a PID namespace of its own")
    others = sorted(_interfaces() - {"lo"})
    if others:
        problems.append(f"sees network interfaces besides loopback: {', '.join(others)}")
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(("192.0.2.1", 80))
        problems.append("can open a TCP connection to 192.0.2.1")
    except TimeoutError:
        problems.append("has a route to 192.0.2.1")
    except OSError:
        pass
    finally:
        probe.close()
    for path in config["absent_paths"]:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                with open(path, "rb") as handle:
                    handle.read(1)
            problems.append(f"can read {path}")
        except OSError:
            pass
    for path in config["read_only_paths"]:
        probe_path = os.path.join(path, ".sandbox-write-probe")
        try:
            os.close(os.open(probe_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            os.unlink(probe_path)
            problems.append(f"can write to {path}")
        except OSError:
            pass
    for path in config["writable_paths"]:
        if not os.access(path, os.W_OK):
            problems.append(f"cannot write to {path}")
    return problems
