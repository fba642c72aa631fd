"""Rubric files (`rubrics/*.toml`): what each question is worth, where its answers come from, how partial credit works.

Loading validates everything up front and fails with one `RubricError` line
naming the file, the question and the fix. Each question's own fields belong to its
kind (`grader.kinds`); scoring lives in `grader.scoring`.
"""

from grader.rubric.catalogue import (
    CatalogueQuestion,
    QuestionCatalogue,
    natural_key,
    unknown_question,
)
from grader.rubric.loading import RubricSource, load_rubric, read_rubric_source, rubric_from_source
from grader.rubric.model import Rubric

__all__ = [
    "CatalogueQuestion",
    "QuestionCatalogue",
    "Rubric",
    "RubricSource",
    "load_rubric",
    "natural_key",
    "read_rubric_source",
    "rubric_from_source",
    "unknown_question",
]
