"""Answer-quality metrics: pure functions over expected places and cited sources."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from assistant.markers import markers as cited_markers
from assistant.model import Source
from indexing.places import Place


def source_counts(place: Place, expected: Mapping[str, Any]) -> bool:
    """A source counts when publication, wegwijzer (if given) and pages (if given) match. With
    several publications accepted, a source without printed pages is held only to those (the
    expected wegwijzers and pages are the paged Jaarbericht's)."""
    publications = expected.get("publications") or []
    if publications and place.publication_id not in publications:
        return False
    if len(publications) > 1 and not place.pages:
        return True
    wegwijzers = expected.get("wegwijzers") or []
    if wegwijzers and place.wegwijzer not in wegwijzers:
        return False
    pages = expected.get("pages")
    if pages and not pages_overlap(place.pages, pages):
        return False
    return True


def pages_overlap(got: Sequence[int | None] | None, wanted: Sequence[int]) -> bool:
    """True when the page range `got` ([first, last], last may be None) overlaps `wanted`."""
    if not got or got[0] is None:
        return False
    first = got[0]
    last = got[1] if len(got) > 1 and got[1] is not None else first
    return last >= wanted[0] and first <= wanted[1]


def first_relevant_rank(sources: Sequence[Source], expected: Mapping[str, Any]) -> int | None:
    """1-based rank of the first counting source, or None."""
    for rank, source in enumerate(sources, start=1):
        if source_counts(source.place, expected):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def citation_precision(answer: str, sources: Sequence[Source],
                       expected: Mapping[str, Any]) -> float | None:
    """Share of [n] markers that point to a counting source; None when there are no markers."""
    cited = cited_markers(answer)
    if not cited:
        return None
    by_marker = {s.marker: s.place for s in sources}
    good = sum(1 for m in cited if m in by_marker and source_counts(by_marker[m], expected))
    return good / len(cited)


def top1_page_accuracy(sources: Sequence[Source], expected: Mapping[str, Any]) -> float | None:
    """Whether the best source is in an expected publication and on the expected pages; None
    without expected pages."""
    pages = expected.get("pages")
    if not pages:
        return None
    if not sources:
        return 0.0
    top = sources[0].place
    publications = expected.get("publications") or []
    if publications and top.publication_id not in publications:
        return 0.0
    return 1.0 if pages_overlap(top.pages, pages) else 0.0


def research_page_recall(sources: Sequence[Source], expected: Mapping[str, Any]) -> float | None:
    """Share of expected research-report pages found on the sources; None when none expected."""
    wanted = set(expected.get("research_pages") or [])
    if not wanted:
        return None
    found = {page for source in sources for page in source.place.research_pages}
    return len(wanted & found) / len(wanted)


def must_mention_recall(answer: str, expected: Mapping[str, Any]) -> float | None:
    """Share of must-mention phrases present in the answer (case-insensitive)."""
    phrases = [p.lower() for p in expected.get("must_mention") or []]
    if not phrases:
        return None
    text = answer.lower()
    return sum(1 for p in phrases if p in text) / len(phrases)


def percentile(values: Iterable[float], q: float, method: str = "linear") -> float | None:
    """The q-th percentile (0–100) by numpy's `method`; None for no values."""
    data = list(values)
    return float(np.percentile(data, q, method=method)) if data else None  # type: ignore[call-overload]


def rounded(values: Mapping[str, float | None]) -> dict[str, float | None]:
    """Values rounded to 4 decimals, as report.json stores them."""
    return {k: (round(v, 4) if v is not None else None) for k, v in values.items()}


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


# --- Per question and over a set of questions -------------------------------------------------

# Overall metric names, in report order. Fractions are 0–1, latencies milliseconds.
METRICS: tuple[str, ...] = (
    "hit@1", "hit@3", "hit@5", "mrr", "citation_precision", "top1_page_accuracy",
    "research_page_recall", "must_mention_recall", "refusal_accuracy", "false_refusal_rate",
    "faithfulness", "answered_with_citation", "hit@1_sure", "hit@1_unsure", "standalone_joined",
    "follow_up_joined", "follow_up_hit_at_3", "latency_ms_p50", "latency_ms_p95",
)
# Measured only on questions asked with earlier turns of a conversation (see
# conversation_metrics); None for a suite without sessions or follow-ups.
CONVERSATION_METRICS: tuple[str, ...] = ("standalone_joined", "follow_up_joined",
                                         "follow_up_hit_at_3")
# For these, lower is better: a threshold is an upper bound.
LOWER_IS_BETTER: frozenset[str] = frozenset({"false_refusal_rate", "standalone_joined",
                                             "latency_ms_p50", "latency_ms_p95"})
# Per-question metric names (rr is a question's reciprocal rank; mrr is its mean).
QUESTION_METRICS: tuple[str, ...] = (
    "hit@1", "hit@3", "hit@5", "rr", "citation_precision", "top1_page_accuracy",
    "research_page_recall", "must_mention_recall", "faithfulness", "answered_with_citation",
)


def question_metrics(answer: str, sources: Sequence[Source], expected: Mapping[str, Any],
                     answerable: bool, refused: bool = False,
                     faithfulness: float | None = None) -> dict[str, float | None]:
    """The metrics of one answered question; None where a metric does not apply (retrieval and
    citation metrics only to answerable questions)."""
    values: dict[str, float | None] = dict.fromkeys(QUESTION_METRICS)
    if answerable:
        rank = first_relevant_rank(sources, expected)
        values.update({
            "hit@1": hit_at(rank, 1), "hit@3": hit_at(rank, 3), "hit@5": hit_at(rank, 5),
            "rr": reciprocal_rank(rank),
            "citation_precision": citation_precision(answer, sources, expected),
            "top1_page_accuracy": top1_page_accuracy(sources, expected),
            "research_page_recall": research_page_recall(sources, expected),
        })
    values["must_mention_recall"] = must_mention_recall(answer, expected)
    if not refused:  # measured on answered questions, answerable or not
        values["faithfulness"] = faithfulness
        valid = {source.marker for source in sources}
        values["answered_with_citation"] = 1.0 if set(cited_markers(answer)) & valid else 0.0
    return values


def refusal_accuracy(outcomes: Iterable[tuple[bool, bool]]) -> float | None:
    """Share of unanswerable questions that were refused, from (answerable, refused) pairs."""
    return mean(1.0 if refused else 0.0 for answerable, refused in outcomes if not answerable)


def false_refusal_rate(outcomes: Iterable[tuple[bool, bool]]) -> float | None:
    """Share of answerable questions that were refused, from (answerable, refused) pairs."""
    return mean(1.0 if refused else 0.0 for answerable, refused in outcomes if answerable)


def conversation_metrics(questions: Sequence[Mapping[str, Any]]
                         ) -> tuple[dict[str, float | None], dict[str, int]]:
    """Over the questions asked with history (`earlier_turns` > 0): the share of standalone ones
    and of follow-ups read together with the conversation, and hit@3 over the follow-ups.
    `follow_up_joined` is reported, not a target: a follow-up may also be answered well alone."""
    asked_along = [q for q in questions if q.get("earlier_turns")]
    standalone = [q for q in asked_along if not q.get("follows")]
    follow_ups = [q for q in asked_along if q.get("follows")]
    hits = [q["metrics"]["hit@3"] for q in follow_ups if q["metrics"].get("hit@3") is not None]
    values = {
        "standalone_joined": mean(1.0 if q.get("joined") else 0.0 for q in standalone),
        "follow_up_joined": mean(1.0 if q.get("joined") else 0.0 for q in follow_ups),
        "follow_up_hit_at_3": mean(hits),
    }
    support = {"standalone_joined": len(standalone), "follow_up_joined": len(follow_ups),
               "follow_up_hit_at_3": len(hits)}
    return values, support


def aggregate(questions: Sequence[Mapping[str, Any]]) -> tuple[dict[str, float | None], dict[str, int]]:
    """Overall metrics (named as in METRICS) over report.json question entries, and how many
    questions each was measured on; a metric nobody could be measured on is None."""
    values: dict[str, float | None] = {}
    support: dict[str, int] = {}
    for key in QUESTION_METRICS:
        name = "mrr" if key == "rr" else key
        present = [q["metrics"][key] for q in questions if q["metrics"].get(key) is not None]
        values[name] = mean(present)
        support[name] = len(present)
    outcomes = [(bool(q["answerable"]), bool(q["refused"])) for q in questions]
    values["refusal_accuracy"] = refusal_accuracy(outcomes)
    support["refusal_accuracy"] = sum(1 for answerable, _ in outcomes if not answerable)
    values["false_refusal_rate"] = false_refusal_rate(outcomes)
    support["false_refusal_rate"] = sum(1 for answerable, _ in outcomes if answerable)
    # What the confidence levels mean: how often the first source is right at each.
    for name, level in (("hit@1_sure", "hoog"), ("hit@1_unsure", "onzeker")):
        present = [q["metrics"]["hit@1"] for q in questions if q.get("confidence") == level
                   and q["metrics"].get("hit@1") is not None]
        values[name], support[name] = mean(present), len(present)
    conversation, conversation_support = conversation_metrics(questions)
    values.update(conversation)
    support.update(conversation_support)
    latencies = [float(q["latency_ms"]) for q in questions if q.get("latency_ms") is not None]
    values["latency_ms_p50"] = percentile(latencies, 50)
    values["latency_ms_p95"] = percentile(latencies, 95)
    support["latency_ms_p50"] = support["latency_ms_p95"] = len(latencies)
    return {name: values[name] for name in METRICS}, {name: support[name] for name in METRICS}
