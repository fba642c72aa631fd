"""Accuracies a student reports in a notebook's outputs and markdown, and the gap flag.

Grading reads every mention (`find_reported_accuracies`) and scores the last test (or
unqualified) figure of a model against its measured accuracy (`accuracy_gap_flag`);
validation figures are kept as evidence but never compared.
"""

from __future__ import annotations

import time

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.evaluation import accuracy_gap_flag, find_reported_accuracies

P1 = ("p1.scratch", "p1.transfer", "p1.finetune", "p1.augment")
P2 = ("p2.baseline", "p2.inception", "p2.residual")


def _reported(notebook: object, model_ids=None, **options) -> dict[str, list[tuple[float, str]]]:
    """Per model id, the (value, qualifier) of each mention, in notebook order."""
    found: dict[str, list[tuple[float, str]]] = {}
    for mention in find_reported_accuracies(notebook, model_ids, **options):
        found.setdefault(mention.model_id, []).append((mention.value, mention.qualifier))
    return found


def _printed(source: str, text: str) -> dict:
    return new_code_cell(source, outputs=[new_output("stream", name="stdout", text=text)])


def _result(source: str, text: str) -> dict:
    return new_code_cell(
        source, outputs=[new_output("execute_result", data={"text/plain": text}, execution_count=1)]
    )


def _p1_notebook() -> dict:
    return new_notebook(
        cells=[
            new_markdown_cell("# Part 1: a CNN from scratch"),
            _printed(
                "history = fit(model, epochs=10)",
                "Epoch 1/10 - loss: 0.69 - acc: 0.55 - val_acc: 0.60\n"
                "Epoch 10/10 - loss: 0.40 - acc: 0.88 - val_acc: 0.71\n",
            ),
            _printed(
                "acc = evaluate(model, test_loader)\nprint(f'Test accuracy: {acc:.3f}')",
                "Test accuracy: 0.734\n",
            ),
            new_markdown_cell("## Transfer learning with a frozen VGG16 base"),
            _result("evaluate_all(transfer_model)", "{'test_accuracy': 0.873, 'test_loss': 0.31}"),
            new_markdown_cell(
                "## Fine-tuning\nAfter unfreezing the last block, the fine-tuned model reached "
                "90.5% validation accuracy."
            ),
            _printed("print('accuracy =', acc_ft)", "accuracy = 91.2%\n"),
            new_markdown_cell("## Data augmentation"),
            _printed("show(aug_model)", "Transfer + augmentation: acc 0.89 on the test set\n"),
            new_markdown_cell(
                "## Summary\n\n| Model | Test accuracy |\n|---|---|\n| Scratch | 72.1% |\n"
                "| Transfer (frozen VGG16) | **0.87** |\n"
            ),
        ]
    )


def test_several_styles_in_one_notebook():
    assert _reported(_p1_notebook(), P1) == {
        # the summary table's test figure is the last test figure: 0.721 is compared
        "p1.scratch": [
            (0.60, "validation"),
            (0.71, "validation"),
            (0.734, "test"),
            (0.721, "test"),
        ],
        "p1.transfer": [(0.873, "test"), (0.87, "test")],
        # an unqualified figure is compared, a validation one never
        "p1.finetune": [(0.905, "validation"), (0.912, "unqualified")],
        "p1.augment": [(0.89, "test")],  # "transfer + augmentation" names the more specific model
    }


def test_each_mention_keeps_its_source():
    mentions = find_reported_accuracies(_p1_notebook(), P1)
    scratch = [(m.value, m.qualifier, m.source) for m in mentions if m.model_id == "p1.scratch"]
    # Training accuracy in the epoch log is ignored; validation and test are kept.
    assert scratch == [
        (0.60, "validation", "output"),
        (0.71, "validation", "output"),
        (0.734, "test", "output"),
        (0.721, "test", "markdown"),
    ]
    finetune = [m for m in mentions if m.model_id == "p1.finetune"]
    assert [(m.value, m.qualifier, m.cell_index) for m in finetune] == [
        (0.905, "validation", 5),
        (0.912, "unqualified", 6),
    ]
    assert finetune[0].text.startswith("After unfreezing the last block")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Test accuracy: 0.873", 0.873),
        ("accuracy = 87.3%", 0.873),
        ("acc 0.87", 0.87),
        ("Accuracy: 87.30 %", 0.873),
        ("test acc: tensor(0.8120)", 0.812),
        ("The model reached 72% test accuracy.", 0.72),
        ("0.81 accuracy on the hidden split", 0.81),
        ("Accuracy after 10 epochs: 0.81", 0.81),
        ("accuracy on 2000 test images: 0.755", 0.755),
        ("Accuracy: 74", 0.74),
        ("test_acc=0.7", 0.7),
    ],
)
def test_one_line_styles(line, expected):
    notebook = new_notebook(cells=[_printed("evaluate(scratch_model)", line + "\n")])
    mentions = find_reported_accuracies(notebook, P1)
    assert [(m.model_id, m.value) for m in mentions] == [("p1.scratch", pytest.approx(expected))]
    assert mentions[0].qualifier in ("test", "unqualified")  # a figure grading compares


