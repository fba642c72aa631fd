"""Find the accuracies a student reports in an executed notebook, and flag gaps to the measured ones.

Reads printed output (stream text, text/plain results) and markdown cells for mentions such as
"test accuracy: 0.873", "accuracy = 87.3%", "val_acc: 0.80", "72% test accuracy" and simple
markdown tables with an accuracy column, and attributes each to a model id named on the same line,
in the code cell that printed it, or in the nearest markdown heading above. Training accuracy is
ignored; every other mention keeps its qualifier (test, validation or unqualified) and where it
was found, and the scorer picks the one it compares. The notebook is untrusted: sizes are capped
and odd types skipped. Reported numbers are evidence for a flag only; they never change a score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from grader.evaluation.notebook_cells import iter_cells, iter_outputs, output_data, text_of

DEFAULT_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {  # regular expressions, matched on lower-cased text after a non-letter
        "p1.scratch": (r"scratch",),
        "p1.transfer": (r"transfer", r"feature[\s_-]*extract", r"frozen[\s_-]*(?:vgg|base)"),
        "p1.finetune": (r"fine[\s_-]*tun",),
        "p1.augment": (r"augment", r"data[\s_-]*aug"),
        "p2.baseline": (r"baseline",),
        "p2.inception": (r"inception",),
        "p2.residual": (r"residual", r"resnet", r"skip[\s_-]*connection"),
    }
)
# Names that later questions build on ("the transfer model with augmentation", "the baseline plus
# inception blocks"): when a more specific model is named alongside, the specific one wins.
GENERIC_MODELS = frozenset({"p1.transfer", "p2.baseline"})

MAX_TOTAL_CHARS = 2_000_000
MAX_LINE_CHARS = 2_000
WINDOW_CHARS = 60  # how far after "accuracy" the number may stand
GAP_TOLERANCE = 0.05

KEYWORD = re.compile(r"(?<![a-z])(?:accuracy|accuracies|acc)(?![a-z])")
NUMBER = re.compile(r"(?<![\w.])(\d{1,4}(?:\.\d+)?|\.\d+)(\s*%)?")
NUMBER_BEFORE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d+)?|\.\d+)(\s*%)?\s*"
    r"(?:(?:test|testing|validation|val|top[\s-]?1|overall|final|classification)[\s_-]*)?$"
)
UNIT_AFTER = re.compile(
    r"\s*(?:epoch|image|sample|example|step|iter|batch|class|model|layer|block|param|second|sec\b|min)"
)
EPOCH_LOG = re.compile(r"^\W*epoch\b|(?<![a-z])epoch\s*:?\s*\d+\s*(?:/|of)\s*\d+")  # "Epoch 3/10"
CLAUSE_BREAK = re.compile(r"[;,|!?]|\.\s|\s-\s")
QUALIFIERS = (
    ("test", re.compile(r"(?<![a-z])(?:test|testing|held[\s-]?out|hidden)(?![a-z])")),
    ("validation", re.compile(r"(?<![a-z])(?:val|valid|validation|dev)(?![a-z])")),
    ("train", re.compile(r"(?<![a-z])(?:train|training)(?![a-z])")),
)


@dataclass(frozen=True)
class ReportedAccuracy:
    """One accuracy the student wrote or printed, with where it was found."""

    model_id: str
    value: float  # as a fraction in 0…1
    qualifier: str  # "test", "validation" or "unqualified"
    cell_index: int
    source: str  # "output" or "markdown"
    text: str  # the line, trimmed, for the report


@dataclass(frozen=True)
class _ModelNames:
    """Compiled alias patterns: which models a piece of text names, and where."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def build(cls, model_ids: Iterable[str], aliases: Mapping[str, Sequence[str]]) -> _ModelNames:
        compiled = []
        for model_id in model_ids:
            alternatives = [re.escape(model_id.lower()), *aliases.get(model_id, ())]
            compiled.append((model_id, re.compile(rf"(?<![a-z])(?:{'|'.join(alternatives)})")))
        return cls(tuple(compiled))

    def named(self, text: str) -> list[tuple[int, str]]:
        """(position, model id) of every model name in text, in order."""
        found = [(m.start(), model_id) for model_id, p in self.patterns for m in p.finditer(text)]
        return sorted(found)

    def pick(self, text: str, *, near_end: bool) -> str | None:
        """The model text names: a specific one over a generic one, then the one nearest its end
        (near_end) or start."""
        found = self.named(text)
        specific = [hit for hit in found if hit[1] not in GENERIC_MODELS]
        candidates = specific or found
        if not candidates:
            return None
        return (candidates[-1] if near_end else candidates[0])[1]

    def single(self, text: str) -> str | None:
        """The model text names when it names exactly one (generic names yield to specific)."""
        ids = {model_id for _, model_id in self.named(text)}
        if len(ids) > 1:
            ids -= GENERIC_MODELS
        return ids.pop() if len(ids) == 1 else None


