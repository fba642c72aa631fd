"""Hostile notebooks that play with files: symlink and hard-link escapes from the work dir,
artifacts that point at the labels, and tampering with the grader, the kernel env or the system."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import PROBE_HELPERS, REPO, reported

TWO_DAYS = 2 * 24 * 3600


def make_artifacts(body: str) -> str:
    return PROBE_HELPERS + "os.makedirs('artifacts', exist_ok=True)\n" + body


@pytest.mark.parametrize(
    ("escape", "problem"),
    [
        pytest.param(
            "os.symlink('/etc/shadow', 'artifacts/p1.scratch.pt')",
            "artifacts/p1.scratch.pt is a symlink: not collected",
            id="symlink-to-etc-shadow",
        ),
        pytest.param(
            "os.symlink(LABELS, 'artifacts/p1.scratch.pt')",
            "artifacts/p1.scratch.pt is a symlink: not collected",
            id="symlink-to-the-labels-cache",
        ),
        pytest.param(
            "os.symlink(HIDDEN + '/cifar10/test_batch', 'artifacts/p1.scratch.pt')",
            "artifacts/p1.scratch.pt is a symlink: not collected",
            id="symlink-to-the-hidden-split",
        ),
        pytest.param(
            "os.symlink('../../../../../../etc/passwd', 'artifacts/p1.scratch.pt')",
            "artifacts/p1.scratch.pt is a symlink: not collected",
            id="relative-symlink-out-of-work",
        ),
        pytest.param(
            "open('model.bin', 'wb').write(b'weights')\n"
            "os.symlink('../model.bin', 'artifacts/p1.scratch.pt')",
            "artifacts/p1.scratch.pt is a symlink: not collected",
            id="symlink-within-work",
        ),
        pytest.param(
            "os.link('p1_cats_dogs.ipynb', 'artifacts/p1.scratch.pt')",
            "artifacts/p1.scratch.pt is a hard link: not collected",
            id="hard-link-within-work",
        ),
        pytest.param(
            "os.rmdir('artifacts')\nos.symlink(os.path.dirname(LABELS), 'artifacts')",
            None,  # a symlinked folder is not walked into: nothing under it is even seen
            id="artifacts-folder-symlinked-to-the-cache",
        ),
    ],
)
def test_symlink_and_hard_link_escapes_are_not_collected_and_are_reported(
    run_notebook, host, data, escape, problem, tmp_path
):
    labels_times = data.labels_cache.stat()
    os.utime(data.labels_cache, (time.time() - TWO_DAYS, labels_times.st_mtime))
    before_run = data.labels_cache.stat().st_atime  # relatime: any read now moves it
    run = run_notebook(
        make_artifacts(
            f"LABELS, HIDDEN = {str(data.labels_cache)!r}, {str(data.hidden)!r}\n{escape}\n"
            "report('ESCAPE', {'made': attempt(lambda: os.listdir('artifacts') and None)})"
        )
    )
    labels_read_at = data.labels_cache.stat().st_atime
    assert run.status == "ok", run.message
    assert reported(run, "ESCAPE") == {"made": "ENOENT" if problem is None else "DONE"}
    assert run.message.startswith("ran 1 of 1 code cells")
    if problem is not None:
        assert run.message.endswith("; " + problem)
    assert run.artifacts == {}
    assert not list((tmp_path / "out").rglob("*.pt"))
    assert labels_read_at == before_run  # the host never opened the labels it was pointed at
    host.assert_clean()


def test_hard_links_to_host_files_cannot_be_made(run_notebook, host, data):
    run = run_notebook(
        make_artifacts(
            f"""
report("LINK", {{
    "/etc/shadow": attempt(lambda: os.link("/etc/shadow", "artifacts/a.pt")),
    "labels cache": attempt(lambda: os.link({str(data.labels_cache)!r}, "artifacts/b.pt")),
    "training data": attempt(lambda: os.link(os.environ["GRADER_DATA"] + "/cifar10/batches.meta",
                                             "artifacts/c.pt")),
    "kernel env": attempt(lambda: os.link(os.__file__, "artifacts/d.pt")),
}})
"""
        )
    )
    assert run.status == "ok", run.message
    assert reported(run, "LINK") == {
        "/etc/shadow": "ENOENT",
        "labels cache": "ENOENT",
        "training data": "EXDEV",  # another mount: a hard link cannot cross it
        "kernel env": "EXDEV",
    }
    assert run.artifacts == {}
    host.assert_clean()


def test_symlinks_in_the_submission_itself_are_not_copied_into_the_sandbox(
    run_notebook, host, data
):
    def plant_symlinks(submission: Path) -> None:
        (submission / "artifacts").mkdir()
        (submission / "secret").symlink_to("/etc/shadow")
        (submission / "artifacts" / "p1.scratch.pt").symlink_to(data.labels_cache)
        (submission / "hidden").symlink_to(data.hidden, target_is_directory=True)

    run = run_notebook(
        PROBE_HELPERS + "report('PLANTED', {name: os.path.lexists(name) for name in"
        " ('secret', 'hidden', 'artifacts/p1.scratch.pt', 'artifacts')})",
        prepare=plant_symlinks,
    )
    assert run.status == "ok", run.message
    assert reported(run, "PLANTED") == {
        "secret": False,
        "hidden": False,
        "artifacts/p1.scratch.pt": False,
        "artifacts": True,  # the real folder is copied, empty
    }
    assert run.artifacts == {}
    host.assert_clean()


def test_tampering_with_the_grader_the_kernel_env_and_the_system_fails(
    run_notebook, host, kernel_env, data
):
    site_packages = next(kernel_env.glob("lib/python3*/site-packages"))
    created = [
        site_packages / "evil.pth",
        site_packages / "numpy" / "evil.py",
        Path("/usr/bin/evil"),
    ]
    run = run_notebook(
        PROBE_HELPERS
        + f"""
