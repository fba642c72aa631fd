"""`grader runs` shows every run, a killed one too, with the command that finishes it; a resumed
run's stored counts describe the whole run; an unknown --resume id gets a user-level message."""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import __version__
from grader.cli.app import app
from grader.pipeline.run import grade_written_submission
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader
from grader.storage import Gradebook, open_gradebook

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def killed_run(tmp_path):
    """A written-part run that stored ann and was killed before ben (whose q1 is unreadable)
    and before finish_run."""
    subs = tmp_path / "subs"
    solution = Path("reference/hw4/written_solution.md").read_text(encoding="utf-8")
    for name, text in (("ann", solution), ("ben", "1.\n45 45\n")):
        (subs / name).mkdir(parents=True)
        (subs / name / "written.md").write_text(text)
    db = tmp_path / "g.sqlite"
    rubric = load_rubric(Path("rubrics/hw4.toml"))
    gradebook = Gradebook(open_gradebook(db))
    run_id = gradebook.start_run(
        rubric_path=str(rubric.path),
        rubric_hash=rubric.content_hash,
        tool_version=__version__,
        options={"only": "written", "student": None, "submissions": str(subs)},
        assignment_id=rubric.assignment.id,
        rubric_texts=rubric.sources,
    )
    ann = grade_written_submission(
        "ann", subs / "ann", AnswerGrader(rubric), max_file_bytes=10 * 2**20
    )
    gradebook.record_submissions(run_id, [ann])
    return subs, db, gradebook, run_id


def test_a_killed_run_is_listed_with_the_command_that_finishes_it(killed_run):
    subs, db, _, run_id = killed_run
    result = invoke("runs", "--db", str(db))
    assert result.exit_code == 0, result.output
    listed, hint = result.output.splitlines()
    assert re.fullmatch(
        rf"run {run_id} \(hw4\): started \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC, unfinished; "
        r"students graded: written 1, notebooks 0; 0 need attention; rubric rubrics/hw4.toml",
        listed,
    ), listed
    command = (
        f"grader grade {subs} --resume {run_id} --rubric rubrics/hw4.toml --db {db} --only written"
    )
    assert hint == f"  run {run_id} is unfinished; finish it with: {command}"


def test_resuming_with_that_command_stores_counts_for_the_whole_run(killed_run):
    _, db, gradebook, run_id = killed_run
    listed = invoke("runs", "--db", str(db)).output
    command = listed.split("finish it with: ")[1].strip()

    resumed = invoke(*shlex.split(command)[1:], "--no-reports")

    assert resumed.exit_code == 1, resumed.output  # ben's answer to q1 cannot be read
    assert (
        f"Run {run_id}: 2 students graded" in resumed.output
    )  # the whole run, not the resumed part
    [run] = gradebook.runs()
    assert run["finished_at"] is not None
    assert run["counts"] == {
        "students": 2,
        "parts": {"written": 2},
        "needs_attention": 1,
        "concept_reviews": 15,  # ann answered every concept question
    }
    [after] = invoke("runs", "--db", str(db)).output.splitlines()
    assert re.search(
        r", finished \d{4}-.*; students graded: written 2, notebooks 0; 1 need attention;", after
    )


def test_unknown_resume_id_says_how_to_find_the_runs(killed_run):
    subs, db, _, _ = killed_run
    result = invoke(
        "grade",
        str(subs),
        "--rubric",
        "rubrics/hw4.toml",
        "--db",
        str(db),
        "--resume",
        "99",
        "--no-reports",
    )
    assert result.exit_code == 2
    assert result.output == (
        "error: cannot resume run 99: the gradebook has no run 99 "
        "(fix: `grader runs` lists the runs and how to resume an unfinished one)\n"
    )


def test_runs_needs_an_existing_gradebook(tmp_path):
    result = invoke("runs", "--db", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 2
    assert result.output == (
        f"error: {tmp_path / 'none.sqlite'}: no gradebook here "
        "(fix: run `grader grade` first or pass --db)\n"
    )
    assert not (tmp_path / "none.sqlite").exists()
