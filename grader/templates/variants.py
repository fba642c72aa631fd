"""Per-student variants of the written part: a new image I and filter F for each student.

A variant is drawn from a generator seeded with sha256("<template id>:<student id>"),
so the same student always gets the same I and F, on any machine and Python
version. Draws that would make the questions easier or ambiguous are rejected
and redrawn (deterministically, from the same generator). This module writes
the per-student parameters and question sheets; it never grades.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from grader.pipeline.submissions import STUDENT_ID
from grader.reference import AssignmentParameters, QuestionKey, compute_key, load_parameters
from grader.reference.parameters import ArraySpec
from grader.roster import RosterError, load_roster
from grader.templates.errors import TemplateError
from grader.templates.parameters_toml import write_parameters_toml
from grader.templates.question_sheet import load_question_sheet

MAX_DRAWS = 200  # redraws before giving up: a sane range fails < 1 draw in 10
Matrix = tuple[tuple[int, ...], ...]


class VariantTemplate(Protocol):
    """What `write_variants` needs from an assignment template (the manifest)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def parameters_path(self) -> Path: ...
    @property
    def question_sheet_path(self) -> Path: ...
    @property
    def image_values(self) -> tuple[int, int]: ...
    @property
    def filter_values(self) -> tuple[int, int]: ...


def variant_rng(template_id: str, student_id: str) -> random.Random:
    """The student's generator: seeded from a sha256 digest, never from Python's salted hash()."""
    digest = hashlib.sha256(f"{template_id}:{student_id}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _draw_channels(
    rng: random.Random, like: Sequence[Matrix], values: tuple[int, int]
) -> tuple[Matrix, ...]:
    low, high = values
    span = high - low + 1
    # Only random() is guaranteed to give the same sequence across Python versions
    # (randint/randrange are not), so entries are taken from it directly.
    return tuple(
        tuple(tuple(low + int(rng.random() * span) for _ in row) for row in channel)
        for channel in like
    )


def _is_constant(matrix: Sequence[Sequence[object]]) -> bool:
    return len({v for row in matrix for v in row}) <= 1


def degenerate_reason(
    parameters: AssignmentParameters,
    *,
    canonical_keys: Mapping[str, QuestionKey] | None = None,
) -> str | None:
    """Why these parameters would make an easier or ambiguous assignment, or None when they are fine.

    Checked: no filter channel all zeros; image channels distinct; within each
    question, no accepted answer equal to another convention's answer or to a
    known mistake (the feedback could not tell them apart); no constant matrix
    answer; q11-style pooled channels distinct; no two questions with the same
    answer; and (given `canonical_keys`) no answer equal to the canonical one,
    so a shared canonical solution earns nothing.
    """
    names = parameters.image.channel_names or tuple(
        str(i + 1) for i in range(len(parameters.image.values))
    )
    for name, channel in zip(names, parameters.filter.values, strict=True):
        if all(v == 0 for row in channel for v in row):
            return f"filter channel {name} is all zeros"
    for i, first in enumerate(parameters.image.values):
        for j in range(i + 1, len(parameters.image.values)):
            if first == parameters.image.values[j]:
                return f"image channels {names[i]} and {names[j]} are identical"
    keys = compute_key(parameters)
    seen: dict[object, str] = {}  # answer → question that has it
    for qid, key in keys.items():
        for accepted in key.accepted:
            for other in key.accepted:
                if other.convention != accepted.convention and other.value == accepted.value:
                    return f"{qid}: conventions '{accepted.convention}' and '{other.convention}' give the same answer"
            for mistake in key.mistakes:
                if mistake.value == accepted.value:
                    return f"{qid}: the answer equals the known mistake '{mistake.name}'"
            if key.kind == "shape":
                continue  # shapes do not depend on I and F
            if key.kind == "matrix" and _is_constant(accepted.value):
                return f"{qid}: the answer ({accepted.convention}) is a constant matrix"
            if key.kind == "tensor" and len(set(accepted.value)) < len(accepted.value):
                return f"{qid}: two channels of the answer are identical"
            if seen.get(accepted.value, qid) != qid:
                return f"{seen[accepted.value]} and {qid} have the same answer"
            seen[accepted.value] = qid
            canonical = canonical_keys.get(qid) if canonical_keys is not None else None
            if canonical is not None and any(accepted.value == c.value for c in canonical.accepted):
                return f"{qid}: the answer equals the canonical assignment's"
    return None


