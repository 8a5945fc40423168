"""The fleet manager: runs worker tasks with a concurrency limit, watches and restarts them.

Every worker run in fleetgraph goes through `FleetManager.run`, so the limits hold across
all graphs a process runs: at most `max_concurrency` workers at once, a worker that stops
making progress (no heartbeat for `stuck_after` seconds) or runs past `timeout` is
cancelled, and a failed run is restarted up to `restarts` times before the failure is
reported. Interrupts (approval gates) are not failures: they pass straight through.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar
from weakref import WeakKeyDictionary

from fleetgraph.errors import must_propagate
from fleetgraph.events import emit

T = TypeVar("T")
Heartbeat = Callable[[], None]
LATENCY_WINDOW = 1000


class WorkerStuckError(TimeoutError):
    """A worker made no progress (no model or tool call) for too long and was cancelled."""


class WorkerTimeoutError(TimeoutError):
    """A worker ran past its wall-clock limit and was cancelled."""


@dataclass
class TrackedRun:
    """One worker run the fleet is watching."""

    run_id: int
    worker: str
    attempt: int
    started: float
    last_heartbeat: float
    status: Literal["running", "ok", "failed", "cancelled"] = "running"

    def beat(self) -> None:
        self.last_heartbeat = time.monotonic()


@dataclass
class FleetHealth:
    """A snapshot of the fleet: what runs now and how runs have gone."""

    running: int
    waiting: int
    completed: int
    failed: int
    restarted: int
    cancelled: int
    latency_avg_ms: float | None
    latency_p95_ms: float | None
    running_workers: list[str] = field(default_factory=list)


class FleetManager:
    def __init__(
        self,
        *,
        max_concurrency: int = 4,
        restarts: int = 1,
        stuck_after: float = 60.0,
        timeout: float = 120.0,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.restarts = restarts
        self.stuck_after = stuck_after
        self.timeout = timeout
        self._slots = asyncio.Semaphore(max_concurrency)
        self._ids = itertools.count(1)
        self._running: dict[int, TrackedRun] = {}
        self._waiting = 0
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self._counts = {"completed": 0, "failed": 0, "restarted": 0, "cancelled": 0}

    async def run(self, worker: str, job: Callable[[Heartbeat], Awaitable[T]]) -> T:
        """Run `job` for `worker` under the fleet's limits; restart it if it fails.

        `job` receives a heartbeat to call whenever it makes progress. Raises the last
        attempt's error when every attempt failed.
        """
        for attempt in range(self.restarts + 1):
            try:
                result = await self._attempt(worker, attempt, job)
            except Exception as error:
                if must_propagate(error):
                    raise
                if attempt == self.restarts:
                    self._counts["failed"] += 1
                    emit("fleet_health", worker, **asdict(self.health()))
                    raise
                self._counts["restarted"] += 1
                emit("worker_restarted", worker, attempt=attempt + 1, error=_describe(error))
            else:
                emit("fleet_health", worker, **asdict(self.health()))
                return result
        raise AssertionError("unreachable")

    def health(self) -> FleetHealth:
        latencies = sorted(self._latencies)
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else None
        return FleetHealth(
            running=len(self._running),
            waiting=self._waiting,
            completed=self._counts["completed"],
            failed=self._counts["failed"],
            restarted=self._counts["restarted"],
            cancelled=self._counts["cancelled"],
            latency_avg_ms=sum(latencies) / len(latencies) if latencies else None,
            latency_p95_ms=p95,
            running_workers=sorted(run.worker for run in self._running.values()),
        )

    async def _attempt(
        self, worker: str, attempt: int, job: Callable[[Heartbeat], Awaitable[T]]
    ) -> T:
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        now = time.monotonic()
        run = TrackedRun(next(self._ids), worker, attempt, started=now, last_heartbeat=now)
        self._running[run.run_id] = run
        try:
            result = await self._watch(run, asyncio.ensure_future(job(run.beat)))
        except BaseException:
            run.status = "cancelled" if run.status == "cancelled" else "failed"
            raise
        else:
            run.status = "ok"
            self._counts["completed"] += 1
            self._latencies.append((time.monotonic() - run.started) * 1000)
            return result
        finally:
            del self._running[run.run_id]
            self._slots.release()

    async def _watch(self, run: TrackedRun, task: asyncio.Future[T]) -> T:
        """Wait for `task`, cancelling it when it is stuck or past its timeout.

        It sleeps until the nearer of the two deadlines rather than polling; a heartbeat in
        the meantime only moves the stuck deadline, checked on waking.
        """
        try:
            while True:
                deadline = min(run.started + self.timeout, run.last_heartbeat + self.stuck_after)
                done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - time.monotonic()))
                if done:
                    return task.result()
                now = time.monotonic()
                if now - run.started >= self.timeout:
                    limit = WorkerTimeoutError(f"{run.worker} ran past its {self.timeout:g}s limit")
                    raise await self._cancel(run, task, limit)
                if now - run.last_heartbeat >= self.stuck_after:
                    stuck = WorkerStuckError(
                        f"{run.worker} made no progress for {self.stuck_after:g}s"
                    )
                    raise await self._cancel(run, task, stuck)
        except asyncio.CancelledError:
            task.cancel()
            raise

    async def _cancel(
        self, run: TrackedRun, task: asyncio.Future[Any], reason: TimeoutError
    ) -> TimeoutError:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        run.status = "cancelled"
        self._counts["cancelled"] += 1
        emit("worker_cancelled", run.worker, reason=str(reason))
        return reason


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


_FLEETS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, ...], FleetManager]] = (
    WeakKeyDictionary()
)


def fleet_for(
    *, max_concurrency: int, restarts: int, stuck_after: float, timeout: float
) -> FleetManager:
    """The running event loop's fleet for these limits, shared by every graph it runs."""
    loop = asyncio.get_running_loop()
    fleets = _FLEETS.setdefault(loop, {})
    key = (max_concurrency, restarts, stuck_after, timeout)
    if key not in fleets:
        fleets[key] = FleetManager(
            max_concurrency=max_concurrency,
            restarts=restarts,
            stuck_after=stuck_after,
            timeout=timeout,
        )
    return fleets[key]
