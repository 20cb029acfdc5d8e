"""Quality gates for CI: `--fail-under METRIC=VALUE`, an upper bound for the metrics where lower
is better, else a lower bound. A metric that could not be measured misses its threshold."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from common.errors import WegwijzerError

from .format import fmt_value
from .metrics import LOWER_IS_BETTER, METRICS


class ThresholdError(WegwijzerError):
    """A --fail-under option cannot be understood (unknown metric, not a number)."""


@dataclass(frozen=True)
class Threshold:
    metric: str
    value: float
    measured: float | None = None  # set by check_thresholds

    @property
    def upper(self) -> bool:
        """True when the threshold is a maximum (lower is better for this metric)."""
        return self.metric in LOWER_IS_BETTER

    @property
    def passed(self) -> bool:
        if self.measured is None:
            return False
        return self.measured <= self.value if self.upper else self.measured >= self.value

    def message(self) -> str:
        """A Dutch line naming the metric, its value and the threshold."""
        limit = fmt_value(self.metric, self.value)
        if self.measured is None:
            return (f"{self.metric} kon niet worden gemeten: geen enkele vraag in de suite is "
                    f"daarvoor geschikt. De drempel {limit} is dus niet gehaald.")
        value = fmt_value(self.metric, self.measured)
        if self.passed:
            sign = "≤" if self.upper else "≥"
            return f"{self.metric} is {value} (drempel {sign} {limit}): gehaald."
        if self.upper:
            return (f"{self.metric} is {value} en komt boven de grens van {limit} (voor deze "
                    f"metriek is lager beter).")
        return f"{self.metric} is {value} en blijft onder de drempel van {limit}."

    def to_json(self) -> dict[str, object]:
        """The threshold's entry in report.json."""
        return {"metric": self.metric, "threshold": self.value,
                "bound": "max" if self.upper else "min", "value": self.measured,
                "passed": self.passed, "message": self.message()}


def parse_thresholds(options: Iterable[str]) -> list[Threshold]:
    """Parse `METRIC=VALUE` options; raise ThresholdError (Dutch) on anything unclear."""
    thresholds: list[Threshold] = []
    for option in options:
        if "=" not in option:
            raise ThresholdError(
                f"--fail-under '{option}' mist een '='. Schrijf METRIEK=WAARDE, bijvoorbeeld "
                f"--fail-under hit@3=0.6.")
        name, _, raw = option.partition("=")
        name = name.strip()
        if name not in METRICS:
            raise ThresholdError(
                f"--fail-under: de metriek '{name}' bestaat niet. Kies uit: {', '.join(METRICS)}.")
        try:
            value = float(raw.strip().replace(",", "."))
        except ValueError:
            raise ThresholdError(
                f"--fail-under {name}: '{raw}' is geen getal. Schrijf bijvoorbeeld {name}=0.6."
            ) from None
        if not name.startswith("latency_ms") and not 0 <= value <= 1:
            raise ThresholdError(
                f"--fail-under {name}: {raw} ligt niet tussen 0 en 1. Deze metriek is een "
                f"fractie; schrijf bijvoorbeeld 0.6 voor 60%.")
        if name.startswith("latency_ms") and value < 0:
            raise ThresholdError(f"--fail-under {name}: {raw} is negatief. Geef een aantal "
                                 f"milliseconden, bijvoorbeeld {name}=2000.")
        thresholds.append(Threshold(name, value))
    return thresholds


def check_thresholds(thresholds: Iterable[Threshold], overall: Mapping[str, float | None]
                     ) -> list[Threshold]:
    return [replace(t, measured=overall.get(t.metric)) for t in thresholds]
