"""The look-ahead thread (_service/ahead.py): it judges only while no request is being worked on and
none has come for a quiet spell, goes on while there is something left to judge, then sleeps until
the next request ends."""

from __future__ import annotations

import threading

from samarbeid_rules._service.ahead import LookAhead


class _Cases:
    def __init__(self, left: int) -> None:
        self.left, self.calls = left, 0
        self.busy_seen = False
        self.ahead: LookAhead | None = None
        self.done = threading.Event()

    def look_ahead(self) -> bool:
        self.calls += 1
        if self.ahead is not None and self.ahead._busy:
            self.busy_seen = True
        if self.left == 0:
            self.done.set()
            return False
        self.left -= 1
        return True


def test_it_judges_only_between_requests_and_sleeps_when_nothing_is_left():
    cases = _Cases(left=50)
    ahead = LookAhead(cases)
    cases.ahead = ahead
    with ahead.busy():  # the first request starts the thread; it waits while the request runs
        assert cases.calls == 0
    assert cases.done.wait(10)
    assert cases.left == 0 and cases.calls == 51 and not cases.busy_seen
    # nothing left: no further call until another request has ended
    cases.done.clear()
    with ahead.busy():
        assert cases.calls == 51
    assert cases.done.wait(10) and cases.calls == 52


def test_a_request_under_way_holds_it():
    """Two requests overlapping: the thread waits for the last to end."""
    cases = _Cases(left=5)
    ahead = LookAhead(cases)
    cases.ahead = ahead
    first, second = ahead.busy(), ahead.busy()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not cases.done.wait(0.3) and cases.calls == 0  # the second is still under way
    second.__exit__(None, None, None)
    assert cases.done.wait(10) and cases.calls == 6 and not cases.busy_seen


def test_a_fault_in_a_look_ahead_is_logged_by_type_and_the_thread_goes_on(caplog):
    class Faulty(_Cases):
        def look_ahead(self) -> bool:
            self.calls += 1
            if self.calls == 1:
                self.first.set()
                raise KeyError("case-secret-value")
            self.done.set()
            return False

    cases = Faulty(left=0)
    cases.first = threading.Event()
    ahead = LookAhead(cases)
    with caplog.at_level("ERROR", logger="samarbeid_rules.service"):
        with ahead.busy():
            pass
        assert cases.first.wait(10)
        with ahead.busy():  # the fault ended the round; the next request's end starts another
            pass
        assert cases.done.wait(10)
    assert "KeyError" in caplog.text and "case-secret-value" not in caplog.text


def test_under_steady_traffic_it_stays_out_of_the_way(monkeypatch):
    """Requests following each other closer than the quiet spell keep the thread waiting; once they
    stop, it judges."""
    import time

    from samarbeid_rules._service import ahead as module

    monkeypatch.setattr(module, "QUIET_SECONDS", 0.5)
    cases = _Cases(left=3)
    ahead = LookAhead(cases)
    for _ in range(30):
        with ahead.busy():
            pass
        time.sleep(0.001)
    assert cases.calls == 0
    assert cases.done.wait(10) and cases.calls == 4
