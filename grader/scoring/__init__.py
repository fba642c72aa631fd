"""Scoring: turn one student's answer texts into `QuestionResult`s using the rubric and the computed key.

`answer_grader.AnswerGrader` splits a document and dispatches each answer to its kind
(`grader.kinds.table`); `compare` and `outcome` are the pieces the exact kinds share;
`concepts` and its helpers match concept answers against key points. Reads answers
through `grader.reading` and compares with `grader.reference`; it never touches files,
the database or reports. This `__init__` imports nothing, so kinds can use the helpers.
"""
