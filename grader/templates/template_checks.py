"""`grader check-template`: prove an assignment template sound before it is released.

Each check returns a `CheckResult` whose failures are one line each, naming
the file and the fix. Checks: the rubric against the assignment's question
list; the key and the written solution; the solution notebooks executed in
the sandbox on synthetic data (full marks, thresholds included); the
student release (runs up to the stubs, scores zero, leaks nothing); a
sample of per-student variants. Never writes outside temporary folders.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.kinds.table import kind_of
from grader.pipeline.notebook_batch import NotebookOptions
from grader.reading import read_written_file
from grader.reference import compute_key
from grader.reference.answer_key import QuestionKey, keys_as_json
from grader.rubric import load_rubric
from grader.rubric.model import Rubric
from grader.scoring.answer_grader import AnswerGrader
from grader.templates.check_results import CheckResult
from grader.templates.manifest import Template, load_template
from grader.templates.notebook_checks import grade_notebook_set
from grader.templates.release import build_release, find_leaks
from grader.templates.variants import degenerate_reason, variant_parameters

CHECK_NAMES = ("rubric", "written-solution", "solution-notebooks", "student-release", "variants")
STUB_ERROR = "NotImplementedError"


@dataclass(frozen=True)
class CheckOptions:
    """Which checks run and how the notebooks run (fast settings come from the caller)."""

    checks: tuple[str, ...] = CHECK_NAMES
    notebooks: NotebookOptions = field(default_factory=NotebookOptions)
    variant_sample: tuple[str, ...] = ("sample-student-1", "sample-student-2", "sample-student-3")


def _timed(name: str, description: str, run: Callable[[], list[str]]) -> CheckResult:
    started = time.perf_counter()
    try:
        failures = run()
    except GraderError as exc:
        failures = [exc.one_line()]
    return CheckResult(name, description, tuple(failures), round(time.perf_counter() - started, 2))


def check_rubric(template: Template) -> list[str]:
    """The rubric loads (points add up) and covers exactly the assignment's questions."""
    rubric = load_rubric(template.rubric_path)
    failures = []
    listed = set(template.written_questions) | set(template.notebook_questions)
    graded = set(rubric.questions) | set(rubric.models)
    for question in sorted(listed - graded):
        table = "questions" if question.startswith("q") else "models"
        failures.append(
            f"{template.rubric_path}: question {question} is in the assignment but has no rubric entry "
            f"(fix: add [{table}.{question}] or remove it from {template.manifest_path.name})"
        )
    for question in sorted(graded - listed):
        failures.append(
            f"{template.rubric_path}: question {question} is graded but not in the assignment "
            f"(fix: add it to [questions] in {template.manifest_path} or remove it from the rubric)"
        )
    return failures


def _full_marks_failures(grader: AnswerGrader, answers: dict[str, str], source: Path) -> list[str]:
    failures = []
    for result in grader.grade_all(answers):
        if result.points + 1e-9 >= result.max_points:
            continue
        why = result.diagnosis or result.feedback
        failures.append(
            f"{source}: {result.question_id} grades {result.points:g}/{result.max_points:g} ({why}) "
            "(fix: correct the solution, or the parameters if the key is wrong)"
        )
    return failures


def check_written_solution(template: Template) -> list[str]:
    """The key recomputes from the parameters (the same twice, so the course's reference code is
    deterministic), and the written solution earns every point."""
    rubric = load_rubric(template.rubric_path)
    keys = rubric.keys
    again = load_rubric(template.rubric_path).keys  # a fresh load runs the reference code anew
    failures = [
        f"{template.parameters_path}: the key of {qid} changes from one computation to the next "
        "(fix: make the computation deterministic: no randomness, no clock, no files)"
        for qid, key in keys.items()
        if keys_as_json({qid: key}) != keys_as_json({qid: again[qid]})
    ]
    document = read_written_file(template.written_solution_path)
    grader = AnswerGrader(rubric, keys)
    return failures + _full_marks_failures(
        grader, grader.split_answers(document.text), template.written_solution_path
    )


def _notebook_failures(template: Template, rubric: Rubric, options: NotebookOptions) -> list[str]:
    grades = grade_notebook_set(
        template.notebook_paths, rubric=rubric, options=options, label="solution"
    )
    failures = list(grades.problems)
    for result in grades.results:
        if result.points + 1e-9 < result.max_points:
            model = rubric.models[result.question_id]
            value = result.details.get("value", result.details.get("accuracy"))
            words = result.details.get("measure") or "accuracy"
            measured = f", {words} {value}" if value is not None else ""
            failures.append(
                f"{template.root / model.notebook}: {result.question_id} scores "
                f"{result.points:g}/{result.max_points:g}{measured}: {result.feedback} "
                "(fix: make the solution reach the rubric's thresholds, or adjust them)"
            )
    return list(dict.fromkeys(failures))


NO_NOTEBOOKS = "the template has no notebooks (a written-only homework)"


def check_solution_notebooks(template: Template, options: NotebookOptions) -> list[str]:
    """The master notebooks, run in the sandbox on the data, earn every notebook point."""
    return _notebook_failures(template, load_rubric(template.rubric_path), options)


