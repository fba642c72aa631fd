"""The `tensor` kind: a multi-channel result (C×H×W) computed from the parameters, such as max
pooling of an image per channel, or a convolution with several output channels.

Reads the channels labelled in any order ("R:", "channel G ="), one H×W×C or C×H×W
block, or unlabelled matrices in order (a different order is suggested and checked by a
person); scores per channel with the rubric's partial credit and names a computed
mistake when one matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import permutations
from typing import TYPE_CHECKING, Any, Literal, cast

from grader.kinds.base import AnswerLayout, ExactKind, ExactQuestion, answer_decimals
from grader.kinds.matrix import format_value, mistake_share, partial_share
from grader.reading import FoundArray, extract_arrays
from grader.reading.found import Matrix
from grader.reference.answer_key import QuestionKey
from grader.reference.values import Value, to_jsonable, values_equal
from grader.results import QuestionResult, ReviewReason
from grader.scoring.compare import differing_entries, matching_mistake, shape_of
from grader.scoring.outcome import exact_result, unreadable_result

if TYPE_CHECKING:
    from grader.scoring.answer_grader import AnswerGrader


class TensorQuestion(ExactQuestion):
    kind: Literal["tensor"]


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
    grader: AnswerGrader,
    question_id: str,
    question: ExactQuestion,
    key: QuestionKey,
    answer_text: str,
) -> QuestionResult:
    """A multi-channel result: per channel, labelled in any order, or one H×W×C / C×H×W block."""
    review_below = grader.review_below
    tolerance = question.tolerance
    arrays = extract_arrays(answer_text)
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
        mistake = matching_mistake(single.values, key.mistakes, tolerance)
        share = max(
            1.0
            if values_equal(single.values, v, tolerance)
            else partial_share(single.values, v, question)
            for v in expected.values()
        )
        share = share / len(names)
        if mistake is not None:
            share = max(share, mistake_share(mistake.name, question))
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
        in_order = all(values_equal(channels[n], expected[n], tolerance) for n in names)
        reordered = next(
            (
                perm
                for perm in permutations(names)
                if all(
                    values_equal(channels[n], expected[p], tolerance)
                    for n, p in zip(names, perm, strict=True)
                )
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
        if n in channels and values_equal(channels[n], expected[n], tolerance)
        else partial_share(channels[n], expected[n], question)
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
        for d in differing_entries(channels[n], expected[n], tolerance)
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
        mistake = matching_mistake(tuple(channels[n] for n in names), key.mistakes, tolerance)
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


class TensorKind(ExactKind):
    name = "tensor"
    layout = AnswerLayout.GRIDS
    model = TensorQuestion

    score_answer = staticmethod(score_tensor)

    def shown_key(self, key: QuestionKey, question: Any) -> Any:
        value = super().shown_key(key, question)
        return dict(zip(key.channel_names, value, strict=True))

    def describe_key(self, key: QuestionKey, question: Any) -> list[tuple[str, str]]:
        return [
            (
                a.convention,
                "; ".join(
                    f"{name}: {format_value(to_jsonable(channel))}"
                    for name, channel in zip(key.channel_names, a.value, strict=True)
                ),
            )
            for a in key.accepted
        ]

    def answer_text(self, key: QuestionKey, question: Any) -> str:
        value = to_jsonable(key.accepted[0].value, answer_decimals(question))
        return "\n".join(
            f"{name}:\n" + "\n".join(" ".join(str(v) for v in row) for row in channel)
            for name, channel in zip(key.channel_names, value, strict=True)
        )

    def degenerate_reason(self, key: QuestionKey) -> str | None:
        for accepted in key.accepted:
            if len(set(accepted.value)) < len(accepted.value):
                return "two channels of the answer are identical"
        return None


KIND = TensorKind()
