"""Benchmark: grade 1,000 generated written submissions end to end (read, score, store, report).

Prints submissions/s and peak memory. Goal on a 2-core machine: 1,000 in under 10 s.
    .venv/bin/python benchmarks/bench_written.py [--count 1000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from written_corpus import write_corpus

from grader.pipeline import GradeOptions, grade_submissions
from grader.reference import compute_key, load_parameters
from grader.rubric import load_rubric
from grader.storage import Gradebook, open_gradebook

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    rubric = load_rubric(ROOT / "rubrics" / "hw4.toml")
    keys = compute_key(load_parameters(rubric.parameters_path))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_corpus(tmp_path / "submissions", args.count, keys)
        started = time.perf_counter()
        gradebook = Gradebook(open_gradebook(tmp_path / "grades.sqlite"))
        summary = grade_submissions(
            tmp_path / "submissions",
            rubric=rubric,
            gradebook=gradebook,
            reports_dir=tmp_path / "reports",
            options=GradeOptions(only="written"),
        )
        elapsed = time.perf_counter() - started
        reports = len(summary.report_paths)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"graded {summary.students} submissions (DB + {reports} report files) in {elapsed:.2f} s")
    print(f"throughput: {summary.students / elapsed:.0f} submissions/s")
    print(f"peak memory (max RSS of this process): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
