"""The gradebook, a SQLite file or a PostgreSQL database: open it, write graded results and
overrides, read current grades.

Must not score answers or render reports; it stores and returns result records.
"""

from grader.storage.database import GradebookTarget, gradebook_label, open_gradebook
from grader.storage.gradebook import Gradebook

__all__ = ["Gradebook", "GradebookTarget", "gradebook_label", "open_gradebook"]
