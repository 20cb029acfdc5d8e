"""Evaluation suites: JSONL files of questions with the places where the answer should be found.

One question per line::

    {"id": "core-001", "question": "…", "answerable": true,
     "publications": ["jaarbericht-2018-werkende-samenwerking"], "wegwijzers": [1],
     "pages": [27, 30], "research_pages": [180], "must_mention": ["uwv"],
     "answer": "reference answer", "tags": ["wegwijzer", "verhaal"]}

Optional: "note" (text for staff) and "follows" (a follow-up: the id of an earlier question
in the same suite; the runner asks it with that question and its answer as history). Draft lines made from chat feedback carry a "todo" field;
a suite with a "todo" is rejected until staff have completed the line and removed it.
Every problem is reported in Dutch with the file, the line and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from common.errors import WegwijzerError

SUITES_DIR = Path(__file__).resolve().parent / "suites"
DEFAULT_SUITE = SUITES_DIR / "core.jsonl"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

FIELDS: tuple[str, ...] = (
    "id", "question", "answerable", "publications", "wegwijzers", "pages", "research_pages",
    "must_mention", "answer", "tags",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("note", "follows")
DRAFT_FIELD = "todo"
MAX_LISTED_PROBLEMS = 25


@dataclass(frozen=True)
class SuiteProblem:
    """One thing wrong in a suite file: where, which field, what and how to fix it."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", regel {self.line}"
        if self.field is not None:
            where += f", veld '{self.field}'"
        return f"{where}: {self.message}"


class SuiteError(WegwijzerError):
    """A suite file cannot be used; `problems` lists every problem found (file, line, field)."""

    def __init__(self, problems: Sequence[SuiteProblem]) -> None:
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"… en nog {more} {'probleem' if more == 1 else 'problemen'}.")
        if len(self.problems) == 1:
            text = f"De suite klopt niet. {shown[0]}"
        else:
            text = f"De suite klopt niet ({len(self.problems)} problemen):\n" + "\n".join(
                f"  - {line}" for line in shown)
        super().__init__(text)


@dataclass(frozen=True)
class SuiteQuestion:
    """One checked question of a suite, with the file and line it came from."""

    id: str
    question: str
    answerable: bool
    publications: tuple[str, ...]
    wegwijzers: tuple[int, ...]
    pages: tuple[int, int] | None
    research_pages: tuple[int, ...]
    must_mention: tuple[str, ...]
    answer: str
    tags: tuple[str, ...]
    suite: str
    line: int
    note: str | None = None
    follows: str | None = None  # id of the earlier question this follow-up continues

    def expected(self) -> dict[str, Any]:
        """Where the answer should come from, in the shape evals.metrics expects (and JSON)."""
        return {
            "publications": list(self.publications),
            "wegwijzers": list(self.wegwijzers),
            "pages": list(self.pages) if self.pages else None,
            "research_pages": list(self.research_pages),
            "must_mention": list(self.must_mention),
        }


@dataclass(frozen=True)
class Suite:
    """A loaded suite file."""

    name: str
    path: Path
    questions: tuple[SuiteQuestion, ...]


