"""Neemt een zekerheidsmodel dezelfde beslissing als het meegeleverde assistant/confidence.json?

Per suite (dev, core, vers, blind, smoke): op hoeveel vragen twee modellen hetzelfde niveau
geven (hoog, onzeker of geen, vóór een eventuele catalogus-lijst), en welke vragen verschillen.
Zonder --model wordt het model opnieuw gefit op dev + core, zoals `python -m evals.calibration`
dat doet; zo is te zien of een wijziging in de kalibratie het gedrag van Wegwijzer verandert.

    .venv/bin/python benchmarks/confidence_agreement.py --data-dir DIR [--model PAD]
        [--reference PAD] [--min 0.99]

Sluit af met 1 als een suite onder --min blijft.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.confidence import MODEL_PATH, ConfidenceModel  # noqa: E402
from evals.calibration import FIT_SUITES, Sample, calibrate, collect  # noqa: E402

# The suites with labels we may look at (blind2 is sealed: never read it here).
SUITES = ("dev", "core", "vers", "blind", "smoke")


def level(model: ConfidenceModel, sample: Sample, embedder: str) -> str:
    """The level the assistant would give the question with this model (see Assistant.prepare)."""
    values = model.read_vector(sample.values, sample.vector, embedder)
    return model.level(model.probability(values), values)


def differences(model: ConfidenceModel, reference: ConfidenceModel, samples: Sequence[Sample],
                embedder: str) -> list[tuple[str, str, str]]:
    """(question id, level with the reference, level with the model) where the two differ."""
    pairs = ((s.id, level(reference, s, embedder), level(model, s, embedder)) for s in samples)
    return [pair for pair in pairs if pair[1] != pair[2]]


def _percent(share: float) -> str:
    return f"{share:.1%}".replace(".", ",")


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.service import Assistant
    from common.settings import Settings
    from evals.suites import load_suites
    from indexing.manifest import load_manifest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".wegwijzer")
    parser.add_argument("--model", help="modelbestand om te vergelijken (standaard: opnieuw fitten)")
    parser.add_argument("--reference", default=str(MODEL_PATH), help="het vergelijkingsmodel")
    parser.add_argument("--min", type=float, default=0.99, help="minimale overeenstemming")
    args = parser.parse_args(argv)

    settings = Settings.from_env(data_dir=args.data_dir)
    # Signals without a model's reading of the vector: each model reads the vector itself.
    assistant = Assistant(settings, confidence=ConfidenceModel.neutral())
    ids = [p.id for p in load_manifest(settings.manifest_path)]
    samples = {suite.name: collect(assistant, list(suite.questions))
               for suite in load_suites(SUITES, ids)}
    reference = ConfidenceModel.load(Path(args.reference))
    if args.model:
        model = ConfidenceModel.load(Path(args.model))
    else:
        model, _ = calibrate([s for name in FIT_SUITES for s in samples[name]],
                             embedder=settings.embedder)

    below = False
    total = same = 0
    for name, suite_samples in samples.items():
        differ = differences(model, reference, suite_samples, settings.embedder)
        share = 1 - len(differ) / len(suite_samples)
        below |= share < args.min
        total, same = total + len(suite_samples), same + len(suite_samples) - len(differ)
        shown = "; ".join(f"{qid} {old} → {new}" for qid, old, new in differ) or "geen"
        print(f"{name}: {len(suite_samples) - len(differ)} van {len(suite_samples)} vragen "
              f"hetzelfde niveau ({_percent(share)}); anders: {shown}")
    print(f"Totaal: {same} van {total} ({_percent(same / total)})")
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
