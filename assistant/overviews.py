"""Questions about the structure of the publications ('Wat zijn de tien wegwijzers?'), answered
from the catalog as a list: no single passage lists all ten. Each list is embedded like a passage
and answers a question only when it is closer than the passages (`OverviewIndex.match`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Collection, Mapping, Sequence

import numpy as np

from indexing.catalog import Catalog
from indexing.places import Place, format_pages

from .lexical import fold, words
from .model import Hit
from .passages import PassageIndex


@dataclass(frozen=True)
class OverviewItem:
    """One line of an overview, and the passage (position) that it cites."""

    label: str
    position: int


@dataclass(frozen=True)
class Overview:
    """A list the catalog can give, with a title that says what it lists."""

    title: str
    items: tuple[OverviewItem, ...]
    names: tuple[str, ...] = ()  # what each item is called, to recognise passages listing them
    keys: tuple[str, ...] = ()  # what names this overview itself ('wegwijzer 6', its title)
    item_keys: tuple[tuple[str, ...], ...] = ()  # what names each item ('wegwijzer 3', title)

    def text(self) -> str:
        """What is embedded: the title and every item."""
        return f"{self.title}: " + "; ".join(item.label for item in self.items)


def _first(passages: PassageIndex, wanted: Callable[[Place], bool]) -> int | None:
    return next((i for i, place in enumerate(passages.places) if wanted(place)), None)


def _pages(pages: Sequence[int] | None) -> str:
    text = format_pages(list(pages) if pages else None)
    return f" ({text})" if text else ""


def build_overviews(catalog: Catalog, passages: PassageIndex) -> list[Overview]:
    """Every list the catalog of one index can give (pure): the wegwijzers, the stories of each
    wegwijzer, the items of a section, and the sections that are lists themselves."""
    return (_wegwijzers(catalog, passages) + _parts(passages) + _stories(catalog, passages)
            + _section_items(catalog, passages) + list_sections(passages))


def _wegwijzers(catalog: Catalog, passages: PassageIndex) -> list[Overview]:
    stops = []
    for stop in catalog.wegwijzers:
        position = _first(passages, lambda p, n=stop.number: p.wegwijzer == n)
        if position is not None:
            stops.append(OverviewItem(f"Wegwijzer {stop.number}: {stop.title}{_pages(stop.pages)}",
                                      position))
    if not stops:
        return []
    return [Overview(f"De {len(stops)} wegwijzers van de routekaart", tuple(stops),
                     tuple(s.title for s in catalog.wegwijzers),
                     item_keys=tuple((f"wegwijzer {s.number}", s.title)
                                     for s in catalog.wegwijzers))]


def _parts(passages: PassageIndex) -> list[Overview]:
    """The parts a wegwijzer is made of ('Een verhaal', 'Uit het onderzoek', …), each citing
    where it first occurs, and in how many wegwijzers it occurs."""
    first: dict[str, int] = {}
    where: dict[str, set[int]] = {}
    for i, place in enumerate(passages.places):
        if place.wegwijzer is not None and place.part:
            first.setdefault(place.part, i)
            where.setdefault(place.part, set()).add(place.wegwijzer)
    if len(first) < 2:
        return []
    total = len(set().union(*where.values()))
    items = tuple(OverviewItem(f"{part} (in {len(where[part])} van de {total} wegwijzers)", i)
                  for part, i in first.items())
    return [Overview("De onderdelen van een wegwijzer", items, tuple(first))]


def _stories(catalog: Catalog, passages: PassageIndex) -> list[Overview]:
    overviews = []
    for stop in catalog.wegwijzers:
        stories = []
        for title, author in stop.stories:
            position = _first(passages, lambda p, t=title, n=stop.number:
                              p.wegwijzer == n and p.story_title == t)
            if position is None:
                continue
            by = f" door {author}" if author else ""
            stories.append(OverviewItem(f"'{title}'{by}{_pages(passages.places[position].pages)}",
                                        position))
        if stories:
            overviews.append(Overview(
                f"Verhalen uit de praktijk bij wegwijzer {stop.number} '{stop.title}', met hun "
                "auteurs", tuple(stories), tuple(t for t, _ in stop.stories),
                keys=(f"wegwijzer {stop.number}", stop.title),
                item_keys=tuple((t,) for t, _ in stop.stories)))
    return overviews


def _section_items(catalog: Catalog, passages: PassageIndex) -> list[Overview]:
    """Sections whose passages are divided into numbered or named items, e.g. the five parts
    of the routekaart; only the first level of each item."""
    overviews = []
    for publication in catalog.publications:
        for section in publication.sections:
            if section.wegwijzer is not None or len(section.subsections) < 2:
                continue
            items = []
            for subsection in section.subsections:
                if " · " in subsection:
                    continue
                position = _first(passages, lambda p, s=subsection, t=section.title:
                                  p.section == t and p.subsection == s)
                if position is not None:
                    items.append(OverviewItem(
                        f"{subsection}{_pages(passages.places[position].pages)}", position))
            if len(items) >= 2:
                names = tuple(s.split(". ", 1)[-1] for s in section.subsections if " · " not in s)
                overviews.append(Overview(section.title, tuple(items), names))
    return overviews


# A list entry is one short line without a closing full stop ('Milo Schoenmaker, burgemeester
# Gouda, tevens voorzitter (1)'); a trailing '(n)' refers to a photo and is dropped.
ENTRY_WORDS = 20
PHOTO_NUMBER = re.compile(r"\s*\(\d+\)$")


def _entries(text: str) -> list[str] | None:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    if not paragraphs or any(len(p.split()) > ENTRY_WORDS or "\n" in p
                             or PHOTO_NUMBER.sub("", p).rstrip().endswith((".", "?", "!", ":"))
                             for p in paragraphs):
        return None
    return [PHOTO_NUMBER.sub("", p).strip() for p in paragraphs]


def list_sections(passages: PassageIndex) -> list[Overview]:
    """Sections outside the wegwijzers whose passages are nothing but list entries, such as
    the members of the Denktank: the entries, each citing its passage (pure)."""
    sections: dict[tuple[str, str], list[int]] = {}
    for i, place in enumerate(passages.places):
        if place.section and place.wegwijzer is None and not place.subsection:
            sections.setdefault((place.publication_id, place.section), []).append(i)
    overviews = []
    for (_, title), positions in sections.items():
        entries = [(_entries(passages.texts[i]), i) for i in positions]
        if any(found is None for found, _ in entries):
            continue
        items = tuple(OverviewItem(entry, i) for found, i in entries for entry in found or ())
        if len(items) >= 3:
            # An entry is named by what precedes its first comma (a person's name).
            names = tuple(item.label.split(",")[0] for item in items)
            overviews.append(Overview(title, items, names,
                                      item_keys=tuple((name,) for name in names)))
    return overviews


class OverviewIndex:
    """The overviews of one index generation, their embeddings, and the passages that list
    the same things (their anchors)."""

    def __init__(self, overviews: Sequence[Overview],
                 embed: Callable[[list[str]], np.ndarray], passages: PassageIndex) -> None:
        self.overviews = list(overviews)
        # Each overview is embedded twice: its title with every item, and its title alone. A
        # long list of names (the members of the Denktank) drowns what the list is about.
        texts = [o.text() for o in self.overviews] + [o.title for o in self.overviews]
        vectors = (np.asarray(embed(texts), dtype=np.float32)
                   if self.overviews else np.zeros((0, 1)))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.where(norms == 0, 1.0, norms)
        folded = [fold(f"{h} {t}") for h, t in zip(passages.headers, passages.texts)]
        # A passage that names at least half of an overview's items is a list of the same
        # things in the text (the 'Tien wegwijzers' page, the section on the five parts). A
        # story's own passages name its title in their header: they are the item, not a list.
        self.anchors = [
            {passages.chunk_ids[i] for i, text in enumerate(folded)
             if o.names and not passages.places[i].story_title
             and sum(fold(n) in text for n in o.names) * 2 >= len(o.names)}
            for o in self.overviews]

    def anchors_of(self, overview: Overview) -> set[str]:
        return self.anchors[self.overviews.index(overview)]

    def named(self, question: str) -> bool:
        """Whether the question names one of the overviews itself ('de verhalen bij wegwijzer
        6'): catalog matching, independent of how confident retrieval is."""
        return any(self.eligible(question, only_named=True))

    def eligible(self, question: str, only_named: bool = False) -> list[bool]:
        """Catalog matching on the question's own words. A question that names one item of a
        list ('Wat is wegwijzer 3?') is about that item, not the list; when it names an
        overview itself ('de verhalen bij wegwijzer 6'), only overviews it names qualify."""
        text = f" {' '.join(words(question))} "

        def named(key: str) -> bool:
            return f" {' '.join(words(key))} " in text

        naming = [any(named(k) for k in o.keys) for o in self.overviews]
        return [(named_self or not (only_named or any(naming))) and
                sum(any(named(k) for k in keys) for keys in o.item_keys) != 1
                for o, named_self in zip(self.overviews, naming)]

    def match(self, question: str, query_vector: np.ndarray,
              hits: Sequence[Hit]) -> Overview | None:
        """The overview the question is closer to than to every passage (`Hit.dense`), or one
        that would rank in the top three and lists what one of the three best passages lists."""
        if not self.overviews or not hits:
            return None
        dense = sorted((h.dense for h in hits), reverse=True)
        third = dense[min(2, len(dense) - 1)]
        top = {h.chunk_id for h in hits[:3]}
        both = self.vectors @ query_vector
        scores = np.maximum(both[:len(self.overviews)], both[len(self.overviews):])
        allowed = self.eligible(question)
        for index in np.argsort(-scores):
            if not allowed[int(index)]:
                continue
            overview, score = self.overviews[int(index)], float(scores[index])
            if score < third:
                return None
            if score > dense[0] or top & self.anchors[int(index)]:
                return overview
        return None


def overview_hits(overview: Overview, passages: PassageIndex, hits: Sequence[Hit],
                  anchors: Collection[str]) -> list[Hit]:
    """The passage the list's title cites: the best retrieved one that lists the same things
    (an anchor, such as the Leeswijzer for the parts of a wegwijzer), else the best retrieved
    one; then each item's passage."""
    first = [next((h for h in hits if h.chunk_id in anchors), hits[0])] if hits else []
    score = first[0].score if first else 0.0
    seen = {h.chunk_id for h in first}
    for item in overview.items:
        i = item.position
        if passages.chunk_ids[i] not in seen:
            seen.add(passages.chunk_ids[i])
            hit = passages.hit(i)
            hit.score = score
            first.append(hit)
    return first


def overview_answer(overview: Overview, marker_of: Mapping[int, int],
                    title_marker: int | None = None) -> str:
    """The overview as a Dutch list, each item with the marker of the passage it cites
    (`marker_of`: passage position → marker; entries of one passage share its marker)."""
    lines = [f"{overview.title}" + (f" [{title_marker}]" if title_marker else "") + ":"]
    lines += [f"- {item.label} [{marker_of[item.position]}]" for item in overview.items]
    return "\n".join(lines)
