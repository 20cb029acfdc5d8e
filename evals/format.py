"""Dutch presentation shared by the console summary, report.md and report.html (pure)."""

from __future__ import annotations

from typing import Any, Mapping

from assistant.model import Source
from indexing.places import describe_place, format_pages, format_research_pages

from .metrics import LOWER_IS_BETTER, METRICS

# What each metric means, for staff.
METRIC_LABELS: dict[str, str] = {
    "hit@1": "juiste passage als eerste bron",
    "hit@3": "juiste passage bij de eerste 3 bronnen",
    "hit@5": "juiste passage bij de eerste 5 bronnen",
    "mrr": "gemiddelde 1/rang van de eerste juiste bron",
    "citation_precision": "bronnummers [n] die naar een juiste passage wijzen",
    "top1_page_accuracy": "eerste bron op de verwachte pagina's",
    "research_page_recall": "verwachte onderzoekspagina's bij de bronnen",
    "must_mention_recall": "verplichte begrippen in het antwoord",
    "refusal_accuracy": "vragen buiten de publicaties terecht geweigerd",
    "false_refusal_rate": "beantwoordbare vragen onterecht geweigerd (lager is beter)",
    "faithfulness": "zinnen met [n] die de geciteerde passage steunt",
    "answered_with_citation": "beantwoorde vragen met minstens één geldig bronnummer",
    "hit@1_sure": "eerste bron juist bij zekerheid 'hoog'",
    "hit@1_unsure": "eerste bron juist bij zekerheid 'onzeker'",
    "standalone_joined": "losse vragen in een gesprek die toch samen met het gesprek gelezen "
                         "zijn (lager is beter)",
    "follow_up_joined": "vervolgvragen die samen met het gesprek gelezen zijn",
    "follow_up_hit_at_3": "vervolgvragen met een juiste passage bij de eerste 3 bronnen",
    "latency_ms_p50": "antwoordtijd, mediaan (lager is beter)",
    "latency_ms_p95": "antwoordtijd, 95e percentiel (lager is beter)",
}
assert set(METRIC_LABELS) == set(METRICS)

NO_WEGWIJZER = "geen"
EPSILON = 1e-9


def fmt_number(value: float, decimals: int) -> str:
    """Dutch notation: 1.234,56."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_value(metric: str, value: float | None) -> str:
    """A metric value for people: '0,84', '1.234 ms'; '–' when not measured."""
    if value is None:
        return "–"
    if metric.startswith("latency_ms"):
        return fmt_number(value, 0) + " ms"
    return fmt_number(value, 2)


def fmt_delta(metric: str, delta: float | None) -> str:
    """A signed difference: '+0,05', '−0,03', '+120 ms', '0,00'."""
    if delta is None:
        return "–"
    if abs(delta) < EPSILON:
        return "±0 ms" if metric.startswith("latency_ms") else "±0,00"
    sign = "+" if delta > 0 else "−"
    return sign + fmt_value(metric, abs(delta))


def delta_verdict(metric: str, delta: float | None) -> str | None:
    """'beter', 'slechter' or 'gelijk' for a change of a metric; None when not comparable."""
    if delta is None:
        return None
    if abs(delta) < EPSILON:
        return "gelijk"
    improved = delta < 0 if metric in LOWER_IS_BETTER else delta > 0
    return "beter" if improved else "slechter"


def fmt_score(value: float | None) -> str:
    return "–" if value is None else fmt_number(value, 2)


def source_place(data: Mapping[str, Any]) -> str:
    """Where a report.json source sits, as the chat cites it (without its marker)."""
    return describe_place(Source.from_json(data).place)


def expected_place(expected: Mapping[str, Any], answerable: bool,
                   titles: Mapping[str, str] | None = None,
                   wegwijzer_titles: Mapping[str, str] | None = None) -> str:
    """Where the answer should be found, in words."""
    if not answerable:
        return "Staat niet in de publicaties: Wegwijzer hoort te weigeren."
    titles = titles or {}
    wegwijzer_titles = wegwijzer_titles or {}
    publications = expected.get("publications") or []
    bits: list[str | None] = [" of ".join(titles.get(p, p) for p in publications)]
    wegwijzers = expected.get("wegwijzers") or []
    if wegwijzers:
        names = [f"{w} '{wegwijzer_titles[str(w)]}'" if str(w) in wegwijzer_titles else str(w)
                 for w in wegwijzers]
        bits.append("Wegwijzer " + " of ".join(names))
    if expected.get("pages"):
        bits.append(format_pages(list(expected["pages"])) or "")
    bits.append(format_research_pages(list(expected.get("research_pages") or [])))
    return " · ".join(b for b in bits if b) or "overal"


def conversation_note(q: Mapping[str, Any]) -> str | None:
    """How a question of a conversation was asked and read, from its report.json entry; None
    for a question asked on its own."""
    earlier = q.get("earlier_turns") or 0
    if not earlier:
        return None
    text = f"gesteld na {plural(earlier, 'eerdere vraag', 'eerdere vragen')}"
    if q.get("session"):
        text += f" van gesprek '{q['session']}'"
    if q.get("follows"):
        text += f", vervolg op {q['follows']}"
    if q.get("joined"):
        return text + f"; samen met het gesprek gelezen als: {q.get('resolved_question')}"
    return text + "; los gelezen"


def group_label(kind: str, key: str, wegwijzer_titles: Mapping[str, str] | None = None) -> str:
    """'Wegwijzer 4 'Ken het netwerk'', 'geen wegwijzer' or the tag itself."""
    if kind == "tag":
        return key
    if key == NO_WEGWIJZER:
        return "geen wegwijzer"
    title = (wegwijzer_titles or {}).get(key)
    return f"Wegwijzer {key} '{title}'" if title else f"Wegwijzer {key}"


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
