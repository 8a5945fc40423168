"""What the tool gateway keeps across calls and processes: the `GatewayStore` interface.

Two implementations: `MemoryGatewayStore` (one process, asyncio locks) and
`PostgresGatewayStore` (shared by every process on the database, same database as the
LangGraph checkpoints). `current_gateway_store()` gives the running event loop's store;
`fleetgraph.gateway.postgres_store` re-exports it and its siblings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from weakref import WeakKeyDictionary

from fleetgraph.checkpoints.postgres import postgres_pool, postgres_uri_from_env
from fleetgraph.gateway.memory_store import MemoryGatewayStore
from fleetgraph.gateway.records import AuditRow, BreakerRecord, LedgerEntry, QuotaResult


class LedgerTransaction(Protocol):
    """One tool call's ledger slot, held exclusively until the `ledger_transaction` block ends.

    If `existing` is None the call has not run: run it (write its effect through
    `connection` when there is one, so effect and ledger row commit together) and `record`
    its result. The row becomes visible when the block exits normally; if the block raises,
    nothing is recorded (and on PostgreSQL the effect is rolled back too).
    """

    @property
    def existing(self) -> LedgerEntry | None: ...

    @property
    def connection(self) -> Any | None:
        """The psycopg `AsyncConnection` in the open transaction; None in memory."""
        ...

    async def record(self, result: str) -> LedgerEntry:
        """Write the ledger row; if one exists already, it wins and is returned."""
        ...


@runtime_checkable
class GatewayStore(Protocol):
    """Durable gateway state: tool-call ledger, audit trail, circuit breakers, quotas."""

    async def ledger_get(self, thread_id: str, call_id: str) -> LedgerEntry | None:
        """The recorded result of tool call `call_id` in `thread_id`, if it has run."""
        ...

    async def ledger_record(
        self, thread_id: str, call_id: str, tool: str, result: str
    ) -> LedgerEntry:
        """Record a call's result unless one is recorded already; the first writer wins."""
        ...

    def ledger_transaction(
        self, thread_id: str, call_id: str, tool: str
    ) -> AbstractAsyncContextManager[LedgerTransaction]:
        """Hold the call's ledger slot exclusively (across processes on PostgreSQL)."""
        ...

    async def audit(self, row: AuditRow) -> None:
        """Append one audit row."""
        ...

    async def audit_rows(self, thread_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        """The latest `limit` rows (of `thread_id`, or of all threads), oldest first."""
        ...

    def breaker(self, tool: str) -> AbstractAsyncContextManager[BreakerRecord]:
        """The tool's breaker record, locked for read-modify-write; saved when the block
        exits normally, discarded when it raises. Keep the block short: no tool calls in it."""
        ...

    async def quota_take(
        self, key: str, limit: int, window_seconds: float, now: float | None = None
    ) -> QuotaResult:
        """Take one unit of `key`'s fixed-window quota, atomically; a denied take is free."""
        ...


@dataclass
class _LoopStores:
    configured: GatewayStore | None = None  # set by use_gateway_store
    lazy: GatewayStore | None = None  # created by current_gateway_store


_STORES: WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopStores] = WeakKeyDictionary()


def _loop_stores() -> _LoopStores:
    return _STORES.setdefault(asyncio.get_running_loop(), _LoopStores())


@asynccontextmanager
async def open_gateway_store(
    postgres_uri: str | None, *, source: str = "--postgres", max_size: int = 20
) -> AsyncIterator[GatewayStore]:
    """A PostgreSQL store with its tables set up, on a pool closed on exit; in memory for None.

    An unreachable database raises `CheckpointerUnavailableError` naming `source`.
    """
    from fleetgraph.gateway.postgres_store import PostgresGatewayStore  # it imports this module

    if not postgres_uri:
        yield MemoryGatewayStore()
        return
    async with postgres_pool(postgres_uri, max_size=max_size, source=source) as pool:
        store = PostgresGatewayStore(pool)
        await store.setup()
        yield store


@contextmanager
def use_gateway_store(store: GatewayStore) -> Iterator[GatewayStore]:
    """Make `store` the running event loop's gateway store inside the block (loop-wide, not
    per task); the previous choice comes back on exit."""
    stores = _loop_stores()
    previous, stores.configured = stores.configured, store
    try:
        yield store
    finally:
        stores.configured = previous


def current_gateway_store() -> GatewayStore:
    """The running loop's store: the one `use_gateway_store` set, else one made on first call.

    The one made is PostgreSQL when `POSTGRES_URI` / `DATABASE_URI` is set (it connects, and
    sets up its tables, on first use, and closes its pool when the loop shuts down or on
    `close_gateway_stores()`), else a `MemoryGatewayStore` for this loop. No I/O happens here.
    """
    from fleetgraph.gateway.postgres_store import PostgresGatewayStore  # it imports this module

    stores = _loop_stores()
    if stores.configured is not None:
        return stores.configured
    if stores.lazy is None:
        if from_env := postgres_uri_from_env():
            uri, source = from_env
            stores.lazy = PostgresGatewayStore(uri=uri, source=source)
        else:
            stores.lazy = MemoryGatewayStore()
    return stores.lazy


async def close_gateway_stores() -> None:
    """Close and forget the running loop's store made by `current_gateway_store`; the next
    call makes a new one (reading the environment again)."""
    from fleetgraph.gateway.postgres_store import PostgresGatewayStore  # it imports this module

    stores = _STORES.get(asyncio.get_running_loop())
    if stores is None:
        return
    lazy, stores.lazy = stores.lazy, None
    if isinstance(lazy, PostgresGatewayStore):
        await lazy.aclose()
