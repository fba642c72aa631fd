"""What a payload can see and reach from inside: network, host files, the kernel env, signals."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox import ReadOnlyMount, SandboxRequest


def run_python(sandbox, code: str, tmp_path: Path, **request):
    """Run python code inside; the payload prints one JSON line as its last output line."""
    return sandbox.run(SandboxRequest(argv=("python", "-c", code), **request), tmp_path / "out")


def last_json(result) -> dict:
    assert result.returncode == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


class LoopbackListener:
    """A host TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopping = True
        self.thread.join()
        self.server.close()


def test_identity_environment_and_python(sandbox, tmp_path):
    code = (
        "import json, os, sys;"
        "print(json.dumps({'uid': os.getuid(), 'cwd': os.getcwd(), 'exe': sys.executable,"
        " 'env': dict(os.environ), 'tty': os.path.exists('/dev/tty') and os.isatty(0)}))"
    )
    seen = last_json(run_python(sandbox, code, tmp_path, env={"HW4_DATA": "/data"}))
    assert seen["uid"] != 0
    assert seen["cwd"] == "/work"
    assert seen["exe"] == str(sandbox.kernel_env / "bin" / "python")
    env = seen["env"]
    assert env["HOME"] == "/work" and env["OMP_NUM_THREADS"] == "1" and env["HW4_DATA"] == "/data"
    assert not any(key.startswith(("SSH", "SUDO", "PYTEST")) for key in env)
    assert "MPLBACKEND" not in env  # it would override ipykernel's inline figures
    assert seen["tty"] is False


def test_loopback_listener_on_the_host_sees_no_connection(sandbox, tmp_path):
    listener = LoopbackListener()
    try:
        code = (
            "import json, socket\n"
            "errors = []\n"
            f"for host in ('127.0.0.1', 'localhost'):\n"
            "    try:\n"
            f"        socket.create_connection((host, {listener.port}), timeout=2).close()\n"
            "        errors.append('connected')\n"
            "    except OSError as e:\n"
            "        errors.append(type(e).__name__)\n"
            "print(json.dumps(errors))"
        )
        result = sandbox.run(SandboxRequest(argv=("python", "-c", code)), tmp_path / "out")
        time.sleep(0.2)
    finally:
        listener.close()
    assert result.returncode == 0, result.output
    assert "connected" not in json.loads(result.output.splitlines()[-1])
    assert listener.connections == 0


def test_outside_addresses_and_dns_fail_fast(sandbox, tmp_path):
    code = (
        "import json, socket, time\n"
        "seen = {}\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=5)\n"
        "    seen['testnet'] = 'connected'\n"
        "except OSError as e:\n"
        "    seen['testnet'] = e.errno\n"
        "seen['testnet_seconds'] = time.monotonic() - start\n"
        "try:\n"
        "    socket.getaddrinfo('example.com', 80)\n"
        "    seen['dns'] = 'resolved'\n"
        "except OSError as e:\n"
        "    seen['dns'] = type(e).__name__\n"
        "seen['interfaces'] = [line.split(':')[0].strip()\n"
        "                      for line in open('/proc/net/dev') if ':' in line]\n"
        "try:\n"
        "    socket.if_nameindex()\n"
        "    seen['netlink'] = 'open'\n"
        "except OSError as e:\n"
        "    seen['netlink'] = e.errno\n"
        "print(json.dumps(seen))"
    )
    seen = last_json(run_python(sandbox, code, tmp_path))
    assert seen["testnet"] != "connected"
    assert seen["testnet_seconds"] < 1.0  # no route: refused at once, not a timeout
    assert seen["dns"] == "gaierror"
    assert seen["interfaces"] == ["lo"]
    assert seen["netlink"] == errno.EAFNOSUPPORT  # netlink sockets are filtered (seccomp)