def check_student_release(template: Template, options: NotebookOptions) -> list[str]:
    """The built release runs up to its stubs, scores zero on model checks, and leaks nothing."""
    rubric = load_rubric(template.rubric_path)
    with tempfile.TemporaryDirectory(prefix="check-release-") as scratch:
        build = build_release(template, Path(scratch) / "build")
        failures = [leak.one_line() for leak in find_leaks(build.student_dir, template)]
        released = [build.student_dir / path.name for path in template.notebook_paths]
        grades = grade_notebook_set(released, rubric=rubric, options=options, label="release")
    if not grades.runs:  # nothing ran: no data, no sandbox…
        failures.extend(grades.problems)
    for run in grades.runs:
        if run.status == "ok" or (run.status == "error" and run.error_name == STUB_ERROR):
            continue
        failures.append(
            f"{template.root / run.notebook}: the student release fails before its first stub: "
            f"{run.message} (fix: the given code must run; only stubs may raise {STUB_ERROR})"
        )
    for result in grades.results:
        if result.points > 0:
            failures.append(
                f"{template.rubric_path}: {result.question_id} gives {result.points:g} points to the "
                "unsolved release (fix: raise its threshold or stub more of the solution)"
            )
    return failures


def render_answers(rubric: Rubric, keys: dict[str, QuestionKey]) -> str:
    """A written answer sheet for the computed questions, each written as its kind reads it."""
    parts = []
    for question_id, question in rubric.questions.items():
        kind = kind_of(question.kind)
        if not kind.computed:
            continue
        body = kind.answer_text(keys[question.key], question)  # type: ignore[attr-defined]
        parts.append(f"Q{rubric.catalogue[question_id].sheet_number}\n{body}\n")
    return "\n".join(parts)


def check_variants(template: Template, sample: Sequence[str]) -> list[str]:
    """A sample of variants: valid, not degenerate, same shapes, and their own key grades full marks."""
    if template.variants is None:
        return []
    rubric = load_rubric(template.rubric_path)
    canonical = rubric.parameters
    canonical_keys = rubric.keys
    grader = AnswerGrader(rubric, canonical_keys)
    failures = []
    for student_id in sample:
        parameters = variant_parameters(
            canonical, student_id, template_id=template.id, arrays=template.array_ranges,
            canonical_keys=canonical_keys, reference=rubric.reference,
        )  # fmt: skip
        keys = compute_key(parameters, rubric.reference)
        reason = degenerate_reason(
            parameters, canonical_keys=canonical_keys, drawn=frozenset(template.array_ranges),
            reference=rubric.reference,
        )  # fmt: skip
        if reason:
            failures.append(
                f"{template.manifest_path}: variant for {student_id}: {reason} (fix: widen [variants])"
            )
        for qid, key in keys.items():
            if len(key.accepted) != len(canonical_keys[qid].accepted):
                failures.append(
                    f"{template.parameters_path}: variant for {student_id}: {qid} changes its conventions"
                )
        variant_grader = grader.with_keys(keys)
        answers = variant_grader.split_answers(render_answers(rubric, keys))
        for result in variant_grader.grade_all(answers):
            if (
                kind_of(rubric.questions[result.question_id].kind).computed
                and result.points < result.max_points
            ):
                failures.append(
                    f"{template.manifest_path}: variant for {student_id}: its own key's answer to "
                    f"{result.question_id} grades {result.points:g}/{result.max_points:g} (fix: report this as a grader bug)"
                )
    return failures


def check_template(template_dir: Path, options: CheckOptions = CheckOptions()) -> list[CheckResult]:
    """Run the selected checks; a template that cannot be loaded is one failed check."""
    try:
        template = load_template(template_dir)
    except GraderError as exc:
        return [CheckResult("template", "the template manifest loads", (exc.one_line(),))]
    plan: dict[str, tuple[str, Callable[[], list[str]]]] = {
        "rubric": ("the rubric loads, its points add up, and it covers exactly the assignment's questions",
                   lambda: check_rubric(template)),
        "written-solution": ("the key recomputes from the parameters and the written solution earns full marks",
                             lambda: check_written_solution(template)),
        "solution-notebooks": ("the solution notebooks, run in the sandbox, earn every notebook point",
                               lambda: check_solution_notebooks(template, options.notebooks)),
        "student-release": ("the release runs up to its stubs, scores zero and contains no solution or hidden text",
                            lambda: check_student_release(template, options.notebooks)),
        "variants": ("a sample of per-student variants each have a consistent key",
                     lambda: check_variants(template, options.variant_sample)),
    }  # fmt: skip
    results = []
    for name in CHECK_NAMES:
        description, run = plan[name]
        if name not in options.checks:
            results.append(CheckResult(name, description, skipped="not selected (--checks)"))
            continue
        if name in ("solution-notebooks", "student-release") and not template.notebook_paths:
            results.append(CheckResult(name, description, skipped=NO_NOTEBOOKS))
            continue
        results.append(_timed(name, description, run))
    return results
