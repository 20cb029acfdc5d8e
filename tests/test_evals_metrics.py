"""Evaluation metrics on hand-made cases with known answers (no model, no index)."""

from __future__ import annotations

import pytest

from assistant.model import Source
from evals import metrics
from evals.metrics import (
    METRICS, aggregate, citation_precision, false_refusal_rate, first_relevant_rank, hit_at,
    must_mention_recall, pages_overlap, percentile, question_metrics, reciprocal_rank,
    refusal_accuracy, research_page_recall, source_counts, top1_page_accuracy,
)

JB = "jaarbericht-2018-werkende-samenwerking"
TB = "tussenbericht-2018-regionale-samenwerking-next-level"


def src(marker: int, publication: str = JB, wegwijzer: int | None = None,
        pages: list[int] | None = None, research: list[int] | None = None) -> Source:
    return Source.from_json({"marker": marker, "publication_id": publication,
                             "wegwijzer": wegwijzer, "pages": pages,
                             "research_pages": research or []})


def counts(source: Source, expected: dict) -> bool:
    return source_counts(source.place, expected)


EXPECTED = {"publications": [JB], "wegwijzers": [4], "pages": [41, 44], "research_pages": [],
            "must_mention": []}


def test_the_metric_names_are_exactly_the_documented_ones() -> None:
    assert METRICS == ("hit@1", "hit@3", "hit@5", "mrr", "citation_precision",
                       "top1_page_accuracy", "research_page_recall", "must_mention_recall",
                       "refusal_accuracy", "false_refusal_rate", "faithfulness",
                       "answered_with_citation", "hit@1_sure", "hit@1_unsure",
                       "standalone_joined", "follow_up_joined",
                       "follow_up_hit_at_3", "latency_ms_p50", "latency_ms_p95")
    assert metrics.LOWER_IS_BETTER == {"false_refusal_rate", "standalone_joined",
                                       "latency_ms_p50", "latency_ms_p95"}


def test_a_source_counts_only_when_publication_wegwijzer_and_pages_match() -> None:
    assert counts(src(1, JB, 4, [41, 44]), EXPECTED)
    assert counts(src(1, JB, 4, [44, 46]), EXPECTED)  # overlaps on p. 44
    assert counts(src(1, JB, 4, [38, 41]), EXPECTED)  # overlaps on p. 41
    assert not counts(src(1, TB, 4, [41, 44]), EXPECTED)  # other publication
    assert not counts(src(1, JB, 5, [41, 44]), EXPECTED)  # other wegwijzer
    assert not counts(src(1, JB, None, [41, 44]), EXPECTED)
    assert not counts(src(1, JB, 4, [45, 48]), EXPECTED)  # after the expected pages
    assert not counts(src(1, JB, 4, [37, 40]), EXPECTED)  # before
    assert not counts(src(1, JB, 4, None), EXPECTED)  # no pages known
    # Without wegwijzers or pages only the publication matters; "any of" several publications.
    loose = {"publications": [JB, TB], "wegwijzers": [], "pages": None}
    assert counts(src(1, TB), loose)
    assert counts(src(1, JB, 7, [55, 58]), loose)
    assert not counts(src(1, "nieuws-x"), loose)
    # A question answered by a wegwijzer and by the (unpaged) Tussenbericht: the Tussenbericht
    # counts without wegwijzer or pages, the Jaarbericht is still held to both.
    both = {"publications": [JB, TB], "wegwijzers": [1], "pages": [27, 30]}
    assert counts(src(1, TB), both)
    assert counts(src(1, JB, 1, [27, 30]), both)
    assert not counts(src(1, JB, None, [14, 14]), both)
    assert not counts(src(1, JB, 2, [31, 36]), both)
    assert not counts(src(1, TB), EXPECTED)  # only when the question accepts it


def test_pages_overlap_handles_open_ranges() -> None:
    assert pages_overlap([41, None], [41, 44])
    assert pages_overlap([44], [41, 44])
    assert not pages_overlap([None, None], [41, 44])
    assert not pages_overlap(None, [41, 44])


