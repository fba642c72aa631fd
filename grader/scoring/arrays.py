"""Score matrix (single-channel) and tensor (multi-channel) answers against the computed key.

Takes the arrays the reader found in one answer, picks the one that is the
student's answer, and awards full credit for any accepted convention,
partial credit per the rubric, and names a computed mistake when one matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import permutations
from typing import Any, cast

from grader.reading import FoundArray
from grader.reading.found import Matrix
from grader.reference.answer_key import QuestionKey, Value, to_jsonable
from grader.results import QuestionResult, ReviewReason
from grader.rubric.model import ExactQuestion
from grader.scoring.compare import differing_entries, matching_mistake, shape_of, share_right
from grader.scoring.outcome import exact_result, unreadable_result


def _partial_share(got: Value, expected: Value, question: ExactQuestion) -> float:
    if shape_of(got) != shape_of(expected):
        return 0.0
    return question.partial.shape + question.partial.entries * share_right(got, expected)


def _mistake_share(name: str, question: ExactQuestion) -> float:
    return question.partial.mistakes.get(name, 0.0)


# Words that name the matrix after them as the answer ("the result is", "final:", "= ").
_RESULT_CUE = re.compile(
    r"(?i:\b(?:result|answer|output|final|corrected|correct one|so we get|gives?)\b[^\n]{0,20}|=)\s*[:$]*\s*$"
)
CUE_WINDOW = 60  # characters before a matrix searched for a result cue


def final_result(
    answer_text: str, matrices: Sequence[FoundArray], accepted_shapes: set[tuple[int, ...]]
) -> tuple[FoundArray | None, bool]:
    """(the matrix that is the answer when several of the answer's size are shown, whether the
    text calls it the result); (None, False) when there is only one.

    The last one the text introduces as the result wins; without such a cue, the last
    unlabelled one (channel-labelled matrices are steps).
    """
    sized = [m for m in matrices if m.shape in accepted_shapes]
    unlabelled = [m for m in sized if m.label is None] or sized
    if len(sized) < 2:
        return None, False
    called: FoundArray | None = None
    search_from = 0
    for found in sized:
        position = answer_text.find(found.source, search_from)
        if position < 0:
            continue
        search_from = position + len(found.source)
        cue = _RESULT_CUE.search(answer_text[max(0, position - CUE_WINDOW) : position])
        if cue and found in unlabelled:
            called = found
    return (called, True) if called is not None else (unlabelled[-1], False)


def score_matrix(
    question_id: str,
    question: ExactQuestion,
    key: QuestionKey,
    answer_text: str,
    arrays: Sequence[FoundArray],
    *,
    review_below: float,
) -> QuestionResult:
    """One output matrix: any accepted convention is full credit; else partial, diagnosed."""
    first_expected = to_jsonable(key.accepted[0].value)
    matrices = [a for a in arrays if len(a.shape) == 2]
    if not matrices:
        return unreadable_result(question_id, question, answer_text, first_expected, "a matrix")

    accepted_shapes = {shape_of(a.value) for a in key.accepted}
    final, called = final_result(answer_text, matrices, accepted_shapes)
    # Students often show the padded input or per-channel steps first: the result is the
    # matrix the text calls the result, else the last one of the right size (and when an
    # earlier one is right but the last is not, a person decides).
    if called:
        looked_at: list[FoundArray] = [final] if final is not None else []
    else:
        looked_at = [final, *reversed(matrices)] if final is not None else list(reversed(matrices))
    for found in looked_at:
        for accepted in key.accepted:
            if found.values != accepted.value:
                continue
            contradicted = final is not None and final is not found
            return exact_result(
                question_id, question, answer_text=answer_text, share=1.0,
                answer_read=to_jsonable(found.values), expected=to_jsonable(accepted.value),
                convention=accepted.convention, confidence=found.confidence, review_below=review_below,
                review_reason=ReviewReason.AMBIGUOUS if contradicted else None,
                review_note="the answer shows several results of this size and the last (or the "
                "one called the result) is not the accepted one",
            )  # fmt: skip

    # Several per-channel matrices instead of one sum.
    if len(matrices) >= 2:
        stacked = tuple(m.values for m in matrices[-len(key.channel_names) :])
        mistake = matching_mistake(stacked, key.mistakes)
        if mistake is not None:
            return exact_result(
                question_id, question, answer_text=answer_text, share=_mistake_share(mistake.name, question),
                answer_read=to_jsonable(stacked), expected=first_expected, diagnosis=mistake.name,
                confidence=min(m.confidence for m in matrices), review_below=review_below,
            )  # fmt: skip

    chosen = final or next(
        (m for m in reversed(matrices) if m.shape in accepted_shapes), matrices[-1]
    )
    mistake = matching_mistake(chosen.values, key.mistakes)
    best = max(key.accepted, key=lambda a: _partial_share(chosen.values, a.value, question))
    share = _partial_share(chosen.values, best.value, question)
    if mistake is not None:
        share = max(share, _mistake_share(mistake.name, question))
    details: dict[str, Any] = {"style": chosen.style}
    differences = differing_entries(chosen.values, best.value)
    if differences:
        details["differing_entries"] = differences
    elif chosen.shape != shape_of(best.value):
        details["shape"] = {"got": list(chosen.shape), "expected": list(shape_of(best.value))}
    # A wrong-sized matrix that no computed mistake explains is more often a misreading
    # (a fragment, a damaged grid) than an answer: a person looks before it costs marks.
    unexplained = mistake is None and chosen.shape not in accepted_shapes
    shown = "×".join(str(n) for n in chosen.shape)
    return exact_result(
        question_id, question, answer_text=answer_text, share=share,
        answer_read=to_jsonable(chosen.values), expected=to_jsonable(best.value),
        diagnosis=mistake.name if mistake else None, details=details,
        confidence=chosen.confidence, review_below=review_below,
        review_reason=ReviewReason.AMBIGUOUS if unexplained else None,
        review_note=f"the answer was read as a {shown} matrix, which no usual mistake explains",
    )  # fmt: skip


def _channels_from(
    arrays: Sequence[FoundArray], key: QuestionKey
) -> tuple[dict[str, Value], float, str | None]:
    """Map the answer's arrays to named channels → (channels, confidence, ambiguity note)."""
    names = key.channel_names
    channel_shape = shape_of(key.accepted[0].value[0])
    blocks = [a for a in arrays if len(a.shape) == 3]
    for block in reversed(blocks):
        if block.shape == (len(names), *channel_shape):  # channel-first block
            return dict(zip(names, block.values, strict=True)), block.confidence, None
        if block.shape == (*channel_shape, len(names)):  # H×W×C block: transpose
            pixels = cast("tuple[Matrix, ...]", block.values)  # 3-D: H rows of W pixels of C
            channels = {
                name: tuple(tuple(row[c] for row in rows) for rows in pixels)
                for c, name in enumerate(names)
            }
            return channels, block.confidence, None
    matrices = [a for a in arrays if len(a.shape) == 2]
    labelled = {a.label: a for a in matrices if a.label in names}
    if labelled:
        confidence = min(a.confidence for a in labelled.values())
        return {name: a.values for name, a in labelled.items()}, confidence, None
    candidates = [a for a in matrices if a.shape == channel_shape][-len(names) :]
    if len(candidates) == len(names):
        confidence = min(a.confidence for a in candidates)
        return (
            dict(zip(names, (a.values for a in candidates), strict=True)),
            confidence,
            "unlabelled",
        )
    return {}, 0.0, None