import sys, numpy

def append(path):
    with open(path, "a") as out:
        out.write("import os; os.system('touch /tmp/pwned')\\n")

report("TAMPER", {{
    "kernel env pyvenv.cfg": attempt(lambda: append(sys.prefix + "/pyvenv.cfg")),
    "kernel env python": attempt(lambda: append(sys.prefix + "/bin/python")),
    "installed numpy": attempt(lambda: append(numpy.__file__)),
    "remove numpy": attempt(lambda: os.remove(numpy.__file__)),
    "new .pth in site-packages": attempt(lambda: append({str(created[0])!r})),
    "new module in numpy": attempt(lambda: append({str(created[1])!r})),
    "chmod the kernel env": attempt(lambda: os.chmod(sys.prefix, 0o777)),
    "/usr/lib/python3.11/os.py": attempt(lambda: append("/usr/lib/python3.11/os.py")),
    "new /usr/bin/evil": attempt(lambda: append({str(created[2])!r})),
    "/etc/passwd": attempt(lambda: append("/etc/passwd")),
    "sandbox driver": attempt(lambda: append("/run/grader/driver.zip")),
    "training data": attempt(lambda: append(os.environ["GRADER_DATA"] + "/cifar10/batches.meta")),
    "repo grader": attempt(lambda: append({str(REPO / "grader" / "__init__.py")!r})),
    "repo rubric": attempt(lambda: append({str(REPO / "rubrics" / "hw4.toml")!r})),
}})
""",
    )
    assert run.status == "ok", run.message
    denied = {"EACCES", "EROFS", "EPERM", "ENOENT"}
    seen = reported(run, "TAMPER")
    assert len(seen) == 14
    assert {name: found for name, found in seen.items() if found not in denied} == {}
    assert seen["repo grader"] == seen["repo rubric"] == "ENOENT"  # the repository is not there
    assert [path for path in created if path.exists()] == []
    host.assert_clean()


def test_amplifying_artifacts_cost_the_host_nothing_and_spoil_nothing(run_notebook, host, tmp_path):
    # A sparse "model" of 48 MiB of holes, a folder named like a model holding 20 MiB, and a
    # model with an unsafe name (its 20 MiB used to be streamed out, then thrown away): each
    # is refused on its own, at no cost, and the real model still comes out. (A name too long
    # for a frame header needs `**`: tests/sandbox/test_sandbox_transfer.py.)
    run = run_notebook(
        make_artifacts(
            """
with open("artifacts/p1.sparse.pt", "wb") as f:
    f.truncate(48 * 2**20)
os.makedirs("artifacts/p1.folder.pt/inner")
for index in range(20):
    open(f"artifacts/p1.folder.pt/inner/{index}.bin", "wb").write(bytes(2**20))
open("artifacts/" + chr(1) * 200 + ".pt", "wb").write(bytes(20 * 2**20))
open("artifacts/p2.pt", "wb").write(b"the real model")
"""
        )
    )
    assert run.status == "ok", run.message
    unsafe = "artifacts/" + "?" * 190 + "..."
    assert run.message.endswith(
        f"; {unsafe}: not collected (has an unsafe name (has control characters))"
        "; artifacts/p1.sparse.pt: not collected (a sparse file: 50331648 bytes of which 0 are"
        " written)"
    ), run.message
    assert sorted(run.artifacts) == ["p2"]
    assert run.artifacts["p2"].read_bytes() == b"the real model"
    out_bytes = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert out_bytes < 1 * 2**20
    host.assert_clean()


def test_a_700000_cell_notebook_is_refused_on_the_host_and_never_run(run_notebook, host):
    def replace_with_huge_notebook(submission: Path) -> None:
        cell = b'{"cell_type":"code","metadata":{},"outputs":[],"source":"import os"}'
        (submission / "p1_cats_dogs.ipynb").write_bytes(
            b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":['
            + b",".join([cell] * 700_000)
            + b"]}"
        )

    run = run_notebook("print('replaced')", prepare=replace_with_huge_notebook)
    assert run.status == "unreadable"
    assert run.message.startswith("the notebook is too large to check: 4,200,004 JSON strings")
    assert run.executed_notebook is None and run.wall_seconds == 0.0  # no sandbox was started
    host.assert_clean()