@pytest.mark.parametrize("rank, hit1, hit3, hit5, rr", [
    (1, 1.0, 1.0, 1.0, 1.0),
    (2, 0.0, 1.0, 1.0, 0.5),
    (3, 0.0, 1.0, 1.0, 1 / 3),
    (4, 0.0, 0.0, 1.0, 0.25),
    (5, 0.0, 0.0, 1.0, 0.2),
    (None, 0.0, 0.0, 0.0, 0.0),
])
def test_known_rank_gives_known_hits_and_reciprocal_rank(rank, hit1, hit3, hit5, rr) -> None:
    sources = [src(i, TB) for i in range(1, 6)]
    if rank is not None:
        sources[rank - 1] = src(rank, JB, 4, [41, 44])
    assert first_relevant_rank(sources, EXPECTED) == rank
    found = first_relevant_rank(sources, EXPECTED)
    assert (hit_at(found, 1), hit_at(found, 3), hit_at(found, 5)) == (hit1, hit3, hit5)
    assert reciprocal_rank(found) == pytest.approx(rr)


def test_mrr_is_the_mean_of_reciprocal_ranks_over_answerable_questions() -> None:
    def q(rank: int | None, answerable: bool = True) -> dict:
        sources = [src(i, TB) for i in range(1, 6)]
        if rank:
            sources[rank - 1] = src(rank, JB, 4, [41, 44])
        return {"answerable": answerable, "refused": False, "latency_ms": 100.0,
                "metrics": question_metrics("", sources, EXPECTED, answerable)}

    overall, support = aggregate([q(1), q(2), q(4), q(None), q(1, answerable=False)])
    assert overall["hit@1"] == pytest.approx(1 / 4)
    assert overall["hit@3"] == pytest.approx(2 / 4)
    assert overall["hit@5"] == pytest.approx(3 / 4)
    assert overall["mrr"] == pytest.approx((1 + 0.5 + 0.25 + 0) / 4)
    assert support["hit@1"] == support["mrr"] == 4  # the unanswerable question is left out


def test_citation_precision_counts_markers_that_point_to_a_counting_source() -> None:
    sources = [src(1, JB, 4, [41, 44]), src(2, TB), src(3, JB, 4, [41, 44])]
    answer = "Eerste zin. [1] Tweede zin. [2] Derde zin. [3] Nog eens. [1]"
    assert citation_precision(answer, sources, EXPECTED) == pytest.approx(3 / 4)
    # A marker without a source is a wrong citation.
    assert citation_precision("Zin. [1] Zin. [9]", sources, EXPECTED) == pytest.approx(1 / 2)
    assert citation_precision("Zin. [2]", sources, EXPECTED) == 0.0
    assert citation_precision("Geen markers.", sources, EXPECTED) is None


def test_top1_page_accuracy_looks_at_the_first_source_only() -> None:
    assert top1_page_accuracy([src(1, JB, 4, [43, 44]), src(2, TB)], EXPECTED) == 1.0
    assert top1_page_accuracy([src(1, TB), src(2, JB, 4, [41, 44])], EXPECTED) == 0.0
    assert top1_page_accuracy([src(1, JB, 5, [45, 48])], EXPECTED) == 0.0
    # Right pages, but in another publication than expected.
    assert top1_page_accuracy([src(1, TB, None, [41, 44])], EXPECTED) == 0.0
    assert top1_page_accuracy([], EXPECTED) == 0.0
    assert top1_page_accuracy([src(1)], {**EXPECTED, "pages": None}) is None


def test_research_page_recall_is_the_share_of_expected_research_pages_found() -> None:
    expected = {**EXPECTED, "research_pages": [180, 181, 182]}
    sources = [src(1, JB, 4, [41, 44], [180]), src(2, JB, 4, [41, 44], [182, 190])]
    assert research_page_recall(sources, expected) == pytest.approx(2 / 3)
    assert research_page_recall([src(1)], expected) == 0.0
    assert research_page_recall(sources, EXPECTED) is None


def test_must_mention_recall_is_case_insensitive_share_of_phrases() -> None:
    expected = {"must_mention": ["uwv", "samenvoordeklant", "regiomanager"]}
    answer = "Het UWV maakt cijfers; zie Samenvoordeklant.nl. [1]"
    assert must_mention_recall(answer, expected) == pytest.approx(2 / 3)
    assert must_mention_recall(answer, {"must_mention": []}) is None


def test_refusal_metrics_from_answerable_and_refused_pairs() -> None:
    outcomes = [(False, True), (False, True), (False, False),  # 2 of 3 rightly refused
                (True, False), (True, False), (True, False), (True, True)]  # 1 of 4 wrongly refused
    assert refusal_accuracy(outcomes) == pytest.approx(2 / 3)
    assert false_refusal_rate(outcomes) == pytest.approx(1 / 4)
    assert refusal_accuracy([(True, False)]) is None
    assert false_refusal_rate([(False, True)]) is None


