"""Record a notebook's outputs as nbformat-4 output dicts, within a byte budget. Runs INSIDE the sandbox.

Job: turn what the cells print and display (stream text, display data,
execute results, tracebacks) into the outputs Jupyter would save, the way
Jupyter shows them (consecutive prints merged into one stream output, a
carriage return rewriting its line, ``clear_output`` honoured), while
keeping memory and the executed notebook bounded: a cell that prints too
much keeps the head and the tail of its text with a note of what was
omitted between them, past the notebook's output cap text is cut with a
notice and rich outputs are replaced by a one-line note; an output flood
costs a counter, not memory.

What it must not do: import anything but the standard library (it runs
inside the kernel environment next to the student's code), or trust that
the student left it alone (the host re-validates everything it writes).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from typing import Any

TRUNCATION_NOTICE = (
    "\n[... output truncated: the notebook printed more than the grader keeps ...]\n"
)
# Tracebacks: at most this many entries (IPython gives one per frame), each this long.
TRACEBACK_ENTRIES_CAP = 40
TRACEBACK_ENTRY_CHARS = 3000
EVALUE_CHARS = 2000


def _overwrite_line(line: str) -> str:
    """A carriage return goes back to the start of the line: keep what was written after the last one."""
    cut = line.rstrip("\r").rfind("\r")
    return line[cut + 1 :] if cut >= 0 else line


def _json_value(value: object) -> object:
    """Display data as JSON: bytes become base64 (as ipykernel does), unknown objects their repr."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, str):
        return value
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def _size(value: object) -> int:
    return len(value) if isinstance(value, str) else len(json.dumps(value))


def cap_traceback(entries: list[str]) -> list[str]:
    """Keep the first few and the last (most telling) traceback entries, each cut to length."""
    if len(entries) > TRACEBACK_ENTRIES_CAP:
        head, tail = entries[:5], entries[-(TRACEBACK_ENTRIES_CAP - 5) :]
        omitted = len(entries) - len(head) - len(tail)
        entries = [*head, f"[... {omitted} traceback entries omitted ...]", *tail]
    return [str(entry)[:TRACEBACK_ENTRY_CHARS] for entry in entries]


class StreamOutput:
    """One stream output: consecutive lines written to the same stream."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parts: list[str] = []

    def to_json(self) -> dict[str, Any]:
        return {"output_type": "stream", "name": self.name, "text": "".join(self.parts)}


class StreamTail:
    """The last lines a flooding cell printed, at most `cap` bytes; older ones are counted, not kept."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.lines: deque[tuple[str, str, int]] = deque()
        self.size = 0
        self.omitted = 0

    def add(self, name: str, line: str, size: int) -> None:
        self.lines.append((name, line, size))
        self.size += size
        while self.size > self.cap and self.lines:
            excess = self.size - self.cap
            old_name, old_line, old_size = self.lines.popleft()
            self.size -= old_size
            kept_size = 0
            if old_size > excess:  # the oldest line loses only its start
                kept = old_line.encode("utf-8", "replace")[excess:].decode("utf-8", "ignore")
                kept_size = len(kept.encode("utf-8"))
                self.lines.appendleft((old_name, kept, kept_size))
                self.size += kept_size
            self.omitted += old_size - kept_size


