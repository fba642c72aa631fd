"""Match a concept answer against a question's key points clause by clause, with a confidence.

An answer is cut into sentences (`.`, `;`, new lines, bullets) and each
sentence into clauses at contrast words (`while`, `whereas`, `but`, …). A key
point is covered when every keyword group has a hit in one clause; words
scattered over the answer do not cover it. Words are compared in canonical
form (see `word_forms`: stems, OCR repairs, misspellings corrected).

Negation: a cue (`not`, `no`, `never`, `without`, `n't`, `instead of`,
`rather than`) negates the next words up to a comma or a joining word. A
negated hit does not count, unless its keyword is written with a cue in it
(`not updat*`), or marked `~` (counts either way: "information is not
*lost*"), or marked `!` (counts only negated: "does not have to *choose*").

Anchored key points (`anchored = true`, e.g. q10's early and deep layers): a
clause is further cut where an anchored point's first group starts, so in
"early layers detect objects, deeper layers detect edges" neither point is
read across the other's words.

This module only suggests; it must not decide points or statuses (that is
`grader.kinds.concept`), and must not read files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from grader.scoring.word_forms import CONTRACTED, TOKEN, Speller, prepare, stem

if TYPE_CHECKING:
    from grader.kinds.concept import ConceptQuestion

NEGATION_CUES = frozenset(
    [
        "not",
        "no",
        "never",
        "cannot",
        "without",
        "nor",
        "neither",
        "none",
        "nothing",
        "instead",
        "rather",
        "non",
    ]
)
_NOT_NEGATING_NEXT = frozenset(["only", "just", "matter", "necessarily", "doubt"])  # "not only"
_SCOPE_ENDS = frozenset(
    [
        "and",
        "but",
        "so",
        "because",
        "which",
        "while",
        "whereas",
        "since",
        "then",
        "therefore",
        "thus",
        "hence",
        "although",
        "though",
        "however",
        "otherwise",
        "instead",
    ]
)
SCOPE_WORDS = 6  # a cue negates at most this many following words
SENTENCE_CACHE = 20_000  # sentences kept per question with their clauses and hits
_FUNCTION_WORDS = frozenset(
    [
        "be",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "get",
        "gets",
        "got",
        "getting",
        "have",
        "has",
        "had",
        "having",
        "to",
        "need",
        "needs",
        "needed",
        "do",
        "does",
        "did",
        "really",
        "any",
        "a",
        "an",
        "the",
        "much",
        "more",
        "longer",
        "even",
        "always",
        "necessarily",
        "as",
        "so",
        "too",
        "very",
        "we",
        "you",
        "it",
        "they",
        "us",
        "them",
        "one",
        "of",
        "should",
        "would",
        "will",
        "can",
        "could",
        "must",
        "may",
        "might",
        "ever",
        "all",
        "at",
        "actually",
        "just",
        "t",
    ]
)
_PUNCTUATION = frozenset(",:()=")
_CONTRAST = re.compile(
    r"\s(?=(?:while|whereas|but|however|although|though)\b)|(?<=:)\s", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?;](?=\s)|\n")
# The next line goes on with the sentence: it starts with a lower-case word, not a bullet
# (also across a blank line: a PDF page or column break can fall inside a sentence).
_WRAPPED = re.compile(r"\s*[a-z(]")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|w\.r\.t|cf|vs|etc|approx|resp|fig|eq|ch|no)|\.\.)\.$"
)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)]|\([a-z0-9]\))\s+")
_PREFIX_ENDINGS = (
    "", "e", "s", "es", "ed", "ing", "er", "ers", "ion", "ions", "ation", "ations", "ly", "y",
    "ies", "ied", "al", "ally", "ity", "ment", "ments", "ive", "ness", "ize", "ise",
)  # fmt: skip


@dataclass(frozen=True)
class Keyword:
    """One keyword of a group, ready for matching: stems of its words, the last maybe a prefix."""

    text: str
    words: tuple[str, ...]
    prefix: bool
    polarity: str  # "plain", "any" (~) or "negated" (!)
    negation_phrase: bool  # written with a cue in it ("not updat*"): taken as written
    point: int
    group: int


@dataclass
class Clause:
    """A clause of the answer: its words in three forms, and the negation cue reaching each."""

    sentence: int
    sentence_text: str
    raw: list[str]
    canon: list[str]
    stems: list[str]
    corrected: list[bool]
    negated_by: list[int] = field(default_factory=list)  # the cue's position, or -1
    direct: list[bool] = field(default_factory=list)  # the first content word after its cue


@dataclass(frozen=True)
class Hit:
    point: int  # MISCONCEPTION for a known wrong claim
    group: int
    start: int
    end: int
    keyword: Keyword
    cues: frozenset[int]  # negation cues reaching a word of the hit
    uses: frozenset[int]  # cues the hit itself reads: "not updat*", a directly negated ~ or ! word
    corrected: bool  # a word of the hit was repaired or respelt

    def counts(self, consumed: frozenset[int] | set[int]) -> bool:
        """Whether the hit is evidence, given the cues other hits of the point already read."""
        if self.keyword.negation_phrase or self.keyword.polarity == "any":
            return True
        if self.keyword.polarity == "negated":
            return bool(self.cues)
        return not (self.cues - self.uses - consumed)


MISCONCEPTION = -1
IGNORED = -2  # the question's own words restated ("template matching"): hits inside are dropped


def parse_keyword(written: str, point: int, group: int) -> Keyword:
    polarity = {"~": "any", "!": "negated"}.get(written[:1], "plain")
    body = written[1:] if polarity != "plain" else written
    prefix = body.endswith("*")
    parts = [t for t in TOKEN.findall(prepare(body.rstrip("*"))) if t not in _PUNCTUATION]
    parts = [p.replace("×", "x") for p in parts]
    stems = tuple(p if prefix and i == len(parts) - 1 else stem(p) for i, p in enumerate(parts))
    cue = any(p in NEGATION_CUES or p == "t" for p in parts)
    return Keyword(written, stems, prefix, polarity, cue, point, group)


class QuestionMatcher:
    """A question's keywords indexed by first word, with the speller for its vocabulary."""

    def __init__(self, question: ConceptQuestion) -> None:
        self.groups = tuple(len(kp.keywords) for kp in question.key_points)
        self.anchored = tuple(kp.anchored for kp in question.key_points)
        self.within = tuple(kp.within for kp in question.key_points)
        self._exact: dict[str, list[Keyword]] = {}
        self._prefix: dict[str, list[Keyword]] = {}
        vocabulary: set[str] = set()
        written_groups = [
            (p, g, group)
            for p, kp in enumerate(question.key_points)
            for g, group in enumerate(kp.keywords)
        ]
        written_groups.append((MISCONCEPTION, 0, question.misconceptions))
        written_groups.append((IGNORED, 0, question.ignore))
        for p, g, group in written_groups:
            for written in group:
                keyword = parse_keyword(written, p, g)
                if not keyword.words:
                    continue
                vocabulary.update(_surface_forms(written))
                first = keyword.words[0]
                if keyword.prefix and len(keyword.words) == 1:
                    self._prefix.setdefault(first[:3], []).append(keyword)
                else:
                    self._exact.setdefault(first, []).append(keyword)
        for kp in question.key_points:
            vocabulary.update(w for w in TOKEN.findall(prepare(kp.text)) if w.isalpha())
        self.speller = Speller(vocabulary)
        self._sentences: dict[str, tuple[tuple[Clause, list[Hit]], ...]] = {}

    def clauses(self, answer: str) -> list[Clause]:
        """The answer cut into clauses, words canonical, negation marked."""
        return [clause for clause, _hits in self.analyse(answer)]

    def analyse(self, answer: str) -> list[tuple[Clause, list[Hit]]]:
        """Every clause of the answer with its keyword hits (sentences are cached: a class's
        answers, and every regrade, repeat many of them)."""
        found: list[tuple[Clause, list[Hit]]] = []
        for index, sentence in enumerate(split_sentences(answer)):
            cached = self._sentences.get(sentence)
            if cached is None:
                shown = " ".join(sentence.split())
                clauses = (self._clause(part, 0, shown) for part in _CONTRAST.split(sentence))
                cached = tuple((c, self.hits(c)) for c in clauses if c.raw)
                if len(self._sentences) >= SENTENCE_CACHE:
                    self._sentences.clear()
                self._sentences[sentence] = cached
            for clause, hits in cached:
                found.append((replace(clause, sentence=index) if index else clause, hits))
        return found

    def _clause(self, text: str, sentence: int, shown: str) -> Clause:
        tokens: list[str] = []
        breaks: list[bool] = []
        pending_break = False
        for token in TOKEN.findall(prepare(text)):
            if token in _PUNCTUATION:
                pending_break = True
                continue
            tokens.append(token)
            breaks.append(pending_break)
            pending_break = False
        clause = Clause(sentence, shown, [], [], [], [])
        kept_breaks: list[bool] = []
        speller = self.speller
        i = 0
        while i < len(tokens):
            token, joined = tokens[i], None
            if i + 1 < len(tokens) and not breaks[i + 1]:
                joined = speller.joined(token, tokens[i + 1])
            pieces = [(token, False)]
            if joined is not None:
                pieces = [(joined, True)]
                shown_token = f"{token} {tokens[i + 1]}"
                i += 1
            else:
                shown_token = token
                parts = speller.split(token)
                if parts is not None:
                    pieces = [(parts[0], True), (parts[1], True)]
            for piece, repaired in pieces:
                canon, word_stem, corrected = speller.canon(piece)
                clause.raw.append(shown_token)
                clause.canon.append(canon)
                clause.stems.append(word_stem)
                clause.corrected.append(corrected or repaired)
                kept_breaks.append(breaks[i] if joined is None else breaks[i - 1])
            i += 1
        clause.negated_by, clause.direct = _negation_scope(clause.canon, kept_breaks)
        return clause

    def hits(self, clause: Clause) -> list[Hit]:
        found: list[Hit] = []
        canon, stems = clause.canon, clause.stems
        for i in range(len(canon)):
            candidates = self._exact.get(stems[i], [])
            word = canon[i]
            more = self._prefix.get(word[:3])
            if more:
                candidates = candidates + [k for k in more if word.startswith(k.words[0])]
            for keyword in candidates:
                end = i + len(keyword.words)
                if end > len(canon) or not _rest_matches(keyword, canon, stems, i):
                    continue
                cues = frozenset(c for c in clause.negated_by[i:end] if c >= 0)
                if keyword.negation_phrase:
                    uses = frozenset(range(i, end)) | cues
                elif keyword.polarity != "plain" and clause.direct[i]:
                    uses = cues
                else:
                    uses = frozenset()
                found.append(
                    Hit(keyword.point, keyword.group, i, end, keyword, cues, uses,
                        any(clause.corrected[i:end]))
                )  # fmt: skip
        ignored = [(h.start, h.end) for h in found if h.point == IGNORED]
        if ignored:
            found = [
                h
                for h in found
                if h.point != IGNORED and not any(s < h.end and h.start < e for s, e in ignored)
            ]
        return found


