"""Plug-ins by name (embedders, retrievers, rerankers, answerers), registered with
`@RETRIEVERS.register("bm25")`; an unknown name is a Dutch error listing the known ones."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

from common.errors import WegwijzerError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named plug-ins of one kind ('zoekmethode', 'antwoorder', …)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = entry
            return entry

        return add

    def get(self, name: str, hint: str = "") -> T:
        """The plug-in registered as `name`; else a Dutch error naming the known ones and
        `hint` (how to choose)."""
        if name not in self._entries:
            raise WegwijzerError(f"Onbekende {self.kind} '{name}'. Kies uit: "
                                 f"{', '.join(sorted(self._entries))}.{' ' + hint if hint else ''}")
        return self._entries[name]

    def names(self) -> list[str]:
        return list(self._entries)
