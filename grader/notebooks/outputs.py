"""The text outputs of an executed notebook that a reviewer needs for one question.

Job: from the stored executed notebook (bytes written by the sandbox, so untrusted:
its JSON cost is checked before parsing), pick the text outputs (streams, plain-text
results, errors) of the cells that mention any of the given words, newest last,
ANSI codes removed and each cut to a length a page can show. Nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader.notebooks.untrusted import json_cost_problem, strip_ansi


@dataclass(frozen=True)
class CellOutput:
    cell: int  # 1-based, as a person counts cells
    text: str


def _joined(value: object) -> str:
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _output_text(output: dict[str, Any]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _joined(output.get("text"))
    if kind in ("execute_result", "display_data"):
        data = output.get("data")
        return _joined(data.get("text/plain")) if isinstance(data, dict) else ""
    if kind == "error":
        return f"{_joined(output.get('ename'))}: {_joined(output.get('evalue'))}"
    return ""


def relevant_outputs(
    executed: bytes | None, mentions: Sequence[str], *, limit: int = 8, chars: int = 600
) -> list[CellOutput]:
    """The last `limit` code cells' text outputs whose source or output mentions a word
    of `mentions` (case-insensitive). Unreadable or too costly JSON gives none."""
    if not executed or json_cost_problem(executed) is not None:
        return []
    try:
        document = json.loads(executed)
    except (ValueError, UnicodeDecodeError):
        return []
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        return []
    words = [word.lower() for word in mentions if word]
    found: list[CellOutput] = []
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs")
        text = strip_ansi(
            "".join(_output_text(o) for o in outputs if isinstance(o, dict))
            if isinstance(outputs, list)
            else ""
        ).strip()
        if not text:
            continue
        haystack = (_joined(cell.get("source")) + "\n" + text).lower()
        if any(word in haystack for word in words):
            shown = text if len(text) <= chars else text[: chars - 1] + "…"
            found.append(CellOutput(index, shown))
    return found[-limit:]
