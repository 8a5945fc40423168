"""The in-process `GatewayStore`, for runs without PostgreSQL.

State lives in this object and is guarded by asyncio locks, so it is shared by the tasks of
one event loop only (`current_gateway_store()` keeps one per loop); nothing survives the
process.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from fleetgraph.gateway.quota import check_limit, fixed_window
from fleetgraph.gateway.records import AuditRow, BreakerRecord, LedgerEntry, QuotaResult

DEFAULT_MAX_AUDIT_ROWS = 10_000


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


@dataclass
class MemoryLedgerTransaction:
    """A held ledger slot; `record` stages the row, committed when the block exits normally."""

    thread_id: str
    call_id: str
    tool: str
    existing: LedgerEntry | None
    staged: LedgerEntry | None = None
    connection: None = None

    async def record(self, result: str) -> LedgerEntry:
        if self.existing is not None:
            return self.existing
        if self.staged is None:
            self.staged = LedgerEntry(self.thread_id, self.call_id, self.tool, result, time.time())
        return self.staged


class MemoryGatewayStore:
    """`GatewayStore` in memory. Audit rows beyond `max_audit_rows` drop the oldest."""

    def __init__(self, *, max_audit_rows: int = DEFAULT_MAX_AUDIT_ROWS) -> None:
        self._ledger: dict[tuple[str, str], LedgerEntry] = {}
        self._ledger_locks = KeyedLocks()
        self._audit: deque[AuditRow] = deque(maxlen=max_audit_rows)
        self._breakers: dict[str, BreakerRecord] = {}
        self._breaker_locks = KeyedLocks()
        self._quota: dict[tuple[str, float], tuple[float, int]] = {}

    async def ledger_get(self, thread_id: str, call_id: str) -> LedgerEntry | None:
        return self._ledger.get((thread_id, call_id))

    async def ledger_record(
        self, thread_id: str, call_id: str, tool: str, result: str
    ) -> LedgerEntry:
        async with self.ledger_transaction(thread_id, call_id, tool) as transaction:
            return await transaction.record(result)

    @asynccontextmanager
    async def ledger_transaction(
        self, thread_id: str, call_id: str, tool: str
    ) -> AsyncIterator[MemoryLedgerTransaction]:
        key = (thread_id, call_id)
        async with self._ledger_locks.hold(key):
            transaction = MemoryLedgerTransaction(thread_id, call_id, tool, self._ledger.get(key))
            yield transaction
            if transaction.staged is not None:
                self._ledger[key] = transaction.staged

    async def audit(self, row: AuditRow) -> None:
        # args as PostgreSQL's JSONB column returns them: a copy, JSON types, str() for the rest
        args = json.loads(json.dumps(row.args, default=str))
        self._audit.append(replace(row, args=args))

    async def audit_rows(self, thread_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        rows = [row for row in self._audit if thread_id is None or row.thread_id == thread_id]
        rows.sort(key=lambda row: row.ts)  # stable: equal times keep insertion order
        return rows[-limit:] if limit > 0 else []

    @asynccontextmanager
    async def breaker(self, tool: str) -> AsyncIterator[BreakerRecord]:
        async with self._breaker_locks.hold(tool):
            saved = self._breakers.get(tool) or BreakerRecord(tool)
            record = saved.copy()  # changes are kept only if the block exits normally
            yield record
            self._breakers[tool] = record

    async def quota_take(
        self, key: str, limit: int, window_seconds: float, now: float | None = None
    ) -> QuotaResult:
        check_limit(limit)
        start, reset_in = fixed_window(time.time() if now is None else now, window_seconds)
        window_start, used = self._quota.get((key, window_seconds), (start, 0))
        if window_start != start:
            used = 0  # a new window
        allowed = used < limit
        if allowed:
            used += 1
            self._quota[(key, window_seconds)] = (start, used)
        return QuotaResult(allowed, used, limit, reset_in)
