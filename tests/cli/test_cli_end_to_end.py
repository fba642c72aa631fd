"""The installed `grader` command end to end, as a subprocess: grade, export, report, exit codes."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.data import write_synthetic_data
from tests.homeworks import HW4_DATASETS

pytestmark = pytest.mark.slow  # each `grader` subprocess imports the whole grader (~1.5 s)

GRADER = str(Path(sys.executable).parent / "grader")


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRADER, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def test_grade_samples_export_and_report(tmp_path):
    for name in ("submissions", "rubrics", "reference"):
        shutil.copytree(name, tmp_path / name)
    graded = run(
        "grade",
        "submissions",
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        "grades.sqlite",
        "--reports",
        "reports",
        "--only",
        "written",
        cwd=tmp_path,
    )
    assert graded.returncode == 1, graded.stderr  # erin, frank and grace need a person
    samples = sum(1 for path in Path("submissions").iterdir() if path.is_dir())
    assert f"Run 1: {samples} students graded" in graded.stdout
    assert "3 submission(s) need attention" in graded.stdout
    assert (tmp_path / "reports" / "index.html").exists()

    exported = run("export", "--db", "grades.sqlite", "--format", "json", cwd=tmp_path)
    assert exported.returncode == 0
    students = {s["student"]: s for s in json.loads(exported.stdout)["students"]}
    assert students["alice"]["total"] == 63 and students["alice"]["max_total"] == 100

    override = run(
        "override",
        "alice",
        "q19",
        "2",
        "--reason",
        "interpretation is implied",
        "--db",
        "grades.sqlite",
        cwd=tmp_path,
    )
    assert override.returncode == 0, override.stderr
    regraded = run(
        "grade",
        "submissions",
        "--db",
        "grades.sqlite",
        "--student",
        "alice",
        "--no-reports",
        "--only",
        "written",
        cwd=tmp_path,
    )
    assert regraded.returncode == 0, regraded.stderr
    # No --rubric: the rubric of record, said in one line.
    assert "note: grading with rubrics/hw4.toml, the rubric of assignment 'hw4'" in regraded.stderr
    after = json.loads(
        run("export", "--db", "grades.sqlite", "--format", "json", cwd=tmp_path).stdout
    )
    alice = next(s for s in after["students"] if s["student"] == "alice")
    assert alice["total"] == 62  # the override survived the regrade

    report = run("report", "alice", "--db", "grades.sqlite", cwd=tmp_path)
    assert report.returncode == 0 and "interpretation is implied" in report.stdout


def test_configuration_error_exit_2(tmp_path):
    result = run("grade", "nowhere", "--db", str(tmp_path / "g.sqlite"), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: nowhere: no such folder (fix: pass the folder holding one sub-folder per student)"
    )


def test_grade_uses_the_kernel_env_variable(tmp_path):
    """`make grade KERNEL_ENV=/x` exports HW_GRADER_KERNEL_ENV=/x: the run must use /x, not the
    default (the notebook part is refused, and says which kernel environment it looked for)."""
    data = write_synthetic_data(tmp_path / "data", datasets=HW4_DATASETS, scale="tiny", seed=1)
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    env = {**os.environ, "HW_GRADER_KERNEL_ENV": str(tmp_path / "some" / "where")}
    graded = run(
        "grade", str(tmp_path / "subs"), "--only", "notebooks", "--data", str(data),
        "--db", str(tmp_path / "g.sqlite"), "--no-reports", "--rubric",
        str(Path("rubrics/hw4.toml").resolve()), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert graded.returncode == 1, graded.stderr
    exported = run("export", "--db", str(tmp_path / "g.sqlite"), "--format", "json",
                   "--rubric", str(Path("rubrics/hw4.toml").resolve()), cwd=tmp_path)  # fmt: skip
    [ann] = json.loads(exported.stdout)["students"]
    feedback = {q["feedback"] for q in ann["questions"]}
    assert feedback == {
        "notebooks were not run: the sandbox is unavailable: the kernel environment "
        f"{tmp_path / 'some' / 'where'} is missing (fix: run `make kernel-env` as root "
        "(it builds the kernel environment world-readable))"
    }
