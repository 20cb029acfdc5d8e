"""Turn raw Markdown or plain text into blocks (headings and paragraphs with clean text), on
which structure recovery works, never on line numbers."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪◦●]|\d{1,2}[.)])\s+")
# Bullet glyphs that PDF-to-text conversion left in the Private Use Area (e.g. U+F0D8).
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
URL_ONLY = re.compile(r"^(https?://|www\.)\S+$")
TERMINAL = (".", ",", ";", ":", "!", "?")


@dataclass
class Block:
    """A heading or a paragraph (a run of non-blank lines)."""

    index: int
    text: str
    level: int = 0  # Markdown heading level; plain-text headings get 2; paragraphs 0
    items: list[str] = field(default_factory=list)  # paragraphs it contributes (list items split)
    single_line: bool = True
    emphasised: bool = False  # the whole line was bold or italic in the source
    lines: list[str] = field(default_factory=list)  # each source line, cleaned

    @property
    def norm(self) -> str:
        return normalise(self.text)

    @property
    def is_heading(self) -> bool:
        return self.level > 0


def normalise(text: str) -> str:
    """Letters and digits only, lowercase, no accents: for matching titles across layouts."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", text.lower())


# Link and image syntax; a label may hold one level of brackets ('![[kaart]](…)').
_LABEL = r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
_TARGET = r"(?:\([^()\s]*(?:\([^()]*\)[^()\s]*)*(?:\s+[\"'(][^\n]*?[\"')])?\)|\[[^\[\]]*\])"
MARKDOWN_LINK = re.compile(r"!?" + _LABEL + _TARGET)
MARKDOWN_IMAGE_SHORTCUT = re.compile(r"!" + _LABEL)
AUTOLINK = re.compile(
    r"<((?:https?|ftp|mailto|javascript|data|file):[^<>\s]*|[^<>\s@]+@[^<>\s@]+)>", re.IGNORECASE)
