"""Per-student variants: deterministic draws, same shapes and ranges, no degenerate draws,
parameters that round-trip through TOML, roster errors, and the files `write_variants` writes."""

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.reference import AssignmentParameters, compute_key, load_parameters
from grader.reference.parameters import ArraySpec
from grader.templates import variants
from grader.templates.errors import TemplateError
from grader.templates.parameters_toml import parameters_toml, write_parameters_toml
from grader.templates.variants import (
    degenerate_reason,
    read_roster,
    variant_parameters,
    write_variants,
)

REFERENCE = Path("reference/hw4")
IMAGE_VALUES, FILTER_VALUES = (0, 4), (-1, 2)


@pytest.fixture(scope="module")
def canonical() -> AssignmentParameters:
    return load_parameters(REFERENCE / "parameters.toml")


@pytest.fixture(scope="module")
def canonical_keys(canonical):
    return compute_key(canonical)


def variant(canonical, student_id, canonical_keys=None, template_id="hw4"):
    return variant_parameters(
        canonical,
        student_id,
        template_id=template_id,
        image_values=IMAGE_VALUES,
        filter_values=FILTER_VALUES,
        canonical_keys=canonical_keys,
    )


def entries(spec: ArraySpec) -> list[int]:
    return [v for channel in spec.values for row in channel for v in row]


def shape(spec: ArraySpec) -> tuple[int, int, int]:
    return len(spec.values), len(spec.values[0]), len(spec.values[0][0])


# Determinism


