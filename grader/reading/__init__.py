"""Reading what students wrote: files into text, text into answers, answers into numbers.

Everything here reads and never judges: scoring decides what a matrix or
shape is worth. Student text is parsed by small hand-written readers,
never passed to eval() or exec().
"""

from grader.reading.arithmetic import evaluate_arithmetic
from grader.reading.arrays import extract_arrays
from grader.reading.errors import UnreadableKind, UnreadableSubmission
from grader.reading.files import WrittenDocument, read_written_file
from grader.reading.found import FoundArray
from grader.reading.questions import split_into_questions
from grader.reading.shapes import FoundShape, extract_shapes

__all__ = [
    "FoundArray",
    "FoundShape",
    "UnreadableKind",
    "UnreadableSubmission",
    "WrittenDocument",
    "evaluate_arithmetic",
    "extract_arrays",
    "extract_shapes",
    "read_written_file",
    "split_into_questions",
]
