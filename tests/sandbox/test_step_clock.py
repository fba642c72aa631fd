"""The driver's step clock (grader/sandbox/inside/driver.py): announcements from the command are
untrusted, so they can move time between the command's own steps but never add any."""

from __future__ import annotations

import time

from grader.sandbox.inside.driver import StepClock


def test_announcements_never_move_a_deadline_past_the_budget():
    clock = StepClock(seconds=10.0, max_steps=3)
    budget = clock.budget_end
    assert clock.next_deadline() == budget  # before any step: the budget itself
    clock.feed(b"start 0\n")
    first = clock.deadline
    assert first is not None and first <= budget
    clock.feed(b"start 7\nstart 8\nstart 9\nstart 10\n")  # a cell announcing cells of its own
    assert (clock.step, clock.taken) == (8, 3)  # three steps at most; the rest is ignored
    assert clock.next_deadline() <= budget == clock.budget_end
    clock.feed(b"start 5\nnonsense\nstart x\n")  # not growing, not a number: ignored
    assert clock.step == 8


def test_the_budget_is_fixed_when_the_clock_is_made():
    before = time.monotonic()
    clock = StepClock(seconds=2.5, max_steps=4)
    assert before + 10.0 <= clock.budget_end <= time.monotonic() + 10.0
