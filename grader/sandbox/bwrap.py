"""The bubblewrap command line, the command's environment and the process limits.

Job: say exactly what exists inside the sandbox (read-only /usr, the dynamic-linker
cache, the kernel environment at its own path, the request's read-only mounts, a
few synthetic /etc files, fresh /proc and /dev, size-capped tmpfs on /work, /tmp
and /dev/shm, nothing else of the host), which rlimits the command gets, and which
uid runs it.

Must not: start processes (process.py does), bind anything the request did not
list (never the repository, rubric, reference, hidden splits or gradebook), or
make a path writable other than the three tmpfs.
"""

from __future__ import annotations

import io
import marshal
import os
import stat
import zipfile
from collections.abc import Mapping, Sequence
from importlib.util import MAGIC_NUMBER, source_hash
from pathlib import Path

from grader.sandbox.request import ReadOnlyMount, SandboxLimits

WORK_INSIDE = "/work"
#: The size-capped, writable tmpfs inside the sandbox (the driver reports which were full).
TMPFS_INSIDE = (WORK_INSIDE, "/tmp", "/dev/shm")
#: The grader/sandbox/inside package, zipped, bound read-only inside the sandbox.
DRIVER_ZIP = "/run/grader/driver.zip"
#: How the driver is started: isolated mode, no site-packages, our package first on sys.path.
DRIVER_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from inside.driver import main; sys.exit(main(sys.argv[1:]))"
#: Host uid of slot 0; slot n runs as BASE_UID + n (RLIMIT_NPROC counts per uid host-wide).
BASE_UID = 61000
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def command_environment(
    *, kernel_env: Path, work: str, tmp: str, threads: int, extra: Mapping[str, str]
) -> dict[str, str]:
    """The command's whole environment: ours, then the request's additions on top."""
    env = {
        "HOME": work,
        "PATH": f"{kernel_env}/bin:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "USER": "student",
        "LOGNAME": "student",
        "TMPDIR": tmp,
        "PYTHONUNBUFFERED": "1",  # what was printed before a timeout still arrives
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": f"{tmp}/matplotlib",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    env.update(extra)
    return env


def driver_files(package: Path) -> dict[str, bytes]:
    """The inside/ package as one zip at DRIVER_ZIP: sources plus their bytecode.

    One file is one bind mount. The bytecode is unchecked-hash .pyc (PEP 552) for this
    interpreter: the kernel env's python (the same /usr/bin/python3.11) loads it instead
    of compiling the driver at every start; another version ignores it by its name.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for source in sorted(package.glob("*.py")):
            name = f"{package.name}/{source.name}"
            text = source.read_bytes()
            code = compile(text, f"{DRIVER_ZIP}/{name}", "exec", dont_inherit=True)
            unchecked_hash_flags = (0b01).to_bytes(4, "little")
            pyc = MAGIC_NUMBER + unchecked_hash_flags + source_hash(text) + marshal.dumps(code)
            archive.writestr(name, text)
            archive.writestr(f"{package.name}/{source.stem}.pyc", pyc)
    return {DRIVER_ZIP: buffer.getvalue()}


def etc_files(uid: int, gid: int) -> dict[str, bytes]:
    """Synthetic /etc/passwd, /etc/group and /etc/hosts (the host's stay outside)."""
    return {
        "/etc/passwd": (
            f"student:x:{uid}:{gid}:student:{WORK_INSIDE}:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        ).encode(),
        "/etc/group": f"student:x:{gid}:\nnogroup:x:65534:\n".encode(),
        "/etc/hosts": b"127.0.0.1 localhost\n127.0.1.1 sandbox\n::1 localhost ip6-localhost\n",
    }


#: Host details a notebook never needs, shown inside as these contents instead: the
#: kernel command line (boot flags, mitigations, sometimes paths or tokens), and the mount
#: table of PID 1, the driver (the host folders behind each bind). Each process's own
#: /proc/<pid>/mountinfo cannot be masked before that pid exists: a process still sees the
#: host paths of the folders bound into the sandbox (/usr, the kernel env, the data folder).
PROC_MASKS: dict[str, bytes] = {
    "/proc/cmdline": b"",
    "/proc/1/mountinfo": b"",
    "/proc/1/mounts": b"",
    "/proc/1/mountstats": b"",
    # The same tables through PID 1's (only) thread (issue #19).
    "/proc/1/task/1/mountinfo": b"",
    "/proc/1/task/1/mounts": b"",
}


def rlimit_settings(limits: SandboxLimits) -> list[tuple[str, int, int]]:
    """(RLIMIT_ name, soft, hard) for the command; the driver applies them between fork and exec.

    Not a preexec_fn on the host: the host may be a multi-threaded Dask worker, where
    Python code between fork and exec can deadlock; the driver is single-threaded.
    """
    return [
        ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 5),  # SIGXCPU, then SIGKILL
        ("RLIMIT_AS", limits.address_space_bytes, limits.address_space_bytes),
        ("RLIMIT_NPROC", limits.max_processes, limits.max_processes),
        ("RLIMIT_FSIZE", limits.max_file_bytes, limits.max_file_bytes),
        ("RLIMIT_NOFILE", limits.max_open_files, limits.max_open_files),
        ("RLIMIT_CORE", 0, 0),
    ]


def unreadable_reason(path: Path) -> str | None:
    """Why another uid could not read path (a parent without o+x, the path without o+r)."""
    try:
        resolved = path.resolve(strict=True)
    except OSError as error:
        return f"{path} does not exist ({error.strerror})"
    for ancestor in [*reversed(resolved.parents), resolved]:
        mode = os.stat(ancestor).st_mode
        needed = stat.S_IXOTH if ancestor != resolved or stat.S_ISDIR(mode) else 0
        if ancestor == resolved:
            needed |= stat.S_IROTH
        if mode & needed != needed:
            return f"{ancestor} is mode {stat.S_IMODE(mode):04o}, not readable by other users"
    return None


def _top_level_links() -> list[str]:
    """/bin, /lib, ... as the host has them: symlinks into /usr (merged /usr) or binds."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    return args


def bwrap_argv(
    bwrap: str,
    *,
    kernel_env: Path,
    limits: SandboxLimits,
    mounts: Sequence[ReadOnlyMount],
    data_fds: Mapping[str, int],
    info_fd: int,
    command: Sequence[str],
    seccomp_fd: int | None = None,
    devices: Sequence[str] = (),
) -> list[str]:
    """The full bwrap command line; data_fds maps an inside path to a readable fd,
    seccomp_fd holds the syscall filter (syscall_filter.py) bwrap loads before the command."""
    args = [
        bwrap,
        "--unshare-all",
        "--unshare-user",  # explicit: bwrap 0.8 needs it with --disable-userns
        "--disable-userns",
        "--die-with-parent",
        "--new-session",  # no controlling terminal: no TIOCSTI
        "--as-pid-1",  # the driver is PID 1: the command cannot kill it
        "--clearenv",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        *_top_level_links(),
    ]
    for etc_path in ("/etc/ld.so.cache", "/etc/alternatives", "/etc/fonts"):  # public config only
        if os.path.exists(etc_path):
            args += ["--ro-bind", etc_path, etc_path]
    # Files inside /proc can only be masked once /proc is mounted: bind those after it.
    early = {inside: fd for inside, fd in data_fds.items() if not inside.startswith("/proc/")}
    for inside, fd in early.items():
        args += ["--perms", "0444", "--ro-bind-data", str(fd), inside]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for device in devices:  # a GPU's nodes (--gpu), into the sandbox's own /dev
        args += ["--dev-bind", device, device]
    for inside, fd in data_fds.items():
        if inside not in early:
            args += ["--perms", "0444", "--ro-bind-data", str(fd), inside]
    for size, inside in (
        (limits.shm_bytes, "/dev/shm"),
        (limits.tmp_tmpfs_bytes, "/tmp"),
        (limits.work_tmpfs_bytes, WORK_INSIDE),
    ):
        args += ["--size", str(size), "--tmpfs", inside]
    args += ["--ro-bind", str(kernel_env), str(kernel_env)]
    for mount in mounts:
        args += ["--ro-bind", str(mount.host), mount.inside]
    args += [
        "--remount-ro",
        "/",  # the root tmpfs has no size cap: nothing may be written there
        "--remount-ro",
        "/dev",
        "--chdir",
        WORK_INSIDE,
        "--info-fd",
        str(info_fd),
        *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
        "--",
        *command,
    ]
    return args
