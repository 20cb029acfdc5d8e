"""Waiting in tests: for a readiness signal, never for a fixed time.

A test that needs something to happen (a server answering, a line in a process's output, a file
appearing, a condition on a stub) waits for exactly that, checking every ``POLL_S`` seconds. The
one bound on any such wait is ``READY_CEILING_S``: it is generous on purpose (the machine may be
shared and heavily loaded) and exists only so that a hung process cannot hang CI forever. It is
never a statement about how fast anything should be.

``READY_CEILING_S`` is 30 minutes unless the environment variable ``WEGWIJZER_TEST_READY_CEILING_S``
says otherwise (seconds). It is read once, when the tests are imported, so the conftest fixture
that removes ``WEGWIJZER_*`` variables for each test does not affect it.
"""

from __future__ import annotations

import os
import time
from typing import Callable, TypeVar

T = TypeVar("T")

CEILING_VARIABLE = "WEGWIJZER_TEST_READY_CEILING_S"
READY_CEILING_S = float(os.environ.get(CEILING_VARIABLE) or 30 * 60)
# The same ceiling for Playwright, which counts in milliseconds.
READY_CEILING_MS = int(READY_CEILING_S * 1000)
POLL_S = 0.1


def wait_until(condition: Callable[[], T], what: str, *, poll_s: float = POLL_S,
               ceiling_s: float | None = None) -> T:
    """Call `condition` every `poll_s` seconds until it returns something truthy; return that.

    `what` names the awaited event for the failure message. `condition` may raise to stop the
    wait early (for instance when the process it waits for has exited). Tests leave `ceiling_s`
    alone (READY_CEILING_S); only the benchmarks, which measure speed, pass their own bound."""
    ceiling = READY_CEILING_S if ceiling_s is None else ceiling_s
    deadline = time.monotonic() + ceiling
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            hint = f" (the ceiling for any wait in the tests; {CEILING_VARIABLE} sets it)" \
                if ceiling_s is None else ""
            raise AssertionError(f"{what}: still not so after {ceiling:.0f} s{hint}")
        time.sleep(poll_s)
