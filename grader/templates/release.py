"""Build an assignment's release from its template: what students get and what the grader needs.

    OUT/student/  the notebooks with solutions stubbed and hidden checks removed,
                  questions.md / questions.html, and with variants
                  variants/<student_id>/questions.{md,html}
    OUT/grader/   bundle.toml (every file with its sha256), rubric.toml (pointing
                  at parameters.toml next to it), parameters.toml, solution/ (the
                  master notebooks and the written solution), variants/<id>.toml

The build is reproducible: no timestamps, fixed file modes, notebooks written
with sorted keys, so the same template gives the same bytes. It is written in a
temporary sibling of OUT and renamed into place, so a failed build leaves the
previous one untouched; OUT is only replaced when it is empty or a previous build.
This module builds and reports leaks; it never executes notebooks or grades.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.reference import load_parameters
from grader.rubric import load_rubric
from grader.templates.errors import TemplateError
from grader.templates.leaks import Leak, find_leaks
from grader.templates.manifest import Template
from grader.templates.markers import read_master
from grader.templates.question_sheet import render_question_sheet
from grader.templates.student_notebook import notebook_bytes, student_notebook
from grader.templates.variants import write_variants

__all__ = ["Leak", "ReleaseBuild", "build_release", "find_leaks"]

STUDENT_DIR, GRADER_DIR, SOLUTION_DIR = "student", "grader", "solution"
BUNDLE_MANIFEST = "bundle.toml"
BUNDLE_RUBRIC, BUNDLE_PARAMETERS = "rubric.toml", "parameters.toml"
FILE_MODE, DIR_MODE = 0o644, 0o755
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_PARAMETERS_LINE = re.compile(r"""^(\s*parameters\s*=\s*)("[^"\\\n]*"|'[^'\n]*')(\s*(?:#.*)?)$""")


@dataclass(frozen=True)
class ReleaseBuild:
    """What `build_release` wrote (paths relative to `out`, sorted) and what it found."""

    out: Path
    student_files: tuple[str, ...]
    grader_files: tuple[str, ...]
    variant_students: tuple[str, ...]
    solutions_stubbed: int
    hidden_removed: int
    leaks: tuple[Leak, ...]  # solution or hidden text found in the student release: do not publish

    @property
    def student_dir(self) -> Path:
        return self.out / STUDENT_DIR

    @property
    def grader_dir(self) -> Path:
        return self.out / GRADER_DIR


def build_release(
    template: Template, out: Path, *, variants_roster: Path | None = None
) -> ReleaseBuild:
    """Build the student release and the grader bundle of `template` into `out` (replacing a previous build)."""
    if Path(os.path.abspath(out)).is_symlink():
        raise TemplateError(
            "is a symbolic link; the build would replace what it points to",
            path=out,
            hint="pass a real folder",
        )
    out = out.resolve()
    _refuse_unsafe_out(out, template)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".building", dir=out.parent))
    try:
        stubbed, removed = _write_student_release(template, staging / STUDENT_DIR)
        _write_grader_bundle(template, staging / GRADER_DIR)
        students: list[str] = []
        if variants_roster is not None:
            students = write_variants(template, variants_roster, staging)
        _write_bundle_manifest(template, staging, students)
        _fix_modes(staging)
        leaks = find_leaks(staging / STUDENT_DIR, template)
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReleaseBuild(
        out=out,
        student_files=tuple(f for f in files if f.startswith(f"{STUDENT_DIR}/")),
        grader_files=tuple(f for f in files if f.startswith(f"{GRADER_DIR}/")),
        variant_students=tuple(students),
        solutions_stubbed=stubbed,
        hidden_removed=removed,
        leaks=tuple(leaks),
    )


def _refuse_unsafe_out(out: Path, template: Template) -> None:
    """OUT is replaced wholesale: never let that be the template, the repository or unrelated files."""
    if out.is_relative_to(template.root):
        raise TemplateError(
            "the output folder is inside the template folder",
            path=out,
            hint="build outside the template, e.g. --out dist/<template id>",
        )
    for precious in (template.root, template.rubric_path, Path.cwd()):
        if precious.is_relative_to(out):
            raise TemplateError(
                f"replacing this folder would delete {precious}",
                path=out,
                hint="pass a new folder for the build, e.g. --out dist/<template id>",
            )
    if out.exists():
        if not out.is_dir():
            raise TemplateError(
                "exists and is not a folder", path=out, hint="pass a new or empty folder"
            )
        if any(out.iterdir()) and not (out / GRADER_DIR / BUNDLE_MANIFEST).is_file():
            raise TemplateError(
                "exists and is not a previous build (no grader/bundle.toml); it would be replaced",
                path=out,
                hint="pass a new or empty folder, or delete this one yourself",
            )


