"""The docs tell the truth: every command and sub-command has help, every option shows its
help, the help says what a command needs, and the README shows every command."""

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from grader.cli.app import app

ROOT = typer.main.get_command(app)
#: Commands that read or change an existing gradebook: they must never claim to create one.
NEEDS_EXISTING_DB = {
    "export",
    "report",
    "override",
    "review list",
    "review accept",
    "runs",
    "serve",
}


def command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under typer's click group, depth first: ("grade",), ("data", "synth"), …"""
    paths = []
    if hasattr(group, "commands"):  # a group (typer vendors click: duck typing, not isinstance)
        for name, command in sorted(group.commands.items()):
            paths.append((*prefix, name))
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def command_at(path: tuple[str, ...]) -> Any:
    command = ROOT
    for name in path:
        command = command.commands[name]
    return command


def flat(text: str) -> str:
    """Help output as one line of words: rich's box characters and line wrapping removed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


PATHS = command_paths(ROOT)


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path in PATHS}
    assert {"grade", "key", "export", "report", "override", "review", "runs", "assign"} <= names
    assert {"check-template", "data", "data synth", "data import-cifar10"} <= names


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_command_has_help_and_options_show_theirs(path):
    command = command_at(path)
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    shown = flat(result.output)
    assert (command.help or "").strip(), f"grader {' '.join(path)} has no help text"
    assert flat(command.help.split("\n\n")[0]).split(".")[0] in shown
    for param in command.params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"
        # Shown as written: rich markup such as "[notebooks]" must not be swallowed.
        assert flat(param.help.replace("\\[", "[")) in shown, (path, param.opts[0])


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_command_is_in_the_readme(path):
    assert f"grader {' '.join(path)}" in Path("README.md").read_text()


@pytest.mark.parametrize("name", sorted(NEEDS_EXISTING_DB))
def test_db_help_says_the_gradebook_must_exist(name):
    shown = flat(CliRunner().invoke(app, [*name.split(), "--help"]).output)
    assert "created when missing" not in shown
    assert "SQLite gradebook file; must exist (made by `grader grade`)." in shown


def test_grade_db_help_says_it_is_created_and_timeout_keeps_its_brackets():
    shown = flat(CliRunner().invoke(app, ["grade", "--help"]).output)
    assert "SQLite gradebook file (created when missing)." in shown
    assert "timeout_seconds in the rubric's [notebooks] table" in shown
    assert "(`grader runs` lists the runs)" in shown
