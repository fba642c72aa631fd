"""Per-student variants of the written part: new values for the template's named arrays (an image
I and a filter F, an input sequence) for each student.

A variant is drawn from a generator seeded with sha256("<template id>:<student id>"),
so the same student always gets the same arrays, on any machine and Python
version. Draws that would make the questions easier or ambiguous are rejected
and redrawn (deterministically, from the same generator); what counts as degenerate
for a question's answer is its kind's say (`Kind.degenerate_reason`). This module
writes the per-student parameters and question sheets; it never grades.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from grader.kinds.table import kind_of
from grader.pipeline.submissions import STUDENT_ID
from grader.reference import AssignmentParameters, QuestionKey, compute_key, load_parameters
from grader.reference.course_module import CourseReference
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
    def array_ranges(self) -> Mapping[str, tuple[int, int]]: ...


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


def _array_names(question: object) -> set[str]:
    """The names of top-level arrays a question's parameters refer to (its inputs)."""
    dumped = question.model_dump() if hasattr(question, "model_dump") else {}
    return {value for value in dumped.values() if isinstance(value, str)}


def degenerate_reason(
    parameters: AssignmentParameters,
    *,
    canonical_keys: Mapping[str, QuestionKey] | None = None,
    drawn: frozenset[str] = frozenset({"image", "filter"}),
    reference: CourseReference | None = None,
) -> str | None:
    """Why these parameters would make an easier or ambiguous assignment, or None when they are fine.

    Checked: no filter channel all zeros; image channels distinct; within each
    question, no accepted answer equal to another convention's answer or to a
    known mistake (the feedback could not tell them apart); for questions that read a
    drawn array, what the question's kind calls degenerate (a constant matrix, two
    identical channels), no two questions with the same answer, and (given
    `canonical_keys`) no answer equal to the canonical one, so a shared canonical
    solution earns nothing.
    """
    image, filt = parameters.image, parameters.filter
    names = (image.channel_names if image is not None else ()) or tuple(
        str(i + 1) for i in range(len(image.values) if image is not None else 0)
    )
    if filt is not None and image is not None and len(filt.values) == len(names):
        for name, channel in zip(names, filt.values, strict=True):
            if all(v == 0 for row in channel for v in row):
                return f"filter channel {name} is all zeros"
    if image is not None:
        for i, first in enumerate(image.values):
            for j in range(i + 1, len(image.values)):
                if first == image.values[j]:
                    return f"image channels {names[i]} and {names[j]} are identical"
    keys = compute_key(parameters, reference)
    seen: dict[object, str] = {}  # answer → question that has it
    for qid, key in keys.items():
        reads_drawn = bool(_array_names(parameters.questions[qid]) & drawn)
        for accepted in key.accepted:
            for other in key.accepted:
                if other.convention != accepted.convention and other.value == accepted.value:
                    return f"{qid}: conventions '{accepted.convention}' and '{other.convention}' give the same answer"
            for mistake in key.mistakes:
                if mistake.value == accepted.value:
                    return f"{qid}: the answer equals the known mistake '{mistake.name}'"
            if not reads_drawn:
                continue  # its answer does not depend on the drawn arrays (a shape, say)
            reason = kind_of(key.kind).degenerate_reason(key)
            if reason:
                return f"{qid}: {reason}"
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


def _drawn_arrays(
    canonical: AssignmentParameters,
    image_values: tuple[int, int] | None,
    filter_values: tuple[int, int] | None,
    arrays: Mapping[str, tuple[int, int]],
    template_id: str,
) -> dict[str, tuple[int, int]]:
    """Each array to redraw with its range, in drawing order: image, filter, then the others."""
    ranges: dict[str, tuple[int, int]] = {}
    if image_values is not None:
        ranges["image"] = image_values
    if filter_values is not None:
        ranges["filter"] = filter_values
    ranges.update(arrays)
    named = canonical.named_arrays()
    for name, bounds in ranges.items():
        _check_range(
            bounds,
            f"{name}_values" if name in ("image", "filter") else f"arrays.{name}",
            template_id,
        )
        if name not in named:
            raise TemplateError(
                f"template {template_id}: [variants] names the array '{name}', which the parameters do not have",
                hint=f"use one of: {', '.join(sorted(named)) or 'no arrays'}",
            )
    return ranges


