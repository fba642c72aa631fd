"""The output recorder alone: merging, carriage returns, the byte budget, clear_output, tracebacks."""

from __future__ import annotations

from grader.notebooks.inside_capture import (
    TRACEBACK_ENTRIES_CAP,
    TRUNCATION_NOTICE,
    OutputRecorder,
)


def outputs(recorder: OutputRecorder, index: int = 0) -> list[dict]:
    recorder.finish_cell(keep_error=False)
    notebook = {"cells": [{"cell_type": "code", "source": "", "outputs": []}] * (index + 1)}
    return recorder.snapshot(notebook)["cells"][index]["outputs"]


def started(cap: int = 10_000) -> OutputRecorder:
    recorder = OutputRecorder(cap)
    recorder.start_cell(0)
    return recorder


def test_consecutive_writes_merge_and_a_stream_change_starts_a_new_output():
    recorder = started()
    recorder.stream("stdout", "a")
    recorder.stream("stdout", "b\nc\n")
    recorder.stream("stderr", "warn\n")
    recorder.stream("stdout", "d")
    recorder.finish_cell(keep_error=False)
    assert outputs(recorder) == [
        {"output_type": "stream", "name": "stdout", "text": "ab\nc\n"},
        {"output_type": "stream", "name": "stderr", "text": "warn\n"},
        {"output_type": "stream", "name": "stdout", "text": "d"},
    ]


def test_carriage_return_rewrites_the_open_line_like_a_progress_bar():
    recorder = started()
    for step in range(3):
        recorder.stream("stderr", f"\rstep {step}/3")
    recorder.stream("stderr", "\ndone\r\n")
    assert outputs(recorder)[0]["text"] == "step 2/3\ndone\n"


def test_a_flooding_cell_keeps_its_head_and_tail_and_later_cells_keep_theirs():
    recorder = started(cap=8000)  # per cell: head 1000 bytes, tail 1000 bytes
    for number in range(1000):
        recorder.stream("stdout", f"line {number:04d}\n")
    recorder.finish_cell(keep_error=False)
    recorder.start_cell(1)
    recorder.stream("stdout", "test accuracy 0.91\n")
    (flood,) = outputs(recorder, 0)
    expected_head = "".join(f"line {number:04d}\n" for number in range(100))
    expected_tail = "".join(f"line {number:04d}\n" for number in range(900, 1000))
    note = "[... 8,000 bytes of output omitted by the grader ...]\n"
    assert flood["text"] == expected_head + note + expected_tail
    assert outputs(recorder, 1)[0]["text"] == "test accuracy 0.91\n"
    assert recorder.dropped_bytes == 8000


def test_past_the_notebook_budget_output_is_cut_once_with_a_notice():
    recorder = OutputRecorder(80)  # per cell head 10; the notebook holds 8 such cells
    for index in range(10):
        recorder.start_cell(index)
        recorder.stream("stdout", f"cell {index:04d}\n")
        recorder.finish_cell(keep_error=False)
    texts = [outputs(recorder, index) for index in range(10)]
    assert [out[0]["text"] for out in texts[:8]] == [f"cell {n:04d}\n" for n in range(8)]
    assert texts[8] == [
        {"output_type": "stream", "name": "stdout", "text": TRUNCATION_NOTICE.lstrip("\n")}
    ]
    assert texts[9] == []
    assert recorder.dropped_bytes == 20


def test_a_flood_without_newlines_stays_bounded():
    recorder = started(cap=8000)
    for _ in range(10_000):
        recorder.stream("stdout", "y" * 100)
    (output,) = outputs(recorder)
    head, note, tail = output["text"].split("\n")[:3]
    assert head == tail == "y" * 1000
    assert note == "[... 998,000 bytes of output omitted by the grader ...]"
    assert recorder.dropped_bytes == 998_000


def test_rich_output_over_the_cap_keeps_text_plain_and_says_what_was_dropped():
    recorder = started(cap=500)
    recorder.display({"text/plain": "<Figure>", "image/png": "A" * 10_000}, {})
    (output,) = outputs(recorder)
    assert output["output_type"] == "display_data"
    assert set(output["data"]) == {"text/plain"}
    assert output["data"]["text/plain"].startswith("<Figure>\n[output dropped by the grader")
    assert "image/png (10,000 bytes)" in output["data"]["text/plain"]


def test_bytes_images_are_base64_encoded_and_execute_results_carry_the_count():
    recorder = started()
    recorder.execute_result({"text/plain": "1", "image/png": b"\x89PNG"}, None, 7)
    (output,) = outputs(recorder)
    assert output == {
        "output_type": "execute_result",
        "execution_count": 7,
        "data": {"text/plain": "1", "image/png": "iVBORw=="},
        "metadata": {},
    }


def test_clear_output_wait_clears_on_next_output_and_refunds_the_budget():
    recorder = started(cap=400)
    for epoch in range(100):  # a live-updating training display
        recorder.clear_output(wait=True)
        recorder.stream("stdout", f"epoch {epoch} loss 0.1\n")
    assert outputs(recorder) == [
        {"output_type": "stream", "name": "stdout", "text": "epoch 99 loss 0.1\n"}
    ]
    assert recorder.dropped_bytes == 0


def test_display_update_changes_the_earlier_output_in_place():
    recorder = started()
    recorder.display({"text/plain": "0%"}, {}, transient={"display_id": "bar"})
    recorder.display({"text/plain": "100%"}, {}, transient={"display_id": "bar"}, update=True)
    assert [out["data"]["text/plain"] for out in outputs(recorder)] == ["100%"]


def test_tracebacks_are_capped_and_a_failing_cell_keeps_its_error_past_the_cap():
    recorder = started(cap=10)
    frames = [f"frame {n}\n" * 50 for n in range(500)]
    recorder.error("RecursionError", "maximum recursion depth exceeded", frames)
    recorder.finish_cell(keep_error=True)
    (output,) = outputs(recorder)
    assert output["ename"] == "RecursionError"
    assert len(output["traceback"]) == TRACEBACK_ENTRIES_CAP + 1
    assert "traceback entries omitted" in output["traceback"][5]
    assert output["traceback"][-1].startswith("frame 499")
    assert recorder.last_error is not None


def test_clear_outputs_forgets_what_the_student_saved():
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": 3, "outputs": [{"output_type": "stream"}]},
            {"cell_type": "markdown", "source": "text"},
        ]
    }
    OutputRecorder(10).clear_outputs(notebook)
    assert notebook["cells"][0] == {"cell_type": "code", "execution_count": None, "outputs": []}
    assert notebook["cells"][1] == {"cell_type": "markdown", "source": "text"}
