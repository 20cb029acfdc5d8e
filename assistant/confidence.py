"""Do the publications answer the question? A logistic model over retrieval signals (no word
lists), fitted on dev + core by `python -m evals.calibration`; two cut-offs give 'hoog' (answer),
'onzeker' (answer with a caveat) and 'geen' (refuse)."""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Mapping, Sequence

import numpy as np

from common.errors import WegwijzerError

from common.sentences import split_sentences

from .asked import asked_for, holds, topic
from .lexical import fold, stem, words

if TYPE_CHECKING:
    from .passages import PassageIndex
    from .retrieval import Retrieved

MODEL_PATH = Path(__file__).with_name("confidence.json")


class ConfidenceMismatchError(WegwijzerError):
    """The confidence model was fitted for another profile or embedder."""


NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
PAGE_REFERENCE = re.compile(r"\(\s*p\.?\s*[\d,\s–-]+\)")

# The signals, in the order of the model's weights: the set with the best cross-validated log
# loss on dev + core among those tried (docs/beslissingen/zekerheid.md).
FEATURES = (
    "dense_top",            # cosine of the best passage (question as asked)
    "dense_gap",            # how far the best passage is ahead of the median candidate
    "latent_top",           # the latent-term score of the best top-3 passage (NaN without)
    "coverage_best",        # idf-weighted share of the question's corpus terms in one top-3 passage
    "coverage_top",         # the same over the top-k passages together
    "coverage_sentence",    # the same in the best single sentence of the top-3 passages
    "unknown_in_language",  # share of content words the corpus never uses × language share
    "coverage_in_language",  # coverage_best × language share
    "missing_name",         # a proper name in the question that the corpus never mentions
    "missing_number",       # a number in the question that the top passages do not contain
    "other_language",       # 1 when the question is not in the corpus's language
    "scope",                # the question's embedding on the answerable/out-of-scope direction
    "neighbours",           # see `neighbour_margin`
)
# Signals that compare the question's words with the corpus's: meaningless for a question in
# another language, so the model reads them at their mean (no evidence either way).
WORD_SIGNALS = ("coverage_best", "coverage_top", "coverage_sentence", "unknown_in_language",
                "coverage_in_language", "missing_name")


def language_share(question: str, word_forms: frozenset[str]) -> float:
    """Share of the question's words (function words included) that the corpus uses: high for
    any Dutch question, low for another language (docs/beslissingen/talen.md)."""
    tokens = [w for w in words(question) if not w.isdigit()]
    if not tokens:
        return 1.0
    return sum(1 for t in tokens if t in word_forms) / len(tokens)


def proper_names(question: str) -> list[str]:
    """Capitalised words inside a sentence (not its first word): likely proper names."""
    names = []
    for sentence in re.split(r"[.!?]\s+", question):
        tokens = re.findall(r"[^\W\d_][\w'’-]*", sentence)
        names += [t for t in tokens[1:] if t[0].isupper() and not t.isupper() and len(t) > 2]
    return names


# Neighbours per class: five, the usual default, not tuned (docs/beslissingen/zekerheid.md,
# 'Naaste oefenvragen').
NEIGHBOURS = 5


def neighbour_margin(vectors: np.ndarray, examples: np.ndarray, answerable: np.ndarray,
                     k: int = NEIGHBOURS) -> np.ndarray:
    """Per question: mean cosine to its k nearest answerable examples minus that to its k
    nearest out-of-scope ones (pure). Out-of-scope questions come in kinds that lie in different
    corners of embedding space, which one scope direction cannot see apart."""
    def unit(m: np.ndarray) -> np.ndarray:
        m = np.atleast_2d(np.asarray(m, dtype=np.float32))
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

    cosines = unit(vectors) @ unit(examples).T
    inside, outside = cosines[:, answerable == 1], cosines[:, answerable == 0]

    def nearest(c: np.ndarray) -> np.ndarray:
        n = min(k, c.shape[1])
        return np.sort(c, axis=1)[:, -n:].mean(axis=1)

    return nearest(inside) - nearest(outside)


def _weighted_share(terms: Sequence[str], present: Collection[str],
                    idf: Mapping[str, float]) -> float:
    total = sum(idf[t] for t in terms)
    if not total:
        return 0.0
    return sum(idf[t] for t in terms if t in present) / total


