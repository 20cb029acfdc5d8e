"""Errors that reach a user. Every message is Dutch and names the thing and the fix."""

from __future__ import annotations


class WegwijzerError(Exception):
    """Base class: `str(error)` is a complete Dutch message for the user."""


class CorpusError(WegwijzerError):
    """A publication or the manifest cannot be read; nothing was changed in the index."""


class IndexMissingError(WegwijzerError):
    """There is no index yet in the data directory or Chroma server."""


class EmbedderMismatchError(WegwijzerError):
    """The index was built with another embedder than the one configured now."""


class StoreError(WegwijzerError):
    """The vector store (local Chroma or Chroma server) cannot be reached or used."""


class IndexBusyError(WegwijzerError):
    """Another `index` run holds the data dir's writer lock."""


class IndexTooLargeError(CorpusError):
    """A run would embed more passages than the configured limit; nothing was changed."""
