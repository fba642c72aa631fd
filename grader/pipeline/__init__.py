"""The grading pipeline: submissions folder → answers read → scored → stored → reported.

Orchestration only: each step is a call into reading, scoring, storage or
reports. One student's failure is recorded for that student, never raised.
"""

from grader.pipeline.run import GradeOptions, GradingSummary, grade_submissions
from grader.pipeline.submissions import find_students

__all__ = ["GradeOptions", "GradingSummary", "find_students", "grade_submissions"]
