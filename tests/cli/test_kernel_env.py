"""One rule for the sandbox's kernel environment: --kernel-env, else $HW_GRADER_KERNEL_ENV, else
/opt/hw-grader/kernel-env, for `grader grade`, `grader check-template`, the tests and the Makefile.

The bug this pins: `grader grade` defaulted to a constant and ignored the variable, so
`make grade KERNEL_ENV=/x` built the environment at /x and graded against the default.
"""

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import grader.cli.template_commands as template_commands
import grader.service.grading as grading
from grader.cli.app import app
from grader.sandbox import default_kernel_env
from grader.settings import KERNEL_ENV, resolve_kernel_env
from tests.fixtures.sandbox_env import kernel_env_path
from tests.fixtures.written_answers import marked_answers

DEFAULT = Path("/opt/hw-grader/kernel-env")


def test_resolve_kernel_env_precedence():
    assert resolve_kernel_env(None, {}) == DEFAULT
    assert resolve_kernel_env(None, {"HW_GRADER_KERNEL_ENV": ""}) == DEFAULT  # empty is unset
    assert resolve_kernel_env(None, {"HW_GRADER_KERNEL_ENV": "/some/where"}) == Path("/some/where")
    assert resolve_kernel_env(Path("/explicit"), {"HW_GRADER_KERNEL_ENV": "/some/where"}) == Path(
        "/explicit"
    )
    assert KERNEL_ENV.default == DEFAULT and KERNEL_ENV.env_var == "HW_GRADER_KERNEL_ENV"


def test_sandbox_default_and_test_fixture_use_the_same_rule(monkeypatch):
    monkeypatch.setenv("HW_GRADER_KERNEL_ENV", "/some/where")
    assert default_kernel_env() == kernel_env_path() == Path("/some/where")
    monkeypatch.delenv("HW_GRADER_KERNEL_ENV")
    assert default_kernel_env() == kernel_env_path() == DEFAULT


@pytest.fixture
def grade_options(monkeypatch):
    """The GradeOptions the service hands to the pipeline, for each `grader grade`."""
    seen = []
    real = grading.grade_submissions

    def spy(*args, **kwargs):
        seen.append(kwargs["options"])
        return real(*args, **kwargs)

    monkeypatch.setattr(grading, "grade_submissions", spy)
    return seen


def grade_written(tmp_path: Path, *extra: str, env: dict[str, str]):
    (tmp_path / "subs" / "ann").mkdir(parents=True, exist_ok=True)
    (tmp_path / "subs" / "ann" / "written.md").write_text(marked_answers({1: "45 45\n54 54"}))
    args = [
        "grade",
        str(tmp_path / "subs"),
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        str(tmp_path / "g.sqlite"),
    ]
    return CliRunner().invoke(app, [*args, "--no-reports", "--only", "written", *extra], env=env)


def test_grade_reads_the_environment_variable(tmp_path, grade_options):
    result = grade_written(tmp_path, env={"HW_GRADER_KERNEL_ENV": "/some/where"})
    assert result.exit_code == 0, result.output
    assert grade_options[-1].notebooks.kernel_env == Path("/some/where")


def test_kernel_env_option_wins_over_the_variable(tmp_path, grade_options):
    result = grade_written(
        tmp_path, "--kernel-env", "/explicit", env={"HW_GRADER_KERNEL_ENV": "/some/where"}
    )
    assert result.exit_code == 0, result.output
    assert grade_options[-1].notebooks.kernel_env == Path("/explicit")


def test_grade_without_either_uses_the_default(tmp_path, grade_options, monkeypatch):
    monkeypatch.delenv("HW_GRADER_KERNEL_ENV", raising=False)
    result = grade_written(tmp_path, env={})
    assert result.exit_code == 0, result.output
    assert grade_options[-1].notebooks.kernel_env == DEFAULT


def test_check_template_resolves_the_same_way(monkeypatch):
    seen = []

    def spy(template_dir, options):
        seen.append(options.notebooks.kernel_env)
        return []

    monkeypatch.setattr(template_commands, "check_template", spy)
    runner = CliRunner()
    args = ["check-template", "reference/hw4", "--checks", "rubric"]
    assert runner.invoke(app, args, env={"HW_GRADER_KERNEL_ENV": "/some/where"}).exit_code == 0
    assert runner.invoke(app, [*args, "--kernel-env", "/explicit"]).exit_code == 0
    assert seen == [Path("/some/where"), Path("/explicit")]


def test_help_states_the_precedence():
    for command in ("grade", "check-template"):
        result = CliRunner().invoke(app, [command, "--help"])
        text = " ".join(result.output.replace("│", " ").split())
        assert (
            "(default: $HW_GRADER_KERNEL_ENV, else /opt/hw-grader/kernel-env; a rubric that "
            "declares its own [notebooks] kernel list uses the environment built beside it for "
            "that list)"
        ) in text, command


def test_make_passes_its_kernel_env_to_the_grader():
    """What `make grade KERNEL_ENV=/x` runs sees /x: the Makefile exports HW_GRADER_KERNEL_ENV."""
    probe = (
        'probe: ; @$(BIN)/python -c "from grader.settings import resolve_kernel_env; '
        'print(resolve_kernel_env())"'
    )
    result = subprocess.run(
        ["make", "--no-print-directory", f"--eval={probe}", "probe", "KERNEL_ENV=/x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/x"


def test_the_kernel_env_gets_the_kernel_extra_with_the_one_torch_pin_and_no_grader():
    import tomllib

    from grader.sandbox.kernel_requirements import kernel_requirements

    repo = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    requirements = kernel_requirements(pyproject)
    assert requirements[:2] == ["torch==2.13.0", "numpy>=1.26"]  # pins of the main list
    assert "ipython>=8" in requirements and "matplotlib>=3.8" in requirements
    assert not any(line.startswith(("hw-grader", ".", "grader")) for line in requirements)
    installed = list(kernel_env_path().glob("lib/python3*/site-packages/grader"))
    assert installed == []  # `make kernel-env` leaves no grader package for a notebook
