"""Hostile notebooks that try to reach out: the network, hidden labels, other students, host
secrets, the terminal. Each notebook prints what it saw; the executed notebook says it all failed."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.hostile.conftest import PROBE_HELPERS, REPO, reported

FAILED = {"ENOENT", "EACCES"}  # absent from the sandbox, or denied by it


NETWORK_PROBE = """
import socket

def connect(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        sock.connect(address)

report("NET", {
    "host loopback": attempt(lambda: connect(socket.AF_INET, ("127.0.0.1", PORT))),
    "host loopback v6": attempt(lambda: connect(socket.AF_INET6, ("::1", PORT))),
    "TEST-NET 192.0.2.1": attempt(lambda: connect(socket.AF_INET, ("192.0.2.1", 80))),
    "dns": attempt(lambda: socket.getaddrinfo("example.com", 80)),
    "udp out": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                       .sendto(b"x", ("192.0.2.1", 53))),
    "host abstract unix socket": attempt(lambda: connect(socket.AF_UNIX, ABSTRACT)),
})
"""


def test_network_to_the_host_loopback_and_outside_fails_and_the_host_listener_sees_nothing(
    run_notebook, host
):
    # Abstract unix sockets belong to the network namespace: one on the host must be out of reach.
    abstract = f"\0hw-grader-hostile-{os.getpid()}".encode()
    with socket.socket(socket.AF_UNIX) as unix_listener:
        unix_listener.bind(abstract)
        unix_listener.listen()
        unix_listener.setblocking(False)
        run = run_notebook(
            f"PORT, ABSTRACT = {host.listener_port}, {abstract!r}\n" + PROBE_HELPERS + NETWORK_PROBE
        )
        with pytest.raises(BlockingIOError):
            unix_listener.accept()  # nobody connected
    assert run.status == "ok", run.message
    # The sandbox has a loopback of its own, with nothing listening, and no route anywhere else.
    assert reported(run, "NET") == {
        "host loopback": "ECONNREFUSED",
        "host loopback v6": "ECONNREFUSED",
        "TEST-NET 192.0.2.1": "ENETUNREACH",
        "dns": "gaierror",
        "udp out": "ENETUNREACH",
        "host abstract unix socket": "ECONNREFUSED",
    }
    host.assert_clean()  # includes: the listener on the host's loopback saw 0 connections


def test_hidden_labels_other_students_and_host_secrets_are_absent_or_denied(
    run_notebook, host, data, other_student
):
    secrets = {
        "hidden split folder": data.hidden,
        "hidden cats_vs_dogs test": data.hidden / "cats_vs_dogs" / "test",
        "hidden cifar10 test_batch": data.hidden / "cifar10" / "test_batch",
        "decoded labels cache": data.labels_cache,
        "decoded inputs cache": data.inputs_cache,
        "cache folder": data.cache,
        "data root manifest": data.root / "dataset.toml",
        "other student folder": other_student,
        "other student notebook": other_student / "p1_cats_dogs.ipynb",
        "/etc/shadow": Path("/etc/shadow"),
        "/etc/gshadow": Path("/etc/gshadow"),
        "/root": Path("/root"),
        "repo rubrics": REPO / "rubrics",
        "repo rubric": REPO / "rubrics" / "hw4.toml",
        "repo reference": REPO / "reference",
        "driver environ": Path("/proc/1/environ"),
    }
    run = run_notebook(
        PROBE_HELPERS
        + f"""
data = os.environ["GRADER_DATA"]
paths = {{name: path for name, path in { ({k: str(v) for k, v in secrets.items()})!r}.items()}}
paths["hidden next to the data mount"] = os.path.join(data, "..", "hidden")
paths["other student, relative"] = "../other_student"
report("SEEN", {{name: look(path) for name, path in paths.items()}})
report("DATA", sorted(name for _, dirs, files in os.walk(data) for name in dirs + files))
""",
    )
    assert run.status == "ok", run.message
    seen = reported(run, "SEEN")
    assert set(seen) == {*secrets, "hidden next to the data mount", "other student, relative"}
    assert {name: found for name, found in seen.items() if found not in FAILED} == {}
    # What the notebook may read instead: the training data, without any hidden split.
    names_in_data = reported(run, "DATA")
    assert {"cats_vs_dogs", "cifar10", "train", "validation", "data_batch_1"} <= set(names_in_data)
    assert {"hidden", "test", "test_batch", "dataset.toml"}.isdisjoint(names_in_data)
    host.assert_clean()


def test_no_terminal_to_inject_keystrokes_into_with_tiocsti(run_notebook, host):
    run = run_notebook(
        PROBE_HELPERS
        + """
import fcntl, termios
found = {f"TIOCSTI fd {fd}": attempt(lambda: fcntl.ioctl(fd, termios.TIOCSTI, b"x")) for fd in (0, 1, 2)}
found["/dev/tty"] = attempt(lambda: os.open("/dev/tty", os.O_RDWR))
found["isatty"] = str([os.isatty(fd) for fd in (0, 1, 2)])
report("TTY", found)
"""
    )
    assert run.status == "ok", run.message
    assert reported(run, "TTY") == {
        "TIOCSTI fd 0": "ENOTTY",
        "TIOCSTI fd 1": "ENOTTY",
        "TIOCSTI fd 2": "ENOTTY",
        "/dev/tty": "ENXIO",  # no controlling terminal (bwrap --new-session)
        "isatty": "[False, False, False]",
    }
    host.assert_clean()