# Elements whose content is code or another document, never text for a reader.
HIDDEN_ELEMENTS = re.compile(
    r"<(script|style|iframe|object|embed|svg|math|template|noscript|frame|frameset|audio|video)"
    r"\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# '[k1]: http://…' on a line of its own: the target of a reference-style link or image.
LINK_DEFINITION = re.compile(r"(?m)^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$")


def strip_links_and_markup(text: str) -> str:
    """Text without images, links, autolinks or HTML elements: labels stay, targets go (markup
    from outside could travel on as an image that phones home or a link to somewhere else)."""
    text = HTML_COMMENT.sub("", text)
    text = HIDDEN_ELEMENTS.sub("", text)
    text = AUTOLINK.sub(_autolink_text, text)
    text = re.sub(r"<sup>(.*?)</sup>", r"\1", text)
    text = HTML_TAG.sub("", text)
    text = MARKDOWN_LINK.sub(_label, text)
    return MARKDOWN_IMAGE_SHORTCUT.sub(_label, text)


def _label(match: re.Match[str]) -> str:
    return re.sub(r"[\[\]]", "", match.group(1))  # '[[de site]]' → 'de site'


def _autolink_text(match: re.Match[str]) -> str:
    """A web or mail address stays as text; a script, data or file target goes."""
    target = match.group(1)
    return "" if re.match(r"(?i)(javascript|data|file):", target) else target


def clean_inline(text: str) -> str:
    """Strip Markdown/HTML markup and layout noise from one logical line of text."""
    text = html.unescape(text)
    text = strip_links_and_markup(text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = text.replace("**", "")
    text = re.sub(r"(?<=\s)\*(?=\s|$)|^\*\s*|\s*\*$", "", text)
    text = PRIVATE_USE.sub("", text)
    text = text.replace("\u00a0", " ").replace("\t", " ")
    return re.sub(r"\s+", " ", text).strip()


def _is_emphasised(line: str) -> bool:
    line = line.strip().lstrip("#").strip()
    line = re.sub(r"^(\d{1,2}|[a-h])[.)]\s*", "", line)  # '4. *Investeer…*' counts too
    return bool(re.match(r"^(\*\*?|__?).+(\*\*?|__?)$", line)) or line.startswith("*")


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", LINK_DEFINITION.sub("", text)):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        first = HEADING.match(lines[0].strip())
        if first:  # a heading, perhaps directly followed by text: split them
            title = clean_inline(first.group(2))
            if title:
                blocks.append(Block(len(blocks), title, level=len(first.group(1)), items=[title],
                                    emphasised=len(lines) == 1 and _is_emphasised(lines[0]),
                                    lines=[title]))
            lines = lines[1:]
        items = _list_items(lines)
        if items:
            blocks.append(Block(len(blocks), " ".join(items), items=items,
                                single_line=len(lines) == 1,
                                emphasised=len(lines) == 1 and _is_emphasised(lines[0]),
                                lines=[clean_inline(line) for line in lines]))
    return blocks


def _list_items(lines: list[str]) -> list[str]:
    """Join soft-wrapped lines; every list item starts a new paragraph."""
    groups: list[list[str]] = []
    for line in lines:
        if LIST_ITEM.match(line) or not groups:
            groups.append([])
        groups[-1].append(re.sub(r"^\s*[-*+•▪◦●]\s+", "", line))
    items = (clean_inline(" ".join(group)) for group in groups)
    return [item for item in items if item]


def plain_blocks(text: str) -> list[Block]:
    """Blocks of plain text converted from PDFs or web pages (double-spaced conversions, lost
    bullet glyphs and short heading lines included)."""
    blocks: list[Block] = []
    for para in _plain_paragraphs(_single_spaced(LINK_DEFINITION.sub("", text).split("\n"))):
        joined = " ".join(para)
        heading = len(para) == 1 and looks_like_heading(para[0], "", standalone=True)
        blocks.append(Block(len(blocks), joined, level=2 if heading else 0, items=[joined],
                            single_line=len(para) == 1, lines=para))
    return blocks


def _single_spaced(lines: list[str]) -> list[str]:
    """In a double-spaced conversion, empty lines are line breaks and whitespace-only lines end
    paragraphs: drop the empty ones."""
    nonempty = [line for line in lines if line.strip()]
    double = nonempty and lines.count("") >= 0.7 * len(nonempty) and any(
        line.strip() == "" and line != "" for line in lines)
    return [line for line in lines if line != ""] if double else lines


def _plain_paragraphs(lines: list[str]) -> list[list[str]]:
    """The lines grouped into paragraphs: a blank line, a bullet, a heading or a bare URL
    starts a new one (and a heading or URL stands alone)."""
    paragraphs: list[list[str]] = [[]]
    previous = ""
    for raw in lines:
        if not raw.strip():
            paragraphs.append([])
            previous = ""
            continue
        bullet = bool(PRIVATE_USE.match(raw.lstrip())) or bool(re.match(r"^\s*[•▪◦●]\s", raw))
        line = clean_inline(raw)
        if not line:
            continue
        alone = looks_like_heading(line, previous) or bool(URL_ONLY.match(line))
        if bullet or alone:
            paragraphs.append([])
        paragraphs[-1].append(line)
        if alone:
            paragraphs.append([])
        previous = line
    return [para for para in paragraphs if para]


def looks_like_heading(line: str, previous: str, standalone: bool = False) -> bool:
    words = line.split()
    if not (1 <= len(words) <= 9) or len(line) > 70:
        return False
    # Web pages use short questions as headings ('Wat doen we?'), when they stand alone.
    terminal = tuple(t for t in TERMINAL if not (standalone and t == "?"))
    if line.endswith(terminal) or URL_ONLY.match(line) or "@" in line:
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    # A short line that continues a sentence wrapped by the converter is no heading.
    return previous == "" or previous.endswith((".", "?", "!", ":")) or previous.isupper()
