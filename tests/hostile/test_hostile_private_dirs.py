"""Data and submissions under a private (mode 0700, root-owned) folder: graded for real.

The sandbox uid cannot traverse such a folder, so the grader opens each mount as
itself and stages it (grader/sandbox/mount_stage.py). The notebook must read its
data, and still must not write there, see the private folder's other contents, or
leave any trace on the host.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.notebooks.execute import execute_notebook
from grader.sandbox.mount_stage import STAGING_DIR
from tests.hostile.conftest import (
    PROBE_HELPERS,
    QUICK_CELL_TIMEOUT,
    QUICK_LIMITS,
    HostileData,
    reported,
    sha256,
    write_notebook,
)


@pytest.fixture
def private_root() -> Iterator[Path]:
    """A `tempfile.mkdtemp()` folder: mode 0700, owned by the grader (root)."""
    root = Path(tempfile.mkdtemp(prefix="hw-grader-private-"))
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    yield root
    shutil.rmtree(root)


PRIVATE_PROBE = """
data = os.environ["GRADER_DATA"]
classes = sorted(os.listdir(os.path.join(data, "cats_vs_dogs", "train")))
first = sorted(os.listdir(os.path.join(data, "cats_vs_dogs", "train", classes[0])))[0]
with open(os.path.join(data, "cats_vs_dogs", "train", classes[0], first), "rb") as image:
    size = len(image.read())
report("PRIVATE", {
    "data": data,
    "classes": ",".join(classes),
    "read an image": size > 0,
    "write into the data": attempt(lambda: open(os.path.join(data, "forged.txt"), "w")),
    "remove from the data": attempt(lambda: os.unlink(os.path.join(data, "cats_vs_dogs", "train", classes[0], first))),
    "the private root": look(PRIVATE),
    "the private secret": look(PRIVATE + "/secret.txt"),
    "the staging folder": look(STAGING),
    "/run": look("/run"),
})
"""


def test_data_and_submission_under_a_mode_0700_folder_are_graded_read_only(
    sandbox, data: HostileData, private_root: Path, host, tmp_path: Path
):
    private_data = private_root / "data"
    shutil.copytree(data.train, private_data)
    (private_root / "secret.txt").write_text("not for students\n")
    submission = private_root / "subs" / "student"
    notebook = write_notebook(
        submission,
        f"PRIVATE, STAGING = {str(private_root)!r}, {STAGING_DIR!r}\n" + PROBE_HELPERS,
        PRIVATE_PROBE,
    )
    watched = {path: sha256(path) for path in (private_data, private_root / "secret.txt")}

    run = execute_notebook(
        notebook,
        submission_dir=submission,
        sandbox=sandbox,
        data_mount=private_data,
        limits=QUICK_LIMITS,
        cell_timeout=QUICK_CELL_TIMEOUT,
        out_dir=tmp_path / "out",
    )

    assert run.status == "ok", run.message
    seen = reported(run, "PRIVATE")
    assert seen == {
        "data": "/data",
        "classes": "cats,dogs",
        "read an image": True,
        "write into the data": "EROFS",
        "remove from the data": "EROFS",
        "the private root": "ENOENT",
        "the private secret": "ENOENT",
        "the staging folder": "ENOENT",
        "/run": "DONE LISTED grader",
    }
    assert {path: sha256(path) for path in watched} == watched
    assert sorted(p.name for p in private_root.iterdir()) == ["data", "secret.txt", "subs"]
    # The staging mounts lived in the helper's own mount namespace: none is left on the host.
    assert STAGING_DIR not in Path("/proc/self/mountinfo").read_text()
    assert list(Path(STAGING_DIR).iterdir()) == []
    host.assert_clean()


def test_a_data_folder_that_is_itself_private_is_refused_with_the_fix(
    sandbox, private_root: Path, tmp_path: Path, host
):
    private_data = private_root / "data"
    private_data.mkdir(mode=0o700)
    submission = private_root / "student"
    notebook = write_notebook(submission, "print('never runs')")

    run = execute_notebook(
        notebook,
        submission_dir=submission,
        sandbox=sandbox,
        data_mount=private_data,
        limits=QUICK_LIMITS,
        cell_timeout=QUICK_CELL_TIMEOUT,
        out_dir=tmp_path / "out",
    )

    assert run.status == "sandbox_error"
    assert run.message == (
        f"not run: {private_data}: cannot mount it at /data: it is mode 0700: the sandbox uid "
        "cannot read it (only the folders above it may be private) (fix: check the path given "
        "for the data; its own top folder must be readable by others (chmod a+rX), the folders "
        "above it may be private)"
    )
    host.assert_clean()


def test_a_symlinked_data_path_is_resolved_once_and_mounted_as_its_target(
    sandbox, data: HostileData, private_root: Path, tmp_path: Path, host
):
    # A symlinked data path given by the grader's user is resolved once, then opened
    # with O_NOFOLLOW: the sandbox sees the real folder, and only that one.
    real = private_root / "real-data"
    shutil.copytree(data.train, real)
    link = private_root / "data"
    link.symlink_to(real)
    submission = private_root / "student"
    notebook = write_notebook(
        submission,
        PROBE_HELPERS + "report('SEEN', {'data': look('/data')})",
    )

    run = execute_notebook(
        notebook,
        submission_dir=submission,
        sandbox=sandbox,
        data_mount=link,
        limits=QUICK_LIMITS,
        cell_timeout=QUICK_CELL_TIMEOUT,
        out_dir=tmp_path / "out",
    )

    assert run.status == "ok", run.message
    assert reported(run, "SEEN") == {
        "data": "DONE LISTED " + ",".join(sorted(p.name for p in real.iterdir()))
    }
    host.assert_clean()
