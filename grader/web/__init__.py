"""The review service behind `grader serve`: web pages over the gradebook where staff decide.

Routes (`grader.web.app`) only parse requests, call `grader.service` and render
templates; the token check lives in `grader.web.access`. No grading logic here.
"""

from grader.web.app import ReviewConfig, create_app

__all__ = ["ReviewConfig", "create_app"]