@pytest.mark.parametrize(
    "line",
    [
        "Train accuracy: 0.99",
        "training acc 0.97",
        "accuracy matters",
        "acc 1",  # 1 or 100%? ambiguous, skipped
        "accuracy: 250",
        "Epoch 3/10 acc: 0.81",  # training accuracy in a Keras-style log
        "conv2d accuracy 3x3",
    ],
)
def test_lines_without_a_reported_accuracy(line):
    notebook = new_notebook(cells=[_printed("evaluate(scratch_model)", line + "\n")])
    assert find_reported_accuracies(notebook, P1) == []


def test_models_named_on_the_line_win_over_the_cell():
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# CIFAR-10"),
            _printed(
                "for m in models: report(m)",
                "Baseline accuracy: 0.75, inception accuracy: 0.78\n"
                "ResNet-style model accuracy: 79 %\n"
                "Accuracy of p2.baseline on the test set: 0.752\n",
            ),
        ]
    )
    assert _reported(notebook, P2) == {
        "p2.baseline": [(0.75, "unqualified"), (0.752, "test")],  # the test figure is compared
        "p2.inception": [(0.78, "unqualified")],
        "p2.residual": [(0.79, "unqualified")],
    }


def test_inception_next_to_baseline_counts_for_inception():
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "The baseline with two inception blocks reaches a test accuracy of 0.80."
            )
        ]
    )
    assert _reported(notebook, P2) == {"p2.inception": [(0.80, "test")]}


def test_unattributable_mentions_are_dropped():
    notebook = new_notebook(cells=[_printed("acc = evaluate(m)", "Test accuracy: 0.9\n")])
    assert find_reported_accuracies(notebook, P1) == []


def test_only_the_asked_models_are_reported():
    notebook = new_notebook(
        cells=[new_markdown_cell("Residual accuracy: 0.8; scratch accuracy 0.7")]
    )
    asked = find_reported_accuracies(notebook, ["p1.scratch"])  # as grading asks, one model
    assert {m.model_id for m in asked} == {"p1.scratch"}
    assert asked[-1].value == 0.7  # the last figure: the one grading compares
    assert _reported(notebook) == {
        "p2.residual": [(0.8, "unqualified")],
        "p1.scratch": [(0.7, "unqualified")],
    }


def test_custom_aliases():
    notebook = new_notebook(cells=[new_markdown_cell("Model A test accuracy: 0.66")])
    aliases = {"p1.scratch": (r"model a",)}
    assert _reported(notebook, ["p1.scratch"], aliases=aliases) == {"p1.scratch": [(0.66, "test")]}


def test_hostile_notebooks_do_not_crash_or_hang():
    flood = "accuracy " * 200_000 + "\n" + ("9" * 100_000 + " acc\n") * 5
    hostile = {
        "cells": [
            None,
            {"cell_type": "markdown", "source": ["# scratch ", 5, None, "model\n", "accuracy 0.5"]},
            {
                "cell_type": "code",
                "source": 7,
                "outputs": [{"output_type": "stream", "text": {"a": 1}}],
            },
            {
                "cell_type": "code",
                "source": "scratch",
                "outputs": [{"output_type": "stream", "text": flood}],
            },
            {
                "cell_type": "code",
                "source": "scratch",
                "outputs": [{"output_type": "error", "evalue": "acc 0.1"}],
            },
        ]
    }
    started = time.perf_counter()
    assert _reported(hostile, P1) == {"p1.scratch": [(0.5, "unqualified")]}
    assert time.perf_counter() - started < 10  # generous: a hang, not a benchmark
    assert find_reported_accuracies({"cells": {}}, P1) == []
    assert find_reported_accuracies("not a notebook", P1) == []


@pytest.mark.parametrize(
    ("reported", "measured", "flag"),
    [
        (0.90, 0.80, True),
        (0.70, 0.80, True),
        (0.873, 0.823, False),  # exactly 0.05 is within tolerance
        (0.85, 0.82, False),
        (None, 0.80, False),
        (0.80, None, False),
    ],
)
def test_gap_flag(reported, measured, flag):
    assert accuracy_gap_flag(reported, measured) is flag


def test_gap_flag_tolerance_and_per_model():
    assert accuracy_gap_flag(0.85, 0.82, tolerance=0.02)
    reported = {"p1.scratch": 0.95, "p1.transfer": 0.86, "p1.finetune": 0.9}
    measured = {"p1.scratch": 0.71, "p1.transfer": 0.85}  # p1.finetune was not measured
    flagged = [
        qid for qid, value in reported.items() if accuracy_gap_flag(value, measured.get(qid))
    ]
    assert flagged == ["p1.scratch"]
