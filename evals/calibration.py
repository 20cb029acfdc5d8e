"""Fit the confidence model (assistant/confidence.json) on suites, with cross-validation.

    python -m evals.calibration --data-dir DIR            # fit on dev + core, write the model
    python -m evals.calibration --data-dir DIR --check    # only report, write nothing

A logistic regression over the retrieval signals plus two read from the question's embedding
(a scope direction and nearest neighbours), stacked: inside every fold both come from the other
folds only. Why it is built this way: docs/beslissingen/zekerheid.md. Other suites (`vers`,
`blind`) are reported, never used for a choice.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sklearn.covariance import ShrunkCovariance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.preprocessing import StandardScaler

from assistant.confidence import FEATURES, MODEL_PATH, ConfidenceModel, neighbour_margin
from assistant.model import Turn

FIT_SUITES = ("dev", "core")
REPORT_SUITES = ("vers", "blind")


@dataclass
class Sample:
    """One suite question with its retrieval signals."""

    id: str
    answerable: bool
    values: dict[str, float]
    vector: np.ndarray  # the embedding of the question as assessed
    group: str = ""  # the suite it comes from


def collect(assistant: Any, questions: Sequence[Any]) -> list[Sample]:
    """Retrieval signals for each question, follow-ups with their earlier question as history."""
    samples: list[Sample] = []
    by_id = {q.id: q for q in questions}
    for question in questions:
        earlier = by_id.get(question.follows)
        history = [Turn(earlier.question)] if earlier else None
        assessment = assistant.ask(question.question, history).assessment
        samples.append(Sample(question.id, question.answerable, assessment.signals,
                              np.array(assessment.vector), question.suite))
    return samples


SCOPE = FEATURES.index("scope")
NEIGHBOURS = FEATURES.index("neighbours")
FOLDS = 5


def matrix(samples: Sequence[Sample]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[s.values[f] for f in FEATURES] for s in samples], dtype=np.float64)
    y = np.array([1.0 if s.answerable else 0.0 for s in samples])
    return x, y


def folds_of(y: np.ndarray, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs of FOLDS folds, each with its share of both classes.

    Not StratifiedKFold: its different folds moved the shipped weights by up to 0.2; these keep
    the shipped model reproducible.
    """
    fold_of = np.empty(len(y), dtype=int)
    for label in (0.0, 1.0):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        fold_of[members] = np.arange(len(members)) % FOLDS
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(FOLDS)]


def scope_direction(vectors: np.ndarray, answerable: np.ndarray,
                    shrinkage: float) -> np.ndarray:
    """The direction in embedding space from out-of-scope to answerable questions (the 'scope'
    signal): a shrinkage linear discriminant, the difference of the class means whitened by
    their pooled covariance Σ plus `shrinkage` × its mean variance on the diagonal.

    ShrunkCovariance gives (1 − α)·Σ + α·(mean variance)·I: with α = s / (1 + s) that is the
    same matrix divided by 1 + s, so the solution is divided back by 1 + s. (Not
    LinearDiscriminantAnalysis: it solves by least squares, five times slower.)
    """
    inside, outside = vectors[answerable == 1], vectors[answerable == 0]
    centred = np.vstack([inside - inside.mean(axis=0), outside - outside.mean(axis=0)])
    pooled = ShrunkCovariance(store_precision=False, assume_centered=True,
                              shrinkage=shrinkage / (1 + shrinkage)).fit(centred)
    return np.linalg.solve(pooled.covariance_,
                           inside.mean(axis=0) - outside.mean(axis=0)) / (1 + shrinkage)


def read_vectors(x: np.ndarray, v: np.ndarray, v_fit: np.ndarray, y_fit: np.ndarray,
                 shrinkage: float) -> np.ndarray:
    """`x` with the two signals read from the question vectors `v`, as a model fitted on
    (`v_fit`, `y_fit`) reads them."""
    x = x.copy()
    x[:, SCOPE] = v @ scope_direction(v_fit, y_fit, shrinkage)
    # The model reads this signal at run time too: one implementation serves both.
    x[:, NEIGHBOURS] = neighbour_margin(v, v_fit, y_fit)
    return x


