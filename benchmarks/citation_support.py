"""Kies de steunmaat van de bronnencontrole door te meten (issue 11).

Een zin met [n] heet gesteund als de geciteerde passage hem draagt. Twee kandidaat-maten:

* woordoverlap: het idf-gewogen deel van de inhoudswoorden van de zin (stammen, samenstellingen
  gesplitst) dat in de passage staat (`assistant.citation_check.support`);
* embedder: de cosinus tussen de zin (als vraag ingebed) en de best passende zin van de passage.

Positieve paren: de zinnen van de handgeschreven referentieantwoorden in de suites tegen de
passages op de verwachte plaats (de beste daarvan telt). Negatieve paren: dezelfde zinnen tegen
evenveel willekeurige passages van een andere plaats (ook de beste telt). Zo lijken negatieven op
wat een taalmodel doet dat een bewering aan de verkeerde bron hangt.

De drempel wordt gekozen op `dev` + `core` (hoogste gebalanceerde nauwkeurigheid) en daarna
ongewijzigd gemeten op `vers`.

Gebruik: `.venv/bin/python benchmarks/citation_support.py --data-dir DIR` (een gebouwde index).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.citation_check import answer_sentences, support  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from common.sentences import split_sentences  # noqa: E402
from common.settings import Settings  # noqa: E402
from evals.metrics import source_counts  # noqa: E402
from evals.suites import load_suites  # noqa: E402


def pairs(assistant: Assistant, suite: str, rng: random.Random):
    """(sentence, counting passage indexes, other passage indexes) per reference sentence."""
    passages = assistant.snapshot.passages
    ids = list(assistant.catalog.publication_titles)
    [loaded] = load_suites([ROOT / "evals" / "suites" / f"{suite}.jsonl"], ids)
    for question in loaded.questions:
        if not question.answerable or not question.answer:
            continue
        expected = question.expected()
        good = [i for i, place in enumerate(passages.places) if source_counts(place, expected)]
        other = [i for i, place in enumerate(passages.places) if i not in good
                 and place.wegwijzer not in (expected.get("wegwijzers") or [None])]
        if not good or not other:
            continue
        for sentence in answer_sentences(question.answer):
            yield sentence, good, rng.sample(other, min(len(other), max(3, len(good))))


def scores(assistant: Assistant, suites: list[str], seed: int = 7):
    """Per measure: a list of (score, is_positive)."""
    passages = assistant.snapshot.passages
    idf = assistant.snapshot.idf
    vocabulary = passages.vocabulary
    terms = [set(vocabulary.terms(text)) for text in passages.texts]
    sentence_vectors: dict[int, np.ndarray] = {}

    def best_sentence_vectors(index: int) -> np.ndarray:
        if index not in sentence_vectors:
            parts = [s for p in passages.texts[index].split("\n\n") for s in split_sentences(p)]
            sentence_vectors[index] = np.array(assistant.embeddings.embed_documents(parts))
        return sentence_vectors[index]

    rng = random.Random(seed)
    found: dict[str, list[tuple[float, bool]]] = {"woordoverlap": [], "embedder": []}
    for suite in suites:
        for sentence, good, bad in pairs(assistant, suite, rng):
            query = np.array(assistant.embeddings.embed_query(sentence))
            for group, positive in ((good, True), (bad, False)):
                overlap = max(support(sentence, terms[i], vocabulary, idf) for i in group)
                cosine = max(float((best_sentence_vectors(i) @ query).max()) for i in group)
                found["woordoverlap"].append((overlap, positive))
                found["embedder"].append((cosine, positive))
    return found


def auc(values: list[tuple[float, bool]]) -> float:
    pos = [v for v, p in values if p]
    neg = [v for v, p in values if not p]
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def balanced_accuracy(values: list[tuple[float, bool]], threshold: float) -> float:
    pos = [v for v, p in values if p]
    neg = [v for v, p in values if not p]
    return 0.5 * (sum(v >= threshold for v in pos) / len(pos) + sum(v < threshold for v in neg) / len(neg))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".wegwijzer")
    args = parser.parse_args()
    assistant = Assistant(Settings.from_env(data_dir=args.data_dir))
    tune = scores(assistant, ["dev", "core"])
    held_out = scores(assistant, ["vers"])
    print(f"{'maat':<14}{'AUC dev+core':>14}{'drempel':>10}{'gebal. nauwk. dev+core':>24}"
          f"{'AUC vers':>10}{'gebal. nauwk. vers':>20}")
    for name in tune:
        candidates = sorted({round(v, 2) for v, _ in tune[name]})
        threshold = max(candidates, key=lambda t: balanced_accuracy(tune[name], t))
        print(f"{name:<14}{auc(tune[name]):>14.3f}{threshold:>10.2f}"
              f"{balanced_accuracy(tune[name], threshold):>24.3f}{auc(held_out[name]):>10.3f}"
              f"{balanced_accuracy(held_out[name], threshold):>20.3f}")
    positives = sum(p for _, p in tune["woordoverlap"])
    print(f"\nParen dev+core: {positives} positief, {len(tune['woordoverlap']) - positives} negatief; "
          f"vers: {len(held_out['woordoverlap'])} in totaal.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
