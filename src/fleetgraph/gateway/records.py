"""The tool gateway's stored records: ledger entries, audit rows, breaker state, quota takes.

Times are seconds since the epoch (`time.time()`), in every backend, so records written by
different processes compare; PostgreSQL keeps them as DOUBLE PRECISION (`to_timestamp(ts)`
reads one as a timestamp).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

BreakerState = Literal["closed", "open", "half_open"]
Approval = Literal["approved", "edited", "rejected"]


@dataclass(frozen=True)
class LedgerEntry:
    """A tool call that has run: its result is returned, not re-run, when the call is replayed."""

    thread_id: str
    call_id: str
    tool: str
    result: str
    created_at: float


@dataclass(frozen=True)
class AuditRow:
    """One tool call as the gateway saw it: who asked, with what, what came back, who approved."""

    thread_id: str
    run_id: str | None
    worker: str
    tool: str
    args: dict[str, Any]
    result: str | None
    error: str | None
    latency_ms: float
    risk: str
    approval: Approval | None = None
    approver: str | None = None
    user_id: str | None = None
    answered_by: str | None = None  # the fallback tool that answered, when not `tool`
    ts: float = field(default_factory=time.time)


@dataclass
class BreakerRecord:
    """A tool's circuit breaker, changed in place by `fleetgraph.gateway.breaker`.

    `outcomes` is the recent window of call results (True = ok). `probe_started_at` lets a
    probe that never reports back (its process died, its call was cancelled) be replaced.
    """

    tool: str
    state: BreakerState = "closed"
    outcomes: list[bool] = field(default_factory=list)
    opened_at: float | None = None
    probe_in_flight: bool = False
    probe_started_at: float | None = None

    def copy(self) -> BreakerRecord:
        return replace(self, outcomes=list(self.outcomes))


@dataclass(frozen=True)
class QuotaResult:
    """The answer to one quota take: `used` counts this take when it was allowed."""

    allowed: bool
    used: int
    limit: int
    reset_in: float
