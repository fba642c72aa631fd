"""Benchmark: the review service over 500 generated students (written part graded and stored).

Prints the queue page time (first page, and one question), one decision's round trip
(answer page, save, the redirect to the next answer), and one group decision over
100 answers. Goal: a queue page in under 200 ms.
    .venv/bin/python benchmarks/bench_review.py [--count 500]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from starlette.testclient import TestClient
from written_corpus import write_corpus

from grader.pipeline import GradeOptions, grade_submissions
from grader.reference import compute_key, load_parameters
from grader.rubric import load_rubric
from grader.service.review import review_page
from grader.storage import Gradebook, open_gradebook
from grader.web import ReviewConfig, create_app

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "hw4.toml"


def timed(call: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `call` in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    rubric = load_rubric(RUBRIC)
    keys = compute_key(load_parameters(rubric.parameters_path))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        write_corpus(base / "subs", args.count, keys)
        db = base / "grades.sqlite"
        grade_submissions(
            base / "subs",
            rubric=rubric,
            gradebook=Gradebook(open_gradebook(db)),
            reports_dir=None,
            options=GradeOptions(only="written"),
        )
        client = TestClient(create_app(ReviewConfig(db=db, rubric=RUBRIC, reviewer="bench")))
        queue = review_page(db, rubric=RUBRIC)
        print(f"{args.count} students, {queue.total} answers waiting in the queue")
        started = time.perf_counter()
        assert client.get("/queue").status_code == 200
        cold = (time.perf_counter() - started) * 1000
        print(f"GET /queue, first request (reads the whole gradebook): {cold:.0f} ms")
        for url in ("/queue", "/queue?question=q4", "/queue?question=q4&page=3"):
            assert client.get(url).status_code == 200
            print(f"GET {url}: {timed(lambda u=url: client.get(u)):.0f} ms (median of 5)")

        def one_decision() -> None:
            first = re.search(
                r'<tr class="item"[^>]*>\s*<td><a href="([^"]+)"', client.get("/queue").text
            )
            assert first
            answer_url = first.group(1)
            page = client.get(answer_url).text
            version = re.search(r'name="version" value="([^"]+)"', page)
            assert version
            saved = client.post(
                f"{answer_url}/decide",
                data={"points": "0", "reason": "bench", "version": version.group(1)},
            )
            assert saved.status_code == 200, saved.text[:300]

        print(
            "one decision (queue page + answer page + save + next answer): "
            f"{timed(one_decision):.0f} ms (median of 5)"
        )
        groups = [g for g in review_page(db, rubric=RUBRIC).groups if g.size >= 100]
        if not groups:
            print("no group of 100 answers in this corpus; group decision not measured")
            return
        group = groups[0]
        started = time.perf_counter()
        response = client.post(
            "/groups/accept",
            data={"question": group.question_id, "group": group.group, "reason": "bench"},
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        print(f"group decision over {group.size} answers ({group.question_id}): {elapsed:.0f} ms")


if __name__ == "__main__":
    main()
