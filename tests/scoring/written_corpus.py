"""A corpus of written answers to the exact HW4 questions, each with the outcome a careful TA gives.

Written for this project in the styles students really use (LaTeX, plain grids,
side-by-side channel grids, PDF text layers, Markdown tables, printed numpy and
torch values, PyTorch shapes, OCR damage, struck-out attempts...). The expected
outcome follows the TA rule of shared/hw4-assignment.md, not what the grader
happens to give: a readable correct answer is full credit under any accepted
convention, a wrong one gets the rubric's partial credit, and an answer the
grader cannot read with confidence goes to a person (`needs_review`); then
`points` is the grader's suggestion and is left out (None) unless the right
suggestion is clear.

`known_gap` marks an entry the grader does not yet read as a TA would: the test
runs it as a strict xfail with that reason, so the suite stays green and the gap
stays listed until the reader is fixed (then the xfail fails: remove `known_gap`).

Key (computed from reference/hw4/parameters.toml):
  q1  45 45 / 54 54                                   (no padding)
  q2  18 27 27 18 / 30 45 45 30 / 36 54 54 36 / 26 39 39 26   (padding=1)
  q3  24 24 / 20 20 (padding=1), or 20 20 20 20 / 24 24 24 24 / ... (padding=2, same)
  q7  126×126×16 (valid), 128×128×16 (same); channels first 16×126×126, 16×128×128
  q8  63×63×16 (valid), 64×64×16 (same); channels first 16×63×63, 16×64×64
  q11 R 1 1 / 1 1, G 2 2 / 2 2, B 2 2 / 4 4
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

GRADED = "graded"
NEEDS_REVIEW = "needs_review"
MISSING = "missing"

# Style tags: every one is covered by at least MIN_PER_STYLE answers.
LATEX = "latex"  # bmatrix / pmatrix / array environments
PLAIN_GRID = "plain_grid"  # numbers separated by spaces or tabs
SIDE_BY_SIDE = "side_by_side"  # several grids on the same lines, channel labels on the first
BLOCK_ROWS = "block_rows"  # R and G side by side, B below after a blank line
SPLIT_ROWS = "split_rows"  # matrix rows split by blank lines, as a PDF text layer gives them
MARKDOWN_TABLE = "markdown_table"  # a header row and a row-label column
ARITHMETIC = "arithmetic"  # entries left unevaluated: 9 + 18 + 18
PRINTED_ARRAY = "printed_array"  # numpy / torch reprs: size-1 dims, dtype=, device=, 4.5000e+01
SHAPE_TEXT = "shape_text"  # 126x126x16, 126 × 126 × 16, $126 \times 126 \times 16$, (126, 126, 16)
SHAPE_TORCH = "shape_torch"  # torch.Size([1, 16, 126, 126]), (N, 16, 126, 126), (16, 126, 126)
Q3_PADDING = "q3_padding"  # q3 with padding 1 (2×2) or padding 2 (4×4, same)
SHAPE_CONVENTION = "shape_convention"  # q7/q8 valid or same; "63.5, not possible"
Q11_CHANNELS = "q11_channels"  # channel by channel in any labelled order, or one 2×2×3 block
SEVERAL_CANDIDATES = "several_candidates"  # padded input / steps / first attempt, then the result
OCR_DAMAGE = "ocr_damage"  # 4S, l6, 2O inside numbers
CUT_SHORT = "cut_short"  # a shape cut short by damage: 126 x 126 x ?6
STRUCK_OUT = "struck_out"  # ~~…~~ ignored
NAMED_MISTAKE = "named_mistake"  # padding forgotten, stride ignored, average pooling...
BLANK = "blank"  # nothing written, or "I don't know"

STYLES = (
    LATEX,
    PLAIN_GRID,
    SIDE_BY_SIDE,
    BLOCK_ROWS,
    SPLIT_ROWS,
    MARKDOWN_TABLE,
    ARITHMETIC,
    PRINTED_ARRAY,
    SHAPE_TEXT,
    SHAPE_TORCH,
    Q3_PADDING,
    SHAPE_CONVENTION,
    Q11_CHANNELS,
    SEVERAL_CANDIDATES,
    OCR_DAMAGE,
    CUT_SHORT,
    STRUCK_OUT,
    NAMED_MISTAKE,
    BLANK,
)
MIN_PER_STYLE = 3
MIN_ENTRIES = 80


@dataclass(frozen=True)
class WrittenAnswer:
    """One answer to one exact question and what a careful TA gives it."""

    id: str
    question: str
    text: str
    points: float | None  # None: a person decides; the grader's suggestion is not checked
    status: str  # "graded" | "needs_review" | "missing"
    style: str
    convention: str | None = None  # a substring of the accepted convention shown
    known_gap: str | None = None  # the grader does not yet do this: a strict xfail


# ---------------------------------------------------------------------------------------------
# Matrices written out once, reused in several notations below.

Q2_ROWS = ("18 27 27 18", "30 45 45 30", "36 54 54 36", "26 39 39 26")
Q3_SAME_ROWS = ("20 20 20 20", "24 24 24 24", "20 20 20 20", "24 24 24 24")
Q2_GRID = "\n".join(Q2_ROWS)
Q3_SAME_GRID = "\n".join(Q3_SAME_ROWS)
# q2 channel by channel (padding 1), before summing: R, G and B.
Q2_R = ("4 6 6 4", "6 9 9 6", "6 9 9 6", "4 6 6 4")
Q2_G = ("8 12 12 8", "12 18 18 12", "12 18 18 12", "8 12 12 8")
Q2_B = ("6 9 9 6", "12 18 18 12", "18 27 27 18", "14 21 21 14")


def _side_by_side(*blocks: tuple[str, ...], gap: int = 6) -> list[str]:
    """Rows of several grids on the same lines, each grid padded to its widest row."""
    widths = [max(len(row) for row in block) for block in blocks]
    return [
        (" " * gap).join(row.ljust(width) for row, width in zip(rows, widths, strict=True)).rstrip()
        for rows in zip(*blocks, strict=True)
    ]


ANSWERS: tuple[WrittenAnswer, ...] = (
    # --- LaTeX environments -------------------------------------------------------------------
    WrittenAnswer(
        "latex-q1-bmatrix",
        "q1",
        r"$$ O = \begin{bmatrix} 45 & 45 \\ 54 & 54 \end{bmatrix} $$",
        3,
        GRADED,
        LATEX,
        "no padding",
    ),
    WrittenAnswer(
        "latex-q2-pmatrix-inline",
        "q2",
        r"\[ I * F = \begin{pmatrix} 18 & 27 & 27 & 18 \\ 30 & 45 & 45 & 30 \\ "
        r"36 & 54 & 54 & 36 \\ 26 & 39 & 39 & 26 \end{pmatrix} \]",
        3,
        GRADED,
        LATEX,
        "padding=1",
    ),
    WrittenAnswer(
        "latex-q2-bmatrix-multiline",
        "q2",
        "\\begin{equation*}\n"
        "Y = \\begin{bmatrix}\n"
        "18 & 27 & 27 & 18 \\\\\n"
        "30 & 45 & 45 & 30 \\\\\n"
        "36 & 54 & 54 & 36 \\\\\n"
        "26 & 39 & 39 & 26\n"
        "\\end{bmatrix}\n"
        "\\end{equation*}",
        3,
        GRADED,
        LATEX,
        "padding=1",
    ),
    WrittenAnswer(
        "latex-q3-array",
        "q3",
        r"With padding 1: $\left[\begin{array}{cc} 24 & 24 \\ 20 & 20 \end{array}\right]$",
        4,
        GRADED,
        LATEX,
        "padding=1",
    ),
    WrittenAnswer(
        "latex-q11-channels",
        "q11",
        r"$R = \begin{bmatrix}1 & 1\\1 & 1\end{bmatrix},\; "
        r"G = \begin{bmatrix}2 & 2\\2 & 2\end{bmatrix},\; "
        r"B = \begin{bmatrix}2 & 2\\4 & 4\end{bmatrix}$",
        3,
        GRADED,
        LATEX,
        "max pooling",
    ),
    WrittenAnswer(
        # Rows and cells of a LaTeX matrix typed without the environment around them.
        "latex-q1-bare-ampersands",
        "q1",
        r"45 & 45 \\ 54 & 54",
        3,
        GRADED,
        LATEX,
        "no padding",
        known_gap="LaTeX rows (& and \\\\) typed without a matrix environment are not read: sent to a person, 0 suggested",
    ),
    WrittenAnswer(
        "latex-q11-text-labels",
        "q11",
        r"$\text{R}: \begin{pmatrix}1&1\\1&1\end{pmatrix}$ "
        r"$\text{G}: \begin{pmatrix}2&2\\2&2\end{pmatrix}$ "
        r"$\text{B}: \begin{pmatrix}2&2\\4&4\end{pmatrix}$",
        3,
        GRADED,
        LATEX,
        "max pooling",
    ),
    # --- plain grids ---------------------------------------------------------------------------
    WrittenAnswer("grid-q1-spaces", "q1", "45 45\n54 54", 3, GRADED, PLAIN_GRID, "no padding"),
    WrittenAnswer(
        "grid-q2-tabs",
        "q2",
        "18\t27\t27\t18\n30\t45\t45\t30\n36\t54\t54\t36\n26\t39\t39\t26",
        3,
        GRADED,
        PLAIN_GRID,
        "padding=1",
    ),
    WrittenAnswer(
        "grid-q2-aligned-indented",
        "q2",
        "The output keeps the 4x4 size:\n\n    18  27  27  18\n    30  45  45  30\n"
        "    36  54  54  36\n    26  39  39  26",
        3,
        GRADED,
        PLAIN_GRID,
        "padding=1",
    ),
    WrittenAnswer(
        "grid-q11-labelled-lines",
        "q11",
        "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n2 2\n4 4",
        3,
        GRADED,
        PLAIN_GRID,
        "max pooling",
    ),
    WrittenAnswer("grid-q1-commas", "q1", "45, 45\n54, 54", 3, GRADED, PLAIN_GRID, "no padding"),
    WrittenAnswer(
        "grid-q1-bracketed-rows", "q1", "[45 45]\n[54 54]", 3, GRADED, PLAIN_GRID, "no padding"
    ),
    WrittenAnswer(
        "grid-q1-matrix-bars", "q1", "|45 45|\n|54 54|", 3, GRADED, PLAIN_GRID, "no padding"
    ),
    WrittenAnswer(
        "grid-q1-row-and-column-labels",
        "q1",
        "    c1  c2\nr1  45  45\nr2  54  54",
        3,
        GRADED,
        PLAIN_GRID,
        "no padding",
        known_gap="a plain grid with a column-label row and row labels (c1 c2 / r1 45 45) is not read: sent to a person",
    ),
    WrittenAnswer(
        "grid-q1-matlab-rows", "q1", "[45 45; 54 54]", 3, GRADED, PLAIN_GRID, "no padding"
    ),
    WrittenAnswer(
        # Rows separated by " / ", as the assignment itself writes B's rows.
        "grid-q1-slash-rows",
        "q1",
        "45 45 / 54 54",
        3,
        GRADED,
        PLAIN_GRID,
        "no padding",
        known_gap="rows separated by ' / ' on one line (as the assignment writes B's rows) are not read: sent to a person",
    ),
    WrittenAnswer(
        "grid-q11-slash-rows",
        "q11",
        "R: 1 1 / 1 1, G: 2 2 / 2 2, B: 2 2 / 4 4",
        3,
        GRADED,
        PLAIN_GRID,
        "max pooling",
        known_gap="labelled channels with rows separated by ' / ' on one line are not read: sent to a person",
    ),
    # --- several grids side by side, channel labels on the first line --------------------------
    WrittenAnswer(
        "side-q11-rgb",
        "q11",
        "R      G      B\n1 1    2 2    2 2\n1 1    2 2    4 4",
        3,
        GRADED,
        SIDE_BY_SIDE,
        "max pooling",
    ),
    WrittenAnswer(
        "side-q11-tabs-bgr-order",
        "q11",
        "B\t\tR\t\tG\n2 2\t\t1 1\t\t2 2\n4 4\t\t1 1\t\t2 2",
        3,
        GRADED,
        SIDE_BY_SIDE,
        "max pooling",
    ),
    WrittenAnswer(
        "side-q1-steps-then-sum",
        "q1",
        "R        G        B\n9 9      18 18    18 18\n9 9      18 18    27 27\n\n"
        "Sum of the channels:\n45 45\n54 54",
        3,
        GRADED,
        SIDE_BY_SIDE,
        "no padding",
    ),
    WrittenAnswer(
        "side-q2-steps-then-sum",
        "q2",
        "\n".join(
            [
                "R" + " " * 16 + "G" + " " * 20 + "B",
                *_side_by_side(Q2_R, Q2_G, Q2_B),
                "",
                "Adding the three channels:",
                Q2_GRID,
            ]
        ),
        3,
        GRADED,
        SIDE_BY_SIDE,
        "padding=1",
    ),
    WrittenAnswer(
        "side-q11-channel-words",
        "q11",
        "R channel     G channel     B channel\n1 1           2 2           2 2\n"
        "1 1           2 2           4 4",
        3,
        GRADED,
        SIDE_BY_SIDE,
        "max pooling",
    ),
    WrittenAnswer(
        # Single spaces everywhere: the labels say there are three 2×2 grids, not one 2×6.
        "side-q11-single-spaces",
        "q11",
        "R G B\n1 1 2 2 2 2\n1 1 2 2 4 4",
        3,
        GRADED,
        SIDE_BY_SIDE,
        "max pooling",
    ),
    # --- block rows: R and G side by side, B below ---------------------------------------------
    WrittenAnswer(
        "blocks-q11",
        "q11",
        "R        G\n1 1      2 2\n1 1      2 2\n\nB\n2 2\n4 4",
        3,
        GRADED,
        BLOCK_ROWS,
        "max pooling",
    ),
    WrittenAnswer(
        "blocks-q11-colons",
        "q11",
        "R:       G:\n1 1      2 2\n1 1      2 2\n\nB:\n2 2\n4 4",
        3,
        GRADED,
        BLOCK_ROWS,
        "max pooling",
    ),
    WrittenAnswer(
        "blocks-q1-steps-then-total",
        "q1",
        "R         G\n9 9       18 18\n9 9       18 18\n\nB\n18 18\n27 27\n\nTotal:\n45 45\n54 54",
        3,
        GRADED,
        BLOCK_ROWS,
        "no padding",
    ),
    WrittenAnswer(
        "blocks-q2-steps-then-sum",
        "q2",
        "\n".join(
            [
                "R" + " " * 16 + "G",
                *_side_by_side(Q2_R, Q2_G, gap=10),
                "",
                "B",
                *Q2_B,
                "",
                "Output = R + G + B:",
                Q2_GRID,
            ]
        ),
        3,
        GRADED,
        BLOCK_ROWS,
        "padding=1",
    ),
    WrittenAnswer(
        "blocks-q11-r-above-g-and-b",
        "q11",
        "R\n1 1\n1 1\n\nG      B\n2 2    2 2\n2 2    4 4",
        3,
        GRADED,
        BLOCK_ROWS,
        "max pooling",
    ),
    # --- matrix rows split across blank lines (PDF text layer) ---------------------------------
    WrittenAnswer("split-q1", "q1", "The output is\n\n45 45\n\n54 54", 3, GRADED, SPLIT_ROWS),
    WrittenAnswer(
        "split-q2",
        "q2",
        "\n\n".join(Q2_ROWS),
        3,
        GRADED,
        SPLIT_ROWS,
        "padding=1",
    ),
    WrittenAnswer(
        "split-q3-same",
        "q3",
        "\n\n".join(Q3_SAME_ROWS),
        4,
        GRADED,
        SPLIT_ROWS,
        "padding=2",
    ),
    WrittenAnswer(
        "split-q11-labelled",
        "q11",
        "R:\n\n1 1\n\n1 1\n\nG:\n\n2 2\n\n2 2\n\nB:\n\n2 2\n\n4 4",
        3,
        GRADED,
        SPLIT_ROWS,
        "max pooling",
    ),
    WrittenAnswer(
        "split-q11-side-by-side",
        "q11",
        "R      G      B\n\n1 1    2 2    2 2\n\n1 1    2 2    4 4",
        3,
        GRADED,
        SPLIT_ROWS,
        "max pooling",
    ),
    WrittenAnswer(
        "split-q2-latex",
        "q2",
        "\\begin{bmatrix}\n18 & 27 & 27 & 18 \\\\\n\n30 & 45 & 45 & 30 \\\\\n\n"
        "36 & 54 & 54 & 36 \\\\\n\n26 & 39 & 39 & 26\n\\end{bmatrix}",
        3,
        GRADED,
        SPLIT_ROWS,
        "padding=1",
    ),
    # --- Markdown tables with a header row and a row-label column ------------------------------
    WrittenAnswer(
        "table-q1-row-labels",
        "q1",
        "|       | col 1 | col 2 |\n|-------|-------|-------|\n"
        "| row 1 | 45    | 45    |\n| row 2 | 54    | 54    |",
        3,
        GRADED,
        MARKDOWN_TABLE,
        "no padding",
    ),
    WrittenAnswer(
        "table-q2-numeric-labels",
        "q2",
        "| i\\j | 1 | 2 | 3 | 4 |\n|---|---|---|---|---|\n| 1 | 18 | 27 | 27 | 18 |\n"
        "| 2 | 30 | 45 | 45 | 30 |\n| 3 | 36 | 54 | 54 | 36 |\n| 4 | 26 | 39 | 39 | 26 |",
        3,
        GRADED,
        MARKDOWN_TABLE,
        "padding=1",
        known_gap="a numeric row-label column under an 'i\\j' corner cell is read as data (4x5): sent to a person with 0 suggested",
    ),
    WrittenAnswer(
        "table-q3-same",
        "q3",
        "| | c0 | c1 | c2 | c3 |\n|:-:|:-:|:-:|:-:|:-:|\n| r0 | 20 | 20 | 20 | 20 |\n"
        "| r1 | 24 | 24 | 24 | 24 |\n| r2 | 20 | 20 | 20 | 20 |\n| r3 | 24 | 24 | 24 | 24 |",
        4,
        GRADED,
        MARKDOWN_TABLE,
        "padding=2",
        known_gap="a Markdown table with an empty corner cell and a ':-:' alignment row is not read: sent to a person",
    ),
    WrittenAnswer(
        "table-q11-one-per-channel",
        "q11",
        "**R**\n\n| | 1 | 2 |\n|---|---|---|\n| 1 | 1 | 1 |\n| 2 | 1 | 1 |\n\n"
        "**G**\n\n| | 1 | 2 |\n|---|---|---|\n| 1 | 2 | 2 |\n| 2 | 2 | 2 |\n\n"
        "**B**\n\n| | 1 | 2 |\n|---|---|---|\n| 1 | 2 | 2 |\n| 2 | 4 | 4 |",
        3,
        GRADED,
        MARKDOWN_TABLE,
        "max pooling",
    ),
    WrittenAnswer(
        "table-q3-same-no-label-column",
        "q3",
        "| c0 | c1 | c2 | c3 |\n|:-:|:-:|:-:|:-:|\n| 20 | 20 | 20 | 20 |\n"
        "| 24 | 24 | 24 | 24 |\n| 20 | 20 | 20 | 20 |\n| 24 | 24 | 24 | 24 |",
        4,
        GRADED,
        MARKDOWN_TABLE,
        "padding=2",
    ),
    WrittenAnswer(
        # One row per output pixel, one column per channel.
        "table-q11-pixels-by-channel",
        "q11",
        "| position | R | G | B |\n|---|---|---|---|\n| (1,1) | 1 | 2 | 2 |\n"
        "| (1,2) | 1 | 2 | 2 |\n| (2,1) | 1 | 2 | 4 |\n| (2,2) | 1 | 2 | 4 |",
        3,
        GRADED,
        MARKDOWN_TABLE,
        "max pooling",
    ),
    # --- unevaluated arithmetic ----------------------------------------------------------------
    WrittenAnswer(
        "arith-q1-sums",
        "q1",
        "9 + 18 + 18    9 + 18 + 18\n9 + 18 + 27    9 + 18 + 27",
        3,
        GRADED,
        ARITHMETIC,
        "no padding",
    ),
    WrittenAnswer(
        "arith-q1-products",
        "q1",
        "1*9 + 2*9 + 2*9    1*9 + 2*9 + 2*9\n1*9 + 2*9 + 3*9    1*9 + 2*9 + 3*9",
        3,
        GRADED,
        ARITHMETIC,
        "no padding",
    ),
    WrittenAnswer(
        "arith-q1-with-results",
        "q1",
        "9+18+18 = 45    9+18+18 = 45\n9+18+27 = 54    9+18+27 = 54",
        3,
        GRADED,
        ARITHMETIC,
        "no padding",
    ),
    WrittenAnswer(
        "arith-q2-padded-sums",
        "q2",
        "4+8+6    6+12+9    6+12+9    4+8+6\n6+12+12  9+18+18   9+18+18   6+12+12\n"
        "6+12+18  9+18+27   9+18+27   6+12+18\n4+8+14   6+12+21   6+12+21   4+8+14",
        3,
        GRADED,
        ARITHMETIC,
        "padding=1",
    ),
    WrittenAnswer(
        "arith-q3-pad1",
        "q3",
        "4 + 8 + 12    4 + 8 + 12\n4 + 8 + 8     4 + 8 + 8",
        4,
        GRADED,
        ARITHMETIC,
        "padding=1",
    ),
    # --- printed numpy arrays and torch tensors ------------------------------------------------
    WrittenAnswer(
        "printed-q1-tensor-4d",
        "q1",
        ">>> F.conv2d(I, W)\ntensor([[[[45., 45.],\n          [54., 54.]]]])",
        3,
        GRADED,
        PRINTED_ARRAY,
        "no padding",
    ),
    WrittenAnswer(
        "printed-q1-numpy-3d",
        "q1",
        "array([[[45, 45],\n        [54, 54]]])",
        3,
        GRADED,
        PRINTED_ARRAY,
        "no padding",
    ),
    WrittenAnswer(
        "printed-q1-scientific-float64",
        "q1",
        "tensor([[4.5000e+01, 4.5000e+01],\n        [5.4000e+01, 5.4000e+01]], "
        "dtype=torch.float64)",
        3,
        GRADED,
        PRINTED_ARRAY,
        "no padding",
    ),
    WrittenAnswer(
        "printed-q2-device",
        "q2",
        "tensor([[[[18., 27., 27., 18.],\n          [30., 45., 45., 30.],\n"
        "          [36., 54., 54., 36.],\n          [26., 39., 39., 26.]]]], device='cuda:0')",
        3,
        GRADED,
        PRINTED_ARRAY,
        "padding=1",
    ),
    WrittenAnswer(
        "printed-q2-grad-fn",
        "q2",
        "tensor([[[[18., 27., 27., 18.],\n          [30., 45., 45., 30.],\n"
        "          [36., 54., 54., 36.],\n          [26., 39., 39., 26.]]]],\n"
        "       grad_fn=<ConvolutionBackward0>)",
        3,
        GRADED,
        PRINTED_ARRAY,
        "padding=1",
    ),
    WrittenAnswer(
        "printed-q3-float32",
        "q3",
        "array([[24., 24.],\n       [20., 20.]], dtype=float32)",
        4,
        GRADED,
        PRINTED_ARRAY,
        "padding=1",
    ),
    WrittenAnswer(
        "printed-q11-torch-chw",
        "q11",
        ">>> F.max_pool2d(I, 2)\ntensor([[[1., 1.],\n         [1., 1.]],\n\n"
        "        [[2., 2.],\n         [2., 2.]],\n\n        [[2., 2.],\n         [4., 4.]]])",
        3,
        GRADED,
        PRINTED_ARRAY,
        "max pooling",
    ),
    WrittenAnswer(
        "printed-q11-numpy-hwc",
        "q11",
        "array([[[1, 2, 2],\n        [1, 2, 2]],\n\n       [[1, 2, 4],\n        [1, 2, 4]]])",
        3,
        GRADED,
        PRINTED_ARRAY,
        "max pooling",
    ),
    WrittenAnswer(
        "printed-q1-numpy-one-line",
        "q1",
        "array([[[45, 45], [54, 54]]])",
        3,
        GRADED,
        PRINTED_ARRAY,
        "no padding",
    ),
    WrittenAnswer(
        "printed-q1-numpy-print-floats",
        "q1",
        "print(out)\n[[45. 45.]\n [54. 54.]]",
        3,
        GRADED,
        PRINTED_ARRAY,
        "no padding",
    ),
    WrittenAnswer(
        "printed-q1-int32",
        "q1",
        "tensor([[45, 45],\n        [54, 54]], dtype=torch.int32)",
        3,
        GRADED,
        PRINTED_ARRAY,
        "no padding",
    ),
    WrittenAnswer(
        "printed-q11-numpy-print-3d",
        "q11",
        "[[[1. 1.]\n  [1. 1.]]\n\n [[2. 2.]\n  [2. 2.]]\n\n [[2. 2.]\n  [4. 4.]]]",
        3,
        GRADED,
        PRINTED_ARRAY,
        "max pooling",
    ),
    # --- shapes written as text ----------------------------------------------------------------
    WrittenAnswer("shape-q7-x", "q7", "126x126x16", 2, GRADED, SHAPE_TEXT, "valid"),
    WrittenAnswer(
        "shape-q7-times-sentence",
        "q7",
        "The output is 126 × 126 × 16.",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer(
        "shape-q7-latex-times", "q7", r"$126 \times 126 \times 16$", 2, GRADED, SHAPE_TEXT, "valid"
    ),
    WrittenAnswer("shape-q7-tuple", "q7", "(126, 126, 16)", 2, GRADED, SHAPE_TEXT, "valid"),
    WrittenAnswer(
        "shape-q7-restates-question",
        "q7",
        "Input 128 x 128 x 32, filters 3 x 3 x 32, so the output is 126 x 126 x 16.",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer(
        "shape-q7-formula-then-shape",
        "q7",
        "(128 - 3)/1 + 1 = 126, so the output volume is 126 × 126 × 16",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer("shape-q8-x", "q8", "Output: 63x63x16", 2, GRADED, SHAPE_TEXT, "valid"),
    WrittenAnswer(
        "shape-q8-wrapped-line",
        "q8",
        "With stride 2 the output is 63 x 63 x\n16.",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer("shape-q7-list", "q7", "[126, 126, 16]", 2, GRADED, SHAPE_TEXT, "valid"),
    WrittenAnswer(
        "shape-q7-keras-none", "q7", "(None, 126, 126, 16)", 2, GRADED, SHAPE_TEXT, "valid"
    ),
    WrittenAnswer("shape-q7-stars", "q7", "126 * 126 * 16", 2, GRADED, SHAPE_TEXT, "valid"),
    WrittenAnswer("shape-q7-by", "q7", "126 by 126 by 16", 2, GRADED, SHAPE_TEXT, "valid"),
    WrittenAnswer(
        "shape-q7-also-map-size",
        "q7",
        "Output: 126x126x16, i.e. 16 feature maps of 126x126",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer(
        "shape-q7-depth-in-words",
        "q7",
        "126x126 with 16 channels",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer(
        "shape-q7-depth-after-comma",
        "q7",
        "the output is 126 × 126, depth 16",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    WrittenAnswer(
        "shape-q8-depth-in-parentheses",
        "q8",
        "63x63 (x16)",
        2,
        GRADED,
        SHAPE_TEXT,
        "valid",
    ),
    # --- shapes in PyTorch order ---------------------------------------------------------------
    WrittenAnswer(
        "torch-q7-size-batch-1",
        "q7",
        "torch.Size([1, 16, 126, 126])",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    WrittenAnswer(
        "torch-q7-named-batch",
        "q7",
        "out.shape = (N, 16, 126, 126)",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    WrittenAnswer(
        "torch-q7-chw-tuple",
        "q7",
        "(16, 126, 126)",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    WrittenAnswer(
        "torch-q7-chw-times",
        "q7",
        "16 × 126 × 126 (C × H × W)",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    WrittenAnswer(
        "torch-q8-size-batch-1",
        "q8",
        "print(y.shape)  # torch.Size([1, 16, 63, 63])",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    WrittenAnswer(
        "torch-q8-conv2d-padding-1",
        "q8",
        "nn.Conv2d(32, 16, 3, stride=2, padding=1) gives (N, 16, 64, 64)",
        2,
        GRADED,
        SHAPE_TORCH,
        "same, channels first",
    ),
    WrittenAnswer(
        "torch-q7-size-no-batch",
        "q7",
        "torch.Size([16, 126, 126])",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    WrittenAnswer(
        "torch-q7-nchw-product",
        "q7",
        "N×C×H×W = 1×16×126×126",
        2,
        GRADED,
        SHAPE_TORCH,
        "valid, channels first",
    ),
    # --- q3: padding 1 (2×2) or padding 2 (4×4, same), both correct ----------------------------
    WrittenAnswer(
        "q3-pad1-grid",
        "q3",
        "With padding 1 the output is 2×2:\n24 24\n20 20",
        4,
        GRADED,
        Q3_PADDING,
        "padding=1",
    ),
    WrittenAnswer(
        "q3-pad2-grid",
        "q3",
        "Same padding (p = 2):\n" + Q3_SAME_GRID,
        4,
        GRADED,
        Q3_PADDING,
        "padding=2",
    ),
    WrittenAnswer(
        "q3-pad2-bmatrix",
        "q3",
        r"\begin{bmatrix} 20 & 20 & 20 & 20 \\ 24 & 24 & 24 & 24 \\ 20 & 20 & 20 & 20 \\ "
        r"24 & 24 & 24 & 24 \end{bmatrix}",
        4,
        GRADED,
        Q3_PADDING,
        "padding=2",
    ),
    WrittenAnswer(
        "q3-both-paddings",
        "q3",
        "padding 1:\n24 24\n20 20\n\npadding 2 (same size):\n" + Q3_SAME_GRID,
        4,
        GRADED,
        Q3_PADDING,
    ),
    WrittenAnswer(
        "q3-pad2-dilated-remark",
        "q3",
        "The dilated kernel covers 5x5, so with padding 2 the output stays 4x4:\n" + Q3_SAME_GRID,
        4,
        GRADED,
        Q3_PADDING,
        "padding=2",
    ),
    # --- q7/q8: valid or same; 63.5 is not full credit -----------------------------------------
    WrittenAnswer(
        "conv-q7-same",
        "q7",
        "128 × 128 × 16 (with same padding)",
        2,
        GRADED,
        SHAPE_CONVENTION,
        "same",
    ),
    WrittenAnswer(
        "conv-q7-both",
        "q7",
        "Without padding: 126 × 126 × 16; with same padding: 128 × 128 × 16.",
        2,
        GRADED,
        SHAPE_CONVENTION,
        "valid",
    ),
    WrittenAnswer(
        "conv-q8-same", "q8", "64 x 64 x 16 if padding='same'", 2, GRADED, SHAPE_CONVENTION, "same"
    ),
    WrittenAnswer(
        "conv-q8-floor",
        "q8",
        "floor((128 - 3)/2) + 1 = 63, so 63 × 63 × 16",
        2,
        GRADED,
        SHAPE_CONVENTION,
        "valid",
    ),
    WrittenAnswer(
        "conv-q8-not-possible-shape",
        "q8",
        "(128 - 3)/2 + 1 = 63.5 is not an integer, so 63.5 x 63.5 x 16 is not possible.",
        1,
        GRADED,
        SHAPE_CONVENTION,
    ),
    WrittenAnswer(
        "conv-q8-not-possible-bare",
        "q8",
        "(128 - 3)/2 + 1 = 63.5, not possible",
        1,
        GRADED,
        SHAPE_CONVENTION,
        known_gap="a bare '= 63.5, not possible' (no shape with x) is not read as the unfloored-size mistake: sent to a person with 0 suggested",
    ),
    WrittenAnswer(
        "conv-q8-floored-remark",
        "q8",
        "63 × 63 × 16 (it would be 63.5 but we floor)",
        2,
        GRADED,
        SHAPE_CONVENTION,
        "valid",
    ),
    # --- q11: channel by channel in any labelled order, or one 2×2×3 block ---------------------
    WrittenAnswer(
        "q11-order-brg",
        "q11",
        "B:\n2 2\n4 4\n\nR:\n1 1\n1 1\n\nG:\n2 2\n2 2",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-colour-words",
        "q11",
        "Red channel:\n1 1\n1 1\nGreen channel:\n2 2\n2 2\nBlue channel:\n2 2\n4 4",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-channel-numbers",
        "q11",
        "Channel 1:\n1 1\n1 1\nChannel 2:\n2 2\n2 2\nChannel 3:\n2 2\n4 4",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-pixel-tuples",
        "q11",
        "(1, 2, 2)  (1, 2, 2)\n(1, 2, 4)  (1, 2, 4)",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-nested-list-block",
        "q11",
        "[[[1, 1], [1, 1]], [[2, 2], [2, 2]], [[2, 2], [4, 4]]]",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-unlabelled-in-rgb-order",
        "q11",
        "1 1\n1 1\n\n2 2\n2 2\n\n2 2\n4 4",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-zero-based-channel-numbers",
        "q11",
        "Channel 0:\n1 1\n1 1\nChannel 1:\n2 2\n2 2\nChannel 2:\n2 2\n4 4",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        "q11-labelled-nested-lists",
        "q11",
        "R = [[1,1],[1,1]], G = [[2,2],[2,2]], B = [[2,2],[4,4]]",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
    ),
    WrittenAnswer(
        # Constant channels described in words: unambiguous for a 2×2 result.
        "q11-constant-channels-in-words",
        "q11",
        "R: all 1s, G: all 2s, B:\n2 2\n4 4",
        3,
        GRADED,
        Q11_CHANNELS,
        "max pooling",
        known_gap="channels given in words ('R: all 1s, G: all 2s') are not read: sent to a person with 1/3 suggested, not graded",
    ),
    # --- several candidate matrices: the one the text calls the result counts ------------------
    WrittenAnswer(
        "cand-q2-padded-input-then-result",
        "q2",
        "Zero-padded input (R channel shown):\n0 0 0 0 0 0\n0 1 1 1 1 0\n0 1 1 1 1 0\n"
        "0 1 1 1 1 0\n0 1 1 1 1 0\n0 0 0 0 0 0\n\nResult:\n" + Q2_GRID,
        3,
        GRADED,
        SEVERAL_CANDIDATES,
        "padding=1",
    ),
    WrittenAnswer(
        "cand-q2-first-try-then-corrected",
        "q2",
        "First try:\n17 26 26 17\n29 44 44 29\n35 53 53 35\n25 38 38 25\n\n"
        "I forgot the centre pixel, corrected:\n" + Q2_GRID,
        3,
        GRADED,
        SEVERAL_CANDIDATES,
        "padding=1",
    ),
    WrittenAnswer(
        # The student "corrects" a right first answer into a wrong one: the corrected one
        # counts (15 of 16 entries right: 0.2 + 0.5 × 15/16 of 3 points).
        "cand-q2-corrected-into-a-slip",
        "q2",
        Q2_GRID + "\n\nCorrected:\n18 27 27 18\n30 45 45 30\n36 54 54 36\n26 39 39 29",
        2.01,
        GRADED,
        SEVERAL_CANDIDATES,
    ),
    WrittenAnswer(
        "cand-q2-unclear-which",
        "q2",
        "I got either\n" + Q2_GRID + "\nor\n18 27 27 18\n27 45 45 27\n36 54 54 36\n"
        "27 39 39 27\nnot sure which one.",
        None,
        NEEDS_REVIEW,
        SEVERAL_CANDIDATES,
    ),
    WrittenAnswer(
        "cand-q3-dilation-ignored-then-result",
        "q3",
        "Ignoring the dilation first:\n" + Q2_GRID + "\nbut with dilation 2 the result is\n"
        "24 24\n20 20",
        4,
        GRADED,
        SEVERAL_CANDIDATES,
        "padding=1",
    ),
    WrittenAnswer(
        "cand-q1-channel-steps-then-output",
        "q1",
        "R * F:\n9 9\n9 9\nG * F:\n18 18\n18 18\nB * F:\n18 18\n27 27\nOutput:\n45 45\n54 54",
        3,
        GRADED,
        SEVERAL_CANDIDATES,
        "no padding",
    ),
    WrittenAnswer(
        "cand-q3-answer-first-then-work",
        "q3",
        "Final answer:\n24 24\n20 20\n\nWork: the padded B channel is\n0 0 0 0 0 0\n"
        "0 1 1 1 1 0\n0 2 2 2 2 0\n0 3 3 3 3 0\n0 4 4 4 4 0\n0 0 0 0 0 0",
        4,
        GRADED,
        SEVERAL_CANDIDATES,
        "padding=1",
    ),
    WrittenAnswer(
        "cand-q11-input-then-pooled",
        "q11",
        "B channel of I:\n1 1 1 1\n2 2 2 2\n3 3 3 3\n4 4 4 4\npooled:\n"
        "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n2 2\n4 4",
        3,
        GRADED,
        SEVERAL_CANDIDATES,
        "max pooling",
    ),
    WrittenAnswer(
        "cand-q3-dilated-filter-then-output",
        "q3",
        "Dilated filter (5x5):\n1 0 1 0 1\n0 0 0 0 0\n1 0 1 0 1\n0 0 0 0 0\n1 0 1 0 1\n\n"
        "Output with padding 1:\n24 24\n20 20",
        4,
        GRADED,
        SEVERAL_CANDIDATES,
        "padding=1",
    ),
    WrittenAnswer(
        "cand-q2-labelled-steps-then-sum",
        "q2",
        "\n".join(["R:", *Q2_R, "G:", *Q2_G, "B:", *Q2_B, "", Q2_GRID]),
        3,
        GRADED,
        SEVERAL_CANDIDATES,
        "padding=1",
    ),
    # --- OCR damage inside numbers: a person confirms the repaired reading ---------------------
    WrittenAnswer("ocr-q1-S-for-5", "q1", "4S 4S\n54 54", 3, NEEDS_REVIEW, OCR_DAMAGE),
    WrittenAnswer(
        "ocr-q2-O-for-0",
        "q2",
        "18 27 27 18\n3O 45 45 3O\n36 54 54 36\n26 39 39 26",
        3,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    WrittenAnswer(
        "ocr-q2-l-for-1",
        "q2",
        "l8 27 27 l8\n30 45 45 30\n36 54 54 36\n26 39 39 26",
        3,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    WrittenAnswer(
        "ocr-q3-2O",
        "q3",
        "2O 2O 2O 2O\n24 24 24 24\n2O 2O 2O 2O\n24 24 24 24",
        4,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    WrittenAnswer("ocr-q7-l6", "q7", "126 x 126 x l6", 2, NEEDS_REVIEW, OCR_DAMAGE),
    WrittenAnswer("ocr-q8-l6", "q8", "Output size: 63 × 63 × l6", 2, NEEDS_REVIEW, OCR_DAMAGE),
    WrittenAnswer(
        "ocr-q11-l-for-1",
        "q11",
        "R:\nl l\nl l\nG:\n2 2\n2 2\nB:\n2 2\n4 4",
        3,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    WrittenAnswer("ocr-q3-one-O", "q3", "24 24\n20 2O", 4, NEEDS_REVIEW, OCR_DAMAGE),
    WrittenAnswer(
        "ocr-q11-pipes-for-1",
        "q11",
        "R:\n| |\n| |\nG:\n2 2\n2 2\nB:\n2 2\n4 4",
        3,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    WrittenAnswer("ocr-q1-split-number", "q1", "4 5 45\n54 54", None, NEEDS_REVIEW, OCR_DAMAGE),
    WrittenAnswer(
        "ocr-q2-B-for-8",
        "q2",
        "1B 27 27 1B\n30 45 45 30\n36 54 54 36\n26 39 39 26",
        None,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    WrittenAnswer(
        "ocr-q8-space-in-number",
        "q8",
        "63 x 63 x 1 6",
        None,
        NEEDS_REVIEW,
        OCR_DAMAGE,
    ),
    # --- a shape cut short by damage: never a confident partial score --------------------------
    WrittenAnswer("cut-q7-question-mark", "q7", "126 x 126 x ?6", None, NEEDS_REVIEW, CUT_SHORT),
    WrittenAnswer("cut-q8-box", "q8", "63 × 63 × ■", None, NEEDS_REVIEW, CUT_SHORT),
    WrittenAnswer("cut-q7-tuple", "q7", "(126, 126, ?)", None, NEEDS_REVIEW, CUT_SHORT),
    WrittenAnswer("cut-q8-latex", "q8", r"$63 \times 63 \times ?$", None, NEEDS_REVIEW, CUT_SHORT),
    WrittenAnswer(
        "cut-q7-trailing-times",
        "q7",
        "126 x 126 x",
        None,
        NEEDS_REVIEW,
        CUT_SHORT,
    ),
    WrittenAnswer(
        "cut-q7-damaged-middle",
        "q7",
        "126 x 1?6 x 16",
        None,
        NEEDS_REVIEW,
        CUT_SHORT,
    ),
    WrittenAnswer(
        "cut-q2-last-row-lost",
        "q2",
        "18 27 27 18\n30 45 45 30\n36 54 54 36",
        None,
        NEEDS_REVIEW,
        CUT_SHORT,
    ),
    WrittenAnswer("cut-q1-row-cut", "q1", "45 45\n54", None, NEEDS_REVIEW, CUT_SHORT),
    # --- struck-out text is ignored ------------------------------------------------------------
    WrittenAnswer(
        "struck-q1-grid",
        "q1",
        "~~54 54\n45 45~~\n45 45\n54 54",
        3,
        GRADED,
        STRUCK_OUT,
        "no padding",
    ),
    WrittenAnswer(
        "struck-q7-inline",
        "q7",
        "~~128 x 128 x 32~~ 126 x 126 x 16",
        2,
        GRADED,
        STRUCK_OUT,
        "valid",
    ),
    WrittenAnswer(
        "struck-q8-inline",
        "q8",
        "~~63.5 x 63.5 x 16~~ 63 x 63 x 16",
        2,
        GRADED,
        STRUCK_OUT,
        "valid",
    ),
    WrittenAnswer(
        "struck-q3-first-attempt",
        "q3",
        "~~45 45\n54 54~~\n24 24\n20 20",
        4,
        GRADED,
        STRUCK_OUT,
        "padding=1",
    ),
    WrittenAnswer(
        "struck-q11-channel-fixed",
        "q11",
        "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n~~1.5 1.5\n3.5 3.5~~\n2 2\n4 4",
        3,
        GRADED,
        STRUCK_OUT,
        "max pooling",
    ),
    WrittenAnswer(
        "struck-q1-struck-last", "q1", "45 45\n54 54\n~~18 18\n27 27~~", 3, GRADED, STRUCK_OUT
    ),
    WrittenAnswer(
        "struck-q7-first-shape",
        "q7",
        "~~124 x 124 x 16~~ 126 x 126 x 16",
        2,
        GRADED,
        STRUCK_OUT,
        "valid",
    ),
    WrittenAnswer(
        "struck-q2-padding-forgotten-struck",
        "q2",
        "~~45 45\n54 54~~ (forgot the padding)\n" + Q2_GRID,
        3,
        GRADED,
        STRUCK_OUT,
        "padding=1",
    ),
    # --- wrong answers with the usual named mistakes: the rubric's partial credit --------------
    WrittenAnswer("mistake-q2-padding-forgotten", "q2", "45 45\n54 54", 0.6, GRADED, NAMED_MISTAKE),
    WrittenAnswer("mistake-q3-dilation-ignored", "q3", Q2_GRID, 0.8, GRADED, NAMED_MISTAKE),
    WrittenAnswer("mistake-q8-stride-ignored", "q8", "126 x 126 x 16", 0.33, GRADED, NAMED_MISTAKE),
    WrittenAnswer(
        # Two of three dimensions right: partial.entries 0.5 × 2/3 of 2 points.
        "mistake-q7-depth-from-input",
        "q7",
        "126 x 126 x 32",
        0.67,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer(
        # R and G right, B averaged: (1 + 1 + 0.2) / 3 of 3 points (per-channel credit).
        "mistake-q11-average-pooling",
        "q11",
        "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n1.5 1.5\n3.5 3.5",
        2.2,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer(
        # Right 2×2 shape, no entry right: partial.shape 0.2 of 3 points.
        "mistake-q1-only-b-channel",
        "q1",
        "18 18\n27 27",
        0.6,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer(
        "mistake-q2-arithmetic-slip",
        "q2",
        "18 27 27 18\n30 45 45 30\n36 54 54 36\n26 39 39 29",
        2.01,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer(
        "mistake-q11-stride-1",
        "q11",
        "R:\n1 1 1\n1 1 1\n1 1 1\nG:\n2 2 2\n2 2 2\n2 2 2\nB:\n2 2 2\n3 3 3\n4 4 4",
        0,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer(
        "mistake-q11-one-channel-only",
        "q11",
        "R:\n1 1\n1 1",
        1,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer(
        "mistake-q2-channels-not-summed",
        "q2",
        "\n".join(["R:", *Q2_R, "G:", *Q2_G, "B:", *Q2_B]),
        0,
        GRADED,
        NAMED_MISTAKE,
    ),
    WrittenAnswer("mistake-q8-depth-from-input", "q8", "63 x 63 x 32", 0.67, GRADED, NAMED_MISTAKE),
    # --- blank and "I don't know" --------------------------------------------------------------
    WrittenAnswer("blank-q1-empty", "q1", "", 0, MISSING, BLANK),
    WrittenAnswer("blank-q7-whitespace", "q7", "  \n\t\n", 0, MISSING, BLANK),
    # Words but no answer: the grader cannot tell them from an answer written in words, so a
    # person looks (and gives 0).
    WrittenAnswer("blank-q2-dont-know", "q2", "I don't know.", 0, NEEDS_REVIEW, BLANK),
    WrittenAnswer("blank-q11-skipped", "q11", "(skipped, ran out of time)", 0, NEEDS_REVIEW, BLANK),
    WrittenAnswer("blank-q8-question-mark", "q8", "?", 0, NEEDS_REVIEW, BLANK),
    WrittenAnswer("blank-q3-na", "q3", "N/A", 0, NEEDS_REVIEW, BLANK),
)


# ---------------------------------------------------------------------------------------------
# Whole submissions, graded with AnswerGrader.grade_document.


@dataclass(frozen=True)
class WrittenDocument:
    """A whole written submission: every question it answers, and the exact points a TA gives."""

    id: str
    text: str
    style: str
    answered: tuple[str, ...]  # questions with a readable answer: never `missing`
    exact_points: tuple[tuple[str, float], ...]  # graded exact questions and their points
    known_gap: str | None = None


EXACT_FULL = (("q1", 3), ("q2", 3), ("q3", 4), ("q7", 2), ("q8", 2), ("q11", 3))
EXACT = tuple(qid for qid, _ in EXACT_FULL)

# Answer bodies reused by the documents (the markers around them vary).
BODY_Q1 = "45 45\n54 54"
BODY_Q2 = Q2_GRID
BODY_Q3 = "24 24\n20 20"
BODY_Q4 = (
    "The filter is a template of the pattern we look for. It slides over the image and at "
    "each position takes the dot product with the patch; the response is high where the "
    "patch looks like the template."
)
BODY_Q7 = "126 × 126 × 16"
BODY_Q8 = "63 × 63 × 16"
BODY_Q11 = "R:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n2 2\n4 4"
BODY_Q12 = (
    "Pooling downsamples the feature maps, which reduces computation, and max pooling "
    "gives some invariance to small translations."
)


def _document(
    marker: str | Callable[[int], str], *, order: tuple[str, ...] = (), preamble: str = ""
) -> str:
    """A submission answering q1-q4, q7, q8, q11, q12; `marker` is a format or a function of n."""
    mark = marker if callable(marker) else lambda n: marker.format(n=n)
    bodies = {
        "q1": BODY_Q1,
        "q2": BODY_Q2,
        "q3": BODY_Q3,
        "q4": BODY_Q4,
        "q7": BODY_Q7,
        "q8": BODY_Q8,
        "q11": BODY_Q11,
        "q12": BODY_Q12,
    }
    sections = [f"{mark(int(qid[1:]))}\n{bodies[qid]}\n" for qid in (order or tuple(bodies))]
    return preamble + "\n".join(sections)


ANSWERED = ("q1", "q2", "q3", "q4", "q7", "q8", "q11", "q12")
POINTS = {1: 3, 2: 3, 3: 4, 4: 3, 7: 2, 8: 2, 11: 3, 12: 3}

DOCUMENTS: tuple[WrittenDocument, ...] = (
    WrittenDocument(
        "doc-latex-noindent-textbf",
        "\\documentclass{article}\n\\begin{document}\n\\title{HW4}\\author{Jane Doe}\\maketitle\n\n"
        + _document("\\noindent\\textbf{{Q{n}.}}")
        + "\\end{document}\n",
        "latex_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-latex-item",
        "\\begin{enumerate}\n" + _document("\\item[{n}.]") + "\\end{enumerate}\n",
        "latex_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-latex-section",
        _document("\\section*{{Question {n}}}"),
        "latex_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-markdown-bold", _document("**Q{n}.**"), "markdown_markers", ANSWERED, EXACT_FULL
    ),
    WrittenDocument(
        "doc-markdown-heading",
        "# HW4 written part\n\n" + _document("### Problem {n}"),
        "markdown_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument("doc-ans-colon", _document("Ans {n}:"), "word_markers", ANSWERED, EXACT_FULL),
    WrittenDocument("doc-q-dot-number", _document("Q.{n}"), "word_markers", ANSWERED, EXACT_FULL),
    WrittenDocument("doc-number-dash", _document("{n} -"), "plain_markers", ANSWERED, EXACT_FULL),
    WrittenDocument(
        "doc-ocr-marker-letters",
        # A scan's OCR reads 1 as "l": "l)" for 1 and "ll)" for 11.
        _document(lambda n: {1: "l)", 11: "ll)"}.get(n, f"{n})")),
        "ocr_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-out-of-order",
        _document("{n}.", order=("q2", "q1", "q3", "q4", "q11", "q7", "q8", "q12")),
        "out_of_order",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-preamble-name",
        _document(
            "Question {n}",
            preamble="Name: John Smith\nStudent ID: 20231234\nCourse: Deep Learning, HW4\n"
            "Date: 12 March 2024\n\n",
        ),
        "preamble",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-answer-on-marker-line",
        # A plain-text file: each answer starts on its marker's line.
        "HW4 answers\n\n1. 45 45\n   54 54\n2. 18 27 27 18\n   30 45 45 30\n"
        "   36 54 54 36\n   26 39 39 26\n3. 24 24\n   20 20\n7. 126x126x16\n8. 63x63x16\n"
        "11. R: 1 1 / 1 1\n\nR\n1 1\n1 1\nG\n2 2\n2 2\nB\n2 2\n4 4\n",
        "plain_markers",
        EXACT,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-struck-attempts-and-figure-numbers",
        "Q1.\n~~44 44\n53 53~~\n45 45\n54 54\n\n(see Figure 3 below)\n\n3\n\n"
        "Q2.\n" + Q2_GRID + "\n\nQ3.\n24 24\n20 20\n\nQ4.\n" + BODY_Q4 + "\n\n"
        "Q7.\n~~128 x 128 x 32~~\n126 x 126 x 16\n\n"
        "Q8.\n~~63.5 x 63.5 x 16~~ 63 x 63 x 16\n\n"
        "Q11.\nR      G      B\n1 1    2 2    2 2\n1 1    2 2    4 4\n\nQ12.\n" + BODY_Q12 + "\n",
        "struck_out",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-points-in-headings",
        _document(lambda n: f"### Problem {n} ({POINTS[n]} points)"),
        "markdown_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-pdf-page-footers",
        "Jane Doe - HW4\n\n1.\n45 45\n54 54\n\nPage 1 of 3\n\n2.\n" + Q2_GRID + "\n\n"
        "3.\n24 24\n20 20\n\nPage 2 of 3\n\n7.\n126 x 126 x 16\n\n8.\n63 x 63 x 16\n\n"
        "11.\nR:\n1 1\n1 1\nG:\n2 2\n2 2\nB:\n2 2\n4 4\n\nPage 3 of 3\n",
        "plain_markers",
        EXACT,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-roman-numeral-ocr",
        # OCR reads "1." as "I." and "11." as "II.".
        _document(lambda n: {1: "I.", 11: "II."}.get(n, f"{n}.")),
        "ocr_markers",
        ANSWERED,
        EXACT_FULL,
    ),
    WrittenDocument(
        "doc-mixed-styles-pdf",
        # A PDF text layer: name first, rows split by blank lines, side-by-side channels.
        "Homework 4 - Maria Garcia (mg2231)\n\n"
        "1.\n45 45\n\n54 54\n\n"
        "2.\n" + "\n\n".join(Q2_ROWS) + "\n\n"
        "3. Dilation 2 with padding 2 keeps the size:\n" + Q3_SAME_GRID + "\n\n"
        "7. torch.Size([1, 16, 126, 126])\n\n"
        "8. 64 x 64 x 16 with same padding\n\n"
        "11.\nR      G      B\n1 1    2 2    2 2\n1 1    2 2    4 4\n",
        "preamble",
        EXACT,
        EXACT_FULL,
    ),
)