def _rest_matches(keyword: Keyword, canon: list[str], stems: list[str], start: int) -> bool:
    last = len(keyword.words) - 1
    for offset in range(1, last + 1):
        wanted = keyword.words[offset]
        if offset == last and keyword.prefix:
            if not canon[start + offset].startswith(wanted):
                return False
        elif stems[start + offset] != wanted:
            return False
    return True


def _negation_scope(words: Sequence[str], breaks: Sequence[bool]) -> tuple[list[int], list[bool]]:
    """Which cue reaches each word (up to SCOPE_WORDS, a comma or a joining word), and which
    words are the first content word after their cue ("does not have to *choose*")."""
    negated_by = [-1] * len(words)
    direct = [False] * len(words)
    for i, word in enumerate(words):
        is_cue = word in NEGATION_CUES or (word == "t" and i > 0 and words[i - 1] in CONTRACTED)
        if not is_cue or (i + 1 < len(words) and words[i + 1] in _NOT_NEGATING_NEXT):
            continue
        content_seen = False
        for j in range(i + 1, min(len(words), i + 1 + SCOPE_WORDS)):
            if breaks[j] or words[j] in _SCOPE_ENDS:
                break
            negated_by[j] = i
            if not content_seen and words[j] not in _FUNCTION_WORDS:
                direct[j] = True
                content_seen = True
    return negated_by, direct


def split_sentences(text: str) -> list[str]:
    """Sentences and bullet items of `text` (abbreviations such as e.g. do not end one)."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n" and _ABBREVIATION.search(text[max(0, end - 7) : end]):
            continue
        if match.group() == "\n" and _WRAPPED.match(text, end):
            continue  # a line wrapped inside a sentence (PDF text, hard-wrapped prose)
        sentences.append(text[start:end])
        start = end
    sentences.append(text[start:])
    cleaned = (_BULLET.sub("", s).strip() for s in sentences)
    return [s for s in cleaned if s]


def _surface_forms(written: str) -> set[str]:
    """Words a keyword stands for, for the speller: its words, and common endings of a prefix."""
    body = written.lstrip("~!")
    parts = [t for t in TOKEN.findall(prepare(body.rstrip("*"))) if t.isalpha()]
    forms = set(parts)
    if body.endswith("*") and parts:
        last = parts[-1]
        forms.update(last + ending for ending in _PREFIX_ENDINGS)
        if last[-1] not in "aeiouy":
            forms.update(last + last[-1] + ending for ending in ("ing", "ed", "er"))
    return {f for f in forms if len(f) >= 3}