def signals(question: str, retrieved: "Retrieved", passages: "PassageIndex",
            idf: Mapping[str, float], language: float, foreign_below: float,
            best_of: int = 3) -> dict[str, float]:
    """The retrieval signals of one question (see FEATURES); `language` is its language share.
    `scope` and `neighbours` are read from the question's vector by the model."""
    values = dict.fromkeys(FEATURES, 0.0)
    values["scope"] = values["neighbours"] = math.nan
    if not retrieved.hits:
        return values
    values["language_share"] = language
    positions = [hit.position for hit in retrieved.hits]
    values.update(_score_signals(retrieved, positions[:best_of]))
    values.update(_coverage_signals(question, positions, passages, idf, best_of, language))
    values.update(_missing_signals(question, positions, passages))
    if language < foreign_below:
        values["other_language"] = 1.0
        for name in WORD_SIGNALS:
            values[name] = math.nan
    return values


def _score_signals(retrieved: "Retrieved", best: Sequence[int]) -> dict[str, float]:
    values = {"dense_top": max(h.dense for h in retrieved.hits)}
    values["latent_top"] = (max(retrieved.latent.get(p, 0.0) for p in best)
                            if retrieved.latent is not None else math.nan)
    pool = np.fromiter(retrieved.dense.values(), dtype=np.float32)
    if pool.size:
        values["dense_gap"] = values["dense_top"] - float(np.median(pool))
    return values


def _coverage_signals(question: str, positions: Sequence[int], passages: "PassageIndex",
                      idf: Mapping[str, float], best_of: int, language: float) -> dict[str, float]:
    values: dict[str, float] = {}
    terms = list(dict.fromkeys(passages.vocabulary.terms(question)))
    known = [t for t in terms if t in idf]
    if known:
        per_hit = [passages.hit_terms(p) for p in positions]
        values["coverage_best"] = max(_weighted_share(known, t, idf) for t in per_hit[:best_of])
        values["coverage_top"] = _weighted_share(known, set().union(*per_hit), idf)
        # A passage can hold every term in different sentences while none answers.
        values["coverage_sentence"] = max(
            (_weighted_share(known, sentence, idf)
             for p in positions[:best_of] for sentence in passages.sentence_terms(p)),
            default=0.0)
    content = [w for w in dict.fromkeys(words(question)) if stem(w) in terms]
    if content:
        unknown = sum(1 for w in content if stem(w) not in idf) / len(content)
        # In another language every word is unknown, so the share says nothing there.
        values["unknown_in_language"] = unknown * language
    values["coverage_in_language"] = values.get("coverage_best", 0.0) * language
    return values


def _missing_signals(question: str, positions: Sequence[int],
                     passages: "PassageIndex") -> dict[str, float]:
    values: dict[str, float] = {}
    for name in proper_names(question):
        parts = [p for p in re.split(r"[-'’]", fold(name)) if len(p) > 1]
        if not all(p in passages.word_forms for p in parts):
            values["missing_name"] = 1.0
    text = " ".join(passages.folded(p) for p in positions)
    numbers = set(NUMBER.findall(PAGE_REFERENCE.sub(" ", text)))
    if any(n not in numbers for n in NUMBER.findall(question)):
        values["missing_number"] = 1.0
    return values


def answered_in(question: str, positions: Sequence[int], passages: "PassageIndex",
                idf: Mapping[str, float], coverage: float) -> bool:
    """Whether one sentence of these passages holds the asked fact (assistant.asked) and at least
    `coverage` of the question's idf-weighted terms, its question word left out: direct evidence
    that the publications answer it, which the signals of the question's form must not
    overrule. A word the corpus never uses weighs as its rarest word."""
    asked = asked_for(question)
    terms = list(dict.fromkeys(passages.vocabulary.terms(topic(question))))
    if asked is None or not terms or not idf:
        return False
    rarest = max(idf.values())
    weight = {t: idf.get(t, rarest) for t in terms}
    return any(holds(*asked, sentence, question)
               and _weighted_share(terms, set(passages.vocabulary.terms(sentence)), weight)
               >= coverage
               for p in positions for sentence in split_sentences(passages.texts[p]))


