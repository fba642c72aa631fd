"""Scoring: turn one student's answer texts into `QuestionResult`s using the rubric and the computed key.

Reads answers through `grader.reading` and compares with `grader.reference`;
it never touches files, the database or reports.
"""

from grader.scoring.answer_grader import AnswerGrader

__all__ = ["AnswerGrader"]