def with_vector_signals(x: np.ndarray, v: np.ndarray, y: np.ndarray, shrinkage: float,
                        rng: np.random.Generator) -> np.ndarray:
    """`x` with the vector signals of each sample from a direction and neighbours without its
    fold, so the logistic model weighs them as they will behave on new questions."""
    x = x.copy()
    for train, test in folds_of(y, rng):
        x[test] = read_vectors(x[test], v[test], v[train], y[train], shrinkage)
    return x


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray, float]:
    """L2-penalised logistic regression on standardised features, classes weighing equally;
    returns means, scales, weights, bias. The penalty is l2/2·|w|², so C = 1/l2."""
    scaler = StandardScaler().fit(x)  # means and scales over the measured values (NaN skipped)
    # A signal not measurable for a question (NaN) counts as its mean: no evidence either way.
    z = np.nan_to_num(scaler.transform(x))
    fit = LogisticRegression(C=1 / l2, class_weight="balanced", solver="newton-cholesky",
                             tol=1e-10).fit(z, y)
    return scaler.mean_, scaler.scale_, fit.coef_[0], float(fit.intercept_[0])


def predict(x: np.ndarray, means: np.ndarray, scales: np.ndarray, weights: np.ndarray,
            bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.nan_to_num((x - means) / scales) @ weights + bias,
                                        -40, 40)))


def fit_predict(x: np.ndarray, y: np.ndarray, v: np.ndarray, train: np.ndarray,
                test: np.ndarray, l2: float, shrinkage: float,
                rng: np.random.Generator) -> np.ndarray:
    """Fit on the `train` samples, predict the `test` ones. The scope direction and the
    neighbours come from the training part only, whose own vector signals come from inner
    folds (`with_vector_signals`)."""
    x_train = with_vector_signals(x[train], v[train], y[train], shrinkage, rng)
    x_test = read_vectors(x[test], v[test], v[train], y[train], shrinkage)
    return predict(x_test, *fit_logistic(x_train, y[train], l2))


def out_of_fold(x: np.ndarray, y: np.ndarray, v: np.ndarray, l2: float, shrinkage: float,
                seed: int) -> np.ndarray:
    """Probabilities of each sample from a model fitted without its fold (stratified folds)."""
    rng = np.random.default_rng(seed)
    result = np.empty(len(y))
    for train, test in folds_of(y, rng):
        result[test] = fit_predict(x, y, v, train, test, l2, shrinkage, rng)
    return result


def across_groups(x: np.ndarray, y: np.ndarray, v: np.ndarray, groups: np.ndarray, l2: float,
                  shrinkage: float) -> np.ndarray:
    """Probabilities of each group's samples from a model fitted on the other groups."""
    result = np.empty(len(y))
    for train, test in LeaveOneGroupOut().split(x, y, groups):
        result[test] = fit_predict(x, y, v, train, test, l2, shrinkage, np.random.default_rng(0))
    return result


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def choose_cutoffs(p: np.ndarray, y: np.ndarray, max_false_refusal: float) -> tuple[float, float]:
    """(refuse_below, sure_from) from out-of-fold probabilities: `sure_from` the best balanced
    cut (Youden's J), `refuse_below` the highest cut that refuses at most `max_false_refusal`
    of the answerable questions (the worse error). Between the two: "onzeker"."""
    candidates = np.unique(np.concatenate([[0.0], p]))
    answerable = max(1, int(y.sum()))
    outside = max(1, int(len(y) - y.sum()))
    refuse_below = 0.0
    for cut in candidates:
        if np.sum((p < cut) & (y == 1)) / answerable <= max_false_refusal:
            refuse_below = float(cut)
    best, sure_from = -1.0, refuse_below
    for cut in candidates:
        j = np.sum((p >= cut) & (y == 1)) / answerable - np.sum((p >= cut) & (y == 0)) / outside
        if j > best:
            best, sure_from = j, float(cut)
    return refuse_below, max(refuse_below, sure_from)


def outcome_rates(p: np.ndarray, y: np.ndarray, refuse_below: float, sure_from: float,
                  foreign: np.ndarray | None = None) -> dict[str, float]:
    """False refusals, refused out-of-scope questions, and how often 'onzeker' is said."""
    answerable, outside = y == 1, y == 0
    refused = (p < refuse_below) & ~foreign if foreign is not None else p < refuse_below
    unsure = (p < sure_from) & ~refused
    return {
        "false_refusal": float(refused[answerable].mean()) if answerable.any() else 0.0,
        "refused_out_of_scope": float(refused[outside].mean()) if outside.any() else 0.0,
        "unsure": float(unsure.mean()),
        "unsure_or_refused_out_of_scope": float((refused | unsure)[outside].mean())
        if outside.any() else 0.0,
    }


# New questions are refused more often than the fitting suites' out-of-fold figure says, so the
# bound leaves room (with 3%, blind refused 7% of its answerable questions).
MAX_FALSE_REFUSAL = 0.01


