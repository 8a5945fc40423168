"""What the gateway enforces for one tool: risk, timeout, retries, fallbacks, quota, breaker."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from fleetgraph.gateway.breaker import BreakerPolicy

Risk = Literal["low", "medium", "high"]
SideEffect = Literal["none", "ledger", "transactional"]


class TransientToolError(Exception):
    """A failure worth retrying: the same call may succeed in a moment."""


class PermanentToolError(Exception):
    """A failure retrying cannot fix (bad input, missing permission)."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientToolError,
    TimeoutError,
    ConnectionError,
)


@dataclass(frozen=True)
class RetrySpec:
    """Exponential backoff with full jitter, for transient errors only."""

    max_attempts: int = 3
    initial_delay: float = 0.2
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: bool = True
    retry_on: tuple[type[BaseException], ...] = TRANSIENT_ERRORS

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        return random.uniform(0, ceiling) if self.jitter else ceiling

    def is_transient(self, error: BaseException) -> bool:
        return isinstance(error, self.retry_on) and not isinstance(error, PermanentToolError)


@dataclass(frozen=True)
class QuotaSpec:
    """At most `limit` calls per `window_seconds`, per tool and, if set, per user."""

    limit: int
    window_seconds: float = 60.0
    per_user: bool = False


@dataclass(frozen=True)
class ToolPolicy:
    """How the gateway runs one tool. The defaults suit a read-only, low-risk tool."""

    risk: Risk = "low"
    timeout_seconds: float = 30.0
    retry: RetrySpec = field(default_factory=RetrySpec)
    fallbacks: tuple[str, ...] = ()
    """Tools tried in order when this one fails or its breaker is open."""
    quota: QuotaSpec | None = None
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)
    side_effect: SideEffect = "none"
    """`ledger`: the result is recorded so a re-run returns it instead of acting again;
    `transactional`: the tool acts inside the ledger's database transaction."""
