"""The syscall filter: each call a notebook never needs is denied from inside a real sandbox,
with arguments that would otherwise succeed or fail differently, and what a notebook does
need (torch training with DataLoader workers, matplotlib figures) still works."""

from __future__ import annotations

import platform

import pytest

from tests.hostile.conftest import PROBE_HELPERS, reported

#: Syscall numbers of the calls libc has no wrapper for (x86_64, aarch64).
NUMBERS = {
    "x86_64": {
        "io_uring_setup": 425, "userfaultfd": 323, "perf_event_open": 298, "bpf": 321,
        "keyctl": 250, "add_key": 248, "request_key": 249, "kexec_load": 246,
        "process_vm_readv": 310, "process_vm_writev": 311, "clone3": 435, "pivot_root": 155,
    },
    "aarch64": {
        "io_uring_setup": 425, "userfaultfd": 282, "perf_event_open": 241, "bpf": 280,
        "keyctl": 219, "add_key": 217, "request_key": 218, "kexec_load": 104,
        "process_vm_readv": 270, "process_vm_writev": 271, "clone3": 435, "pivot_root": 41,
    },
}  # fmt: skip

SYSCALL_PROBES = """
import ctypes, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
N = NUMBERS

def call(function, *args):
    def action():
        ctypes.set_errno(0)
        if function(*args) == -1:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
    return attempt(action)

def raw(name, *args):
    return call(libc.syscall, ctypes.c_long(N[name]), *(ctypes.c_long(a) for a in args))

KEY_SPEC_SESSION_KEYRING = -3
report("SYSCALLS", {
    "io_uring_setup": raw("io_uring_setup", 1, 0),  # else EFAULT
    "userfaultfd": raw("userfaultfd", 0xFFFF),  # else EINVAL
    "perf_event_open": raw("perf_event_open", 0, 0, -1, -1, 0),  # else EFAULT
    "bpf": raw("bpf", 0x7FFF, 0, 0),  # else EINVAL
    "keyctl": raw("keyctl", 0, KEY_SPEC_SESSION_KEYRING, 0),  # else a keyring id
    "add_key": raw("add_key", 0, 0, 0, 0, 0),  # else EFAULT
    "request_key": raw("request_key", 0, 0, 0, 0),  # else EFAULT
    "kexec_load": raw("kexec_load", 0, 0, 0, 0),
    "process_vm_readv": raw("process_vm_readv", os.getpid(), 0, 0, 0, 0, 0),  # else 0
    "process_vm_writev": raw("process_vm_writev", os.getpid(), 0, 0, 0, 0, 0),  # else 0
    "clone3": raw("clone3", 0, 0),  # ENOSYS: libc falls back to clone, whose flags are checked
    "ptrace": call(libc.ptrace, 0, 0, 0, 0),  # PTRACE_TRACEME: else 0
    "mount": call(libc.mount, b"none", b"/tmp", b"tmpfs", 0, None),
    "umount2": call(libc.umount2, b"/tmp", 0),
    "pivot_root": call(libc.syscall, ctypes.c_long(N["pivot_root"]), b"/tmp", b"/tmp"),
    "unshare": call(libc.unshare, 0x40000000),  # CLONE_NEWNET
    "setns": call(libc.setns, os.open("/proc/self/ns/net", os.O_RDONLY), 0),
    "personality ADDR_NO_RANDOMIZE": call(libc.personality, 0x0040000),
    "personality query": attempt(lambda: libc.personality(ctypes.c_ulong(0xFFFFFFFF)) != -1),
    "personality query as -1": attempt(lambda: libc.personality(-1) != -1),
    "AF_VSOCK": attempt(lambda: socket.socket(40, socket.SOCK_STREAM).close()),
    "AF_NETLINK": attempt(lambda: socket.socket(16, socket.SOCK_RAW).close()),
    "AF_PACKET": attempt(lambda: socket.socket(17, socket.SOCK_RAW).close()),
    "AF_UNIX": attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()),
    "AF_INET": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()),
    "AF_INET6": attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()),
    "fork": attempt(lambda: os.waitpid(os.fork() or os._exit(0), 0) and None),
})
"""


def test_each_call_a_notebook_never_needs_is_denied_by_the_filter(run_notebook, host):
    numbers = NUMBERS.get(platform.machine())
    assert numbers is not None, f"add the syscall numbers of {platform.machine()}"
    # os.fork() in the notebook returns in both processes: the child exits at once.
    run = run_notebook(PROBE_HELPERS + f"NUMBERS = {numbers!r}\n" + SYSCALL_PROBES)
    assert run.status == "ok", run.message
    found = reported(run, "SYSCALLS")
    denied = {
        name: "EPERM"
        for name in (
            "io_uring_setup", "userfaultfd", "perf_event_open", "bpf", "keyctl", "add_key",
            "request_key", "kexec_load", "process_vm_readv", "process_vm_writev", "ptrace",
            "mount", "umount2", "pivot_root", "unshare", "setns",
            "personality ADDR_NO_RANDOMIZE",
        )
    }  # fmt: skip
    assert found == {
        **denied,
        "clone3": "ENOSYS",
        "personality query": "DONE True",
        "personality query as -1": "DONE True",
        "AF_VSOCK": "EAFNOSUPPORT",
        "AF_NETLINK": "EAFNOSUPPORT",
        "AF_PACKET": "EAFNOSUPPORT",
        "AF_UNIX": "DONE",
        "AF_INET": "DONE",
        "AF_INET6": "DONE",
        "fork": "DONE",
    }
    host.assert_clean()


@pytest.mark.slow
def test_torch_training_with_dataloader_workers_and_matplotlib_still_work(run_notebook, host):
    from dataclasses import replace

    from tests.hostile.conftest import QUICK_LIMITS

    run = run_notebook(
        "import torch, threading\n"
        "from torch.utils.data import DataLoader, TensorDataset\n"
        "torch.manual_seed(0)\n"
        "x = torch.randn(256, 3, 8, 8); y = (x.mean((1, 2, 3)) > 0).long()\n"
        "loader = DataLoader(TensorDataset(x, y), batch_size=32, num_workers=1)\n"
        "model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(),\n"
        "                            torch.nn.Linear(144, 2))\n"
        "optimiser = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for epoch in range(3):\n"
        "    for batch, labels in loader:\n"
        "        optimiser.zero_grad()\n"
        "        loss = torch.nn.functional.cross_entropy(model(batch), labels)\n"
        "        loss.backward(); optimiser.step()\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
        "print('loss', round(float(loss), 3) < 0.7)",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]); plt.title('loss'); plt.show()",
        limits=replace(QUICK_LIMITS, wall_seconds=60),
        cell_timeout=50,
    )
    assert run.status == "ok", run.message
    cells = run.executed_notebook["cells"]
    assert "loss True" in "".join(o.get("text", "") for o in cells[0]["outputs"])
    assert any("image/png" in o.get("data", {}) for o in cells[1]["outputs"])
    host.assert_clean()
