"""report.html: one self-contained page (inline CSS and SVG, no scripts, no external assets),
rendered from templates/report.html.j2 with autoescaping."""

from __future__ import annotations

import textwrap
from typing import Any, Mapping

from jinja2 import Environment, PackageLoader

from .compare import describe_answerers, describe_change
from .format import (
    NO_WEGWIJZER, conversation_note, expected_place, fmt_delta, fmt_number, fmt_score,
    fmt_value, group_label, plural, source_place,
)
from .summary import GROUP_COLUMNS, problem_questions, summary_lines, summary_rows

CHART_METRICS: tuple[tuple[str, str], ...] = (
    ("hit@3", "#1f6f8b"), ("mrr", "#99c24d"), ("must_mention_recall", "#f18f01"),
)
# Characters per line of a wegwijzer title under its bars in the chart.
CHART_TITLE_WIDTH = 15

ENVIRONMENT = Environment(loader=PackageLoader("evals", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
ENVIRONMENT.globals.update(
    conversation_note=conversation_note, describe_answerers=describe_answerers,
    expected_place=expected_place, fmt_delta=fmt_delta,
    fmt_number=fmt_number, fmt_score=fmt_score, fmt_value=fmt_value, group_label=group_label,
    plural=plural, source_place=source_place, group_columns=list(GROUP_COLUMNS),
    no_wegwijzer=NO_WEGWIJZER)
ENVIRONMENT.filters["describe_change"] = describe_change


def render_html(report: Mapping[str, Any]) -> str:
    wtitles = report.get("wegwijzer_titles", {})
    header, rows = summary_rows(report)
    problems = problem_questions(report)
    return ENVIRONMENT.get_template("report.html.j2").render(
        report=report, comparison=report.get("comparison"), titles=report.get("publications", {}),
        wtitles=wtitles, summary_lines=summary_lines(report), summary_header=header,
        summary_rows=rows, problems=problems, attention={q["id"] for q, _ in problems},
        chart=_chart(report["per_wegwijzer"], wtitles))


def _chart(per_wegwijzer: Mapping[str, Any], wtitles: Mapping[str, str]) -> dict[str, Any]:
    """What the bar chart shows: wegwijzers 1–10 (with or without questions), then the rest."""
    keys = [str(w) for w in range(1, 11)]
    keys += [k for k in per_wegwijzer if k not in keys]
    lines = {k: chart_title_lines(wtitles.get(k)) if k != NO_WEGWIJZER else [] for k in keys}
    return {"wegwijzers": keys, "lines": lines, "metrics": CHART_METRICS,
            "title_lines": max(len(title) for title in lines.values())}


def chart_title_lines(title: str | None, width: int = CHART_TITLE_WIDTH) -> list[str]:
    """A wegwijzer title wrapped into at most three short lines for under its bars."""
    if not title:
        return []
    lines = textwrap.wrap(title, width, break_long_words=False) or [title]
    if len(lines) > 3:
        lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), width, placeholder="…")]
    return lines
