"""The concept matcher against the hand-labelled corpus, and each rule it applies, with real values.

The floors are the figures reached when the rules were written (benchmarks/bench_concepts.py
prints them); a change that lowers one must say why.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.errors import RubricError
from grader.kinds.concept import ConceptQuestion
from grader.rubric import load_rubric
from grader.scoring.answer_grader import AnswerGrader
from grader.scoring.concepts import compile_key_points, suggest_key_points
from tests.scoring.concept_corpus import QUESTION_IDS, load_corpus
from tests.scoring.concept_corpus.agreement import measure
from tests.scoring.concept_corpus.held_out import HELD_OUT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def grader() -> AnswerGrader:
    return AnswerGrader(load_rubric(ROOT / "rubrics" / "hw4.toml"))


@pytest.fixture(scope="module")
def results(grader):
    return measure(grader, load_corpus())


def suggest(grader: AnswerGrader, qid: str, text: str):
    question = grader.rubric.questions[qid]
    assert isinstance(question, ConceptQuestion)
    return suggest_key_points(text, grader.compiled_key_points(qid), min_words=question.min_words)


def test_corpus_has_25_labelled_answers_per_concept_question(grader):
    corpus = load_corpus()
    concept_ids = {q for q, v in grader.rubric.questions.items() if isinstance(v, ConceptQuestion)}
    assert set(corpus) == set(QUESTION_IDS) == concept_ids
    for qid, answers in corpus.items():
        points = len(grader.rubric.questions[qid].key_points)
        assert len(answers) >= 25, qid
        assert all(len(a.labels) == points for a in answers), qid
        styles = {a.style for a in answers}
        assert {"prose", "ocr", "wrong", "neighbour"} <= styles, qid
    assert sum(len(a) for a in corpus.values()) == 390


def test_overall_agreement_and_wrong_covered_floor(results):
    _, total = results
    assert total.decisions == 1196
    assert total.agreement >= 0.975  # reached: 0.980
    assert total.wrong_covered_rate <= 0.006  # reached: 1 of 345
    assert total.false_covered_rate <= 0.01  # reached: 0.005
    # Not finding a point is no evidence it is missing (issue #20): those points are unsure.
    assert total.uncertain_share <= 0.4  # reached: 0.37
    assert total.sure_agreement >= 0.99  # reached: 0.996


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_per_question_agreement_floor(results, qid):
    per_question, _ = results
    assert per_question[qid].agreement >= 0.94  # lowest reached: 0.949 (q10, q20)


def test_held_out_answers_floor(grader):
    _, held = measure(grader, HELD_OUT)
    assert held.decisions == 138
    assert held.agreement >= 0.9  # reached: 0.913, below the corpus: the rules fit what they saw
    assert held.wrong_covered_rate == 0.0


def test_keywords_scattered_over_sentences_do_not_cover(grader):
    # q18 point 1 needs a skip connection that *adds*; here the words are far apart.
    text = (
        "A residual network has a skip connection. It is used in many models. Training is long. "
        "In the end we add a softmax."
    )
    result = suggest(grader, "q18", text)
    assert result.covered[0] is False
    assert result.evidence[0]["how"] == "scattered"
    assert result.uncertain[0] is True


def test_word_forms_and_ocr_damage_are_matched(grader):
    result = suggest(
        grader, "q12", "Poo1ing downsamp1es the feature rnaps and reduces the cornputation."
    )
    assert result.covered[:2] == (True, True)
    assert result.evidence[1]["how"] == "clause_respelt"
    # 4 of 11 words respelt: a noisy answer, its confidence damped (0.9 × 0.8).
    assert result.evidence[1]["confidence"] == 0.72 and result.uncertain[1] is False
    joined = suggest(grader, "q4", "The filter acts l1ke a templ ate for the pattern.")
    assert joined.covered[0] is True


def test_misspelling_is_not_confused_with_a_real_word(grader):
    # "later" is an English word: it must not be respelt into "layer" or anything else.
    words = grader.compiled_key_points("q10")[0].matcher.clauses("later layers")[0].canon
    assert words == ["later", "layers"]


def test_negation_blocks_a_point_and_negated_keywords_count(grader):
    negated = suggest(grader, "q12", "Pooling does not reduce the size of the feature maps.")
    assert negated.covered[0] is False
    assert negated.evidence[0]["how"] == "negated"
    # q15: "not updated" holds its negation; q18: "~hurt" counts negated; q17: "!choos*" only so.
    assert suggest(grader, "q15", "The weights are not updated.").covered[0] is True
    assert (
        suggest(
            grader, "q18", "Extra layers cannot hurt: the block can easily learn the identity."
        ).covered[1]
        is True
    )
    assert (
        suggest(grader, "q17", "The network does not have to choose the filter size.").covered[1]
        is True
    )
    assert (
        suggest(grader, "q17", "The network must choose the best filter size.").covered[1] is False
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Early layers detect edges and colours, while deeper layers detect whole objects.",
            (True, True),
        ),
        (
            "Early layers detect whole objects, deeper layers detect edges and colours.",
            (False, False),
        ),
        (
            "Edges are detected by the last layers, while the first layers detect objects.",
            (False, False),
        ),
        (
            "The early layers know nothing about cats; they only find edges. Deeper ones find faces.",
            (True, True),
        ),
    ],
)
def test_q10_anchored_points_follow_their_own_layers(grader, text, expected):
    assert suggest(grader, "q10", text).covered[1:] == expected


def test_a_stated_misconception_is_no_evidence_and_marks_the_answer_uncertain(grader):
    text = (
        "Each layer of the pyramid uses a larger filter than the previous one, so the filter covers "
        "a larger region of the original image at higher levels."
    )
    result = suggest(grader, "q5", text)
    assert result.covered == (False, False, False)
    contrasted = suggest(
        grader,
        "q5",
        "Unlike using a larger kernel, we keep the 3x3 kernel and downsample the image.",
    )
    assert contrasted.covered[0] is True and contrasted.uncertain[0] is False


def test_evidence_shows_the_matched_sentence_and_confidence(grader):
    result = grader.grade("q18", "The shortcut adds the input to the output. Training is fun.")
    first = result.details["evidence"][0]
    assert first["covered"] is True
    assert first["matched_sentence"] == "The shortcut adds the input to the output."
    assert first["confidence"] == 0.95 and first["uncertain"] is False
    assert set(first["keywords"]) == {"shortcut", "adds"}
    assert result.details["confidence"] == min(e["confidence"] for e in result.details["evidence"])
    # Points 2 and 3 are not found: no evidence they are missing, so a person decides.
    assert result.details["uncertain"] == [2, 3]
    assert result.details["evidence"][1]["why"] == (
        "no words of this point were found; it may be said in other words"
    )


def test_uncertain_key_points_are_listed_for_the_review_page(grader):
    bullets = "- fixed filter size\n- downsample the image repeatedly"
    result = grader.grade("q5", bullets)
    first = result.details["evidence"][0]
    # Two neighbouring bullets: found, with a little less confidence (a 3-word answer: damped).
    assert (first["covered"], first["how"], first["confidence"]) == (True, "adjacent", 0.68)
    assert 1 in result.details["uncertain"]


def test_shape_example_alone_is_a_person_s_call(grader):
    alone = grader.grade("q9", "The output is 126x126x16 because (128-3)+1 = 126.")
    third = alone.details["evidence"][2]
    assert (third["covered"], third["how"], third["uncertain"]) == (False, "shape_alone", True)
    with_words = grader.grade("q9", "Use 32 filters of size 1x1x192: 28x28x192 -> 28x28x32.")
    assert [e["covered"] for e in with_words.details["evidence"]] == [False, True, True]


def test_restating_the_question_earns_nothing(grader):
    result = suggest(grader, "q4", "Template matching is matching a template, as the name says.")
    assert result.covered == (False, False, False)


@pytest.mark.parametrize(
    ("keyword", "message"),
    [("lo~st", "~ and ! may only start a keyword"), ("pat*tern", "* may only end a keyword")],
)
def test_rubric_rejects_misplaced_keyword_marks(tmp_path, keyword, message):
    text = (ROOT / "rubrics" / "hw4.toml").read_text(encoding="utf-8")
    broken = text.replace('"~lost",', f'"{keyword}",', 1)
    assert broken != text
    path = tmp_path / "hw4.toml"
    path.write_text(broken.replace("../reference", str(ROOT / "reference")), encoding="utf-8")
    with pytest.raises(RubricError, match=re.escape(message)):
        load_rubric(path)


def test_compiled_points_share_one_matcher(grader):
    question = grader.rubric.questions["q21"]
    assert isinstance(question, ConceptQuestion)
    compiled = compile_key_points(question)
    assert len(compiled) == 4 and len({id(c.matcher) for c in compiled}) == 1
