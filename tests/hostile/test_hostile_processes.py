"""Hostile notebooks that attack the processes around them: the parent, everything else, and a
daemon meant to outlive the grading."""

from __future__ import annotations

import os

from tests.hostile.conftest import PROBE_HELPERS, cell_text, reported


def test_killing_the_parent_and_everything_reaches_nothing_outside(run_notebook, host):
    run = run_notebook(
        PROBE_HELPERS
        + f"""
import signal
report("KILL", {{
    "parent pid": str(os.getppid()),
    "kill(1, SIGKILL)": attempt(lambda: os.kill(1, signal.SIGKILL)),
    "kill(1, SIGTERM)": attempt(lambda: os.kill(1, signal.SIGTERM)),
    "kill(-1, SIGKILL)": attempt(lambda: os.kill(-1, signal.SIGKILL)),
    "kill(grader pid, SIGKILL)": attempt(lambda: os.kill({os.getpid()}, signal.SIGKILL)),
    "kill(parent's group)": attempt(lambda: os.killpg(os.getpgid(1), signal.SIGKILL)),
}})
""",
        "print('still running')",
    )
    assert run.status == "ok", run.message
    assert reported(run, "KILL") == {
        "parent pid": "1",  # the sandbox driver, PID 1 of its own namespace
        "kill(1, SIGKILL)": "DONE",  # accepted, and ignored: PID 1 has no handler for it
        "kill(1, SIGTERM)": "DONE",
        "kill(-1, SIGKILL)": "ESRCH",  # nothing else to kill in the namespace
        "kill(grader pid, SIGKILL)": "ESRCH",  # host pids do not exist in the namespace
        "kill(parent's group)": "ESRCH",  # bwrap --as-pid-1: the driver's group is outside
    }
    assert cell_text(run, 1) == "still running\n"
    host.assert_clean()  # this process, the listener thread and nothing else of the sandbox


DOUBLE_FORK_DAEMONS = """\
import os, signal, time

def daemonize(then):
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)
            os.write(write_end, str(os.getpid()).encode())
            os.close(write_end)
            then()
            os._exit(0)
        os._exit(0)
    os.wait()
    os.close(write_end)
    pid = int(os.read(read_end, 32))
    os.close(read_end)
    return pid

def python_daemon():
    while True:
        time.sleep(1)

sleeper = daemonize(lambda: os.execvp("sleep", ["sleep", "100000"]))
looper = daemonize(python_daemon)
time.sleep(0.3)
for pid in (sleeper, looper):
    os.kill(pid, 0)  # alive
    parent = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]
    print("daemon", pid, "session", os.getsid(pid), "notebook", os.getsid(0), "parent", parent)
"""


def test_daemons_left_behind_by_double_fork_and_setsid_are_gone_afterwards(run_notebook, host):
    run = run_notebook(DOUBLE_FORK_DAEMONS, "print('done')")
    assert run.status == "ok", run.message
    daemons = [line.split() for line in cell_text(run, 0).splitlines()]
    assert len(daemons) == 2
    for _, _, _, session, _, notebook_session, _, parent in daemons:
        assert session != notebook_session and parent == "1"  # detached, re-parented to PID 1
    host.assert_clean()  # and yet no process of any sandbox uid is left on the host
