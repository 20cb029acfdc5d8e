"""Sentence splitting for Dutch text, shared by chunking, answering and evaluation."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (or a closing quote after one) followed by a capital or quote.
# Abbreviations such as 'p.' and 'bv.' do not end a sentence, and a page reference
# '(p. 192)' stays with the sentence before it.
SENTENCE_END = re.compile(
    r"(?<!\bp\.)(?<!\bpp\.)(?<!\bbv\.)(?<!\bnr\.)(?<!\bo\.a\.)(?<!\bd\.w\.z\.)"
    r"(?<=[.!?’'”])\s+(?=[A-Z‘'“\[])")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (Dutch punctuation, quotes kept)."""
    parts = [p.strip() for p in SENTENCE_END.split(text) if p.strip()]
    return parts or [text]