@dataclass(frozen=True)
class ConfidenceModel:
    """Logistic regression over standardised signals, with two cut-offs on its probability."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    refuse_below: float  # probability under which the answer is "geen" (refuse)
    sure_from: float  # probability from which the answer is "hoog"
    fitted_on: str = ""
    # The embedder whose vectors the scope direction (evals.calibration.scope_direction) reads.
    embedder: str = ""
    direction: tuple[float, ...] = ()
    # The fingerprint of the profile sections its signals come from (Profile.fingerprint).
    profile: str = ""
    # Whether each fitting question is answerable, and their vectors (float16, base64).
    example_answerable: tuple[int, ...] = ()
    examples: str = ""

    def check_fitted_for(self, profile: str, embedder: str) -> None:
        """A Dutch error unless this model was fitted for this profile and embedder (a model
        fitted on nothing, `neutral`, fits anything)."""
        if not self.fitted_on:
            return
        problems = []
        if self.profile != profile:
            problems.append(f"voor een ander profiel ({self.profile or 'onbekend'}, nu {profile})")
        if self.embedder and self.embedder != embedder:
            problems.append(f"met embedder '{self.embedder}' (nu '{embedder}')")
        if problems:
            raise ConfidenceMismatchError(
                f"Het zekerheidsmodel (assistant/confidence.json) is gefit {' en '.join(problems)}."
                f" Pas het opnieuw aan op deze index: python -m evals.calibration --data-dir "
                f"DATA-MAP (een halve minuut; zie docs/evalueren.md).")

    def _reads(self, vector: np.ndarray | None, embedder: str) -> bool:
        # Another embedder's vectors live in another space, which the fit does not describe.
        return vector is not None and embedder == self.embedder \
            and len(vector) == len(self.direction)

    def scope(self, vector: np.ndarray | None, embedder: str) -> float:
        """The question vector on the scope direction; NaN (no evidence) when not readable."""
        if not self.direction or not self._reads(vector, embedder):
            return math.nan
        return float(np.dot(np.asarray(self.direction, dtype=np.float64), vector))

    @cached_property
    def _examples(self) -> np.ndarray:
        raw = np.frombuffer(base64.b64decode(self.examples), dtype=np.float16)
        return raw.reshape(len(self.example_answerable), -1).astype(np.float32)

    def neighbours(self, vector: np.ndarray | None, embedder: str) -> float:
        """`neighbour_margin` among the fitting questions; NaN (no evidence) when not readable."""
        if not self.examples or not self._reads(vector, embedder):
            return math.nan
        return float(neighbour_margin(np.asarray(vector), self._examples,
                                      np.asarray(self.example_answerable))[0])

    def read_vector(self, values: Mapping[str, float], vector: np.ndarray | None,
                    embedder: str) -> dict[str, float]:
        """`values` with the signals the model reads from the question's vector."""
        return {**values, "scope": self.scope(vector, embedder),
                "neighbours": self.neighbours(vector, embedder)}

    def probability(self, values: Mapping[str, float]) -> float:
        """Estimated probability that the publications answer the question."""
        z = self.bias
        for name, mean, scale, weight in zip(FEATURES, self.means, self.scales, self.weights):
            value = values.get(name, mean)
            if not math.isnan(value):  # NaN: not measurable for this question (see signals)
                z += weight * (value - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def level(self, probability: float, values: Mapping[str, float] | None = None) -> str:
        """'hoog', 'onzeker' or 'geen'. Without its word signals (another language) the model
        barely separates answerable from not: it answers with a caveat rather than refuse."""
        if probability < self.refuse_below:
            return "onzeker" if values and values.get("other_language") else "geen"
        return "onzeker" if probability < self.sure_from else "hoog"

    def to_json(self) -> dict[str, object]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {"features": list(FEATURES),
                **{k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "ConfidenceModel":
        if list(data.get("features", [])) != list(FEATURES):  # type: ignore[call-overload]
            raise ValueError("the confidence model was fitted on other signals; refit it with "
                             "`python -m evals.calibration`")
        names = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v  # type: ignore[arg-type]
                      for k, v in data.items() if k in names})

    @staticmethod
    def pack_examples(vectors: np.ndarray) -> str:
        """Question vectors as the model stores them (unit length, float16, base64)."""
        unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return base64.b64encode(unit.astype(np.float16).tobytes()).decode("ascii")

    @classmethod
    def neutral(cls) -> "ConfidenceModel":
        """A model that never refuses: for collecting signals before one is fitted."""
        n = len(FEATURES)
        return cls((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, 0.0, 0.0, fitted_on="")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "ConfidenceModel":
        """The fitted model shipped with the package."""
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
