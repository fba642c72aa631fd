"""The one table of export formats: csv, json, canvas, moodle, gradescope, one module each.

Each module turns an `ExportRequest` (current grades, the rubric's questions, the roster,
options) into text or one file per student, with warnings; `grader export --format`
takes its choices and its help from this table. Adding a format is one module and one
line here. Must not write files or read the gradebook.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.exports import canvas, csv_format, gradescope, json_format, moodle
from grader.exports.common import ExportFormat, ExportOutput, ExportRequest, MoodleIdentifier

EXPORT_FORMATS: Mapping[str, ExportFormat] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            csv_format.FORMAT,
            json_format.FORMAT,
            canvas.FORMAT,
            moodle.FORMAT,
            gradescope.FORMAT,
        )
    }
)

__all__ = ["EXPORT_FORMATS", "ExportFormat", "ExportOutput", "ExportRequest", "MoodleIdentifier"]
