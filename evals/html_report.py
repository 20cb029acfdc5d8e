"""report.html: one self-contained page (inline CSS and SVG, no scripts, no external assets).

The "Toon alleen aandachtspunten" filter is a checkbox and a CSS `:has()` rule: no script.

Every piece of text from the suite, the answers or the sources goes through html.escape.
"""

from __future__ import annotations

import textwrap
from html import escape
from typing import Any, Mapping, Sequence

from .compare import describe_answerers, describe_change
from .format import (
    NO_WEGWIJZER, expected_place, fmt_delta, fmt_number, fmt_score, fmt_value,
    group_label, plural, source_place,
)
from .summary import GROUP_COLUMNS, problem_questions, summary_lines, summary_rows

CHART_METRICS: tuple[tuple[str, str], ...] = (
    ("hit@3", "#1f6f8b"), ("mrr", "#99c24d"), ("must_mention_recall", "#f18f01"),
)

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; color: #1d1d1b; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #1f6f8b; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef3f6; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.beter { color: #1a7f37; font-weight: 600; } .slechter { color: #cf222e; font-weight: 600; }
.ok { color: #1a7f37; } .fail { color: #cf222e; font-weight: 600; }
.meta li { margin: .1rem 0; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem;
         background: #eef3f6; margin: 0 .15rem .15rem 0; }
.badge.geweigerd { background: #fff1e5; } .badge.fout { background: #ffebe9; }
tr.miss td { background: #fff8f7; }
ol.sources { margin: 0; padding-left: 1.3rem; } ol.sources li { margin-bottom: .25rem; }
.counts { color: #1a7f37; } .nocount { color: #6e7781; }
details summary { cursor: pointer; color: #1f6f8b; }
.quote { white-space: pre-wrap; font-size: .85rem; background: #f6f8fa; padding: .4rem; }
.small { font-size: .85rem; color: #57606a; }
svg text { font-family: inherit; }
table.questions td:nth-child(1) { width: 17%; } table.questions td:nth-child(2) { width: 16%; }
table.questions td:nth-child(3) { width: 31%; } table.questions td:nth-child(4) { width: 29%; }
svg.chart { max-width: 100%; height: auto; }
.filter { position: sticky; top: 0; background: #fff; padding: .4rem 0; z-index: 1;
          border-bottom: 1px solid #d0d7de; }
.filter label { font-weight: 600; cursor: pointer; }
.filter input { width: 1.1rem; height: 1.1rem; vertical-align: middle; margin-right: .4rem; }
body:has(#alleen-aandachtspunten:checked) table.questions tbody tr:not(.aandachtspunt) {
  display: none; }
"""
# Characters per line of a wegwijzer title under its bars in the chart.
CHART_TITLE_WIDTH = 15


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def render_html(report: Mapping[str, Any]) -> str:
    comparison = report.get("comparison")
    titles = report.get("publications", {})
    wtitles = report.get("wegwijzer_titles", {})
    parts = ['<!DOCTYPE html>', '<html lang="nl">', '<head>', '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<title>Evaluatierapport Wegwijzer – {_e(report["timestamp"])}</title>',
             f'<style>{CSS}</style>', '</head>', '<body>', '<h1>Evaluatierapport Wegwijzer</h1>',
             '<ul class="meta">' + "".join(f"<li>{_e(line)}</li>" for line in summary_lines(report))
             + '</ul>']

    parts.append('<h2>Samenvatting</h2>')
    parts.append(_summary_table(report, comparison))

    thresholds = report.get("thresholds")
    if thresholds:
        parts.append('<h2>Drempels</h2><ul>')
        for t in thresholds:
            cls, mark = ("ok", "✓") if t["passed"] else ("fail", "✗ niet gehaald:")
            parts.append(f'<li class="{cls}">{_e(mark)} {_e(t["message"])}</li>')
        parts.append('</ul>')

    if comparison:
        parts.append('<h2>Vergelijking met de vorige run</h2>')
        parts.append(_comparison(comparison))

    parts.append('<h2>Per wegwijzer</h2>')
    parts.append(wegwijzer_chart(report["per_wegwijzer"], wtitles))
    parts.append(_group_table(report["per_wegwijzer"], "wegwijzer", wtitles))
    parts.append('<h2>Per label</h2>')
    parts.append(_group_table(report["per_tag"], "tag", wtitles))

    problems = problem_questions(report)
    parts.append('<h2>Aandachtspunten</h2>')
    if problems:
        parts.append('<ul>' + "".join(
            f'<li><a href="#q-{_e(q["id"])}">{_e(q["id"])}</a> – {_e(reason)}: {_e(q["question"])}</li>'
            for q, reason in problems) + '</ul>')
    else:
        parts.append('<p>Geen: elke vraag vond een juiste passage bij de eerste drie bronnen en werd '
                     'terecht wel of niet beantwoord.</p>')

    parts.append('<h2>Alle vragen</h2>')
    parts.append(attention_filter(len(problems), len(report["questions"])))
    parts.append(_questions_table(report["questions"], titles, wtitles,
                                  {q["id"] for q, _ in problems}))
    parts += ['</body>', '</html>']
    return "\n".join(parts) + "\n"


def _summary_table(report: Mapping[str, Any], comparison: Mapping[str, Any] | None) -> str:
    header, summary = summary_rows(report)
    rows = []
    for row in summary:
        cells = [f"<td><code>{_e(row['metric'])}</code></td>", f"<td>{_e(row['label'])}</td>",
                 f'<td class="num">{_e(row["value"])}</td>',
                 f'<td class="num">{_e(row["support"])}</td>']
        if comparison:
            cells += [f'<td class="num">{_e(row["previous"])}</td>',
                      f'<td class="num {_e(row["verdict"])}">{_e(row["delta"])}</td>']
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table_html(header, rows)


def _table_html(header: Sequence[str], rows: Sequence[str], css_class: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    cls = f' class="{css_class}"' if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _group_table(groups: Mapping[str, Any], kind: str, wtitles: Mapping[str, str]) -> str:
    header = ["Wegwijzer" if kind == "wegwijzer" else "Label", "Vragen"] + list(GROUP_COLUMNS)
    rows = []
    for key, group in groups.items():
        cells = [f"<td>{_e(group_label(kind, key, wtitles))}</td>",
                 f'<td class="num">{group["questions"]}</td>']
        cells += [f'<td class="num">{_e(fmt_value(n, group["metrics"][n]))}</td>' for n in GROUP_COLUMNS]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table_html(header, rows)


def wegwijzer_chart(per_wegwijzer: Mapping[str, Any], wtitles: Mapping[str, str]) -> str:
    """A grouped bar chart (inline SVG): per wegwijzer 1–10 (and 'geen') hit@3, MRR and
    must-mention recall, on a 0–1 axis with gridlines, counts and a legend."""
    keys = [str(w) for w in range(1, 11)]
    keys += [k for k in per_wegwijzer if k not in keys]
    group_w, bar_w, left, top, plot_h = 96, 21, 48, 44, 220
    width = left + group_w * len(keys) + 12
    title_lines = max((len(chart_title_lines(wtitles.get(k))) for k in keys), default=0)
    height = top + plot_h + 52 + 12 * title_lines
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
           f'class="chart">',
           '<title id="chart-title">Per wegwijzer: hit@3, MRR en verplichte begrippen '
           '(0 tot 1, hoger is beter)</title>']
    # Legend.
    x = left
    for name, colour in CHART_METRICS:
        out.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="18" font-size="12">{_e(name)}</text>')
        x += 24 + 8 * len(name) + 30
    # Axis and gridlines.
    for i in range(5):
        value = i / 4
        y = top + plot_h - value * plot_h
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" '
                   f'stroke="{"#8c959f" if i == 0 else "#d0d7de"}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                   f'{_e(fmt_number(value, 2))}</text>')
    for i, key in enumerate(keys):
        gx = left + i * group_w + (group_w - bar_w * len(CHART_METRICS)) / 2
        group = per_wegwijzer.get(key)
        label = "W" + key if key != NO_WEGWIJZER else "geen"
        centre = left + i * group_w + group_w / 2
        out.append(f'<text x="{centre:.1f}" y="{top + plot_h + 16}" font-size="12" '
                   f'text-anchor="middle" font-weight="600">{_e(label)}</text>')
        lines = chart_title_lines(wtitles.get(key)) if key != NO_WEGWIJZER else []
        for n, line in enumerate(lines):
            out.append(f'<text x="{centre:.1f}" y="{top + plot_h + 30 + 12 * n}" font-size="10" '
                       f'text-anchor="middle">{_e(line)}</text>')
        count = plural(group["questions"], "vraag", "vragen") if group else "geen vragen"
        out.append(f'<text x="{centre:.1f}" y="{top + plot_h + 31 + 12 * len(lines) + 2}" '
                   f'font-size="10" text-anchor="middle" fill="#57606a">{_e(count)}</text>')
        if not group:
            continue
        for j, (name, colour) in enumerate(CHART_METRICS):
            value = group["metrics"].get(name)
            bx = gx + j * bar_w
            if value is None:
                out.append(f'<text x="{bx + bar_w / 2:.1f}" y="{top + plot_h - 4}" font-size="10" '
                           f'text-anchor="middle">–</text>')
                continue
            h = max(value * plot_h, 2.0)  # a zero stays visible as a stub
            tip = (f"{group_label('wegwijzer', key, wtitles)} – {name}: {fmt_number(value, 2)} "
                   f"({count})")
            out.append(f'<rect x="{bx:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 3}" '
                       f'height="{h:.1f}" fill="{colour}"><title>{_e(tip)}</title></rect>')
            out.append(f'<text x="{bx + (bar_w - 3) / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                       f'font-size="8" text-anchor="middle" fill="#424a53">'
                       f'{_e(fmt_number(value, 2))}</text>')
    out.append('</svg>')
    return "\n".join(out)


def attention_filter(problems: int, questions: int) -> str:
    """The checkbox that shows only the questions listed under Aandachtspunten (CSS only)."""
    return ('<p class="filter"><input type="checkbox" id="alleen-aandachtspunten">'
            '<label for="alleen-aandachtspunten">Toon alleen aandachtspunten</label> '
            f'<span class="small">({_e(problems)} van {_e(plural(questions, "vraag", "vragen"))})'
            '</span></p>')


def chart_title_lines(title: str | None, width: int = CHART_TITLE_WIDTH) -> list[str]:
    """A wegwijzer title wrapped into at most three short lines for under its bars."""
    if not title:
        return []
    lines = textwrap.wrap(title, width, break_long_words=False) or [title]
    if len(lines) > 3:
        lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), width, placeholder="…")]
    return lines


def _comparison(comparison: Mapping[str, Any]) -> str:
    prev = comparison["previous"]
    parts = [f'<p>Vorige run: {_e(prev.get("timestamp") or "?")} ({_e(prev.get("path") or "?")}), '
             f'index {_e(prev.get("generation") or "?")}.</p>',
             f'<p>{_e(describe_answerers(comparison))}</p>']
    rows = []
    for m in comparison["metrics"]:
        verdict = m["verdict"] or ""
        rows.append(f'<tr><td><code>{_e(m["metric"])}</code></td>'
                    f'<td class="num">{_e(fmt_value(m["metric"], m["previous"]))}</td>'
                    f'<td class="num">{_e(fmt_value(m["metric"], m["current"]))}</td>'
                    f'<td class="num {_e(verdict)}">{_e(fmt_delta(m["metric"], m["delta"]))}</td>'
                    f'<td class="{_e(verdict)}">{_e(verdict or "–")}</td></tr>')
    parts.append(_table_html(["Metriek", "Vorige", "Nu", "Verschil", "Oordeel"], rows))
    questions = comparison["questions"]
    for key, title, cls in (("better", "Beter", "beter"), ("worse", "Slechter", "slechter"),
                            ("mixed", "Gemengd", "")):
        items = questions[key]
        parts.append(f'<h3 class="{cls}">{_e(title)} ({len(items)})</h3>')
        if not items:
            parts.append('<p class="small">geen</p>')
            continue
        parts.append('<ul>' + "".join(
            f'<li><a href="#q-{_e(i["id"])}">{_e(i["id"])}</a>: '
            f'{_e("; ".join(describe_change(c) for c in i["changes"]))} – {_e(i["question"])}</li>'
            for i in items) + '</ul>')
    if questions["added"] or questions["removed"]:
        parts.append(f'<p>Nieuwe vragen: {_e(", ".join(questions["added"]) or "geen")}. '
                     f'Vervallen vragen: {_e(", ".join(questions["removed"]) or "geen")}.</p>')
    return "\n".join(parts)


def _questions_table(questions: Sequence[Mapping[str, Any]], titles: Mapping[str, str],
                     wtitles: Mapping[str, str], attention: set[str] = frozenset()) -> str:
    rows = []
    for q in questions:
        m = q["metrics"]
        miss = (q["answerable"] == q["refused"]) or (q["answerable"] and m.get("hit@3") == 0)
        badges = "".join(f'<span class="badge">{_e(t)}</span>' for t in q["tags"])
        status = ('<span class="badge geweigerd">geweigerd</span>' if q["refused"]
                  else '<span class="badge">beantwoord</span>')
        if q.get("error"):
            status += f'<span class="badge fout">fout</span> {_e(q["error"])}'
        expected = f"<div>{_e(expected_place(q['expected'], q['answerable'], titles, wtitles))}</div>"
        if q["expected"].get("must_mention"):
            expected += (f'<div class="small">Moet noemen: '
                         f'{_e(", ".join(q["expected"]["must_mention"]))}</div>')
        if q["expected"].get("answer"):
            expected += (f'<details><summary>Referentieantwoord</summary>'
                         f'<div>{_e(q["expected"]["answer"])}</div></details>')
        if q.get("note"):
            expected += f'<div class="small">Notitie: {_e(q["note"])}</div>'
        cited = set(q.get("cited_markers", []))
        items = []
        for s in q["sources"]:
            marks = []
            if q["answerable"]:
                marks.append('<span class="counts">✓ juist</span>' if s.get("counts")
                             else '<span class="nocount">✗ niet verwacht</span>')
            if s.get("marker") in cited:
                marks.append("geciteerd")
            items.append(f'<li value="{_e(s.get("marker"))}">{_e(source_place(s))} '
                         f'<span class="small">({" · ".join(marks) or "–"})</span>'
                         f'<details><summary>passage</summary><div class="quote">{_e(s.get("quote", ""))}'
                         f'</div></details></li>')
        sources = f'<ol class="sources">{"".join(items)}</ol>' if items else '<span class="small">geen</span>'
        scores = (f'hit@3 {_e(fmt_score(m.get("hit@3")))}<br>rr {_e(fmt_score(m.get("rr")))}<br>'
                  f'citaties {_e(fmt_score(m.get("citation_precision")))}<br>'
                  f'begrippen {_e(fmt_score(m.get("must_mention_recall")))}<br>'
                  f'{_e(fmt_value("latency_ms_p50", q["latency_ms"]))}')
        row_class = " ".join(c for c, on in (("miss", miss), ("aandachtspunt", q["id"] in attention))
                             if on)
        rows.append(
            f'<tr id="q-{_e(q["id"])}" class="{_e(row_class)}">'
            f'<td><strong>{_e(q["id"])}</strong><div>{_e(q["question"])}</div>{badges}</td>'
            f'<td>{expected}</td>'
            f'<td>{status}<div>{_e(q["answer"]) or "<em>(leeg)</em>"}</div></td>'
            f'<td>{sources}</td><td class="num">{scores}</td></tr>')
    return _table_html(["Vraag", "Verwacht", "Antwoord", "Bronnen (geciteerd en gevonden)", "Scores"],
                       rows, "questions")
