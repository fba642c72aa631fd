"""Word forms for concept matching: tokens, a light stemmer, OCR repairs and spelling correction.

A student's word is compared with the rubric's keywords as a *canonical* form:
lower-case, `×` written `x`, OCR letter/digit confusions repaired (`fi1ter`,
`rnaps`, `lxl`), a misspelling of a keyword word corrected to it (`templete`
→ `template`, edit distance 1, or 2 for long words), and a light stem that
joins plural and verb endings (`edges`/`edge`, `matched`/`matching`). A word
is only corrected when it is not an English word (pyspellchecker's word list,
loaded once on first need), so `later` never becomes `layer`.

This module knows nothing of rubrics or key points, and must not download
anything: every word list it uses ships with an installed package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

#: Word tokens (letters, digits, ×) and the punctuation that ends a negation's reach.
TOKEN = re.compile(r"[a-z0-9×]+|[,:()=]")
_TIMES_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])\s*([x×*])\s*(?=[0-9])")
_OCR_ONE_BY_ONE = re.compile(r"(?<![a-z0-9])[l1i|][x×][l1i|](?![a-z0-9])")
_OCR_DIGIT_LETTERS = str.maketrans({"0": "o", "1": "l", "5": "s"})
_OCR_PAIRS = (("rn", "m"), ("vv", "w"), ("tb", "th"), ("cb", "ch"))
#: Words of this field that are not in the English list and must not be "corrected".
#: What is left of "doesn't", "can't" … once the apostrophe splits the word: a negation
#: (concept_matching) and never a misspelling to correct (here).
CONTRACTED = frozenset(
    [
        "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "won", "can", "couldn",
        "shouldn", "wouldn", "haven", "hasn", "hadn", "mustn", "needn", "ain",
    ]
)  # fmt: skip
DOMAIN_WORDS = CONTRACTED | frozenset(
    [
        "relu",
        "resnet",
        "resnets",
        "cnn",
        "cnns",
        "convnet",
        "convnets",
        "conv",
        "convs",
        "vgg",
        "vgg16",
        "googlenet",
        "imagenet",
        "maxpool",
        "maxpooling",
        "avgpool",
        "batchnorm",
        "dropout",
        "softmax",
        "pytorch",
        "keras",
        "tensorflow",
        "numpy",
        "cifar",
        "backprop",
        "backpropagate",
        "backpropagation",
        "gradcam",
        "heatmap",
        "heatmaps",
        "logit",
        "logits",
        "hyperparameter",
        "hyperparameters",
        "dataset",
        "datasets",
        "minibatch",
        "upsample",
        "upsampling",
        "downsample",
        "downsampling",
        "subsample",
        "subsampling",
        "overfit",
        "overfitting",
        "underfitting",
        "pretrained",
        "pretrain",
        "finetune",
        "finetuning",
        "submodel",
        "imshow",
        "matshow",
        "pointwise",
        "channelwise",
        "pixelwise",
        "featuremap",
        "featuremaps",
        "argmax",
        "lr",
        "sgd",
        "adam",
        "epoch",
        "epochs",
        "grayscale",
        "greyscale",
        "rgb",
        "gap",
    ]
)
FUZZY_MIN_LENGTH = 4  # shorter words are too easily another word
LONG_WORD = 8  # from this length two edits are forgiven, below it one
_CACHE_LIMIT = 200_000


def prepare(text: str) -> str:
    """Lower-case text with `1 x 1`, `3×3` and OCR's `lxl` written as `1x1`, apostrophes as spaces."""
    lowered = text.lower().replace("'", " ").replace("’", " ")
    lowered = _TIMES_BETWEEN_DIGITS.sub(lambda m: "x" if m.group(1) == "*" else m.group(1), lowered)
    return _OCR_ONE_BY_ONE.sub(lambda m: m.group() if m.group()[0::2] == "11" else "1x1", lowered)


def words(text: str) -> list[str]:
    """The word tokens of `text` as the matcher sees them (no spelling correction)."""
    return [t for t in TOKEN.findall(prepare(text)) if t[0].isalnum() or t[0] == "×"]