def resolve_suite_path(value: str | Path) -> Path:
    """Find a suite: as given (from the working directory), else in evals/suites/ (also by bare
    name such as 'smoke'), else relative to the project root, so it works from any directory."""
    path = Path(value)
    candidates = [path]
    if not path.is_absolute():
        name = path.name if path.suffix else path.name + ".jsonl"
        candidates += [SUITES_DIR / name, PACKAGE_ROOT / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = ", ".join(sorted(p.name for p in SUITES_DIR.glob("*.jsonl")))
    raise SuiteError([SuiteProblem(
        str(value), None, None,
        f"dit suitebestand bestaat niet. Controleer het pad; meegeleverde suites (in "
        f"{SUITES_DIR}): {known}.")])


def load_suites(paths: Iterable[str | Path], publication_ids: Iterable[str]) -> list[Suite]:
    """Load and check several suites; ids must also be unique across them."""
    suites: list[Suite] = []
    problems: list[SuiteProblem] = []
    known = set(publication_ids)
    loaded: set[Path] = set()
    for value in paths:
        try:
            path = resolve_suite_path(value)
            if path.resolve() in loaded:
                problems.append(SuiteProblem(str(path), None, None, "deze suite is twee keer "
                                             "opgegeven. Geef elk bestand maar één keer mee met --suite."))
                continue
            loaded.add(path.resolve())
            suites.append(load_suite(path, known))
        except SuiteError as error:
            problems += error.problems
    # Within one file ids are already unique, so an earlier occurrence is in another suite.
    seen: dict[str, tuple[Suite, SuiteQuestion]] = {}
    for suite in suites:
        for question in suite.questions:
            if question.id in seen:
                first_suite, first = seen[question.id]
                problems.append(SuiteProblem(
                    str(suite.path), question.line, "id",
                    f"id '{question.id}' staat ook in {first_suite.path} (regel {first.line}). "
                    f"Geef elke vraag een eigen id, ook over suites heen."))
            else:
                seen[question.id] = (suite, question)
    if problems:
        raise SuiteError(problems)
    return suites


def load_suite(path: Path, publication_ids: Iterable[str]) -> Suite:
    """Read and check one suite file; raise SuiteError listing every problem."""
    known = set(publication_ids)
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SuiteError([SuiteProblem(file, None, None, "dit suitebestand bestaat niet.")]) from None
    except UnicodeDecodeError as exc:
        raise SuiteError([SuiteProblem(
            file, None, None, f"het bestand is geen UTF-8-tekst (byte {exc.start}). Sla het op als "
            f"UTF-8.")]) from exc
    problems: list[SuiteProblem] = []
    questions: list[SuiteQuestion] = []
    ids: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        found: list[SuiteProblem] = []

        def problem(field: str | None, message: str) -> None:
            found.append(SuiteProblem(file, number, field, message))

        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            problem(None, f"geen geldige JSON ({exc.msg}, kolom {exc.colno}). Elke regel is één "
                          f"JSON-object, bijvoorbeeld {{\"id\": \"…\", \"question\": \"…\", …}}.")
            problems += found
            continue
        if not isinstance(item, dict):
            problem(None, "de regel is geen JSON-object ({…}) maar "
                          f"{_json_type(item)}. Zet één vraag per regel als object.")
            problems += found
            continue
        question = _check_line(item, known, problem, path.stem, number)
        if question is not None and question.follows and question.follows not in ids:
            problem("follows", f"'{question.follows}' is geen eerdere vraag in deze suite. Een "
                               f"vervolgvraag verwijst naar het id van een vraag erboven.")
        if question is not None and question.id in ids:
            problem("id", f"id '{question.id}' komt al voor op regel {ids[question.id]}. Geef "
                          f"elke vraag een eigen id.")
        if found:
            problems += found
        elif question is not None:
            ids[question.id] = number
            questions.append(question)
    if not problems and not questions:
        problems.append(SuiteProblem(file, None, None, "het bestand bevat geen vragen. Zet er "
                                                       "één vraag per regel in (JSONL)."))
    if problems:
        raise SuiteError(problems)
    return Suite(name=path.stem, path=path, questions=tuple(questions))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "een getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "een lijst"
    return "een object"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_line(item: dict[str, Any], known: set[str], problem: Callable[[str | None, str], None],
                suite: str, line: int) -> SuiteQuestion | None:
    """Check one parsed line; report problems through `problem`; the question when all is well."""
    if DRAFT_FIELD in item:
        problem(DRAFT_FIELD, f"dit is een conceptvraag die nog afgemaakt moet worden: "
                             f"{item[DRAFT_FIELD]} Haal daarna het veld '{DRAFT_FIELD}' weg.")
    missing = [name for name in FIELDS if name not in item]
    for name in missing:
        problem(name, "dit verplichte veld ontbreekt. Elke regel heeft: " + ", ".join(FIELDS) + ".")
    for name in item:
        if name not in FIELDS and name not in OPTIONAL_FIELDS and name != DRAFT_FIELD:
            problem(name, f"onbekend veld. Toegestaan: {', '.join(FIELDS + OPTIONAL_FIELDS)}. "
                          f"Controleer de spelling of haal het veld weg.")
    get = item.get
    ok = True

    def wrong(name: str, expected: str) -> None:
        nonlocal ok
        ok = False
        problem(name, f"moet {expected} zijn, maar is {_json_type(get(name))}.")

    if "id" in item and not (isinstance(get("id"), str) and get("id").strip()):
        wrong("id", "niet-lege tekst")
    if "question" in item and not (isinstance(get("question"), str) and get("question").strip()):
        wrong("question", "niet-lege tekst (de vraag)")
    if "answerable" in item and not isinstance(get("answerable"), bool):
        wrong("answerable", "true of false")
    if "answer" in item and not isinstance(get("answer"), str):
        wrong("answer", "tekst (het referentieantwoord)")
    if "note" in item and not isinstance(get("note"), str):
        wrong("note", "tekst")
    if "follows" in item and not (isinstance(get("follows"), str) and get("follows").strip()):
        wrong("follows", "het id van een eerdere vraag in deze suite (tekst)")

    if "publications" in item:
        value = get("publications")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            wrong("publications", "een lijst met publicatie-id's (tekst)")
        else:
            for pid in value:
                if pid not in known:
                    ok = False
                    problem("publications", f"publicatie '{pid}' bestaat niet in publications.toml. "
                                            f"Kies uit: {', '.join(sorted(known))}.")
    if "wegwijzers" in item:
        value = get("wegwijzers")
        if not isinstance(value, list) or not all(_is_int(v) for v in value):
            wrong("wegwijzers", "een lijst met wegwijzernummers (gehele getallen; [] als de vraag "
                                "niet over een wegwijzer gaat)")
        else:
            for number in value:
                if not 1 <= number <= 10:
                    ok = False
                    problem("wegwijzers", f"wegwijzer {number} bestaat niet. Gebruik de nummers "
                                          f"1 tot en met 10.")
    if "pages" in item:
        value = get("pages")
        if value is not None:
            if (not isinstance(value, list) or len(value) != 2 or not all(_is_int(v) for v in value)):
                wrong("pages", "null of [eerste, laatste] (twee gehele getallen, gedrukte pagina's)")
            elif not 1 <= value[0] <= value[1]:
                ok = False
                problem("pages", f"{value} is geen geldig paginabereik. Gebruik [eerste, laatste] "
                                 f"met 1 ≤ eerste ≤ laatste.")
    if "research_pages" in item:
        value = get("research_pages")
        if not isinstance(value, list) or not all(_is_int(v) and v >= 1 for v in value):
            wrong("research_pages", "een lijst met paginanummers van het onderzoeksrapport "
                                    "(positieve gehele getallen)")
    if "must_mention" in item:
        value = get("must_mention")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            wrong("must_mention", "een lijst met niet-lege woorden of zinsdelen (tekst)")
        else:
            for phrase in value:
                if phrase != phrase.lower():
                    ok = False
                    problem("must_mention", f"'{phrase}' moet in kleine letters: "
                                            f"'{phrase.lower()}'.")
    if "tags" in item:
        value = get("tags")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            wrong("tags", "een lijst met labels (niet-lege tekst)")

    if ok and not missing and get("answerable") is True:
        if not get("publications"):
            ok = False
            problem("publications", "een beantwoordbare vraag noemt minstens één publicatie waar "
                                    "het antwoord staat (of zet 'answerable' op false).")
        if not get("answer").strip():
            ok = False
            problem("answer", "een beantwoordbare vraag heeft een referentieantwoord. Schrijf in "
                              "een paar zinnen wat het goede antwoord is.")
    if not ok or missing or DRAFT_FIELD in item:
        return None
    pages = get("pages")
    return SuiteQuestion(
        id=get("id"), question=get("question"), answerable=get("answerable"),
        publications=tuple(get("publications")), wegwijzers=tuple(get("wegwijzers")),
        pages=(pages[0], pages[1]) if pages else None,
        research_pages=tuple(get("research_pages")), must_mention=tuple(get("must_mention")),
        answer=get("answer"), tags=tuple(get("tags")), suite=suite, line=line, note=get("note"),
        follows=get("follows"),
    )