def _write_student_release(template: Template, student: Path) -> tuple[int, int]:
    """The released notebooks and the canonical question sheet; returns (stubs, hidden regions removed)."""
    student.mkdir()
    stubbed = removed = 0
    for path in template.notebook_paths:
        released = student_notebook(read_master(path), name=path)
        (student / path.name).write_bytes(notebook_bytes(released.notebook))
        stubbed += released.solutions_stubbed
        removed += released.hidden_removed
    markdown, html = render_question_sheet(template, load_parameters(template.parameters_path))
    (student / "questions.md").write_bytes(markdown.encode("utf-8"))
    (student / "questions.html").write_bytes(html.encode("utf-8"))
    return stubbed, removed


def _write_grader_bundle(template: Template, grader: Path) -> None:
    """What `grade` needs: the rubric (re-pointed at the bundle's parameters), the parameters
    (and the course's reference module beside them), the solutions."""
    rubric = load_rubric(template.rubric_path)
    if rubric.parameters_path != template.parameters_path:
        raise TemplateError(
            f"the rubric uses {rubric.parameters_path} but template.parameters is {template.parameters_path}",
            path=template.rubric_path,
            hint="point assignment.parameters and template.parameters at the same file",
        )
    solution = grader / SOLUTION_DIR
    solution.mkdir(parents=True)
    rubric_text = _rubric_with_parameters(template.rubric_path, BUNDLE_PARAMETERS)
    (grader / BUNDLE_RUBRIC).write_bytes(rubric_text.encode("utf-8"))
    shutil.copyfile(template.parameters_path, grader / BUNDLE_PARAMETERS)
    if rubric.reference_path is not None:  # the course's own functions, beside the parameters
        target = (grader / str(rubric.assignment.reference)).resolve()
        if not target.is_relative_to(grader.resolve()):
            raise TemplateError(
                f"the reference module {rubric.assignment.reference} is not beside the parameters",
                path=template.rubric_path,
                hint="keep the reference module in the parameters file's folder",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rubric.reference_path, target)
    shutil.copyfile(template.written_solution_path, solution / template.written_solution_path.name)
    for path in template.notebook_paths:
        shutil.copyfile(path, solution / path.name)
    load_rubric(grader / BUNDLE_RUBRIC)  # the bundle's copy must load on its own


def _rubric_with_parameters(rubric_path: Path, parameters: str) -> str:
    """The rubric's text with `[assignment] parameters` rewritten; everything else byte-for-byte."""
    lines = rubric_path.read_text(encoding="utf-8").split("\n")
    table = ""
    replaced = 0
    for index, line in enumerate(lines):
        header = _TABLE.match(line)
        if header:
            table = header[1]
            continue
        match = _PARAMETERS_LINE.match(line)
        if table == "assignment" and match:
            lines[index] = f"{match[1]}{json.dumps(parameters)}{match[3]}"
            replaced += 1
    if replaced != 1:
        raise TemplateError(
            'cannot find the one `parameters = "..."` line of [assignment] to point at the bundle',
            path=rubric_path,
            hint='write it on one line in the [assignment] table: parameters = "../reference/<template id>/parameters.toml"',
        )
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON escapes are valid TOML basic-string escapes


def _hash_table(name: str, folder: Path, *, skip: str | None = None) -> list[str]:
    lines = [f"[{name}]"]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative != skip:
            lines.append(f"{_toml_string(relative)} = {_toml_string(_sha256(path))}")
    return lines


def _write_bundle_manifest(template: Template, staging: Path, students: list[str]) -> None:
    grader = staging / GRADER_DIR
    names = ", ".join(_toml_string(f"{SOLUTION_DIR}/{p.name}") for p in template.notebook_paths)
    lines = [
        "# The grader bundle of one assignment template, written by `grader assign`.",
        "# Grade with: grader grade SUBMISSIONS --rubric <this folder>/rubric.toml",
        "# Same template, same bytes: no timestamps; [files] hashes this folder, [release_files] ../student.",
        "",
        "[bundle]",
        f"template = {_toml_string(template.id)}",
        f"title = {_toml_string(template.title)}",
        f"rubric = {_toml_string(BUNDLE_RUBRIC)}",
        f"parameters = {_toml_string(BUNDLE_PARAMETERS)}",
        f"written_solution = {_toml_string(f'{SOLUTION_DIR}/{template.written_solution_path.name}')}",
        f"notebooks = [{names}]",
        f"variants = [{', '.join(_toml_string(s) for s in students)}]",
        "",
        *_hash_table("files", grader, skip=BUNDLE_MANIFEST),
        "",
        *_hash_table("release_files", staging / STUDENT_DIR),
    ]
    (grader / BUNDLE_MANIFEST).write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def _fix_modes(root: Path) -> None:
    """Same modes whatever the umask: 0755 folders, 0644 files."""
    os.chmod(root, DIR_MODE)
    for path in root.rglob("*"):
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def _replace(staging: Path, out: Path) -> None:
    """Move the finished build to `out`; a previous build there is removed only once the new one is in place."""
    if not out.exists():
        staging.rename(out)
        return
    graveyard = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    out.rename(graveyard / "previous")
    try:
        staging.rename(out)
    except OSError:
        (graveyard / "previous").rename(out)
        raise
    finally:
        shutil.rmtree(graveyard, ignore_errors=True)
