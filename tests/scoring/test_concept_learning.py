"""Suggestions that learn from the course's own decisions (issue #20): the same answer takes its
decision, alike answers settle unsure points, decisions that contradict a rule make it unsure,
and the trust figure is measured leave-one-out on the decisions."""

from __future__ import annotations

from grader.scoring.concept_learning import (
    RuleSuggestion,
    learn,
    normalised,
    trust,
    vectors,
)
from grader.service.concept_review import ConceptAnswer, concept_view, decided_pattern

UNSURE = RuleSuggestion((False, False), (0.5, 0.5))
FOUND_FIRST = RuleSuggestion((True, False), (0.95, 0.5))

MORE_FILTERS = "to make up for the width and height we lose, we use more filters"
MORE_FITTERS = "to make up for the widht and hight we lose we use more fitters"
OTHER = "pooling picks the largest value in each window of the feature map"


def test_ocr_noise_and_markup_keep_answers_alike():
    assert normalised("The ~~kernal~~ filter<sup>s</sup> ↳ slide!") == " the filter s slide "
    rows = vectors([MORE_FILTERS, MORE_FITTERS, OTHER])
    assert float(rows[0] @ rows[1]) > 0.5  # misspelt, still the same answer
    assert float(rows[0] @ rows[2]) < 0.2


def test_a_decided_answer_teaches_the_alike_ones_and_not_the_others():
    texts = [MORE_FILTERS, MORE_FITTERS, OTHER]
    learned = learn(texts, [UNSURE, UNSURE, UNSURE], {0: (True, False)})
    assert learned[1].covered == (True, False) and learned[1].uncertain == (False, False)
    assert learned[1].how in (("learned", "learned"), ("same answer", "same answer"))
    assert learned[1].neighbours[0][0] == 0
    assert learned[2].covered == (False, False) and learned[2].uncertain == (True, True)
    assert learned[2].how == ("rules", "rules")


def test_the_same_answer_takes_its_decision_and_a_contradicted_rule_becomes_unsure():
    texts = [MORE_FILTERS, MORE_FILTERS + ".", MORE_FITTERS]
    learned = learn(texts, [UNSURE, UNSURE, FOUND_FIRST], {0: (False, True)})
    assert learned[1].how == ("same answer", "same answer")
    assert learned[1].covered == (False, True) and learned[1].confidence == (0.95, 0.95)
    # The rules found point 1 with confidence; a near-identical decided answer says no.
    assert learned[2].how[0] == "contradicted" and learned[2].uncertain[0] is True


def test_trust_is_measured_leaving_each_decision_out():
    texts = [MORE_FILTERS, MORE_FITTERS, OTHER, OTHER + " again"]
    rules = [UNSURE, UNSURE, FOUND_FIRST, FOUND_FIRST]
    decided = {0: (True, False), 1: (True, False), 2: (False, False), 3: (True, False)}
    found = trust(texts, rules, decided)
    assert (found.decided, found.points) == (4, 8)
    # 0 and 1 teach each other (4 points right); 2 and 3 disagree with each other.
    assert found.agreed >= 5 and found.confident_agreed <= found.confident
    assert found.sentence().startswith("Measured on the 4 answers decided so far")
    assert trust(texts, rules, {0: (True, False)}).sentence().startswith("Too few decisions")


def test_a_decision_without_ticks_teaches_the_pattern_its_points_imply():
    evidence = [{"points": 1, "covered": True}, {"points": 2, "covered": False}]
    assert decided_pattern(evidence, 3, None) == (True, True)
    assert decided_pattern(evidence, 0, None) == (False, False)
    assert decided_pattern(evidence, 1, None) == (True, False)  # the suggestion, confirmed
    assert decided_pattern([{"points": 1, "covered": True}] * 3, 2, None) is None
    assert decided_pattern(evidence, 1, (False, True)) == (False, True)  # as ticked


def test_alike_answers_with_the_same_key_points_form_one_group_whose_id_follows_its_members():
    answers = [
        ConceptAnswer(f"s{n}", text, UNSURE, (1.0, 1.0), decided)
        for n, (text, decided) in enumerate(
            [(MORE_FILTERS, (True, False)), (MORE_FITTERS, None), (MORE_FITTERS + " ok", None),
             (OTHER, None)]
        )
    ]  # fmt: skip
    view = concept_view(answers)
    assert view.group_of["s1"] == view.group_of["s2"] != view.group_of["s3"]
    assert view.group_of["s1"].startswith("kp1.")
    assert view.unsure("s3") == (1, 2) and view.unsure("s1") == ()
    assert view.suggested_points("s1") == 1.0
    again = concept_view([*answers[:3], answers[3]])
    assert again.group_of == view.group_of