def _names_channel(answer_text: str, name: str) -> bool:
    """The answer labels a channel `name` ("R:", "R =", "channel R"), whatever follows."""
    pattern = rf"(?im)(?:^|[\s(])(?:channel[ \t]*)?{re.escape(name)}[ \t]*(?:channel)?[ \t]*[:=]"
    return re.search(pattern, answer_text) is not None


def score_tensor(
    question_id: str,
    question: ExactQuestion,
    key: QuestionKey,
    answer_text: str,
    arrays: Sequence[FoundArray],
    *,
    review_below: float,
) -> QuestionResult:
    """A multi-channel result: per channel, labelled in any order, or one H×W×C / C×H×W block."""
    names = key.channel_names
    accepted = key.accepted[0]
    expected = dict(zip(names, accepted.value, strict=True))
    expected_json = {name: to_jsonable(v) for name, v in expected.items()}
    channels, confidence, note = _channels_from(arrays, key)
    if not channels:
        matrices = [a for a in arrays if len(a.shape) == 2]
        if not matrices:
            return unreadable_result(
                question_id, question, answer_text, expected_json, "a pooled result"
            )
        single = matrices[-1]
        mistake = matching_mistake(single.values, key.mistakes)
        share = max(
            1.0 if single.values == v else _partial_share(single.values, v, question)
            for v in expected.values()
        )
        share = share / len(names)
        if mistake is not None:
            share = max(share, _mistake_share(mistake.name, question))
        named = [n for n in names if _names_channel(answer_text, n)]
        return exact_result(
            question_id, question, answer_text=answer_text, share=share,
            answer_read=to_jsonable(single.values), expected=expected_json,
            diagnosis=mistake.name if mistake else "only one 2-D result given for a 3-channel input",
            confidence=single.confidence, review_below=review_below,
            # "R: all 1s, G: all 2s, B: <grid>": the channels are there, in words a reader misses.
            review_reason=ReviewReason.UNREADABLE if len(named) > 1 else None,
            review_note=f"the answer names channels {', '.join(named)} but only one grid could be read",
        )  # fmt: skip

    review_reason: ReviewReason | None = None
    review_note = ""
    if note == "unlabelled":
        in_order = all(channels[n] == expected[n] for n in names)
        reordered = next(
            (
                perm
                for perm in permutations(names)
                if all(channels[n] == expected[p] for n, p in zip(names, perm, strict=True))
            ),
            None,
        )
        if not in_order and reordered is not None:
            # Right values in another order: suggest full credit, a person checks the order.
            channels = {p: channels[n] for n, p in zip(names, reordered, strict=True)}
            review_reason = ReviewReason.AMBIGUOUS
            review_note = f"the channels are unlabelled and match in the order {', '.join(reordered)}, not R, G, B"
    per_channel = [
        1.0
        if channels.get(n) == expected[n]
        else _partial_share(channels[n], expected[n], question)
        if n in channels
        else 0.0
        for n in names
    ]
    share = sum(per_channel) / len(names)
    details: dict[str, Any] = {}
    differences = [
        {**d, "index": [names.index(n), *d["index"]]}
        for n in names
        if n in channels
        for d in differing_entries(channels[n], expected[n])
    ]
    if differences:
        details["differing_entries"] = differences
    missing = [n for n in names if n not in channels]
    diagnosis = (
        f"channel{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing"
        if missing
        else None
    )
    if share < 1 and not missing:
        mistake = matching_mistake(tuple(channels[n] for n in names), key.mistakes)
        diagnosis = mistake.name if mistake else None
    named_but_unread = [n for n in missing if _names_channel(answer_text, n)]
    if named_but_unread and review_reason is None:
        # "R:" is written but nothing after it could be read: damage, not a missing channel.
        review_reason = ReviewReason.UNREADABLE
        review_note = (
            f"channel {', '.join(named_but_unread)} is named in the answer but its values "
            "could not be read"
        )
    return exact_result(
        question_id, question, answer_text=answer_text, share=share,
        answer_read={n: to_jsonable(v) for n, v in channels.items()}, expected=expected_json,
        convention=accepted.convention, diagnosis=diagnosis, details=details,
        confidence=confidence, review_below=review_below, review_reason=review_reason, review_note=review_note,
    )  # fmt: skip