def calibrate(samples: Sequence[Sample], max_false_refusal: float = MAX_FALSE_REFUSAL,
              l2_grid: Sequence[float] = (0.1, 0.3, 1, 3, 10, 30),
              shrinkage_grid: Sequence[float] = (1, 3, 10), embedder: str = ""
              ) -> tuple[ConfidenceModel, dict[str, Any]]:
    """Choose shrinkage and L2 by log loss where one suite predicts the other (out-of-fold
    when there is one suite), the cut-offs on out-of-fold probabilities, then fit on all
    samples."""
    x, y = matrix(samples)
    v = np.array([s.vector for s in samples], dtype=np.float64)
    groups = np.array([s.group for s in samples])

    # Folds are drawn five times: with ~40 unanswerable questions one split is noisy.
    def averaged(l2: float, shrinkage: float) -> np.ndarray:
        return np.mean([out_of_fold(x, y, v, l2, shrinkage, seed) for seed in range(5)], axis=0)

    # Random folds of one author's questions flatter a strong signal; suites written apart
    # differ the way new questions do.
    def loss(l2: float, shrinkage: float) -> float:
        if len(set(groups)) > 1:
            return log_loss(across_groups(x, y, v, groups, l2, shrinkage), y)
        return log_loss(averaged(l2, shrinkage), y)

    losses = {(l2, shrinkage): loss(l2, shrinkage)
              for l2 in l2_grid for shrinkage in shrinkage_grid}
    l2, shrinkage = min(losses, key=losses.get)  # type: ignore[arg-type]
    oof = averaged(l2, shrinkage)
    refuse_below, sure_from = choose_cutoffs(oof, y, max_false_refusal)
    x = with_vector_signals(x, v, y, shrinkage, np.random.default_rng(0))
    direction = tuple(map(float, scope_direction(v, y, shrinkage)))
    means, scales, weights, bias = fit_logistic(x, y, l2)
    model = ConfidenceModel(tuple(map(float, means)), tuple(map(float, scales)),
                            tuple(map(float, weights)), bias, refuse_below, sure_from,
                            fitted_on="+".join(FIT_SUITES), direction=direction,
                            embedder=embedder, examples=ConfidenceModel.pack_examples(v),
                            example_answerable=tuple(int(a) for a in y))
    foreign = np.array([bool(s.values.get("other_language")) for s in samples])
    report = {"l2": l2, "shrinkage": shrinkage,
              "log_loss_by_setting": {f"l2={a} shrinkage={b}": round(value, 4)
                              for (a, b), value in losses.items()},
              "cv": outcome_rates(oof, y, refuse_below, sure_from, foreign),
              "samples": len(samples), "answerable": int(y.sum())}
    return model, report


def evaluate(model: ConfidenceModel, samples: Sequence[Sample]) -> dict[str, float]:
    """Outcome rates of a fitted model on other suites."""
    y = matrix(samples)[1]
    p = np.array([model.probability(model.read_vector(s.values, s.vector, model.embedder))
                  for s in samples])
    foreign = np.array([bool(s.values.get("other_language")) for s in samples])
    return outcome_rates(p, y, model.refuse_below, model.sure_from, foreign)


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.service import Assistant
    from common.settings import Settings
    from evals.suites import load_suites
    from indexing.manifest import load_manifest

    parser = argparse.ArgumentParser(description="Pas het zekerheidsmodel aan op dev en core.")
    parser.add_argument("--data-dir", default=".wegwijzer")
    parser.add_argument("--check", action="store_true", help="alleen rapporteren, niets schrijven")
    parser.add_argument("--out", default=str(MODEL_PATH))
    args = parser.parse_args(argv)
    settings = Settings.from_env(data_dir=args.data_dir)
    assistant = Assistant(settings, confidence=ConfidenceModel.neutral())
    ids = [p.id for p in load_manifest(settings.manifest_path)]
    fit = [q for s in load_suites(FIT_SUITES, ids) for q in s.questions]
    model, report = calibrate(collect(assistant, fit), embedder=settings.embedder)
    model = replace(model, profile=assistant.profile.fingerprint())
    print(json.dumps(report, indent=1))
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else
                      f"{len(v)} getallen" if k in ("direction", "example_answerable") else
                      f"{len(v)} tekens" if k == "examples" else v
                      for k, v in model.to_json().items()}))
    for name in REPORT_SUITES:
        try:
            suite = load_suites([name], ids)[0]
        except Exception as exc:  # a missing optional suite is reported, not fatal
            print(f"{name}: {exc}")
            continue
        print(name, {k: round(v, 3) for k, v in
                     evaluate(model, collect(assistant, list(suite.questions))).items()})
    if not args.check:
        Path(args.out).write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"Geschreven: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