def test_abstract_unix_socket_on_the_host_is_out_of_reach(sandbox, tmp_path):
    name = f"\0hw-grader-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(name)
    server.listen()
    server.settimeout(0.5)
    try:
        code = (
            "import socket\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            "try:\n"
            f"    s.connect({name!r}); print('connected')\n"
            "except OSError as e:\n"
            "    print('refused', e.errno)"
        )
        result = run_python(sandbox, code, tmp_path)
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()
    assert result.output.startswith("refused"), result.output


def test_host_secrets_are_absent(sandbox, tmp_path):
    hidden = tmp_path / "hidden" / "test_labels.csv"
    hidden.parent.mkdir()
    hidden.write_text("cat,dog,cat\n")
    other_student = tmp_path / "submissions" / "bob" / "p1.ipynb"
    other_student.parent.mkdir(parents=True)
    other_student.write_text("{}")
    repo = Path(__file__).resolve().parents[2]
    paths = [
        "/etc/shadow",
        "/root",
        "/home",
        "/var",
        str(repo),
        str(repo / "rubrics"),
        str(repo / "reference"),
        str(hidden),
        str(other_student),
        str(Path.home()),
    ]
    code = (
        "import json, os\n"
        f"paths = {paths!r}\n"
        "readable = []\n"
        "for p in paths:\n"
        "    try:\n"
        "        os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(1)\n"
        "        readable.append(p)\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    import grader\n"
        "    grader_package = grader.__file__\n"
        "except ImportError as error:\n"
        "    grader_package = type(error).__name__\n"
        "print(json.dumps({'readable': readable, 'passwd': open('/etc/passwd').read(),\n"
        "                  'cmdline': open('/proc/cmdline').read(), 'grader': grader_package,\n"
        "                  'pid1 mounts': [open(f'/proc/1/{where}{name}').read()\n"
        "                                  for where in ('', 'task/1/')\n"
        "                                  for name in ('mountinfo', 'mounts')]}))"
    )
    seen = last_json(run_python(sandbox, code, tmp_path))
    assert seen["readable"] == []
    assert "root:" not in seen["passwd"]  # a synthetic /etc/passwd, not the host's
    assert Path("/proc/cmdline").read_text().strip()  # the host's says how it booted
    assert seen["cmdline"] == ""  # the sandbox's says nothing
    assert seen["grader"] == "ModuleNotFoundError"  # no written-part solver to import
    # The driver's mount table is masked, also through its thread (issue #19).
    assert seen["pid1 mounts"] == ["", "", "", ""]
    assert hidden.read_text() == "cat,dog,cat\n"


def test_read_only_mount_is_visible_but_not_writable(sandbox, tmp_path, public_dir, digest):
    data = public_dir / "data"
    data.mkdir()
    (data / "train.csv").write_text("x,y\n1,2\n")
    # World-writable on the host: only the read-only mount stands in the way.
    (data / "train.csv").chmod(0o666)
    data.chmod(0o777)
    before = digest(data / "train.csv")
    code = (
        "import json\n"
        "seen = {'read': open('/data/train.csv').read()}\n"
        "for target in ('/data/train.csv', '/data/new.csv'):\n"
        "    try:\n"
        "        open(target, 'a').write('forged')\n"
        "        seen[target] = 'written'\n"
        "    except OSError as e:\n"
        "        seen[target] = e.strerror\n"
        "print(json.dumps(seen))"
    )
    mount = ReadOnlyMount(host=data, inside="/data")
    seen = last_json(run_python(sandbox, code, tmp_path, mounts=(mount,)))
    assert seen["read"] == "x,y\n1,2\n"
    assert seen["/data/train.csv"] == seen["/data/new.csv"] == "Read-only file system"
    assert digest(data / "train.csv") == before
    assert sorted(p.name for p in data.iterdir()) == ["train.csv"]