class OutputRecorder:
    """Collects the outputs of the cell being run, within two byte budgets.

    The whole notebook's outputs share `cap_bytes`. Within one cell, stream text
    past a quarter of that keeps its first and last eighth (the head and the
    tail, where a training loop prints its final accuracy) with a note of what
    was omitted between them, so one flooding cell cannot starve the others.
    """

    def __init__(self, cap_bytes: int) -> None:
        self.lock = threading.RLock()  # student threads print too
        self.remaining = max(cap_bytes, 0)
        self.dropped_bytes = 0
        self.last_error: dict[str, Any] | None = None
        self._head_cap = max(cap_bytes // 8, 1)
        self._tail_cap = max(cap_bytes // 8, 1)
        self._outputs: dict[int, list[Any]] = {}
        self._cell_outputs: list[Any] = []
        self._cell_charge = 0
        self._head_left = self._head_cap
        self._tail: StreamTail | None = None
        self._open_name: str | None = None
        self._open_text = ""
        self._clear_before_next = False
        self._display_ids: dict[str, list[dict[str, Any]]] = {}
        self._unshown_error: dict[str, Any] | None = None
        self._notice_given = False

    # -- cells -------------------------------------------------------------------------
    def clear_outputs(self, notebook: dict[str, Any]) -> None:
        """Forget the outputs the student saved: every output in the result comes from this run."""
        for cell in notebook["cells"]:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None

    def start_cell(self, index: int) -> None:
        with self.lock:
            self._settle_streams()
            self._cell_outputs = self._outputs.setdefault(index, [])
            self._cell_charge = 0
            self._head_left = self._head_cap
            self._clear_before_next = False
            self.last_error = None
            self._unshown_error = None

    def finish_cell(self, *, keep_error: bool) -> None:
        """End the cell; a failing cell's error output is kept even past the cap."""
        with self.lock:
            self._settle_streams()
            if keep_error and self._unshown_error is not None:
                self._cell_outputs.append(self._unshown_error)
            self._unshown_error = None

    def snapshot(self, notebook: dict[str, Any]) -> dict[str, Any]:
        """The notebook with the outputs recorded so far, as JSON-ready dicts."""
        with self.lock:
            cells = []
            for index, cell in enumerate(notebook["cells"]):
                if cell.get("cell_type") == "code":
                    outputs = [
                        out.to_json() if isinstance(out, StreamOutput) else out
                        for out in self._outputs.get(index, [])
                    ]
                    cell = {**cell, "outputs": outputs}
                cells.append(cell)
            return {**notebook, "cells": cells}

    # -- budget ------------------------------------------------------------------------
    def _charge(self, nbytes: int) -> bool:
        if nbytes > self.remaining:
            return False
        self.remaining -= nbytes
        self._cell_charge += nbytes
        return True

    def _drop(self, nbytes: int) -> None:
        self.dropped_bytes += nbytes

    def _append(self, output: Any) -> None:
        if self._clear_before_next:
            self._clear_now()
        self._settle_streams()
        self._cell_outputs.append(output)

    def _clear_now(self) -> None:
        self._cell_outputs.clear()
        self.remaining += self._cell_charge  # a live-updating display does not drain the budget
        self._cell_charge = 0
        self._head_left = self._head_cap
        self._tail = None
        self._open_name, self._open_text = None, ""
        self._clear_before_next = False

    def clear_output(self, *, wait: bool) -> None:
        with self.lock:
            if wait:
                self._clear_before_next = True
            else:
                self._clear_now()

    # -- streams -----------------------------------------------------------------------
    def stream(self, name: str, text: str) -> None:
        with self.lock:
            if self._clear_before_next:
                self._clear_now()
            if self.remaining <= 0:
                self._drop(len(text))
                self._give_notice(name)
                return
            if self._open_name not in (None, name):
                self._close_open_line()
            self._open_name = name
            pieces = text.split("\n")
            for number, piece in enumerate(pieces):
                self._open_text = _overwrite_line(self._open_text + piece)
                if number < len(pieces) - 1:
                    line, self._open_text = self._open_text.rstrip("\r") + "\n", ""
                    self._route_line(name, line)
            if len(self._open_text) > self._tail_cap:  # a flood without newlines
                self._close_open_line()

    def _close_open_line(self) -> None:
        if self._open_name is not None and self._open_text:
            self._route_line(self._open_name, self._open_text)
        self._open_name, self._open_text = None, ""

    def _settle_streams(self) -> None:
        """Before any other output, and at the end of the cell: the open line, then the tail."""
        self._close_open_line()
        tail, self._tail = self._tail, None
        if tail is None:
            return
        if tail.omitted:
            self._drop(tail.omitted)
            last = self._cell_outputs[-1] if self._cell_outputs else None
            newline = isinstance(last, StreamOutput) and not last.parts[-1].endswith("\n")
            note = f"{chr(10) * newline}[... {tail.omitted:,} bytes of output omitted by the grader ...]\n"
            self._emit(tail.lines[0][0] if tail.lines else "stdout", note, len(note))
        for name, line, size in tail.lines:
            self._emit(name, line, size)

    def _route_line(self, name: str, line: str) -> None:
        size = len(line.encode("utf-8", "replace"))
        if self._tail is None:
            if size <= self._head_left:
                self._head_left -= size
                self._emit(name, line, size)
                return
            if self._head_left > 0:  # the head ends inside this line: its start is kept
                encoded = line.encode("utf-8", "replace")
                head = encoded[: self._head_left].decode("utf-8", "ignore")
                head_size = len(head.encode("utf-8"))
                self._emit(name, head, head_size)
                line, size = encoded[head_size:].decode("utf-8", "replace"), size - head_size
            self._head_left = 0
            self._tail = StreamTail(self._tail_cap)
        if size > self._tail_cap:  # an overlong line: only its end can be in the tail
            end = line.encode("utf-8", "replace")[-self._tail_cap :].decode("utf-8", "ignore")
            self._tail.omitted += size - len(end.encode("utf-8"))
            line, size = end, len(end.encode("utf-8"))
        self._tail.add(name, line, size)

    def _emit(self, name: str, line: str, size: int) -> None:
        """Add a line to the cell's outputs, charged to the notebook budget (cut at its end)."""
        if self.remaining <= 0:
            self._drop(size)
            self._give_notice(name)
            return
        if not self._charge(size):
            encoded = line.encode("utf-8", "replace")[: self.remaining]
            kept = encoded.decode("utf-8", "ignore")
            self._drop(size - len(kept.encode("utf-8")))
            line = kept + TRUNCATION_NOTICE
            self._notice_given = True
            self._cell_charge += self.remaining
            self.remaining = 0
        last = self._cell_outputs[-1] if self._cell_outputs else None
        if not (isinstance(last, StreamOutput) and last.name == name):
            last = StreamOutput(name)
            self._cell_outputs.append(last)
        last.parts.append(line)

    def _give_notice(self, name: str) -> None:
        """Say once, in the notebook, that output was cut (when the budget ran out exactly)."""
        if not self._notice_given:
            self._notice_given = True
            notice = StreamOutput(name)
            notice.parts.append(TRUNCATION_NOTICE.lstrip("\n"))
            self._cell_outputs.append(notice)

    # -- rich outputs ------------------------------------------------------------------
    def _fit_bundle(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The bundle if it fits; else text/plain and a note saying what was dropped; else None."""
        bundle = {str(mime): _json_value(value) for mime, value in data.items()}
        sizes = {mime: _size(value) for mime, value in bundle.items()}
        if self._charge(sum(sizes.values())):
            return bundle
        if self.remaining > 0:
            dropped = ", ".join(f"{mime} ({sizes[mime]:,} bytes)" for mime in bundle)
            note = f"[output dropped by the grader: {dropped} over the output cap]"
            plain = bundle.get("text/plain")
            if isinstance(plain, str) and self._charge(len(plain) + len(note)):
                self._drop(sum(sizes.values()) - len(plain))
                return {"text/plain": f"{plain}\n{note}"}
            if self._charge(len(note)):
                self._drop(sum(sizes.values()))
                return {"text/plain": note}
        self._drop(sum(sizes.values()))
        self.remaining = 0
        return None

    def display(
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None,
        *,
        transient: dict[str, Any] | None = None,
        update: bool = False,
    ) -> None:
        if not isinstance(data, dict):
            return
        with self.lock:
            display_id = transient.get("display_id") if isinstance(transient, dict) else None
            bundle = self._fit_bundle(data)
            if bundle is None:
                return
            metadata = metadata if isinstance(metadata, dict) else {}
            if update:  # update_display_data: change earlier outputs in place, add nothing
                for output in self._display_ids.get(str(display_id), []):
                    output["data"], output["metadata"] = bundle, metadata
                return
            output = {"output_type": "display_data", "data": bundle, "metadata": metadata}
            if display_id is not None:
                self._display_ids.setdefault(str(display_id), []).append(output)
            self._append(output)

    def execute_result(
        self, data: dict[str, Any], metadata: dict[str, Any] | None, execution_count: int
    ) -> None:
        with self.lock:
            bundle = self._fit_bundle(data)
            if bundle is None:
                return
            self._append(
                {
                    "output_type": "execute_result",
                    "execution_count": execution_count,
                    "data": bundle,
                    "metadata": metadata if isinstance(metadata, dict) else {},
                }
            )

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        with self.lock:
            output = {
                "output_type": "error",
                "ename": str(ename)[:200],
                "evalue": str(evalue)[:EVALUE_CHARS],
                "traceback": cap_traceback(list(traceback)),
            }
            self.last_error = output
            size = sum(len(line) for line in output["traceback"]) + len(output["evalue"])
            if self._charge(size):
                self._append(output)
                self._unshown_error = None
            else:
                self._drop(size)
                self._unshown_error = output
