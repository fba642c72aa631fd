"""Results of `grader check-template` and their renderings: text lines, JSON, JUnit XML.

Data and formatting only; the checks themselves live in `template_checks`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """One named check: passed, or the failures as one line each (`FILE: problem (fix: hint)`)."""

    name: str
    description: str
    failures: tuple[str, ...] = ()
    seconds: float = 0.0
    skipped: str | None = None  # why the check did not run (only when explicitly deselected)
    notes: tuple[str, ...] = field(default_factory=tuple)  # measurements worth printing

    @property
    def ok(self) -> bool:
        return not self.failures


def all_passed(results: Sequence[CheckResult]) -> bool:
    return all(result.ok for result in results)


def render_text(results: Sequence[CheckResult]) -> str:
    """One line per check, then one line per failure: what CI logs show."""
    lines: list[str] = []
    for result in results:
        if result.skipped:
            lines.append(f"SKIP {result.name}: {result.skipped}")
            continue
        state = "ok  " if result.ok else "FAIL"
        lines.append(f"{state} {result.name} ({result.seconds:.1f} s): {result.description}")
        lines.extend(f"     {note}" for note in result.notes)
        lines.extend(f"  {failure}" for failure in result.failures)
    failed = sum(1 for r in results if not r.ok)
    skipped = sum(1 for r in results if r.skipped)
    lines.append(
        f"{len(results) - failed - skipped} passed, {failed} failed"
        + (f", {skipped} skipped" if skipped else "")
    )
    return "\n".join(lines) + "\n"


def render_json(results: Sequence[CheckResult]) -> str:
    return (
        json.dumps(
            {"ok": all_passed(results), "checks": [{**asdict(r), "ok": r.ok} for r in results]},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def render_junit(results: Sequence[CheckResult], *, suite_name: str) -> str:
    """JUnit XML: one testcase per check, a <failure> per failing line, <skipped> when deselected."""
    suite = ElementTree.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(results)),
        failures=str(sum(1 for r in results if not r.ok)),
        skipped=str(sum(1 for r in results if r.skipped)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for result in results:
        case = ElementTree.SubElement(
            suite, "testcase", classname=suite_name, name=result.name, time=f"{result.seconds:.3f}"
        )
        if result.skipped:
            ElementTree.SubElement(case, "skipped", message=result.skipped)
        for failure in result.failures:
            element = ElementTree.SubElement(case, "failure", message=failure.splitlines()[0][:500])
            element.text = failure
        if result.notes:
            ElementTree.SubElement(case, "system-out").text = "\n".join(result.notes)
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
