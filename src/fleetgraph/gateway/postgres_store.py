"""The PostgreSQL `GatewayStore`.

Every process on the database shares the ledger, audit trail, breakers and quotas. Mutual
exclusion is the database's: a transaction-scoped advisory lock per tool call for the
ledger, `SELECT ... FOR UPDATE` for breakers, one atomic upsert per quota take. Times are
epoch seconds in DOUBLE PRECISION columns, so rows round-trip exactly.

`current_gateway_store` and its siblings (defined in `store.py`) can be imported from here.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass, fields
from functools import partial
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from fleetgraph.checkpoints.postgres import postgres_pool
from fleetgraph.gateway.quota import check_limit, fixed_window
from fleetgraph.gateway.records import AuditRow, BreakerRecord, LedgerEntry, QuotaResult

# Where the gateway's middleware looks for them; defined in store.py with the interface.
from fleetgraph.gateway.store import (  # noqa: F401
    close_gateway_stores,
    current_gateway_store,
    open_gateway_store,
    use_gateway_store,
)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS fleetgraph_tool_ledger (
        thread_id TEXT NOT NULL, call_id TEXT NOT NULL, tool TEXT NOT NULL,
        result TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (thread_id, call_id))""",
    """CREATE TABLE IF NOT EXISTS fleetgraph_audit (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        thread_id TEXT NOT NULL, run_id TEXT, worker TEXT NOT NULL, tool TEXT NOT NULL,
        args JSONB NOT NULL, result TEXT, error TEXT, latency_ms DOUBLE PRECISION NOT NULL,
        risk TEXT NOT NULL, approval TEXT CHECK (approval IN ('approved', 'edited', 'rejected')),
        approver TEXT, user_id TEXT, answered_by TEXT, ts DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS fleetgraph_audit_ts ON fleetgraph_audit (ts, id)",
    "CREATE INDEX IF NOT EXISTS fleetgraph_audit_thread_ts ON fleetgraph_audit (thread_id, ts, id)",
    """CREATE TABLE IF NOT EXISTS fleetgraph_breakers (
        tool TEXT PRIMARY KEY,
        state TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
        outcomes JSONB NOT NULL DEFAULT '[]', opened_at DOUBLE PRECISION,
        probe_in_flight BOOLEAN NOT NULL DEFAULT false, probe_started_at DOUBLE PRECISION,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS fleetgraph_quota (
        key TEXT NOT NULL, window_seconds DOUBLE PRECISION NOT NULL,
        window_start DOUBLE PRECISION NOT NULL, used INTEGER NOT NULL,
        PRIMARY KEY (key, window_seconds, window_start))""",
)
AUDIT_COLUMNS = tuple(f.name for f in fields(AuditRow))
AUDIT_INSERT = (
    f"INSERT INTO fleetgraph_audit ({', '.join(AUDIT_COLUMNS)}) "
    f"VALUES ({', '.join(f'%({name})s' for name in AUDIT_COLUMNS)})"
)
LATEST_FIRST = "ORDER BY ts DESC, id DESC LIMIT %(limit)s"
LEDGER_COLUMNS = "thread_id, call_id, tool, result, created_at"
BREAKER_COLUMNS = "tool, state, outcomes, opened_at, probe_in_flight, probe_started_at"
BREAKER_UPDATE = (
    "UPDATE fleetgraph_breakers SET state = %(state)s, outcomes = %(outcomes)s, "
    "opened_at = %(opened_at)s, probe_in_flight = %(probe_in_flight)s, "
    "probe_started_at = %(probe_started_at)s, updated_at = now() WHERE tool = %(tool)s"
)
_json = partial(json.dumps, default=str)  # audit args may hold values JSON cannot encode


def lock_key(*parts: str) -> int:
    """A signed 64-bit advisory-lock key for `parts`, the same in every process."""
    digest = hashlib.blake2b(json.dumps(["fleetgraph", *parts]).encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


SETUP_LOCK = lock_key("gateway-setup")


@dataclass
class PostgresLedgerTransaction:
    """A held ledger slot: `connection` is in the transaction that holds the lock."""

    connection: AsyncConnection[Any]
    thread_id: str
    call_id: str
    tool: str
    existing: LedgerEntry | None
    recorded: LedgerEntry | None = None

    async def record(self, result: str) -> LedgerEntry:
        if self.existing is not None:
            return self.existing
        if self.recorded is None:
            self.recorded = await _insert_ledger(
                self.connection, self.thread_id, self.call_id, self.tool, result
            )
        return self.recorded


class PostgresGatewayStore:
    """`GatewayStore` on a psycopg pool (call `setup()` once), or, given `uri` instead, on
    a pool of its own that it opens and sets up on first use (`source` names where the URI
    came from in the unreachable-database error) and closes on `aclose()`.
    """

    def __init__(
        self,
        pool: AsyncConnectionPool | None = None,
        *,
        uri: str | None = None,
        source: str = "--postgres",
    ) -> None:
        if (pool is None) == (uri is None):
            raise ValueError("PostgresGatewayStore takes a pool or a uri, not both or neither")
        self._pool = pool
        self._uri = None if uri is None else (uri, source)
        self._open_lock = asyncio.Lock()
        self._stack: AsyncExitStack | None = None  # holds the pool opened from `uri`

    async def setup(self) -> None:
        """Create the tables; idempotent, and safe when processes run it at once."""
        async with self._connection() as conn:
            await _create_schema(conn)

    async def ledger_get(self, thread_id: str, call_id: str) -> LedgerEntry | None:
        async with self._connection() as conn:
            return await _select_ledger(conn, thread_id, call_id)

    async def ledger_record(
        self, thread_id: str, call_id: str, tool: str, result: str
    ) -> LedgerEntry:
        async with self.ledger_transaction(thread_id, call_id, tool) as transaction:
            return await transaction.record(result)

    @asynccontextmanager
    async def ledger_transaction(
        self, thread_id: str, call_id: str, tool: str
    ) -> AsyncIterator[PostgresLedgerTransaction]:
        async with self._connection() as conn, conn.transaction():
            key = lock_key("ledger", thread_id, call_id)
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            existing = await _select_ledger(conn, thread_id, call_id)
            yield PostgresLedgerTransaction(conn, thread_id, call_id, tool, existing)

    async def audit(self, row: AuditRow) -> None:
        values = {name: getattr(row, name) for name in AUDIT_COLUMNS}
        values["args"] = Jsonb(row.args, dumps=_json)
        async with self._connection() as conn:
            await conn.execute(AUDIT_INSERT, values)

    async def audit_rows(self, thread_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        where = "" if thread_id is None else "WHERE thread_id = %(thread_id)s"
        query = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM fleetgraph_audit {where} {LATEST_FIRST}"
        async with self._connection() as conn:
            cursor = conn.cursor(row_factory=dict_row)
            await cursor.execute(query, {"thread_id": thread_id, "limit": max(0, limit)})
            rows = await cursor.fetchall()
        return [AuditRow(**row) for row in reversed(rows)]

    @asynccontextmanager
    async def breaker(self, tool: str) -> AsyncIterator[BreakerRecord]:
        select = f"SELECT {BREAKER_COLUMNS} FROM fleetgraph_breakers WHERE tool = %s FOR UPDATE"
        async with self._connection() as conn, conn.transaction():
            cursor = conn.cursor(row_factory=dict_row)
            row = await (await cursor.execute(select, (tool,))).fetchone()
            if row is None:
                await conn.execute(
                    "INSERT INTO fleetgraph_breakers (tool) VALUES (%s) ON CONFLICT DO NOTHING",
                    (tool,),
                )
                row = await (await cursor.execute(select, (tool,))).fetchone()
            assert row is not None, "the row was just inserted"
            saved = BreakerRecord(**row)
            record = saved.copy()
            yield record
            if record != saved:
                values = {**asdict(record), "tool": tool, "outcomes": Jsonb(record.outcomes)}
                await conn.execute(BREAKER_UPDATE, values)

    async def quota_take(
        self, key: str, limit: int, window_seconds: float, now: float | None = None
    ) -> QuotaResult:
        check_limit(limit)
        start, reset_in = fixed_window(time.time() if now is None else now, window_seconds)
        params = {"key": key, "seconds": window_seconds, "start": start, "limit": limit}
        async with self._connection() as conn:
            cursor = conn.cursor(row_factory=dict_row)
            if limit > 0:  # a fresh window inserts used = 1, which a limit of 0 must not
                await cursor.execute(
                    "INSERT INTO fleetgraph_quota AS q (key, window_seconds, window_start, used) "
                    "VALUES (%(key)s, %(seconds)s, %(start)s, 1) "
                    "ON CONFLICT (key, window_seconds, window_start) "
                    "DO UPDATE SET used = q.used + 1 WHERE q.used < %(limit)s RETURNING used",
                    params,
                )
                if taken := await cursor.fetchone():
                    if taken["used"] == 1:  # first take of a window: forget the key's old ones
                        await conn.execute(
                            "DELETE FROM fleetgraph_quota WHERE key = %(key)s AND "
                            "window_seconds = %(seconds)s AND window_start < %(start)s",
                            params,
                        )
                    return QuotaResult(True, taken["used"], limit, reset_in)
            await cursor.execute(
                "SELECT used FROM fleetgraph_quota WHERE key = %(key)s AND "
                "window_seconds = %(seconds)s AND window_start = %(start)s",
                params,
            )
            current = await cursor.fetchone()
        return QuotaResult(False, current["used"] if current else 0, limit, reset_in)

    async def aclose(self) -> None:
        """Close the pool this store opened from its `uri`; a given pool is the caller's.

        Without this call the pool still closes when its event loop shuts down: it is held
        by `postgres_pool`, an async-generator context manager, and `asyncio.run` (like
        pytest-asyncio's runner) closes every unfinished async generator before closing the
        loop. The store opens a new pool if used again.
        """
        stack, self._stack = self._stack, None
        if stack is not None:
            self._pool = None
            await stack.aclose()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        pool = self._pool if self._pool is not None else await self._open()
        async with pool.connection() as conn:
            yield conn

    async def _open(self) -> AsyncConnectionPool:
        async with self._open_lock:
            if self._pool is not None:
                return self._pool
            assert self._uri is not None, "a store given a pool always has it"
            uri, source = self._uri
            stack = AsyncExitStack()
            try:
                pool = await stack.enter_async_context(postgres_pool(uri, source=source))
                async with pool.connection() as conn:
                    await _create_schema(conn)
            except BaseException:
                await stack.aclose()
                raise
            self._pool, self._stack = pool, stack  # usable by others only once set up
            return pool


async def _create_schema(conn: AsyncConnection[Any]) -> None:
    """CREATE ... IF NOT EXISTS races with itself in PostgreSQL (duplicate catalog rows), so
    concurrent setups take turns on an advisory lock."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK,))
        for statement in SCHEMA:
            await conn.execute(statement)


async def _select_ledger(
    conn: AsyncConnection[Any], thread_id: str, call_id: str
) -> LedgerEntry | None:
    cursor = conn.cursor(row_factory=dict_row)
    await cursor.execute(
        f"SELECT {LEDGER_COLUMNS} FROM fleetgraph_tool_ledger "
        "WHERE thread_id = %s AND call_id = %s",
        (thread_id, call_id),
    )
    row = await cursor.fetchone()
    return LedgerEntry(**row) if row else None


async def _insert_ledger(
    conn: AsyncConnection[Any], thread_id: str, call_id: str, tool: str, result: str
) -> LedgerEntry:
    """Insert the row unless one exists; either way return the row that is there."""
    cursor = conn.cursor(row_factory=dict_row)
    await cursor.execute(
        f"INSERT INTO fleetgraph_tool_ledger ({LEDGER_COLUMNS}) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (thread_id, call_id) DO NOTHING RETURNING {LEDGER_COLUMNS}",
        (thread_id, call_id, tool, result, time.time()),
    )
    row = await cursor.fetchone()
    entry = LedgerEntry(**row) if row else await _select_ledger(conn, thread_id, call_id)
    assert entry is not None, "a ledger row that conflicted cannot vanish under the lock"
    return entry
