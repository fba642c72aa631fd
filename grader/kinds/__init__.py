"""Question kinds: one module per kind (matrix, tensor, shape, number, concept, accuracy,
figures) and the one table of them, `grader.kinds.table.QUESTION_KINDS`.

This package's `__init__` imports nothing, so the rubric model can import the shared base
(`grader.kinds.base`) without loading every kind.
"""