def test_same_student_gives_the_same_bytes(canonical, canonical_keys, tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    write_parameters_toml(variant(canonical, "alice"), first, student_id="alice", template_id="hw4")
    write_parameters_toml(
        variant(canonical, "alice", canonical_keys), second, student_id="alice", template_id="hw4"
    )
    assert first.read_bytes() == second.read_bytes()


def test_draws_are_pinned_across_python_versions_and_machines(canonical, canonical_keys):
    """Released variants must never change: sha256 seeding and random() only (no hash(), no randint)."""
    alice = variant(canonical, "alice", canonical_keys)
    assert alice.image.values[0] == ((3, 3, 4, 2), (0, 0, 4, 4), (4, 4, 4, 0), (4, 0, 3, 2))
    assert alice.filter.values[0] == ((0, 1, 1), (0, 1, -1), (1, 2, 0))


def test_different_students_and_templates_get_different_variants(canonical, canonical_keys):
    drawn = [variant(canonical, f"s{i:03d}", canonical_keys) for i in range(40)]
    assert len({(v.image.values, v.filter.values) for v in drawn}) == len(drawn)
    assert len({v.image.values for v in drawn}) == len(drawn)
    assert len({v.filter.values for v in drawn}) == len(drawn)
    other_course = variant(canonical, "s000", canonical_keys, template_id="hw5")
    assert other_course.image.values != drawn[0].image.values


# Same sizes, same kind of entries, same questions


def test_variants_keep_shapes_ranges_and_questions(canonical, canonical_keys):
    seen_image, seen_filter = set(), set()
    for i in range(40):
        drawn = variant(canonical, f"student{i}", canonical_keys)
        assert shape(drawn.image) == shape(canonical.image)
        assert shape(drawn.filter) == shape(canonical.filter)
        assert drawn.questions == canonical.questions
        assert drawn.image.channel_names == canonical.image.channel_names
        seen_image.update(entries(drawn.image))
        seen_filter.update(entries(drawn.filter))
        assert AssignmentParameters.model_validate(drawn.model_dump()) == drawn
    assert seen_image == set(range(IMAGE_VALUES[0], IMAGE_VALUES[1] + 1))  # the whole range is used
    assert seen_filter == set(range(FILTER_VALUES[0], FILTER_VALUES[1] + 1))


@pytest.mark.slow  # 40 variants drawn and keyed
def test_every_variant_passes_the_degeneracy_checks(canonical, canonical_keys):
    for i in range(40):
        drawn = variant(canonical, f"x{i}", canonical_keys)
        assert degenerate_reason(drawn, canonical_keys=canonical_keys) is None
        keys = compute_key(drawn)
        for qid in ("q1", "q2", "q3", "q11"):
            assert keys[qid].accepted[0].value != canonical_keys[qid].accepted[0].value


# Degenerate draws


def test_the_canonical_parameters_are_not_degenerate(canonical):
    assert degenerate_reason(canonical) is None


def with_arrays(canonical, image=None, filt=None) -> AssignmentParameters:
    return AssignmentParameters(
        image=ArraySpec(
            channel_names=canonical.image.channel_names,
            values=image if image is not None else canonical.image.values,
        ),
        filter=ArraySpec(values=filt if filt is not None else canonical.filter.values),
        questions=canonical.questions,
    )


def test_a_zero_filter_channel_is_degenerate(canonical):
    zero = ((0, 0, 0),) * 3
    assert "filter channel R is all zeros" in degenerate_reason(
        with_arrays(canonical, filt=(zero, zero, zero))
    )
    ones = ((1, 1, 1),) * 3
    assert "filter channel B is all zeros" in degenerate_reason(
        with_arrays(canonical, filt=(ones, ones, zero))
    )


def test_identical_image_channels_are_degenerate(canonical):
    r, g, _ = canonical.image.values
    assert "image channels R and G are identical" in degenerate_reason(
        with_arrays(canonical, image=(r, r, g))
    )


def test_identical_pooled_channels_are_degenerate(canonical):
    # Different channels whose 2×2 maxima agree: q11 would show one answer three times.
    a = ((4, 0, 4, 0), (0, 0, 0, 0), (1, 4, 4, 2), (0, 0, 0, 0))
    b = ((0, 4, 0, 4), (0, 0, 0, 0), (4, 0, 1, 4), (0, 0, 0, 0))
    c = ((1, 2, 3, 4), (4, 3, 2, 1), (1, 1, 1, 1), (2, 2, 2, 2))
    filt = (((1, 0, -1), (2, 1, 0), (0, 1, 1)),) * 3
    assert degenerate_reason(with_arrays(canonical, image=(a, b, c), filt=filt)) == (
        "q11: two channels of the answer are identical"
    )


def test_a_constant_answer_is_degenerate(canonical):
    flat = tuple(((v,) * 4,) * 4 for v in (1, 2, 3))  # every channel constant, filter all ones
    assert "is a constant matrix" in degenerate_reason(with_arrays(canonical, image=flat))


def test_an_answer_equal_to_a_known_mistake_is_degenerate(canonical):
    # An all-zero R channel: "only the G channel used" is then the right answer.
    zero = tuple(tuple(0 for _ in row) for row in canonical.image.values[0])
    single = AssignmentParameters(
        image=ArraySpec(channel_names=("R", "G"), values=(zero, canonical.image.values[2])),
        filter=ArraySpec(values=(((1, 0, 1), (0, 2, 0), (1, 0, -1)),) * 2),
        questions=canonical.questions,
    )
    assert "equals the known mistake 'only the G channel used" in degenerate_reason(single)


def test_two_conventions_with_the_same_answer_are_degenerate(canonical):
    raw = canonical.model_dump()
    raw["questions"]["q3"]["conventions"] = [
        {"name": "padding=1", "padding": 1},
        {"name": "also padding=1", "padding": 1},
    ]
    reason = degenerate_reason(AssignmentParameters.model_validate(raw))
    assert reason == "q3: conventions 'padding=1' and 'also padding=1' give the same answer"


def test_the_canonical_answer_is_degenerate_for_a_variant(canonical, canonical_keys):
    assert degenerate_reason(canonical, canonical_keys=canonical_keys) == (
        "q1: the answer equals the canonical assignment's"
    )


def test_rejected_draws_are_redrawn_deterministically(canonical, canonical_keys, monkeypatch):
    first = variant(canonical, "alice", canonical_keys)
    calls = []

    def reject_first_two(parameters, *, canonical_keys=None, **_):
        calls.append(parameters)
        return "rejected for the test" if len(calls) <= 2 else None

    monkeypatch.setattr(variants, "degenerate_reason", reject_first_two)
    redrawn = variant(canonical, "alice", canonical_keys)
    assert calls[0] == first  # the same generator, continued
    assert redrawn == calls[2] != first
    calls.clear()
    assert variant(canonical, "alice", canonical_keys) == redrawn


def test_ranges_too_narrow_for_any_usable_variant(canonical):
    with pytest.raises(TemplateError) as caught:
        variant_parameters(
            canonical, "alice", template_id="hw4", image_values=(2, 2), filter_values=(-1, 2)
        )
    message = str(caught.value)
    assert "no usable variant in" in message and "image channels R and G are identical" in message
    assert "fix: widen the [variants]" in message


def test_an_empty_range_is_refused(canonical):
    with pytest.raises(TemplateError, match=r"image_values = \[4, 0\] is an empty range"):
        variant_parameters(
            canonical, "alice", template_id="hw4", image_values=(4, 0), filter_values=(-1, 2)
        )


# Parameters TOML


def test_parameters_round_trip(canonical, canonical_keys, tmp_path):
    drawn = variant(canonical, "bob", canonical_keys)
    path = tmp_path / "variants" / "bob.toml"
    write_parameters_toml(drawn, path, student_id="bob", template_id="hw4")
    assert load_parameters(path) == drawn
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# HW4 written part: question parameters of student bob's variant.")
    assert "Generated by `grader assign --variants`" in text.splitlines()[1]
    tables = [line for line in text.splitlines() if line.startswith("[")]
    assert tables == [
        "[image]",
        "[filter]",
        *(f"[questions.{qid}]" for qid in canonical.questions),
    ]


def test_the_canonical_parameters_round_trip_in_the_reference_layout(canonical, tmp_path):
    path = tmp_path / "parameters.toml"
    write_parameters_toml(canonical, path)
    assert load_parameters(path) == canonical
    text = path.read_text(encoding="utf-8")
    assert "values = [\n  [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]],\n" in text
    assert 'conventions = [{ name = "no padding", padding = 0 }]' in text
    assert "student" not in text.splitlines()[0]


def test_strings_are_escaped(canonical):
    tricky = 'quote " backslash \\ newline \n tab \t bell \x07 del \x7f é ×'
    image = ArraySpec(
        description=tricky, channel_names=('R"', "G\\", "B\n"), values=canonical.image.values
    )
    parameters = AssignmentParameters(
        image=image, filter=canonical.filter, questions=canonical.questions
    )
    text = parameters_toml(parameters, student_id="evil\n[image]")
    assert AssignmentParameters.model_validate(tomllib.loads(text)) == parameters
    assert "\n[image]\n" in text and text.count("\n[image]") == 1


# Roster


def write_roster(tmp_path, text, name="roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_roster_ids_in_order_without_repeats(tmp_path):
    path = write_roster(
        tmp_path,
        "name,student_id,email\nAlice,alice,a@x\n\nBob, bob ,b@x\nAlice again,alice,a@x\n,,\n"
        "Dana,d.ana-2@uni,d@x\n",
    )
    assert read_roster(path) == ["alice", "bob", "d.ana-2@uni"]


@pytest.mark.parametrize("header", ["Student ID", "student-id", "STUDENT_ID"])
def test_roster_id_column_names(tmp_path, header):
    path = write_roster(tmp_path, f"\ufeff{header},section\nalice,1\nbob,2\n")
    assert read_roster(path) == ["alice", "bob"]


@pytest.mark.parametrize("header", ["id", "ID", "Student"])
def test_a_platform_s_id_or_name_column_is_not_taken_for_the_folder(tmp_path, header):
    """Issue #19: Canvas's export names its user id `ID` and the display name `Student`."""
    path = write_roster(tmp_path, f"{header},section\nalice,1\nbob,2\n")
    with pytest.raises(TemplateError, match=r"no `student_id` column, and `(id|student)` is not"):
        read_roster(path)


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_roster_separators_and_line_ends(tmp_path, separator):
    text = f"name{separator}student_id\r\nAlice{separator}alice\r\nBob{separator}bob\r\n"
    assert read_roster(write_roster(tmp_path, text)) == ["alice", "bob"]


def test_student_id_column_is_preferred(tmp_path):
    path = write_roster(tmp_path, "id,student_id\n17,alice\n18,bob\n")
    assert read_roster(path) == ["alice", "bob"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "roster is empty (fix: write a header line with a `student_id` column"),
        ("\n\n", "roster is empty"),
        ("name,email\nalice,a@x\n", "line 1: no student id column in the header (name, email)"),
        ("student_id\n", "roster lists no students (fix: add one student id per line)"),
        ("student_id\nalice\n../etc\n", "line 3: '../etc' is not a valid student id (fix: ids are"),
        ("student_id\nalice\nbob smith\n", "line 3: 'bob smith' is not a valid student id"),
        ("student_id,name\nalice,A\n,B\n", "line 3: no student id on this line (fix: fill in"),
        ('student_id\n"alice\n', "not valid CSV"),
    ],
)
def test_bad_rosters_name_file_line_and_fix(tmp_path, text, expected):
    path = write_roster(tmp_path, text)
    with pytest.raises(TemplateError) as caught:
        read_roster(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "(fix: " in message


def test_roster_not_found_or_not_utf8(tmp_path):
    with pytest.raises(TemplateError, match=r"missing\.csv: roster not found"):
        read_roster(tmp_path / "missing.csv")
    path = tmp_path / "latin.csv"
    path.write_bytes("student_id\nj\xe9r\xf4me\n".encode("latin-1"))
    with pytest.raises(TemplateError, match="not UTF-8"):
        read_roster(path)


# write_variants


@dataclass(frozen=True)
class StubTemplate:
    id: str
    title: str
    parameters_path: Path
    question_sheet_path: Path
    image_values: tuple[int, int] = IMAGE_VALUES
    filter_values: tuple[int, int] = FILTER_VALUES

    @property
    def array_ranges(self) -> dict[str, tuple[int, int]]:
        return {"image": self.image_values, "filter": self.filter_values}


def stub_template() -> StubTemplate:
    return StubTemplate(
        id="hw4",
        title="HW4 — Convolutional neural networks",
        parameters_path=REFERENCE / "parameters.toml",
        question_sheet_path=REFERENCE / "questions.md.j2",
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_write_variants_writes_parameters_and_sheets(canonical, canonical_keys, tmp_path):
    roster = write_roster(tmp_path, "student_id\nalice\nbob\nalice\n")
    out = tmp_path / "dist"
    assert write_variants(stub_template(), roster, out) == ["alice", "bob"]
    assert sorted(tree(out)) == [
        "grader/variants/alice.toml",
        "grader/variants/bob.toml",
        "student/variants/alice/questions.html",
        "student/variants/alice/questions.md",
        "student/variants/bob/questions.html",
        "student/variants/bob/questions.md",
    ]
    for student_id in ("alice", "bob"):
        expected = variant(canonical, student_id, canonical_keys)
        assert load_parameters(out / "grader" / "variants" / f"{student_id}.toml") == expected
        sheet = (out / "student" / "variants" / student_id / "questions.md").read_text()
        first_row = "  ".join(str(v) for v in expected.image.values[0][0])
        assert first_row in sheet and f"**{student_id}**" in sheet

    again = tmp_path / "again"
    write_variants(stub_template(), roster, again)
    assert tree(again) == tree(out)


def test_write_variants_with_the_real_manifest(tmp_path):
    from grader.templates.manifest import load_template

    root = tmp_path / "course"
    shutil.copytree(REFERENCE, root / "reference" / "hw4")
    shutil.copytree(Path("rubrics"), root / "rubrics")
    template_dir = root / "reference" / "hw4"
    for name in ("p1_cats_dogs.ipynb", "p2_cifar10.ipynb"):  # only their existence is checked
        (template_dir / name).touch()
    template = load_template(template_dir)
    roster = write_roster(tmp_path, "student_id\ncarol\n")
    assert write_variants(template, roster, tmp_path / "dist") == ["carol"]
    stub_out = tmp_path / "stub"
    write_variants(stub_template(), roster, stub_out)
    assert tree(tmp_path / "dist") == tree(stub_out)
