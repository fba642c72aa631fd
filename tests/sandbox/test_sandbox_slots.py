"""Sandbox slots: one live holder per slot and host, whatever process or thread asks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from grader.sandbox import SandboxUnavailable, SlotUnavailable, check_sandbox, claim_slot
from grader.sandbox.bwrap import BASE_UID
from grader.sandbox.slots import ROOT_SLOTS_DIRECTORY, slots_directory

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="directory ownership needs root")

#: A holder in another process: claims a slot, says which, holds it until stdin closes.
HOLDER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from grader.sandbox.slots import claim_slot\n"
    "lease = claim_slot(directory=Path(sys.argv[1]))\n"
    "print(lease.slot, flush=True)\n"
    "sys.stdin.read()\n"
)


def _holder(directory: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )


def test_a_claimed_slot_is_not_handed_out_again_until_released(tmp_path):
    directory = tmp_path / "slots"
    first, second = claim_slot(directory=directory), claim_slot(directory=directory)
    assert (first.slot, second.slot) == (0, 1)
    assert first.lock_path == directory / "0.lock"
    first.release()
    first.release()  # idempotent
    assert (first.held, second.held) == (False, True)
    with claim_slot(directory=directory) as third:
        assert third.slot == 0
        assert claim_slot(directory=directory).slot == 2  # unreferenced: released at once
    assert not third.held
    assert claim_slot(directory=directory, preferred=1).slot == 0  # 1 is still held
    second.release()
    assert sorted(path.name for path in directory.iterdir()) == ["0.lock", "1.lock", "2.lock"]


def test_the_preferred_slot_comes_first_when_free(tmp_path):
    with claim_slot(directory=tmp_path, preferred=5) as five:
        assert five.slot == 5
        with claim_slot(directory=tmp_path, preferred=5) as other:
            assert other.slot == 0
    assert claim_slot(directory=tmp_path, preferred=99, count=4).slot == 0  # out of range: ignored


def test_all_slots_taken_is_a_clear_error(tmp_path):
    held = [claim_slot(directory=tmp_path, count=2) for _ in range(2)]
    with pytest.raises(SlotUnavailable) as raised:
        claim_slot(directory=tmp_path, count=2)
    assert isinstance(raised.value, SandboxUnavailable)
    assert raised.value.message == (
        f"all 2 sandbox slots of this host are taken (locks in {tmp_path})"
    )
    assert raised.value.hint == (
        "run at most 2 sandboxes at once per host: fewer workers or threads per worker"
    )
    assert [lease.slot for lease in held] == [0, 1]


def test_processes_claiming_at_once_get_different_slots(tmp_path):
    holders = [_holder(tmp_path) for _ in range(6)]
    try:
        slots = [int(holder.stdout.readline()) for holder in holders]  # all held at once now
        assert sorted(slots) == [0, 1, 2, 3, 4, 5]
        with claim_slot(directory=tmp_path) as mine:
            assert mine.slot == 6
    finally:
        for holder in holders:
            holder.communicate("")
    assert [holder.returncode for holder in holders] == [0] * 6
    assert claim_slot(directory=tmp_path).slot == 0  # the holders are gone: free again


def test_a_killed_holder_gives_its_slot_back(tmp_path):
    holder = _holder(tmp_path)
    assert holder.stdout.readline() == "0\n"
    assert claim_slot(directory=tmp_path).slot == 1
    holder.send_signal(signal.SIGKILL)
    holder.communicate()
    assert holder.returncode == -signal.SIGKILL
    assert claim_slot(directory=tmp_path).slot == 0


def test_a_forked_child_keeps_the_parent_slot_held(tmp_path):
    lease = claim_slot(directory=tmp_path)
    with warnings.catch_warnings():  # Python 3.12+ warns about fork() in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child drops its copy, as a child that is done with it would
        lease.release()
        os._exit(0)
    os.waitpid(pid, 0)
    assert lease.held
    assert claim_slot(directory=tmp_path).slot == 1  # still the parent's
    lease.release()


def test_a_lock_directory_others_can_write_is_refused(tmp_path):
    directory = tmp_path / "slots"
    directory.mkdir()
    directory.chmod(0o777)
    with pytest.raises(SlotUnavailable) as raised:
        claim_slot(directory=directory)
    assert raised.value.message == (
        "the sandbox slot directory is not safe to use: others may write to it (mode drwxrwxrwx)"
    )
    assert raised.value.path == str(directory)


def test_a_lock_directory_in_a_directory_others_can_write_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # not sticky: anyone could rename slots/ and put their own there
    with pytest.raises(SlotUnavailable, match=f"{shared} may be changed by others"):
        claim_slot(directory=shared / "slots")


def test_symlinks_are_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(SlotUnavailable, match="it is a symlink or not a directory"):
        claim_slot(directory=tmp_path / "link")
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (real / "0.lock").symlink_to(victim)
    with pytest.raises(SlotUnavailable) as raised:
        claim_slot(directory=real)
    assert raised.value.path == str(real / "0.lock")
    assert "cannot open it" in raised.value.message
    assert victim.read_text() == "keep me"


@needs_root
def test_a_lock_directory_owned_by_someone_else_is_refused(tmp_path):
    directory = tmp_path / "slots"
    directory.mkdir(mode=0o700)
    os.chown(directory, 65534, 65534)
    with pytest.raises(SlotUnavailable, match="it is owned by uid 65534, not 0"):
        claim_slot(directory=directory)


def test_the_default_directory():
    if os.geteuid() == 0:
        assert slots_directory() == ROOT_SLOTS_DIRECTORY == Path("/run/hw-grader/slots")
    else:
        assert slots_directory().name == f"hw-grader-slots-{os.geteuid()}"


@needs_root
def test_check_sandbox_without_a_slot_uses_one_nobody_holds(kernel_env):
    with claim_slot() as held:
        check = check_sandbox(kernel_env)
        assert check.ok, check.message
        assert check.message.startswith("sandbox ready: bubblewrap, uid 610")
        assert f"uid {BASE_UID + held.slot}," not in check.message