def _check_range(values: tuple[int, int], what: str, template_id: str) -> None:
    low, high = values
    if low > high:
        raise TemplateError(
            f"template {template_id}: [variants] {what} = [{low}, {high}] is an empty range",
            hint=f"write the smaller bound first, e.g. {what} = [{high}, {low}]",
        )


def variant_parameters(
    canonical: AssignmentParameters,
    student_id: str,
    *,
    template_id: str,
    image_values: tuple[int, int],
    filter_values: tuple[int, int],
    canonical_keys: Mapping[str, QuestionKey] | None = None,
) -> AssignmentParameters:
    """The student's own I and F (same shapes as the canonical ones), with the same questions.

    Deterministic: the same (template, student) always gives the same parameters.
    Pass `canonical_keys` (`compute_key(canonical)`) to save recomputing it per student.
    """
    _check_range(image_values, "image_values", template_id)
    _check_range(filter_values, "filter_values", template_id)
    rng = variant_rng(template_id, student_id)
    if canonical_keys is None:
        canonical_keys = compute_key(canonical)
    reason = "no draw made"
    for _ in range(MAX_DRAWS):
        image = _draw_channels(rng, canonical.image.values, image_values)
        filt = _draw_channels(rng, canonical.filter.values, filter_values)
        try:
            candidate = AssignmentParameters(
                image=ArraySpec(
                    description=f"Image I of student {student_id}, entries {image_values[0]} to {image_values[1]}.",
                    channel_names=canonical.image.channel_names,
                    values=image,
                ),
                filter=ArraySpec(
                    description=f"Filter F of student {student_id}, entries {filter_values[0]} to {filter_values[1]}, one output channel, no bias.",
                    channel_names=canonical.filter.channel_names,
                    values=filt,
                ),
                questions=canonical.questions,
            )
        except ValidationError as exc:  # cannot happen with the canonical shapes; say so if it does
            raise TemplateError(
                f"template {template_id}, student {student_id}: the drawn variant is not valid parameters ({exc.errors()[0]['msg']})",
                hint="check the canonical image and filter shapes",
            ) from None
        reason = degenerate_reason(candidate, canonical_keys=canonical_keys) or ""
        if not reason:
            return candidate
    raise TemplateError(
        f"template {template_id}, student {student_id}: no usable variant in {MAX_DRAWS} draws (last: {reason})",
        hint="widen the [variants] image_values / filter_values ranges",
    )


def read_roster(path: Path) -> list[str]:
    """Student ids from a roster CSV (column `student_id`, `id` or `student`), in order, without repeats."""
    fix_ids = "ids are letters, digits and . _ @ + - (like the submission folder names), starting with a letter or digit"
    try:
        roster = load_roster(path, repeats_allowed=True)
    except RosterError as exc:
        raise TemplateError(exc.message, path=exc.path, line=exc.line, hint=exc.hint) from None
    for entry in roster:
        if not STUDENT_ID.match(entry.student_id):
            raise TemplateError(
                f"{entry.student_id!r} is not a valid student id",
                path=path,
                line=entry.line,
                hint=fix_ids,
            )
    return [entry.student_id for entry in roster]


def write_variants(template: VariantTemplate, roster_csv: Path, out: Path) -> list[str]:
    """For each roster student: `out/grader/variants/<id>.toml` and `out/student/variants/<id>/questions.{md,html}`."""
    student_ids = read_roster(roster_csv)
    canonical = load_parameters(template.parameters_path)
    canonical_keys = compute_key(canonical)
    sheet = load_question_sheet(template.question_sheet_path, title=template.title)
    grader_dir = out / "grader" / "variants"
    grader_dir.mkdir(parents=True, exist_ok=True)
    for student_id in student_ids:
        parameters = variant_parameters(
            canonical,
            student_id,
            template_id=template.id,
            image_values=template.image_values,
            filter_values=template.filter_values,
            canonical_keys=canonical_keys,
        )
        write_parameters_toml(
            parameters,
            grader_dir / f"{student_id}.toml",
            student_id=student_id,
            template_id=template.id,
        )
        markdown, html = sheet.render(parameters, student_id=student_id)
        student_dir = out / "student" / "variants" / student_id
        student_dir.mkdir(parents=True, exist_ok=True)
        (student_dir / "questions.md").write_text(markdown, encoding="utf-8", newline="\n")
        (student_dir / "questions.html").write_text(html, encoding="utf-8", newline="\n")
    return student_ids
