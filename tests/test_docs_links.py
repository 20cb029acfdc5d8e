"""The documentation stays short where it must and its links lead somewhere (pure: no index).

- README.md is the user manual: at most 250 lines (the rest lives in docs/).
- Every relative link in README.md and docs/**/*.md points to a file that exists, and a
  `#anchor` to a heading that exists, by GitHub's anchor rules.
- Every `docs/<path>` named in the code (comments, docstrings, messages) exists; where it is
  followed by a quoted section ("docs/beheer.md, 'Grenzen'"), that heading exists there.
- A README section still named in the code ("README, 'Snel aan de slag'") is a README heading.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_README_LINES = 250
CODE_DIRS = ("assistant", "common", "evals", "indexing", "benchmarks", "tests")
CODE_FILES = ("Makefile", "corpus/publications.toml")

FENCE = re.compile(r"^ {0,3}(```|~~~)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
INLINE_CODE = re.compile(r"`+[^`\n]*`+")
MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\s(?:href|src)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
# A docs path in code, with an optional anchor and an optional quoted section after it.
DOCS_REF = re.compile(r"(?<![\w/.-])(docs/[\w./-]*[\w/])(#[\w-]+)?(?:(?:,\s*|\s+)'([^']{1,80})')?")
README_SECTION = re.compile(r"\bREADME(?:,\s*|\s+|\s*\(\s*)'([^']{1,80})'")


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower-case, punctuation removed, each space a '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def prose_lines(path: Path) -> list[str]:
    """The file's lines outside fenced code blocks (code is not Markdown)."""
    lines, in_fence = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append(line)
    return lines


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose_lines(path):
        match = HEADING.match(line)
        if match:
            anchor = github_anchor(match.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def link_problem(source: Path, target: str) -> str | None:
    """Why a relative link from `source` leads nowhere, or None when it is fine."""
    path_part, _, anchor = unquote(target).partition("#")
    destination = (source.parent / path_part).resolve() if path_part else source
    if not destination.exists():
        return f"{target}: {destination} bestaat niet"
    if anchor:
        if destination.suffix != ".md":
            return f"{target}: een anker in iets anders dan Markdown"
        if anchor.lower() not in anchors(destination):
            return f"{target}: geen kop met anker #{anchor} in {destination.relative_to(ROOT)}"
    return None


def code_files() -> list[Path]:
    files = [ROOT / name for name in CODE_FILES if (ROOT / name).exists()]
    for folder in CODE_DIRS:
        for dirpath, dirnames, filenames in os.walk(ROOT / folder):  # does not follow links
            dirnames[:] = [d for d in dirnames if d not in ("node_modules", "__pycache__")]
            files += [Path(dirpath) / f for f in filenames if f.endswith(".py")]
    return sorted(files)


def joined(text: str) -> str:
    """Comment and docstring lines joined into one, so a reference may wrap across lines."""
    return re.sub(r"\n[ \t]*(?:#+[ \t]*)?", " ", text)


def test_github_anchor_rules() -> None:
    assert github_anchor("Koppelen aan andere programma's") == "koppelen-aan-andere-programmas"
    assert github_anchor("Chroma-server (opschalen)") == "chroma-server-opschalen"
    assert github_anchor("Gradio's `/ask`") == "gradios-ask"
    assert github_anchor("Zoekexperimenten (issue 12, punt 8)") == "zoekexperimenten-issue-12-punt-8"
    assert github_anchor("Vóór en ná") == "vóór-en-ná"


def test_readme_is_a_short_manual() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md heeft {len(lines)} regels (hooguit {MAX_README_LINES})"


def test_relative_links_in_the_documentation_lead_somewhere() -> None:
    problems = []
    for source in markdown_files():
        text = INLINE_CODE.sub("", "\n".join(prose_lines(source)))
        for target in MD_LINK.findall(text) + HTML_LINK.findall(text):
            if SCHEME.match(target):
                continue
            problem = link_problem(source, target)
            if problem:
                problems.append(f"{source.relative_to(ROOT)}: {problem}")
    assert not problems, "\n".join(problems)


def test_docs_paths_named_in_the_code_exist() -> None:
    problems, seen = [], 0
    for path in code_files():
        text = joined(path.read_text(encoding="utf-8"))
        for ref, anchor, section in DOCS_REF.findall(text):
            seen += 1
            target = ROOT / ref
            where = path.relative_to(ROOT)
            if not target.exists():
                problems.append(f"{where}: {ref} bestaat niet")
                continue
            for wanted in filter(None, (anchor.lstrip("#"), section and github_anchor(section))):
                if target.suffix != ".md" or wanted not in anchors(target):
                    problems.append(f"{where}: {ref} heeft geen kop {anchor or repr(section)}")
    assert not problems, "\n".join(problems)
    assert seen, "geen enkele verwijzing naar docs/ in de code gevonden: klopt het patroon nog?"


def test_readme_sections_named_in_the_code_exist() -> None:
    headings = anchors(README)
    problems = []
    for path in code_files():
        for section in README_SECTION.findall(joined(path.read_text(encoding="utf-8"))):
            if github_anchor(section) not in headings:
                problems.append(f"{path.relative_to(ROOT)}: README heeft geen kop '{section}'")
    assert not problems, "\n".join(problems)
