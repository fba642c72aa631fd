"""hw-grader: an autograder for deep-learning homework (exact keys, rubric scoring, SQLite gradebook, reports)."""

__version__ = "0.1.0"
