"""Judging cases ahead while the service is idle: one background thread.

A prison's view (:mod:`.prison`) can judge a case's next stretch of open work
before any request asks for it. This thread does that, one stretch at a time,
only while no request is being worked on: each request marks the service busy
from its start to the end of its answer (:meth:`LookAhead.busy`, entered by the
outermost ASGI middleware, :class:`.api.Busy`), and the thread waits for the
last to end and then for a quiet spell (``QUIET_SECONDS``, a timed wait) before
it judges again, one stretch (about half a millisecond) at a time. A request
that arrives meanwhile gets the interpreter's lock by the interpreter's own
switching (within its switch interval, 5 ms). The thread must not hand the
lock over itself between stretches (``os.sched_yield``, ``time.sleep(0)``): a
thread that drops and at once retakes the lock keeps a waiting thread's forced
switch from ever firing, and requests waited hundreds of milliseconds for it
(measured). When no view has anything left to judge, it sleeps until the next
request ends. It never reads the store, writes nothing but the views' look
ahead, and reads no clock (its only timing is that wait): what it judges is
fixed by the events and the instants the views hold, so it changes when work
is done, never a result.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["LookAhead"]

log = logging.getLogger("samarbeid_rules.service")

#: after a request ends, the thread judges ahead only once no other request has come for this long:
#: under steady traffic (requests back to back, posts by the hundred a second) it stays out of the
#: way, and the requests judge what they need themselves
QUIET_SECONDS = 0.02


class LookAhead:
    """The look-ahead thread of one service (``cases``: its :class:`.cases.Cases`), started with
    the first request. It is a daemon: it holds nothing to release (it never touches the store),
    and ends with the process."""

    def __init__(self, cases: Any) -> None:
        self._cases = cases
        self._cond = threading.Condition()
        self._busy = 0  # requests being worked on
        self._ended = 0  # requests ended so far: a new end may have left the views more to judge
        self._thread: threading.Thread | None = None

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Mark a request being worked on (the thread waits meanwhile)."""
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="samarbeid-look-ahead", daemon=True)
                self._thread.start()
            self._busy += 1
        try:
            yield
        finally:
            with self._cond:
                self._busy -= 1
                self._ended += 1
                if not self._busy:
                    self._cond.notify()

    def _run(self) -> None:
        seen = 0  # the requests ended when the views were last found with nothing to judge
        last = 0  # the requests ended before the last stretch judged
        while True:
            with self._cond:
                while True:
                    if self._busy or self._ended == seen:
                        self._cond.wait()  # a request under way, or nothing new to judge
                    elif self._ended != last:  # a request ended since: wait for a quiet spell
                        last = self._ended
                        self._cond.wait(QUIET_SECONDS)  # cut short by the next request's end
                    else:
                        break
                ended = self._ended
            try:
                more = self._cases.look_ahead()
            except Exception as exc:  # an optimisation only: a request then judges the case itself
                log.error("internal error %s in look_ahead", type(exc).__name__)
                more = False
            if not more:
                seen = ended
