"""The installed `grader` command end to end, as a subprocess: grade, export, report, exit codes."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

GRADER = str(Path(sys.executable).parent / "grader")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GRADER, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_grade_samples_export_and_report(tmp_path):
    for name in ("submissions", "rubrics", "reference"):
        shutil.copytree(name, tmp_path / name)
    graded = run(
        "grade",
        "submissions",
        "--db",
        "grades.sqlite",
        "--reports",
        "reports",
        "--only",
        "written",
        cwd=tmp_path,
    )
    assert graded.returncode == 1, graded.stderr  # erin and frank need a person
    assert "Run 1: 7 students graded" in graded.stdout
    assert "2 submission(s) need attention" in graded.stdout
    assert (tmp_path / "reports" / "index.html").exists()

    exported = run("export", "--db", "grades.sqlite", "--format", "json", cwd=tmp_path)
    assert exported.returncode == 0
    students = {s["student"]: s for s in json.loads(exported.stdout)["students"]}
    assert students["alice"]["total"] == 62 and students["alice"]["max_total"] == 63

    override = run(
        "override",
        "alice",
        "q19",
        "3",
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
    assert regraded.returncode == 0
    after = json.loads(
        run("export", "--db", "grades.sqlite", "--format", "json", cwd=tmp_path).stdout
    )
    alice = next(s for s in after["students"] if s["student"] == "alice")
    assert alice["total"] == 63  # the override survived the regrade

    report = run("report", "alice", "--db", "grades.sqlite", cwd=tmp_path)
    assert report.returncode == 0 and "interpretation is implied" in report.stdout


def test_configuration_error_exit_2(tmp_path):
    result = run("grade", "nowhere", "--db", str(tmp_path / "g.sqlite"), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: nowhere: no such folder (fix: pass the folder holding one sub-folder per student)"
    )
