"""Benchmark: re-score 500 students, all parts, after a rubric change (`grader rescore`).

Grades generated written submissions once (not timed), adds stored notebook
measurements for every model question, then times a dry run and a stored re-score
with a rubric whose q7 and p1.scratch changed. Goal on a 2-core machine: under 5 s.
    .venv/bin/python benchmarks/bench_rescore.py [--count 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from written_corpus import write_corpus

from grader.pipeline import GradeOptions, grade_submissions
from grader.reference import compute_key, load_parameters
from grader.results import Part, QuestionResult, Status, SubmissionResult
from grader.rubric import Rubric, load_rubric
from grader.service.rescoring import rescore
from grader.storage import Gradebook, open_gradebook

ROOT = Path(__file__).resolve().parents[1]


def _changed_rubric(out: Path) -> Path:
    text = (ROOT / "rubrics" / "hw4.toml").read_text(encoding="utf-8")
    text = text.replace(
        'parameters = "../reference/hw4/parameters.toml"',
        f'parameters = "{ROOT / "reference/hw4/parameters.toml"}"',
    )
    text = text.replace("total_points = 100", "total_points = 101")
    text = text.replace(
        'kind = "shape"\npoints = 2\nkey = "q7"', 'kind = "shape"\npoints = 3\nkey = "q7"'
    )
    text = text.replace(
        "thresholds.synthetic = { full_at = 0.85, zero_at = 0.60 }",
        "thresholds.synthetic = { full_at = 0.80, zero_at = 0.60 }",
        1,
    )
    out.write_text(text, encoding="utf-8")
    return out


def _notebook_part(student_id: str, rubric: Rubric) -> SubmissionResult:
    results: list[QuestionResult] = []
    for qid, question in rubric.models.items():
        if question.kind == "figures":
            details = {"figures": 2, "flags": []}
        else:
            details = {
                "accuracy": 0.8, "threshold": 0.85, "zero_at": 0.6, "dataset": "synthetic",
                "flags": [], "structure": {"required": "x", "passed": True, "message": "ok"},
            }  # fmt: skip
        results.append(QuestionResult(qid, 1.0, question.points, Status.GRADED, details=details))
    return SubmissionResult(student_id, Part.NOTEBOOKS, f"{student_id}/", None, tuple(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    rubric = load_rubric(ROOT / "rubrics" / "hw4.toml")
    keys = compute_key(load_parameters(rubric.parameters_path))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_corpus(tmp_path / "submissions", args.count, keys)
        db = tmp_path / "grades.sqlite"
        gradebook = Gradebook(open_gradebook(db))
        summary = grade_submissions(
            tmp_path / "submissions", rubric=rubric, gradebook=gradebook, reports_dir=None,
            options=GradeOptions(only="written"),
        )  # fmt: skip
        gradebook.record_submissions(
            summary.run_id, [_notebook_part(sid, rubric) for sid in summary.points]
        )
        changed = _changed_rubric(tmp_path / "changed.toml")
        started = time.perf_counter()
        dry = rescore(db, rubric=changed, dry_run=True)
        dry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stored = rescore(db, rubric=changed)
        stored_seconds = time.perf_counter() - started
    print(f"students: {stored.students} (written + notebooks, 29 questions each)")
    print(f"dry run: {dry_seconds:.2f} s ({len(dry.changes)} students change)")
    print(f"re-score stored as run {stored.run_id}: {stored_seconds:.2f} s")


if __name__ == "__main__":
    main()
