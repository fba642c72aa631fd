"""The sandbox's syscall filter: a seccomp program bubblewrap installs before the driver starts.

Job: deny, with an error the caller can handle (never a kill: a library that probes for
io_uring must simply see it missing), what a notebook never needs and what widens the
kernel's attack surface or reaches past the sandbox's namespaces: io_uring, userfaultfd,
perf_event_open, bpf, the keyring (keyctl, add_key, request_key), kexec, kernel modules,
every mount call, unshare/setns and clone with new namespaces (clone3 answers ENOSYS so
libc falls back to clone, whose flags can be checked), ptrace and process_vm_readv/writev,
personality changes other than PER_LINUX/PER_LINUX32 and the query, and sockets of any
family but AF_UNIX, AF_INET and AF_INET6 (AF_VSOCK, for one, ignores network namespaces).
Foreign architectures (x32, i386 via int 0x80) are killed: libseccomp's default for an
architecture the filter was not built for.

Built with pyseccomp (ctypes over Debian's libseccomp2) as classic BPF bytes, once per
process; `bwrap --seccomp FD` reads them. Must not: allow anything the default would not
(the default action is ALLOW: this is a deny list on top of bubblewrap's namespaces and the
dropped capabilities, not the only wall), or fail open: no filter, no sandbox.
"""

from __future__ import annotations

import errno
import functools
import tempfile

from grader.sandbox.check import SandboxUnavailable

INSTALL_LIBSECCOMP = "install Debian's libseccomp2 (apt-get install -y libseccomp2) and pyseccomp"

#: Syscalls denied outright (EPERM). Names libseccomp does not know on this architecture are skipped.
DENIED_SYSCALLS = (
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "userfaultfd", "perf_event_open", "bpf",
    "keyctl", "add_key", "request_key",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
    "move_mount", "open_tree", "mount_setattr",
    "unshare", "setns",
    "ptrace", "process_vm_readv", "process_vm_writev",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "quotactl", "acct",
    "swapon", "swapoff", "reboot", "syslog", "iopl", "ioperm", "uselib", "vhangup",
)  # fmt: skip
#: clone flags that would make a new namespace.
NEW_NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
ALLOWED_SOCKET_FAMILIES = (AF_UNIX, AF_INET, AF_INET6)
PER_LINUX, PER_LINUX32, PERSONALITY_QUERY = 0, 0x0008, 0xFFFFFFFF
#: The query also as a sign-extended int (what personality(-1) passes): the kernel reads 32 bits.
ALLOWED_PERSONALITIES = (PER_LINUX, PER_LINUX32, PERSONALITY_QUERY, 2**64 - 1)
UINT64_MAX = 2**64 - 1


def aligned_blocks(low: int, high: int) -> list[tuple[int, int]]:
    """[low, high] as (mask, value) pairs: x is in it iff x & mask == value for one pair.

    libseccomp allows one comparison per argument in a rule, so a range is written as
    power-of-two aligned blocks (at most ~2×64 rules), each one masked comparison.
    """
    blocks: list[tuple[int, int]] = []
    while low <= high:
        size = low & -low if low else 1 << 64
        while size > high - low + 1:
            size >>= 1
        blocks.append((UINT64_MAX & ~(size - 1), low))
        low += size
    return blocks


def denied_values(allowed: tuple[int, ...]) -> list[tuple[int, int]]:
    """(mask, value) blocks covering every 64-bit value that is not in `allowed`."""
    blocks: list[tuple[int, int]] = []
    low = 0
    for value in sorted(allowed):
        if value > low:
            blocks += aligned_blocks(low, value - 1)
        low = value + 1
    if low <= UINT64_MAX:
        blocks += aligned_blocks(low, UINT64_MAX)
    return blocks


def _build() -> bytes:
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as error:  # OSError: libseccomp.so.2 is missing
        raise SandboxUnavailable(
            f"the syscall filter cannot be built ({error})", hint=INSTALL_LIBSECCOMP
        ) from None
    deny = seccomp.ERRNO(errno.EPERM)
    syscall_filter = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            syscall_filter.add_rule(deny, name)
        except (ValueError, OSError):  # unknown on this architecture
            continue
    for flag in NEW_NAMESPACE_FLAGS:
        syscall_filter.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    syscall_filter.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for mask, value in denied_values(ALLOWED_PERSONALITIES):
        syscall_filter.add_rule(deny, "personality", seccomp.Arg(0, seccomp.MASKED_EQ, mask, value))
    no_family = seccomp.ERRNO(errno.EAFNOSUPPORT)
    for call in ("socket", "socketpair"):
        for mask, value in denied_values(ALLOWED_SOCKET_FAMILIES):
            syscall_filter.add_rule(no_family, call, seccomp.Arg(0, seccomp.MASKED_EQ, mask, value))
    with tempfile.TemporaryFile() as program:
        syscall_filter.export_bpf(program)
        program.seek(0)
        return program.read()


@functools.cache
def seccomp_program() -> bytes:
    """The filter as BPF bytes for `bwrap --seccomp`; SandboxUnavailable if it cannot be built."""
    return _build()
