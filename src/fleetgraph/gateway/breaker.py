"""Circuit-breaker logic on a `BreakerRecord`: pure functions, no clock, no storage.

A store hands out the record locked (`GatewayStore.breaker`), the caller applies `admit`
before a call and `record_outcome` after it, each in its own short lock, never holding the
lock while the tool runs. `now` must be wall-clock time (`time.time()`) when processes share
the record.

closed --(error rate >= threshold over >= min_calls)--> open --(cooldown)--> half_open,
where exactly one probe call runs: success closes (window cleared), failure re-opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.records import BreakerRecord

Transition = Literal["opened", "closed"]


@dataclass(frozen=True)
class BreakerPolicy:
    """When a tool's breaker opens and how long it stays open.

    `probe_timeout_seconds`: a half-open probe that has not reported back after this long is
    presumed lost (crashed process, cancelled call) and another probe is let through, so a
    lost probe cannot keep a tool shut for good.
    """

    error_rate: float = 0.5
    min_calls: int = 5
    window: int = 20
    cooldown_seconds: float = 30.0
    probe_timeout_seconds: float = 120.0

    def __post_init__(self) -> None:
        if not 0.0 < self.error_rate <= 1.0:
            raise ConfigurationError("error_rate must be above 0 and at most 1.")
        if self.min_calls < 1:
            raise ConfigurationError("min_calls must be at least 1.")
        if self.window < self.min_calls:
            raise ConfigurationError("window must be at least min_calls.")
        if self.cooldown_seconds < 0 or self.probe_timeout_seconds <= 0:
            raise ConfigurationError("cooldown_seconds must be >= 0 and probe_timeout_seconds > 0.")


def admit(record: BreakerRecord, policy: BreakerPolicy, now: float) -> tuple[bool, bool]:
    """(whether the call may run, whether `record` changed and must be saved)."""
    if record.state == "closed":
        return True, False
    if record.state == "open":
        if record.opened_at is not None and now - record.opened_at < policy.cooldown_seconds:
            return False, False
        record.state = "half_open"
        _start_probe(record, now)
        return True, True
    started = record.probe_started_at  # None while in flight: age unknown, presumed lost
    probe_alive = started is not None and now - started < policy.probe_timeout_seconds
    if record.probe_in_flight and probe_alive:
        return False, False
    _start_probe(record, now)
    return True, True


def record_outcome(
    record: BreakerRecord, policy: BreakerPolicy, ok: bool, now: float
) -> Transition | None:
    """Count one finished call; the transition it caused, if any.

    While open, outcomes are ignored: they are calls admitted before the breaker opened. While
    half-open the outcome is taken as the probe's (calls carry no identity to tell a late
    call from the probe).
    """
    if record.state == "closed":
        record.outcomes.append(ok)
        del record.outcomes[: -policy.window]
        failures = record.outcomes.count(False)
        if (
            len(record.outcomes) >= policy.min_calls
            and failures / len(record.outcomes) >= policy.error_rate
        ):
            _open(record, now)
            return "opened"
        return None
    if record.state == "open":
        return None
    if ok:
        record.state = "closed"
        record.outcomes.clear()
        record.opened_at = None
        _end_probe(record)
        return "closed"
    _open(record, now)
    return "opened"


def _open(record: BreakerRecord, now: float) -> None:
    record.state = "open"
    record.opened_at = now
    _end_probe(record)


def _start_probe(record: BreakerRecord, now: float) -> None:
    record.probe_in_flight = True
    record.probe_started_at = now


def _end_probe(record: BreakerRecord) -> None:
    record.probe_in_flight = False
    record.probe_started_at = None