def _as_fraction(number: str, percent: bool) -> float | None:
    value = float(number)
    if percent:
        return value / 100 if 0 <= value <= 100 else None
    if "." in number:
        return value if value <= 1 else (value / 100 if value <= 100 else None)
    if value == 0:
        return 0.0
    return value / 100 if 2 <= value <= 100 else None  # "accuracy: 87"; a bare 1 is ambiguous


def _number_after(line: str, start: int, end: int) -> tuple[float, int, int] | None:
    """The first standalone accuracy-like number in line[start:end]: (value, start, end)."""
    for match in NUMBER.finditer(line, start, end):
        following = line[match.end() : match.end() + 1]
        preceding = line[match.start() - 1] if match.start() > 0 else ""
        glued = following.isalnum() or following in ("_", "/")
        if preceding == "/" or (glued and match.group(2) is None):
            continue  # part of "3x3", "conv2d", "10/10"
        if UNIT_AFTER.match(line, match.end()):
            continue  # "after 10 epochs", "on 2000 images"
        value = _as_fraction(match.group(1), bool(match.group(2)))
        if value is not None:
            return value, match.start(), match.end()
    return None


def _qualifier(texts: Sequence[str], epoch_line: bool) -> str:
    """test / validation / train from the first text naming one (the qualifier nearest the end)."""
    for text in texts:
        hits = [(m.start(), name) for name, pattern in QUALIFIERS for m in pattern.finditer(text)]
        if hits:
            return max(hits)[1]
    # Keras-style epoch logs print "acc" for training and "val_acc" for validation.
    return "train" if epoch_line else "unqualified"


def _line_mentions(
    line: str, names: _ModelNames, context: str | None
) -> Iterator[tuple[str, float, str]]:
    """(model id, value, qualifier) for each accuracy mentioned on one lower-cased line."""
    keywords = list(KEYWORD.finditer(line))
    epoch_line = EPOCH_LOG.search(line) is not None
    segment_start = 0
    for position, keyword in enumerate(keywords):
        window_end = keywords[position + 1].start() if position + 1 < len(keywords) else len(line)
        found = _number_after(line, keyword.end(), min(window_end, keyword.end() + WINDOW_CHARS))
        if found is not None:
            value, number_start, number_end = found
            between = line[keyword.end() : number_start]  # "accuracy on the test set: 0.87"
            prefix = line[segment_start : keyword.start()]
        else:  # "87.3% test accuracy"
            before = NUMBER_BEFORE.search(line, segment_start, keyword.start())
            fraction = _as_fraction(before.group(1), bool(before.group(2))) if before else None
            if before is None or fraction is None:
                continue
            value = fraction
            number_start, number_end = before.start(), keyword.end()
            between = line[number_start : keyword.start()]
            prefix = line[segment_start:number_start]
        after = CLAUSE_BREAK.split(line[number_end:window_end])[0][:30]  # "0.89 on the test set"
        qualifier = _qualifier((between, CLAUSE_BREAK.split(prefix)[-1][-25:], after), epoch_line)
        model_id = (
            names.pick(line[segment_start:number_start], near_end=True)
            or names.pick(line[:segment_start], near_end=True)
            or names.pick(line[number_end:window_end], near_end=False)
            or context
        )
        segment_start = number_end
        if model_id is not None and qualifier != "train":
            yield model_id, value, qualifier


