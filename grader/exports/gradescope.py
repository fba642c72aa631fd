"""`gradescope`: an autograder `results.json` per student (one test per question, with the rubric's
visibility), written under --out FOLDER as <student>/results.json.

Must not write files (the CLI does) or include student answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader.exports.common import ExportFormat, ExportOutput, ExportRequest
from grader.results import Status, StudentGrades
from grader.rubric.catalogue import QuestionCatalogue


def gradescope_results(
    all_grades: Sequence[StudentGrades], questions: QuestionCatalogue
) -> dict[str, str]:
    """One Gradescope autograder results.json per student id: a test per question with its
    name, score, max_score, visibility (the rubric's, e.g. hidden checks stay hidden) and
    output (feedback and status)."""
    results: dict[str, str] = {}
    for grades in all_grades:
        if not grades.submitted:  # no submission: no results.json, rather than a real 0
            continue
        tests: list[dict[str, Any]] = []
        for number, question in enumerate(
            sorted(grades.questions, key=lambda q: questions.order_key(q.question_id)), start=1
        ):
            info = questions.describe(question.question_id)
            output = question.feedback
            if question.status is not Status.GRADED:
                output = f"[{question.status.value}] {output}".strip()
            tests.append(
                {
                    "name": f"{question.question_id}: {info.title}"
                    if info.title
                    else question.question_id,
                    "number": str(number),
                    "score": question.points,
                    "max_score": question.max_points,
                    "visibility": info.visibility,
                    "output": output,
                }
            )
        if grades.late is not None and grades.late.is_late:
            tests.append(
                {
                    "name": "Late penalty",
                    "number": str(len(tests) + 1),
                    "score": -grades.late_penalty,
                    "max_score": 0,
                    "visibility": "visible",
                    "output": grades.late.words,
                }
            )
        waiting = sum(1 for q in grades.questions if q.status is Status.NEEDS_REVIEW)
        document = {
            "score": grades.total,
            "output": (
                f"{waiting} answer(s) await a person; the score may change."
                if waiting
                else "All answers graded."
            ),
            "visibility": "visible",
            "tests": tests,
        }
        results[grades.student_id] = (
            json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        )
    return results


def _export(request: ExportRequest) -> ExportOutput:
    return ExportOutput(files=gradescope_results(request.grades, request.catalogue))


FORMAT = ExportFormat(
    "gradescope",
    "an autograder results.json per student (needs --out FOLDER)",
    _export,
    one_file_per_student=True,
)
