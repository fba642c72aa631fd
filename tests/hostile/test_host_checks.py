"""The host-state checks themselves notice what they are meant to: a hostile test that passes
because its check is blind would prove nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

from tests.hostile.conftest import BASE_UID, HOSTILE_SLOT, HostWatch, LoopbackListener


def test_an_orphaned_process_of_a_sandbox_uid_is_seen_as_left_behind(session_watch):
    uid = BASE_UID + HOSTILE_SLOT
    # Double fork as the sandbox uid: the sleeper is re-parented to init, as an escapee would be.
    launcher = subprocess.run(
        ["sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"],
        user=uid,
        group=uid,
        extra_groups=[],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
    )
    orphan = int(launcher.stdout)
    try:
        left = "\n".join(session_watch.problems(wait=0.2))
        assert f"left behind: {orphan} uid={uid} sleep" in left
    finally:
        os.kill(orphan, signal.SIGKILL)
    assert session_watch.problems() == []  # a zombie waiting for init to reap it is not counted


def test_a_connection_and_a_changed_file_are_seen(public_root):
    watched = public_root / "watched.txt"
    watched.write_text("before")
    watch = HostWatch(LoopbackListener())
    try:
        watch.watch(watched)
        assert watch.problems() == []
        socket.create_connection(("127.0.0.1", watch.listener.port)).close()
        watched.write_text("after")
        assert watch.problems() == [
            f"changed: {watched}",
            "the host listener saw 1 connection(s)",
        ]
    finally:
        watch.listener.close()
        watched.unlink()
