"""The one table of export formats: each format one module and one row, and the CLI's
--format choices and help read from it."""

from __future__ import annotations

import importlib
import pkgutil
import re

from typer.testing import CliRunner

import grader.exports
from grader.cli.app import app
from grader.exports import EXPORT_FORMATS


def test_every_export_module_is_one_row_of_the_table():
    modules = {
        info.name for info in pkgutil.iter_modules(grader.exports.__path__) if info.name != "common"
    }
    assert list(EXPORT_FORMATS) == ["csv", "json", "canvas", "moodle", "gradescope"]
    for name in modules:
        spec = importlib.import_module(f"grader.exports.{name}").FORMAT
        assert EXPORT_FORMATS[spec.name] is spec
    assert len(modules) == len(EXPORT_FORMATS)
    assert [name for name, spec in EXPORT_FORMATS.items() if spec.needs_roster] == ["moodle"]
    assert [n for n, spec in EXPORT_FORMATS.items() if spec.one_file_per_student] == ["gradescope"]


def test_the_cli_takes_its_choices_and_help_from_the_table(tmp_path):
    output = CliRunner().invoke(app, ["export", "--help"]).output
    shown = " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())  # rich's box and wrapping
    for name, spec in EXPORT_FORMATS.items():
        assert f"{name}: {spec.help}" in shown
    wrong = CliRunner().invoke(
        app, ["export", "--db", str(tmp_path / "g.sqlite"), "--format", "xlsx"]
    )
    assert wrong.exit_code == 2
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", wrong.output).split())
    assert "'xlsx' is not one of csv, json, canvas, moodle, gradescope" in said