def variant_parameters(
    canonical: AssignmentParameters,
    student_id: str,
    *,
    template_id: str,
    image_values: tuple[int, int] | None = None,
    filter_values: tuple[int, int] | None = None,
    arrays: Mapping[str, tuple[int, int]] | None = None,
    canonical_keys: Mapping[str, QuestionKey] | None = None,
    reference: CourseReference | None = None,
) -> AssignmentParameters:
    """The student's own arrays (same shapes as the canonical ones), with the same questions.

    Deterministic: the same (template, student) always gives the same parameters.
    Pass `canonical_keys` (`compute_key(canonical)`) to save recomputing it per student.
    """
    ranges = _drawn_arrays(canonical, image_values, filter_values, arrays or {}, template_id)
    rng = variant_rng(template_id, student_id)
    if canonical_keys is None:
        canonical_keys = compute_key(canonical, reference)
    named = canonical.named_arrays()
    reason = "no draw made"
    for _ in range(MAX_DRAWS):
        drawn: dict[str, ArraySpec] = {}
        for name, bounds in ranges.items():
            spec = named[name]
            values = _draw_channels(rng, _as_channels(spec.values), bounds)
            low, high = bounds
            if name == "image":
                description = f"Image I of student {student_id}, entries {low} to {high}."
            elif name == "filter":
                description = f"Filter F of student {student_id}, entries {low} to {high}, one output channel, no bias."
            else:
                description = f"{name} of student {student_id}, entries {low} to {high}."
            drawn[name] = ArraySpec(
                description=description,
                channel_names=spec.channel_names,
                values=_like(spec.values, values),
            )
        try:
            candidate = AssignmentParameters(
                image=drawn.get("image", canonical.image),
                filter=drawn.get("filter", canonical.filter),
                arrays={name: drawn.get(name, spec) for name, spec in canonical.arrays.items()},
                questions=canonical.questions,
            )
        except ValidationError as exc:  # cannot happen with the canonical shapes; say so if it does
            raise TemplateError(
                f"template {template_id}, student {student_id}: the drawn variant is not valid parameters ({exc.errors()[0]['msg']})",
                hint="check the canonical arrays' shapes",
            ) from None
        reason = (
            degenerate_reason(
                candidate,
                canonical_keys=canonical_keys,
                drawn=frozenset(ranges),
                reference=reference,
            )
            or ""
        )
        if not reason:
            return candidate
    raise TemplateError(
        f"template {template_id}, student {student_id}: no usable variant in {MAX_DRAWS} draws (last: {reason})",
        hint="widen the [variants] ranges",
    )


def _as_channels(values: object) -> list[Matrix]:
    """Any array as a list of matrices to draw (a vector is one row, a matrix one channel)."""
    if isinstance(values, list | tuple) and values and not isinstance(values[0], list | tuple):
        return [(tuple(values),)]
    if (
        isinstance(values, list | tuple)
        and values
        and values[0]
        and not isinstance(values[0][0], list | tuple)
    ):
        return [values]  # type: ignore[list-item]
    return list(values)  # type: ignore[call-overload]


def _like(original: object, channels: tuple[Matrix, ...]) -> object:
    """Drawn matrices back in the original array's rank."""
    if (
        isinstance(original, list | tuple)
        and original
        and not isinstance(original[0], list | tuple)
    ):
        return channels[0][0]
    if (
        isinstance(original, list | tuple)
        and original
        and original[0]
        and not isinstance(original[0][0], list | tuple)
    ):
        return channels[0]
    return channels


def read_roster(path: Path) -> list[str]:
    """Student ids from a roster CSV (column `student_id`), in order, without repeats."""
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
    reference = template_reference(template)
    canonical_keys = compute_key(canonical, reference)
    sheet = load_question_sheet(template.question_sheet_path, title=template.title)
    grader_dir = out / "grader" / "variants"
    grader_dir.mkdir(parents=True, exist_ok=True)
    for student_id in student_ids:
        parameters = variant_parameters(
            canonical,
            student_id,
            template_id=template.id,
            arrays=template.array_ranges,
            canonical_keys=canonical_keys,
            reference=reference,
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


def template_reference(template: VariantTemplate) -> CourseReference | None:
    """The course's reference module the template's rubric names, when it has one."""
    rubric_path = getattr(template, "rubric_path", None)
    if rubric_path is None:
        return None
    from grader.rubric import load_rubric

    return load_rubric(rubric_path).reference
