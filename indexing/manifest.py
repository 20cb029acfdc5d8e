"""Read and check `publications.toml`, the list of publications to index."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from common.errors import CorpusError
from .model import KINDS, Publication

REQUIRED = ("id", "title", "kind", "publisher", "file")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def load_manifest(path: Path) -> list[Publication]:
    """Parse the manifest and check every entry; raise CorpusError with a Dutch message."""
    if not path.exists():
        raise CorpusError(f"Het manifest {path} bestaat niet. Maak het aan (zie docs/beheer.md, "
                          f"'Publicaties beheren') of geef met --corpus-dir de map met "
                          f"publications.toml op.")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorpusError(f"Het manifest {path} is geen UTF-8-tekst (byte {exc.start}). Sla het "
                          f"op als UTF-8.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"Het manifest {path} is geen geldige TOML: {exc}. Herstel de regel en "
                          f"indexeer opnieuw.") from exc
    entries = data.get("publication")
    if not isinstance(entries, list) or not entries:
        raise CorpusError(
            f"Het manifest {path} bevat geen publicaties. Voeg per publicatie een blok "
            f"[[publication]] toe met id, title, kind, publisher, date of year en file.")
    publications: list[Publication] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        publications.append(_publication(path, number, entry))
        pid = publications[-1].id
        if pid in seen:
            raise CorpusError(
                f"Het manifest {path} gebruikt id '{pid}' twee keer (publicatie {seen[pid]} en "
                f"{number}). Geef elke publicatie een eigen id.")
        seen[pid] = number
    return publications


def _publication(path: Path, number: int, entry: object) -> Publication:
    where = f"publicatie {number} in {path}"
    if not isinstance(entry, dict):
        raise CorpusError(f"{where} is geen tabel. Gebruik [[publication]] met sleutels eronder.")
    missing = [key for key in REQUIRED if not entry.get(key)]
    if not (entry.get("date") or entry.get("year")):
        missing.append("date of year")
    if missing:
        raise CorpusError(f"{where} mist: {', '.join(missing)}. Vul dit aan en indexeer opnieuw.")
    for key in REQUIRED:
        if not isinstance(entry[key], str):
            raise CorpusError(f"{where}: '{key}' moet tekst zijn (tussen aanhalingstekens).")
    pid = entry["id"]
    if not ID_PATTERN.match(pid):
        raise CorpusError(
            f"{where}: id '{pid}' mag alleen kleine letters, cijfers, '.', '_' en '-' bevatten.")
    if entry["kind"] not in KINDS:
        raise CorpusError(f"{where} ('{pid}'): kind '{entry['kind']}' is onbekend. Kies uit: "
                          f"{', '.join(KINDS)}.")
    file = corpus_file(path, pid, entry["file"])
    hints = entry.get("structure", {})
    if not isinstance(hints, dict):
        raise CorpusError(f"{where} ('{pid}'): 'structure' moet een tabel zijn "
                          f"([publication.structure]).")
    return Publication(id=pid, title=entry["title"], kind=entry["kind"],
                       publisher=entry["publisher"], date=str(entry.get("date") or entry["year"]),
                       file=file, url=entry.get("url"), short_title=entry.get("short_title"),
                       hints=hints)


def corpus_file(manifest: Path, pid: str, name: str) -> Path:
    """The publication's file, which must be a regular file inside the corpus folder (links
    followed): a path or symlink leading outside it would show users any file of the machine."""
    corpus = manifest.parent
    given = Path(name)
    file = given if given.is_absolute() else corpus / given
    if not file.exists() and not file.is_symlink():
        raise CorpusError(
            f"Het bestand {file} van publicatie '{pid}' ontbreekt. Zet het bestand in {corpus} "
            f"of pas 'file' aan in {manifest.name}.")
    resolved = file.resolve()
    if not resolved.is_relative_to(corpus.resolve()):
        via = " via een koppeling (symlink)" if _has_link(file, corpus) else ""
        raise CorpusError(
            f"Publicatie '{pid}' in {manifest}: 'file = \"{name}\"' wijst{via} naar {resolved}, "
            f"buiten de corpusmap {corpus}. Wegwijzer indexeert alleen bestanden in die map. "
            f"Kopieer het bestand naar {corpus} en zet in 'file' alleen de bestandsnaam.")
    if not resolved.is_file():
        raise CorpusError(
            f"Publicatie '{pid}' in {manifest}: '{name}' is geen gewoon bestand. Zet er een "
            f".md-, .txt- of .pdf-bestand neer, of pas 'file' aan.")
    return file


def _has_link(file: Path, corpus: Path) -> bool:
    """Whether the path passes through a symlink (the file itself or a folder on the way)."""
    current = file
    while current != current.parent and current != corpus:
        if current.is_symlink():
            return True
        current = current.parent
    return False
