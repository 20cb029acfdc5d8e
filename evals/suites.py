"""Evaluation suites: JSONL files of questions with the places where the answer should be found
(the format: docs/evalueren.md). A line's schema is `SuiteLine`; every problem is reported in
Dutch with the file, the line and the field, and says how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Sequence

from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr,
    ValidationError, ValidationInfo, field_validator,
)
from pydantic_core import PydanticCustomError

from common.errors import WegwijzerError

SUITES_DIR = Path(__file__).resolve().parent / "suites"
DEFAULT_SUITE = SUITES_DIR / "core.jsonl"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

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
    session: str | None = None  # the conversation this line belongs to

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
    earlier: dict[str, SuiteQuestion] = {}  # the valid questions above, by id
    session_start: dict[str, int] = {}  # session → the line it starts on
    previous_session: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(SuiteProblem(
                file, number, None, f"geen geldige JSON ({exc.msg}, kolom {exc.colno}). Elke "
                f"regel is één JSON-object, bijvoorbeeld "
                f"{{\"id\": \"…\", \"question\": \"…\", …}}."))
            continue
        if not isinstance(item, dict):
            problems.append(SuiteProblem(
                file, number, None, f"de regel is geen JSON-object ({{…}}) maar "
                f"{_json_type(item)}. Zet één vraag per regel als object."))
            continue
        found: list[SuiteProblem] = []

        def problem(field: str | None, message: str) -> None:
            found.append(SuiteProblem(file, number, field, message))

        session = item.get("session") if isinstance(item.get("session"), str) else None
        if session in session_start and session != previous_session:
            problem("session", f"sessie '{session}' begon op regel {session_start[session]}, maar "
                               f"de regel erboven hoort niet bij dat gesprek. Zet de regels van "
                               f"één sessie direct onder elkaar, in de volgorde van het gesprek.")
        if session is not None:
            session_start.setdefault(session, number)
        previous_session = session
        question = _check_line(item, known, problem, path.stem, number)
        if question is not None:
            _check_against_earlier(question, earlier, problem)
        if found:
            problems += found
        elif question is not None:
            earlier[question.id] = question
    questions = list(earlier.values())
    if not problems and not questions:
        problems.append(SuiteProblem(file, None, None, "het bestand bevat geen vragen. Zet er "
                                                       "één vraag per regel in (JSONL)."))
    if problems:
        raise SuiteError(problems)
    return Suite(name=path.stem, path=path, questions=tuple(questions))


def _check_against_earlier(question: SuiteQuestion, earlier: dict[str, SuiteQuestion],
                           problem: Callable[[str | None, str], None]) -> None:
    """What one line can only get wrong against the lines above it: its id, its follow-up."""
    if question.follows and question.follows not in earlier:
        problem("follows", f"'{question.follows}' is geen eerdere vraag in deze suite. Een "
                           f"vervolgvraag verwijst naar het id van een vraag erboven.")
    elif question.follows and question.session and \
            earlier[question.follows].session != question.session:
        problem("follows", f"'{question.follows}' hoort niet bij sessie '{question.session}'. In "
                           f"een sessie verwijst een vervolgvraag naar een eerdere vraag van "
                           f"dezelfde sessie: kies een id uit deze sessie of haal 'follows' weg.")
    if question.id in earlier:
        problem("id", f"id '{question.id}' komt al voor op regel {earlier[question.id].line}. Geef "
                      f"elke vraag een eigen id.")


JSON_TYPES = {type(None): "null", bool: "true/false", int: "een getal", float: "een getal",
              str: "tekst", list: "een lijst"}


def _json_type(value: Any) -> str:
    return JSON_TYPES.get(type(value), "een object")


# Errors of this type carry a finished Dutch explanation; every other validation error means
# the value has the wrong form and is reported with the field's description (what it must be).
RULE = "suite_rule"


def _rule(message: str) -> PydanticCustomError:
    # The message goes in as context, so braces in it are not read as placeholders.
    return PydanticCustomError(RULE, "{message}", {"message": message})


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("blank")
    return value


def _known_publication(pid: str, info: ValidationInfo) -> str:
    known = (info.context or {})["publications"]
    if pid not in known:
        raise _rule(f"publicatie '{pid}' bestaat niet in publications.toml. "
                    f"Kies uit: {', '.join(sorted(known))}.")
    return pid


def _wegwijzer(number: int) -> int:
    if not 1 <= number <= 10:
        raise _rule(f"wegwijzer {number} bestaat niet. Gebruik de nummers 1 tot en met 10.")
    return number


def _lowercase(phrase: str) -> str:
    if phrase != phrase.lower():
        raise _rule(f"'{phrase}' moet in kleine letters: '{phrase.lower()}'.")
    return phrase


NonBlank = Annotated[StrictStr, AfterValidator(_non_blank)]


class SuiteLine(BaseModel):
    """The schema of one suite line. A field's description says, in Dutch, what it must be."""

    model_config = ConfigDict(extra="forbid")

    id: NonBlank = Field(description="niet-lege tekst")
    question: NonBlank = Field(description="niet-lege tekst (de vraag)")
    answerable: StrictBool = Field(description="true of false")
    publications: list[Annotated[StrictStr, AfterValidator(_known_publication)]] = Field(
        description="een lijst met publicatie-id's (tekst)")
    wegwijzers: list[Annotated[StrictInt, AfterValidator(_wegwijzer)]] = Field(
        description="een lijst met wegwijzernummers (gehele getallen; [] als de vraag niet over "
                    "een wegwijzer gaat)")
    pages: Annotated[list[StrictInt], Field(min_length=2, max_length=2)] | None = Field(
        description="null of [eerste, laatste] (twee gehele getallen, gedrukte pagina's)")
    research_pages: list[Annotated[StrictInt, Field(ge=1)]] = Field(
        description="een lijst met paginanummers van het onderzoeksrapport (positieve gehele "
                    "getallen)")
    must_mention: list[Annotated[NonBlank, AfterValidator(_lowercase)]] = Field(
        description="een lijst met niet-lege woorden of zinsdelen (tekst)")
    answer: StrictStr = Field(description="tekst (het referentieantwoord)")
    tags: list[NonBlank] = Field(description="een lijst met labels (niet-lege tekst)")
    # Optional fields are left out when unused: null is not text (a default is not validated).
    note: StrictStr = Field(None, description="tekst")
    follows: NonBlank = Field(None,
                              description="het id van een eerdere vraag in deze suite (tekst)")
    session: NonBlank = Field(None, description="niet-lege tekst (de naam van het gesprek)")
    # Only drafts made from chat feedback carry it; a line with it is always rejected.
    todo: Any = Field(None, exclude=True)

    @field_validator("pages")
    @classmethod
    def _page_range(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and not 1 <= value[0] <= value[1]:
            raise _rule(f"{value} is geen geldig paginabereik. Gebruik [eerste, laatste] met "
                        f"1 ≤ eerste ≤ laatste.")
        return value

    # The two checks below read 'answerable' (declared earlier) from info.data; they run only
    # when it is valid.
    @field_validator("publications")
    @classmethod
    def _answerable_names_a_publication(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("answerable") is True and not value:
            raise _rule("een beantwoordbare vraag noemt minstens één publicatie waar het "
                        "antwoord staat (of zet 'answerable' op false).")
        return value

    @field_validator("answer")
    @classmethod
    def _answerable_has_an_answer(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("answerable") is True and not value.strip():
            raise _rule("een beantwoordbare vraag heeft een referentieantwoord. Schrijf in een "
                        "paar zinnen wat het goede antwoord is.")
        return value

    @field_validator(DRAFT_FIELD)
    @classmethod
    def _no_draft(cls, value: Any) -> Any:
        raise _rule(f"dit is een conceptvraag die nog afgemaakt moet worden: {value} Haal daarna "
                    f"het veld '{DRAFT_FIELD}' weg.")


FIELDS: tuple[str, ...] = tuple(n for n, f in SuiteLine.model_fields.items() if f.is_required())
OPTIONAL_FIELDS: tuple[str, ...] = tuple(
    n for n, f in SuiteLine.model_fields.items() if not f.is_required() and n != DRAFT_FIELD)


def _check_line(item: dict[str, Any], known: set[str], problem: Callable[[str | None, str], None],
                suite: str, line: int) -> SuiteQuestion | None:
    """Check one parsed line; report problems through `problem`; the question when all is well."""
    try:
        checked = SuiteLine.model_validate(item, context={"publications": known})
    except ValidationError as error:
        for field, message in _dutch(error, item):
            problem(field, message)
        return None
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in checked.model_dump().items()}
    return SuiteQuestion(**fields, suite=suite, line=line)


def _dutch(error: ValidationError, item: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, Dutch message with how to fix it) per problem. A field of the wrong form gets one
    message saying what it must be, not one per list item nor its finer checks."""
    messages: dict[str, dict[str, None]] = {}  # per field, in order, without repeats
    wrong_form: dict[str, str] = {}
    for detail in error.errors():
        field = str(detail["loc"][0])
        if detail["type"] == "missing":
            message = "dit verplichte veld ontbreekt. Elke regel heeft: " + ", ".join(FIELDS) + "."
        elif detail["type"] == "extra_forbidden":
            message = (f"onbekend veld. Toegestaan: {', '.join(FIELDS + OPTIONAL_FIELDS)}. "
                       f"Controleer de spelling of haal het veld weg.")
        elif detail["type"] == RULE:
            message = detail["ctx"]["message"]
        else:
            wrong_form[field] = (f"moet {SuiteLine.model_fields[field].description} zijn, maar is "
                                 f"{_json_type(item[field])}.")
            message = wrong_form[field]
        messages.setdefault(field, {})[message] = None
    return [(field, message) for field, found in messages.items()
            for message in ([wrong_form[field]] if field in wrong_form else found)]
