"""Circuit-breaker logic on a record, with an injected clock."""

from __future__ import annotations

import pytest

from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.breaker import BreakerPolicy, admit, record_outcome
from fleetgraph.gateway.records import BreakerRecord

POLICY = BreakerPolicy(error_rate=0.5, min_calls=4, window=10, cooldown_seconds=30.0)


def opened_at(now: float) -> BreakerRecord:
    record = BreakerRecord("search")
    for ok in (False, False, False, False):
        record_outcome(record, POLICY, ok, now)
    assert (record.state, record.opened_at) == ("open", now)
    return record


def test_a_closed_breaker_admits_without_changing_the_record():
    record = BreakerRecord("search")
    assert admit(record, POLICY, 0.0) == (True, False)
    assert record == BreakerRecord("search")


def test_it_opens_at_the_threshold_only_once_min_calls_are_in():
    record = BreakerRecord("search")
    transitions = [record_outcome(record, POLICY, ok, 1.0) for ok in (False, False, False)]
    assert transitions == [None, None, None] and record.state == "closed"  # 3 of min 4

    assert record_outcome(record, POLICY, True, 2.0) == "opened"  # 3 failures of 4 >= 50%
    assert (record.state, record.opened_at, record.probe_in_flight) == ("open", 2.0, False)


def test_exactly_the_error_rate_opens_and_below_it_does_not():
    below = BreakerRecord("a")
    for ok in (True, True, True, False, True):
        assert record_outcome(below, POLICY, ok, 0.0) is None
    at = BreakerRecord("b")
    results = [record_outcome(at, POLICY, ok, 0.0) for ok in (True, True, False, False)]
    assert results == [None, None, None, "opened"]


def test_the_window_keeps_only_recent_outcomes():
    policy = BreakerPolicy(error_rate=0.9, min_calls=2, window=3)
    record = BreakerRecord("search")
    for ok in (False, True, True, True):
        record_outcome(record, policy, ok, 0.0)
    assert record.outcomes == [True, True, True]


def test_an_open_breaker_fails_fast_until_the_cooldown_passes():
    record = opened_at(100.0)
    for now in (100.0, 110.0, 129.9):
        assert admit(record, POLICY, now) == (False, False)
    assert record.state == "open"


def test_after_the_cooldown_exactly_one_probe_is_let_through():
    record = opened_at(100.0)

    assert admit(record, POLICY, 130.0) == (True, True)
    assert (record.state, record.probe_in_flight, record.probe_started_at) == (
        "half_open",
        True,
        130.0,
    )
    assert admit(record, POLICY, 131.0) == (False, False)
    assert admit(record, POLICY, 200.0) == (False, False)


def test_a_successful_probe_closes_and_clears_the_window():
    record = opened_at(100.0)
    admit(record, POLICY, 130.0)

    assert record_outcome(record, POLICY, True, 131.0) == "closed"
    assert record == BreakerRecord("search")  # closed, empty window, no probe
    assert admit(record, POLICY, 131.0) == (True, False)


def test_a_failed_probe_reopens_with_a_new_cooldown():
    record = opened_at(100.0)
    admit(record, POLICY, 130.0)

    assert record_outcome(record, POLICY, False, 131.0) == "opened"
    assert (record.state, record.opened_at, record.probe_in_flight) == ("open", 131.0, False)
    assert admit(record, POLICY, 160.0) == (False, False)
    assert admit(record, POLICY, 161.0) == (True, True)


def test_outcomes_of_calls_admitted_before_opening_are_ignored_while_open():
    record = opened_at(100.0)
    before = record.copy()
    assert record_outcome(record, POLICY, True, 101.0) is None
    assert record == before


def test_a_lost_probe_is_replaced_after_the_probe_timeout():
    policy = BreakerPolicy(min_calls=1, cooldown_seconds=10.0, probe_timeout_seconds=60.0)
    record = BreakerRecord("search")
    record_outcome(record, policy, False, 0.0)
    assert admit(record, policy, 10.0) == (True, True)  # this probe never reports back

    assert admit(record, policy, 69.0) == (False, False)
    assert admit(record, policy, 70.0) == (True, True)
    assert record.probe_started_at == 70.0


@pytest.mark.parametrize(
    "settings",
    [
        {"error_rate": 0.0},
        {"error_rate": 1.5},
        {"min_calls": 0},
        {"min_calls": 5, "window": 4},
        {"cooldown_seconds": -1.0},
        {"probe_timeout_seconds": 0.0},
    ],
)
def test_unusable_policies_are_refused(settings):
    with pytest.raises(ConfigurationError):
        BreakerPolicy(**settings)


def test_a_probe_of_unknown_age_is_presumed_lost():
    record = BreakerRecord("search", state="half_open", probe_in_flight=True)
    assert admit(record, POLICY, 500.0) == (True, True)
    assert record.probe_started_at == 500.0
