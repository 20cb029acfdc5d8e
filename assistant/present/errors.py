"""What went wrong, as the Dutch message every face shows. An unreachable index is an outage
(one log line); anything but a WegwijzerError is a bug (the traceback in the log)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from common.errors import EmbedderMismatchError, IndexMissingError, StoreError, WegwijzerError
from indexing.store import connection_lost

from ..conversation import QuestionError

log = logging.getLogger("wegwijzer")

INDEX_UNREACHABLE = (
    "De index is op dit moment niet bereikbaar. Probeer het over een paar minuten opnieuw; aan "
    "uw vraag ligt het niet."
)
GENERIC_ERROR = (
    "Er ging iets mis bij het beantwoorden van uw vraag. Probeer het nog eens of stel de vraag "
    "anders. De fout is vastgelegd voor de beheerder."
)


@dataclass(frozen=True)
class Problem:
    """What went wrong, for the user: the Dutch message and how an API reports it."""

    message: str
    status: int  # HTTP status: 400 the request, 503 the index, 500 a bug
    code: str  # OpenAI-style error code

    @property
    def server_side(self) -> bool:
        return self.status >= 500


def describe(error: BaseException, question: str = "") -> Problem:
    """The Problem for an error raised while answering `question`; logs outages and bugs."""
    if isinstance(error, QuestionError):
        return Problem(str(error), 400, "invalid_question")
    if isinstance(error, (StoreError, IndexMissingError, EmbedderMismatchError)):
        return Problem(str(error), 503, "index_unavailable")
    if isinstance(error, WegwijzerError):
        return Problem(str(error), 400, "invalid_request")
    if connection_lost(error):
        log.error("Index niet bereikbaar bij het beantwoorden (%s: %s)", type(error).__name__,
                  str(error).splitlines()[0][:200] if str(error) else "")
        return Problem(INDEX_UNREACHABLE, 503, "index_unavailable")
    log.error("Fout bij het beantwoorden van %r", question, exc_info=error)
    return Problem(GENERIC_ERROR, 500, "internal_error")
