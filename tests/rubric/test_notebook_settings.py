"""The rubric's [notebooks] table builds the sandbox limits; the limits it shares with
`SandboxLimits` take their default and help from there, stated once."""

from dataclasses import fields

from grader.rubric.model import NotebookSettings
from grader.sandbox import SandboxLimits
from grader.sandbox.request import GiB

SHARED = {
    "timeout_seconds": "wall_seconds",
    "max_processes": "max_processes",
    "threads": "threads",
    "output_bytes": "output_bytes",
    "address_space_gib": "address_space_bytes",
}


def test_shared_fields_take_default_and_help_from_sandbox_limits():
    limits = {spec.name: spec for spec in fields(SandboxLimits)}
    for name, limit in SHARED.items():
        field = NotebookSettings.model_fields[name]
        assert field.description == SandboxLimits.help()[limit], name
        per = GiB if name == "address_space_gib" else 1
        assert field.default * per == limits[limit].default, name


def test_defaults_build_the_default_limits():
    settings = NotebookSettings()
    assert settings.sandbox_limits() == SandboxLimits()
    assert settings.evaluation_limits() == SandboxLimits(wall_seconds=300)


def test_rubric_values_and_the_timeout_option_reach_the_limits():
    settings = NotebookSettings(
        timeout_seconds=40, address_space_gib=2, max_processes=64, threads=2, output_bytes=4096,
        evaluation_timeout_seconds=30,
    )  # fmt: skip
    limits = settings.sandbox_limits()
    assert (limits.wall_seconds, limits.address_space_bytes) == (40, 2 * GiB)
    assert (limits.max_processes, limits.threads, limits.output_bytes) == (64, 2, 4096)
    assert settings.sandbox_limits(timeout_seconds=5).wall_seconds == 5  # --timeout
    evaluation = settings.evaluation_limits()
    assert evaluation.wall_seconds == 30 and evaluation.address_space_bytes == 2 * GiB