def test_percentiles_interpolate_linearly() -> None:
    assert percentile([40, 10, 30, 20], 50) == pytest.approx(25)
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    # Nearest rank (benchmarks/chat_load.py): the value at rank ceil(q% of n), never between two.
    assert percentile([0.3, 0.1, 0.2, 0.4], 50, method="inverted_cdf") == 0.2
    assert percentile([0.3, 0.1, 0.2, 0.4], 95, method="inverted_cdf") == 0.4
    assert percentile(range(1, 21), 95, method="inverted_cdf") == 19


def test_question_metrics_for_an_unanswerable_question_skip_retrieval() -> None:
    values = question_metrics("Dat staat er niet in.", [src(1)], {"publications": []}, False)
    assert all(values[k] is None for k in ("hit@1", "hit@3", "hit@5", "rr", "citation_precision",
                                           "top1_page_accuracy", "research_page_recall"))


def test_aggregate_gives_every_metric_with_its_support() -> None:
    answered = {"answerable": True, "refused": False, "latency_ms": 100.0,
                "metrics": question_metrics("Zin. [1]", [src(1, JB, 4, [41, 44], [180])],
                                            {**EXPECTED, "research_pages": [180],
                                             "must_mention": ["zin"]}, True)}
    refused = {"answerable": True, "refused": True, "latency_ms": 300.0,
               "metrics": question_metrics("Dat staat er niet in.", [src(1, TB)],
                                           {**EXPECTED, "must_mention": ["netwerk"]}, True)}
    outside = {"answerable": False, "refused": True, "latency_ms": 200.0,
               "metrics": question_metrics("Dat staat er niet in.", [], {}, False)}
    overall, support = aggregate([{**answered, "confidence": "hoog"}, refused, outside])
    assert list(overall) == list(METRICS)
    assert overall["hit@1_sure"] == 1.0 and support["hit@1_sure"] == 1
    assert overall["hit@1_unsure"] is None and support["hit@1_unsure"] == 0
    assert overall["hit@1"] == 0.5 and overall["mrr"] == 0.5
    assert overall["citation_precision"] == 1.0 and support["citation_precision"] == 1
    assert overall["top1_page_accuracy"] == 0.5
    assert overall["research_page_recall"] == 1.0 and support["research_page_recall"] == 1
    assert overall["must_mention_recall"] == 0.5
    assert overall["refusal_accuracy"] == 1.0 and support["refusal_accuracy"] == 1
    assert overall["false_refusal_rate"] == 0.5 and support["false_refusal_rate"] == 2
    assert overall["latency_ms_p50"] == 200.0
    assert overall["latency_ms_p95"] == pytest.approx(290.0)
    # Nothing measurable: None, not zero.
    empty, empty_support = aggregate([])
    assert all(v is None for v in empty.values()) and not any(empty_support.values())


def test_expected_pages_do_not_bind_accepted_publications_without_printed_pages() -> None:
    expected = {"publications": [JB, TB], "wegwijzers": [], "pages": [1, 12]}
    assert counts(src(1, TB, None, None), expected)  # the Tussenbericht has no pages
    assert not counts(src(1, JB, None, [27, 30]), expected)  # the Jaarbericht does
    assert counts(src(1, JB, None, [1, 12]), expected)
    only_jb = {"publications": [JB], "wegwijzers": [], "pages": [1, 12]}
    assert not counts(src(1, JB, None, None), only_jb)


def test_answered_with_citation_needs_a_valid_marker_and_counts_answered_questions_only() -> None:
    sources = [src(1, JB, 4, [41, 44]), src(2, JB, 4, [41, 44])]
    cited = question_metrics("Ken het netwerk [2].", sources, EXPECTED, True, faithfulness=1.0)
    assert cited["answered_with_citation"] == 1.0 and cited["faithfulness"] == 1.0
    assert question_metrics("Ken het netwerk [7].", sources, EXPECTED, True)["answered_with_citation"] == 0.0
    refused = question_metrics("Dat staat er niet in.", sources, EXPECTED, True, refused=True)
    assert refused["answered_with_citation"] is None and refused["faithfulness"] is None
