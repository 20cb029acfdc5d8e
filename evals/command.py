"""`wegwijzer eval`: run suites, write the report, compare, gate; or draft questions from feedback.

Exit codes: 0 all well; 1 a --fail-under threshold was missed (or feedback lines were invalid);
2 the command's input is unusable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

from rich.table import Table
from rich.text import Text

from assistant.present.terminal import labelled, make_console, styled

from common.errors import WegwijzerError
from indexing.manifest import load_manifest
from common.settings import Settings

from .compare import (ReportError, compare_reports, describe_answerers, describe_change,
                      load_report)
from .feedback import HOW_TO_COMPLETE, FeedbackError, convert_feedback
from .format import fmt_value, group_label, plural
from .report import build_report, write_reports
from .runner import run_questions
from .suites import DEFAULT_SUITE, SuiteError, load_suites
from .summary import problem_questions, summary_rows
from .thresholds import ThresholdError, check_thresholds, parse_thresholds

console = make_console(stderr=True)
out = make_console()

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2


class UsageError(WegwijzerError):
    """Options that do not go together."""


def default_out_dir(now: datetime | None = None) -> Path:
    """eval-out/<timestamp>, with a suffix if that folder exists already."""
    base = Path("eval-out") / (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate, n = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{n}")
        n += 1
    return candidate


@dataclass(frozen=True)
class EvalOptions:
    """What one `wegwijzer eval` run does. Empty suites means the default suite; `out` is the
    folder for the reports (default eval-out/<timestamp>) or, with from_feedback, for
    draft.jsonl (default: stdout); `compare` a previous report.json or its run folder."""

    suites: tuple[str, ...] = ()
    out: Path | None = None
    compare: Path | None = None
    fail_under: tuple[str, ...] = ()
    from_feedback: Path | None = None


def run_eval(options: EvalOptions, settings: Settings, *, assistant: Any = None,
             embeddings: Any = None) -> int:
    """Run `wegwijzer eval`, print the outcome in Dutch, return the exit code. A loaded
    `assistant` or `embeddings` may be passed so the model is not loaded again."""
    try:
        if options.from_feedback is not None:
            return _run_feedback(options.from_feedback, options)
        return _run_suites(options, settings, assistant, embeddings)
    except (ThresholdError, ReportError, SuiteError, FeedbackError, UsageError) as error:
        console.print(labelled("Fout:", "red", str(error)))
        return EXIT_USAGE


def _run_suites(options: EvalOptions, settings: Settings, assistant: Any, embeddings: Any) -> int:
    # Check every input before loading the model, so mistakes show up at once.
    thresholds = parse_thresholds(options.fail_under)
    previous = load_report(options.compare) if options.compare is not None else None
    manifest = load_manifest(settings.manifest_path)
    suites = load_suites(options.suites or (DEFAULT_SUITE,), [p.id for p in manifest])
    out_dir = _folder(options.out if options.out is not None else default_out_dir())

    if assistant is None:
        from assistant.service import Assistant

        with console.status("Index en model laden…"):
            assistant = Assistant(settings, embeddings=embeddings)
    questions = [q for suite in suites for q in suite.questions]
    results = _run_with_progress(assistant, questions)

    report = build_report(results, suites, index=_index_info(assistant, settings),
                          publications={p.id: p.short_title or p.title for p in manifest},
                          wegwijzer_titles=_wegwijzer_titles(assistant, results))
    if previous is not None:
        report["comparison"] = compare_reports(previous, report)
    checked = check_thresholds(thresholds, report["overall"])
    if checked:
        report["thresholds"] = [c.to_json() for c in checked]
    paths = write_reports(report, out_dir)
    _print_outcome(report, results, checked, paths)
    return EXIT_GATE if any(not c.passed for c in checked) else EXIT_OK


def _folder(out_dir: Path) -> Path:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is een bestand, geen map. Geef een map op.")
    return out_dir


def _print_outcome(report: dict[str, Any], results: Sequence[Any], checked: Sequence[Any],
                   paths: dict[str, Any]) -> None:
    """The summary, the comparison, errors, where the report is, and each threshold."""
    print_summary(report)
    if report.get("comparison"):
        print_comparison(report["comparison"])
    for result in results:
        if result.error:
            console.print(labelled(f"Fout bij {result.question.id}:", "red", result.error))
    out.print(f"\nRapport: {paths['md']}\n         {paths['html']}\n         {paths['json']}")
    for c in checked:
        if c.passed:
            out.print(labelled("Drempel gehaald:", "green", c.message()))
        else:
            console.print(labelled("Drempel niet gehaald:", "red", c.message()))


def _run_with_progress(assistant: Any, questions: Sequence[Any]) -> list[Any]:
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    with Progress(TextColumn("Vragen beantwoorden"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("nog"), TimeRemainingColumn(),
                  TextColumn("{task.fields[current]}", markup=False), console=console, transient=True) as progress:
        task = progress.add_task("eval", total=len(questions), current="")

        def tick(done: int, total: int, question: Any) -> None:
            progress.update(task, completed=done, total=total,
                            current=question.id if done < total else "")

        return run_questions(assistant, questions, progress=tick)


def _index_info(assistant: Any, settings: Settings) -> dict[str, Any]:
    generation = getattr(assistant, "generation", None)
    answerer = getattr(assistant, "answerer", None)
    return {
        "generation": getattr(generation, "name", None),
        "embedder": getattr(generation, "embedder", None) or settings.embedder,
        "built_at": getattr(generation, "built_at", None),
        "chunks": getattr(generation, "chunks", None),
        "answerer": getattr(answerer, "name", None),
        "reranker": getattr(getattr(assistant, "reranker", None), "spec", None),
        "top_k": settings.top_k,
        "store": settings.chroma_url or str(settings.data_dir),
    }


def _wegwijzer_titles(assistant: Any, results: Sequence[Any]) -> dict[str, str]:
    catalog = getattr(assistant, "catalog", None)
    titles = {str(n): title for n, title in (catalog.wegwijzer_titles if catalog else {}).items()}
    for result in results:
        for source in result.sources:
            place = source.place
            if place.wegwijzer is not None and place.wegwijzer_title:
                titles.setdefault(str(place.wegwijzer), place.wegwijzer_title)
    return dict(sorted(titles.items(), key=lambda kv: int(kv[0])))


# --- Console -------------------------------------------------------------------------------------

def summary_table(report: Mapping[str, Any]) -> Table:
    """The overall metrics as a rich table (with the previous run when comparing)."""
    suites = ", ".join(s["name"] for s in report["suites"])
    counts = report["counts"]
    table = Table(title=f"Evaluatie {suites}: {plural(counts['questions'], 'vraag', 'vragen')} "
                        f"({counts['answerable']} beantwoordbaar, {counts['unanswerable']} erbuiten)",
                  title_justify="left")
    table.add_column("Metriek", no_wrap=True)
    table.add_column("Betekenis")
    table.add_column("Waarde", justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    comparison = report.get("comparison")
    if comparison:
        table.add_column("Vorige", justify="right", no_wrap=True)
        table.add_column("Verschil", justify="right", no_wrap=True)
    for row in summary_rows(report)[1]:
        cells: list[str | Text] = [row["metric"], row["label"], row["value"],
                                   str(report["support"].get(row["metric"], 0))]
        if comparison:
            colour = {"beter": "green", "slechter": "red"}.get(row["verdict"], "")
            cells += [row["previous"], Text(row["delta"], style=colour)]
        table.add_row(*cells)
    return table


def wegwijzer_table(report: Mapping[str, Any]) -> Table:
    table = Table(title="Per wegwijzer", title_justify="left")
    for column, justify in (("Wegwijzer", "left"), ("Vragen", "right"), ("hit@1", "right"),
                            ("hit@3", "right"), ("mrr", "right"), ("must_mention_recall", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    titles = report.get("wegwijzer_titles", {})
    for key, group in report["per_wegwijzer"].items():
        m = group["metrics"]
        table.add_row(group_label("wegwijzer", key, titles), str(group["questions"]),
                      *(fmt_value(n, m[n]) for n in ("hit@1", "hit@3", "mrr", "must_mention_recall")))
    return table


def print_summary(report: Mapping[str, Any]) -> None:
    out.print(summary_table(report))
    out.print(wegwijzer_table(report))
    problems = problem_questions(report)
    if problems:
        out.print(f"Aandachtspunten ({len(problems)}): "
                  + "; ".join(f"{q['id']} ({reason})" for q, reason in problems))


def print_comparison(comparison: Mapping[str, Any]) -> None:
    prev = comparison["previous"]
    out.print(styled("\n", ("Vergeleken met", "bold"),
                     f" {prev.get('path')} ({prev.get('timestamp')})"))
    out.print(describe_answerers(comparison))
    questions = comparison["questions"]
    for key, title, colour in (("better", "Beter", "green"), ("worse", "Slechter", "red"),
                               ("mixed", "Gemengd", "yellow")):
        items = questions[key]
        out.print(styled((f"{title} ({len(items)})", colour), ":" if items else ""))
        for item in items:
            changes = "; ".join(describe_change(c) for c in item["changes"])
            out.print(f"  {item['id']}: {changes}")
    if questions["added"] or questions["removed"]:
        out.print(f"Nieuwe vragen: {', '.join(questions['added']) or 'geen'}; vervallen: "
                  f"{', '.join(questions['removed']) or 'geen'}")


# --- Feedback ------------------------------------------------------------------------------------

def _run_feedback(path: Path, options: EvalOptions) -> int:
    for option, value in (("--suite", options.suites), ("--compare", options.compare),
                          ("--fail-under", options.fail_under)):
        if value:
            raise UsageError(f"--from-feedback gaat niet samen met {option}: het maakt alleen "
                             f"conceptvragen en voert geen suite uit.")
    result = convert_feedback(path)
    for problem in result.problems:
        console.print(labelled("Fout:", "red", problem))
    lines = [json.dumps(d, ensure_ascii=False) for d in result.drafts]
    summary = (f"{plural(len(result.drafts), 'conceptvraag', 'conceptvragen')} gemaakt uit {path} "
               f"({result.up} duim omhoog, {result.down} duim omlaag"
               + (f", {plural(result.replaced, 'stem', 'stemmen')} later gewijzigd (alleen de "
                  f"laatste telt)" if result.replaced else "")
               + (f", {plural(len(result.problems), 'ongeldige regel', 'ongeldige regels')} "
                  f"overgeslagen" if result.problems else "") + ").")
    if options.out is not None:
        out_dir = _folder(options.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / "draft.jsonl"
        target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        console.print(f"{summary} Geschreven naar {target}.")
    else:
        for line in lines:
            print(line, flush=True)
        console.print(summary)
    if result.drafts:
        console.print(HOW_TO_COMPLETE)
    return EXIT_GATE if result.problems else EXIT_OK