def test_kernel_env_and_system_cannot_be_tampered_with(sandbox, tmp_path, digest):
    site = Path(sandbox.site_packages()[0])
    watched = [
        sandbox.kernel_env / "pyvenv.cfg",
        site / "numpy" / "__init__.py",
        site / "matplotlib" / "__init__.py",
    ]
    before = {path: digest(path) for path in watched}
    targets = [str(path) for path in watched] + [
        str(site / "sitecustomize.py"),
        "/usr/bin/evil",
        "/evil",
        "/etc/evil",
        "/dev/evil",
    ]
    code = (
        "import json, os\n"
        f"targets = {targets!r}\n"
        "results = {}\n"
        "for t in targets:\n"
        "    try:\n"
        "        open(t, 'a').write('import os; os.system(\"id\")')\n"
        "        results[t] = 'written'\n"
        "    except OSError as e:\n"
        "        results[t] = e.strerror\n"
        f"for op in (lambda: os.chmod({str(watched[1])!r}, 0o777), lambda: os.rename({str(watched[1])!r}, '/work/x')):\n"
        "    try:\n"
        "        op(); results[str(op)] = 'done'\n"
        "    except OSError as e:\n"
        "        results[str(op)] = e.strerror\n"
        "print(json.dumps(results))"
    )
    results = last_json(run_python(sandbox, code, tmp_path))
    assert "written" not in results.values() and "done" not in results.values(), results
    assert {path: digest(path) for path in watched} == before
    assert not (site / "sitecustomize.py").exists()


def test_driver_cannot_be_killed_or_inspected_from_inside(sandbox, tmp_path):
    code = (
        "import json, os, signal\n"
        "seen = {'ppid': os.getppid()}\n"
        "for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):\n"
        "    try:\n"
        "        os.kill(1, sig)\n"
        "    except OSError as e:\n"
        "        seen[sig.name] = e.strerror\n"
        "try:\n"
        "    seen['driver_fds'] = os.listdir('/proc/1/fd')\n"
        "except OSError as e:\n"
        "    seen['driver_fds'] = e.strerror\n"
        "try:\n"
        "    os.kill(-1, signal.SIGKILL)  # all it may signal: PID 1 is exempt, itself too\n"
        "except OSError as e:\n"
        "    seen['kill_all'] = e.strerror\n"
        "open('survived.txt', 'w').write('yes')\n"
        "print(json.dumps(seen))\n"
    )
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("survived.txt",)), tmp_path / "out"
    )
    seen = last_json(result)
    assert seen["ppid"] == 1
    assert seen["driver_fds"] == "Permission denied"
    assert seen["kill_all"] == "No such process"
    assert result.collected["survived.txt"].read_text() == "yes"


def test_no_controlling_terminal_for_tiocsti(sandbox, tmp_path):
    code = (
        "import fcntl, termios\n"
        "try:\n"
        "    tty = open('/dev/tty', 'wb')\n"
        "    fcntl.ioctl(tty, termios.TIOCSTI, b'x')\n"
        "    print('injected')\n"
        "except OSError as e:\n"
        "    print('refused', e.strerror)"
    )
    result = run_python(sandbox, code, tmp_path)
    assert result.output.startswith("refused"), result.output


@pytest.mark.skipif(
    shutil.which("fc-list") is None, reason="fontconfig is not installed on this host"
)
def test_fontconfig_works_for_matplotlib(sandbox, tmp_path):
    result = sandbox.run(SandboxRequest(argv=("sh", "-c", "fc-list > /dev/null")), tmp_path / "out")
    assert (result.returncode, result.output) == (0, "")


def test_no_new_user_namespaces_inside(sandbox, tmp_path):
    """--disable-userns: no nested namespace in which the payload could regain capabilities."""
    result = sandbox.run(
        SandboxRequest(argv=("sh", "-c", "unshare --user --map-root-user id -u 2>&1; echo rc=$?")),
        tmp_path / "out",
    )
    assert result.output.splitlines()[-1] != "rc=0", result.output
    assert "0\n" not in result.output
