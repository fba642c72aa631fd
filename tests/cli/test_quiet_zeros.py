"""Grades lost or changed without a word (issue #19), as course staff met them at the command
line: each ends in the attention list (exit 1) or is refused in one line (exit 2)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app
from grader.data import write_synthetic_data
from tests.fixtures.written_answers import marked_answers
from tests.homeworks import HW4_DATASETS, HW4_RUBRIC

runner = CliRunner()


@pytest.fixture(scope="module")
def readable_root():
    root = Path(tempfile.mkdtemp(prefix="hw-grader-quiet-"))
    root.chmod(0o755)  # the sandbox uid must traverse it to mount the training data
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _student(root: Path, name: str, notebook: bytes | None) -> None:
    folder = root / "subs" / name
    folder.mkdir(parents=True)
    (folder / "written.md").write_text(marked_answers({1: "45 45\n54 54"}), encoding="utf-8")
    if notebook is not None:
        (folder / "p1_cats_dogs.ipynb").write_bytes(notebook)


@pytest.mark.sandbox
def test_a_notebook_that_is_not_json_is_in_the_attention_list(readable_root):
    data = write_synthetic_data(readable_root / "data", datasets=HW4_DATASETS, scale="tiny")
    _student(readable_root, "broken", b"{ not json")
    result = runner.invoke(
        app,
        ["grade", str(readable_root / "subs"), "--rubric", str(HW4_RUBRIC), "--db",
         str(readable_root / "g.sqlite"), "--data", str(data), "--only", "notebooks",
         "--no-reports", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "1 submission(s) need attention" in result.stdout
    exported = runner.invoke(
        app, ["export", "--db", str(readable_root / "g.sqlite"), "--format", "json"]
    )
    [student] = json.loads(exported.stdout)["students"]
    scratch = next(q for q in student["questions"] if q["id"] == "p1.scratch")
    assert scratch["status"] == "error"
    assert scratch["feedback"].startswith(
        "broken/p1_cats_dogs.ipynb: the notebook cannot be read: not valid JSON"
    )


def test_a_one_student_regrade_without_data_is_refused(tmp_path):
    _student(tmp_path, "alice", None)
    db = tmp_path / "g.sqlite"
    args = ["grade", str(tmp_path / "subs"), "--rubric", str(HW4_RUBRIC), "--db", str(db)]
    first = runner.invoke(app, [*args, "--only", "written", "--no-reports"])
    assert first.exit_code == 0, first.output
    refused = runner.invoke(app, [*args, "--student", "alice", "--no-reports"])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "error: --student alice regrades the notebooks too, but no --data was given: their "
        "stored results would be replaced by errors (fix: pass --data DATA_ROOT, or --only "
        "written to regrade the written part alone)"
    )
    again = runner.invoke(app, [*args, "--student", "alice", "--only", "written", "--no-reports"])
    assert again.exit_code == 0, again.output  # as the README shows it
    finished = runner.invoke(app, [*args, "--resume", "1", "--only", "written", "--no-reports"])
    assert finished.exit_code == 2
    assert finished.stderr.startswith("error: cannot resume run 1: run 1 is finished (fix: ")


def test_scheduler_tls_is_checked_before_anything_is_graded(tmp_path):
    _student(tmp_path, "alice", None)
    args = ["grade", str(tmp_path / "subs"), "--rubric", str(HW4_RUBRIC), "--db",
            str(tmp_path / "g.sqlite"), "--no-reports"]  # fmt: skip
    alone = runner.invoke(app, [*args, "--scheduler-tls", str(tmp_path / "s.toml")])
    assert alone.exit_code == 2
    assert alone.stderr.strip() == (
        "error: --scheduler-tls is for --scheduler (fix: give both, or neither)"
    )
    missing = runner.invoke(
        app,
        [
            *args,
            "--scheduler",
            "tls://127.0.0.1:1",
            "--scheduler-tls",
            str(tmp_path / "s.toml"),
        ],
    )
    assert missing.exit_code == 2
    assert "cannot read the scheduler security file" in missing.stderr
    assert not (tmp_path / "g.sqlite").exists()  # refused before a run was started
    plain = runner.invoke(app, [*args, "--scheduler", "tcp://127.0.0.1:1", "--only", "written"])
    assert plain.exit_code == 0, plain.output  # the written part needs no cluster: no warning
    assert "--scheduler-tls" not in plain.stderr