def stem(word: str) -> str:
    """A light stem: plural, -ed and -ing endings and a final e removed; -ise spelt -ize.

    Both sides of a comparison go through it, so it only has to be consistent:
    `combining`, `combined`, `combines`, `combine` all give `combin`.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    base = word
    if base.endswith("ies") and len(base) > 4:
        base = base[:-3] + "y"
    elif base.endswith(("sses", "shes", "ches", "xes", "zes")):
        base = base[:-2]
    elif base.endswith("s") and not base.endswith(("ss", "us", "is")):
        base = base[:-1]
    elif base.endswith("ing") and len(base) > 5:
        base = base[:-3]
    elif base.endswith("ied") and len(base) > 4:
        base = base[:-3] + "y"
    elif base.endswith("ed") and len(base) > 4:
        base = base[:-2]
    if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
        base = base[:-1]  # running -> run, stopped -> stop
    if base.endswith("e") and len(base) > 3:
        base = base[:-1]
    if base.endswith("is") and len(base) > 5:
        base = base[:-2] + "iz"  # normalis(e) -> normaliz(e)
    return base


@cache
def english_words() -> frozenset[str]:
    """The English word list of pyspellchecker (shipped with the package, ~160k words)."""
    from spellchecker import SpellChecker  # imported on first use: loading takes ~0.2 s

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def repair_ocr(token: str, known: frozenset[str] | set[str]) -> str | None:
    """`fi1ter` → `filter`, `rnaps` → `maps`, `tbe` → `the`: a repair that yields a known word."""
    candidates: list[str] = []
    letters = sum(c.isalpha() for c in token)
    digits_as_letters = letters >= 2 and len(token) >= 3 and any(c in "015" for c in token)
    if digits_as_letters and all(c.isalpha() or c in "015" for c in token):
        candidates.append(token.translate(_OCR_DIGIT_LETTERS))
    for wrong, right in _OCR_PAIRS:
        if wrong in token:
            candidates.append(token.replace(wrong, right))
            candidates.extend(
                token[:i] + right + token[i + len(wrong) :]
                for i in range(len(token))
                if token.startswith(wrong, i)
            )
    if not candidates or token in english_words():  # "learn" and "turn" are words already
        return None
    for candidate in candidates:
        if candidate in known or candidate in english_words():
            return candidate
    return candidates[0] if candidates[0].isalpha() else None


class Speller:
    """Canonical forms of tokens against one vocabulary (a question's keyword words and forms).

    `canon(token)` returns (canonical word, its stem, corrected?) and is cached:
    a class's answers repeat most of their words.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if w)
        self._choices = sorted(w for w in self.vocabulary if len(w) >= FUZZY_MIN_LENGTH - 1)
        self._cache: dict[str, tuple[str, str, bool]] = {}

    def canon(self, token: str) -> tuple[str, str, bool]:
        held = self._cache.get(token)
        if held is not None:
            return held
        word, corrected = self._canon(token)
        found = (word, stem(word), corrected)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[token] = found
        return found

    def known(self, word: str) -> bool:
        """A keyword form, a word of this field or an English word: never respelt."""
        return word in self.vocabulary or word in DOMAIN_WORDS or word in english_words()

    def joined(self, first: str, second: str) -> str | None:
        """OCR's `templ ate` and `updat es`: two tokens whose join is a keyword form."""
        word = first + second
        if word not in self.vocabulary:
            return None
        if second not in {"e", "s", "es", "ed", "ing"} and self.known(first):
            return None
        return word

    def split(self, token: str) -> tuple[str, str] | None:
        """OCR's `slidethe`: a keyword form followed by an English word, run together."""
        if len(token) < 7 or self.known(token):
            return None
        for cut in range(len(token) - 2, 2, -1):
            head, tail = token[:cut], token[cut:]
            if head in self.vocabulary and tail in english_words():
                return head, tail
        return None

    def _canon(self, token: str) -> tuple[str, bool]:
        word = token.replace("×", "x")
        if (
            word in self.vocabulary
            or len(word) < FUZZY_MIN_LENGTH
            or not any(c.isalpha() for c in word)
            or word in DOMAIN_WORDS
        ):
            return word, False
        repaired = repair_ocr(word, self.vocabulary)
        if repaired is not None:
            if repaired in self.vocabulary or repaired in english_words():
                return repaired, True
            word = repaired
        allowed = 2 if len(word) >= LONG_WORD else 1
        best = process.extractOne(word, self._choices, scorer=OSA.distance, score_cutoff=allowed)
        # The English list is consulted only for a near miss: "later" is a word, not "layer".
        if best is None or word in english_words():
            return word, word != token.replace("×", "x")
        return best[0], True