def _table_mentions(lines: list[str], names: _ModelNames) -> Iterator[tuple[int, str, float, str]]:
    """(line index, model id, value, qualifier) from markdown tables with an accuracy column."""
    column: int | None = None
    header_qualifier = "unqualified"
    for index, line in enumerate(lines):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if "|" not in line or len(cells) < 2:
            column = None
            continue
        headers = [i for i, cell in enumerate(cells) if KEYWORD.search(cell)]
        if column is None and headers:
            column = headers[0]
            header_qualifier = _qualifier((cells[column],), epoch_line=False)
            continue
        if column is None or column >= len(cells) or set("".join(cells)) <= set("-: "):
            continue
        number = NUMBER.fullmatch(cells[column].replace(" ", "").strip("*_`"))
        value = _as_fraction(number.group(1), bool(number.group(2))) if number else None
        model_id = names.pick(
            " ".join(c for i, c in enumerate(cells) if i != column), near_end=False
        )
        if value is not None and model_id is not None and header_qualifier != "train":
            yield index, model_id, value, header_qualifier


def _text_chunks(notebook: object) -> Iterator[tuple[int, str, str, str]]:
    """(cell index, source kind, cell source, text) in notebook order: markdown, then outputs."""
    budget = MAX_TOTAL_CHARS
    for index, cell_type, cell in iter_cells(notebook):
        source = text_of(cell.get("source"))
        pieces: list[tuple[str, str]] = []
        if cell_type == "markdown":
            pieces.append(("markdown", source))
        elif cell_type == "code":
            for output in iter_outputs(cell):
                if output["output_type"] == "stream":
                    pieces.append(("output", text_of(output.get("text"))))
                else:
                    pieces.append(("output", text_of(output_data(output).get("text/plain"))))
        for kind, text in pieces:
            if budget <= 0:
                return
            text = text[:budget]
            budget -= len(text)
            yield index, kind, source, text


def find_reported_accuracies(
    notebook: object,
    model_ids: Iterable[str] | None = None,
    *,
    aliases: Mapping[str, Sequence[str]] = DEFAULT_ALIASES,
) -> list[ReportedAccuracy]:
    """Every accuracy mention attributed to one of model_ids (default: all ids in aliases)."""
    names = _ModelNames.build(aliases if model_ids is None else model_ids, aliases)
    heading_context: str | None = None
    found: list[ReportedAccuracy] = []
    for index, kind, source, text in _text_chunks(notebook):
        lines = text.splitlines()
        lowered = [line[:MAX_LINE_CHARS].lower() for line in lines]
        if kind == "markdown":
            headings = "\n".join(line for line in lowered if line.lstrip().startswith("#"))
            heading_context = (
                names.single(headings) or names.single(text.lower()) or heading_context
            )
            context = heading_context
        else:
            context = names.single(source.lower()) or heading_context
        table_lines: set[int] = set()
        for line_index, model_id, value, qualifier in _table_mentions(lowered, names):
            table_lines.add(line_index)
            trimmed = lines[line_index].strip()[:200]
            found.append(ReportedAccuracy(model_id, value, qualifier, index, kind, trimmed))
        for line_index, line in enumerate(lowered):
            if line_index in table_lines:
                continue
            for model_id, value, qualifier in _line_mentions(line, names, context):
                trimmed = lines[line_index].strip()[:200]
                found.append(ReportedAccuracy(model_id, value, qualifier, index, kind, trimmed))
    return found


def accuracy_gap_flag(
    reported: float | None, measured: float | None, tolerance: float = GAP_TOLERANCE
) -> bool:
    """True when the student reported an accuracy more than `tolerance` away from the measured one."""
    if reported is None or measured is None:
        return False
    return abs(reported - measured) > tolerance + 1e-9  # 0.873 vs 0.823 is a gap of exactly 0.05
