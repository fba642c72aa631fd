"""Rubric files (`rubrics/*.toml`): what each question is worth, where its answers come from, how partial credit works.

Loading validates everything up front and fails with one `RubricError` line
naming the file, the question and the fix. Scoring lives in `grader.scoring`.
"""

from grader.rubric.catalogue import (
    CatalogueQuestion,
    QuestionCatalogue,
    QuestionKind,
    natural_key,
    unknown_question,
)
from grader.rubric.loading import load_rubric
from grader.rubric.model import (
    ConceptQuestion,
    ExactQuestion,
    KeyPoint,
    PartialCredit,
    Rubric,
    RubricQuestion,
)

__all__ = [
    "CatalogueQuestion",
    "ConceptQuestion",
    "ExactQuestion",
    "KeyPoint",
    "PartialCredit",
    "QuestionCatalogue",
    "QuestionKind",
    "Rubric",
    "RubricQuestion",
    "load_rubric",
    "natural_key",
    "unknown_question",
]
