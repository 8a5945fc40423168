"""The gateway store on both backends: ledger, audit trail and breaker state.

On PostgreSQL, "two processes" are two stores on separate connection pools to one database;
in memory both names are the same store (state is per process there).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import psycopg
import pytest

from fleetgraph.gateway.breaker import BreakerPolicy, admit, record_outcome
from fleetgraph.gateway.memory_store import MemoryGatewayStore
from fleetgraph.gateway.postgres_store import PostgresGatewayStore
from fleetgraph.gateway.records import AuditRow
from fleetgraph.gateway.store import GatewayStore, LedgerTransaction, open_gateway_store

Pair = tuple[GatewayStore, GatewayStore]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Pair]:
    if request.param == "memory":
        store = MemoryGatewayStore()
        yield store, store
        return
    uri = request.getfixturevalue("postgres_uri")
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("CREATE TABLE outbox (id SERIAL PRIMARY KEY, message TEXT NOT NULL)")
    async with open_gateway_store(uri) as first, open_gateway_store(uri) as second:
        yield first, second


class Outbox:
    """A side effect: a row in the ledger transaction on PostgreSQL, a list entry in memory."""

    def __init__(self, uri: str | None) -> None:
        self.uri = uri
        self.memory: list[str] = []

    async def send(self, transaction: LedgerTransaction, message: str) -> None:
        if transaction.connection is None:
            self.memory.append(message)
        else:
            await transaction.connection.execute(
                "INSERT INTO outbox (message) VALUES (%s)", (message,)
            )

    def sent(self) -> list[str]:
        if self.uri is None:
            return self.memory
        with psycopg.connect(self.uri) as conn:
            return [row[0] for row in conn.execute("SELECT message FROM outbox ORDER BY id")]


@pytest.fixture
def outbox(stores: Pair, request: pytest.FixtureRequest) -> Outbox:
    on_postgres = isinstance(stores[0], PostgresGatewayStore)
    return Outbox(request.getfixturevalue("postgres_uri") if on_postgres else None)


async def test_the_first_ledger_writer_wins(stores):
    first, second = stores
    assert await first.ledger_get("t", "call-1") is None

    written = await first.ledger_record("t", "call-1", "wire_money", "wired 10")
    again = await second.ledger_record("t", "call-1", "wire_money", "wired 10 twice")

    assert again == written and written.result == "wired 10" and written.tool == "wire_money"
    assert await second.ledger_get("t", "call-1") == written
    assert await second.ledger_get("other-thread", "call-1") is None


async def test_concurrent_ledger_transactions_run_the_effect_once(stores, outbox):
    started = 0

    async def call(store: GatewayStore, n: int) -> str:
        nonlocal started
        async with store.ledger_transaction("t", "call-1", "wire_money") as transaction:
            if transaction.existing is not None:
                return transaction.existing.result
            started += 1
            await outbox.send(transaction, f"wire #{n}")
            await asyncio.sleep(0.05)  # a slow effect: the others must wait, not run it too
            return (await transaction.record(f"wired by #{n}")).result

    results = await asyncio.gather(*(call(stores[n % 2], n) for n in range(10)))

    assert started == 1 and len(outbox.sent()) == 1
    winner = outbox.sent()[0].removeprefix("wire #")
    assert results == [f"wired by #{winner}"] * 10


async def test_a_failed_ledger_transaction_leaves_no_row_and_on_postgres_no_effect(stores, outbox):
    first, second = stores

    with pytest.raises(RuntimeError, match="tool crashed"):
        async with first.ledger_transaction("t", "call-1", "wire_money") as transaction:
            await outbox.send(transaction, "wire #1")
            await transaction.record("wired")
            raise RuntimeError("tool crashed")

    assert await second.ledger_get("t", "call-1") is None
    expected_leftover = [] if outbox.uri else ["wire #1"]  # memory cannot undo a list append
    assert outbox.sent() == expected_leftover
    async with second.ledger_transaction("t", "call-1", "wire_money") as transaction:
        assert transaction.existing is None
        await outbox.send(transaction, "wire #2")
        await transaction.record("wired")
    assert [m for m in outbox.sent() if m == "wire #2"] == ["wire #2"]
    assert (await first.ledger_get("t", "call-1")).result == "wired"  # type: ignore[union-attr]


def audit_row(thread_id: str, tool: str, ts: float, **extra: Any) -> AuditRow:
    fields: dict[str, Any] = {
        "thread_id": thread_id,
        "run_id": None,
        "worker": "support",
        "tool": tool,
        "args": {"account": "ACC-1", "amounts": [1, 2.5], "nested": {"ok": True}},
        "result": "done",
        "error": None,
        "latency_ms": 12.5,
        "risk": "low",
        "ts": ts,
    }
    return AuditRow(**{**fields, **extra})


async def test_audit_rows_round_trip_in_time_order_and_filter_by_thread(stores):
    first, second = stores
    rows = [
        audit_row("a", "lookup", 1700000003.123456789),
        audit_row("b", "search", 1700000001.5),
        audit_row(
            "a",
            "wire_money",
            1700000002.25,
            run_id="run-7",
            result=None,
            error="TimeoutError",
            risk="high",
            approval="edited",
            approver="ops@example.com",
            user_id="u-1",
            answered_by="backup_wire",
        ),
    ]
    for n, row in enumerate(rows):
        await stores[n % 2].audit(row)

    assert await second.audit_rows("a") == [rows[2], rows[0]]
    assert await first.audit_rows() == [rows[1], rows[2], rows[0]]
    assert await first.audit_rows(limit=2) == [rows[2], rows[0]]  # the latest two, oldest first
    assert await first.audit_rows("nobody") == []


async def test_breaker_state_is_shared_between_processes(stores):
    first, second = stores
    policy = BreakerPolicy(min_calls=3, cooldown_seconds=30.0)

    for _ in range(3):
        async with first.breaker("search") as record:
            transition = record_outcome(record, policy, False, 1000.0)
    assert transition == "opened"

    async with second.breaker("search") as record:
        assert (record.state, record.opened_at) == ("open", 1000.0)
        assert admit(record, policy, 1010.0) == (False, False)
    async with second.breaker("search") as record:
        assert admit(record, policy, 1030.0) == (True, True)  # the one probe
    async with first.breaker("search") as record:
        assert record.state == "half_open" and record.probe_in_flight
        assert admit(record, policy, 1031.0) == (False, False)
    async with first.breaker("other-tool") as record:
        assert record.state == "closed" and record.outcomes == []


async def test_breaker_updates_from_both_processes_are_never_lost(stores):
    policy = BreakerPolicy(window=50)

    async def succeed(store: GatewayStore) -> None:
        async with store.breaker("search") as record:
            outcomes = len(record.outcomes)
            await asyncio.sleep(0.001)  # a lost update would show up as a short window
            record_outcome(record, policy, True, 0.0)
            assert len(record.outcomes) == outcomes + 1

    await asyncio.gather(*(succeed(stores[n % 2]) for n in range(30)))

    async with stores[0].breaker("search") as record:
        assert record.outcomes == [True] * 30


async def test_a_breaker_block_that_raises_saves_nothing(stores):
    first, second = stores
    with pytest.raises(RuntimeError):
        async with first.breaker("search") as record:
            record_outcome(record, BreakerPolicy(min_calls=1), False, 5.0)
            assert record.state == "open"
            raise RuntimeError("boom")
    async with second.breaker("search") as record:
        assert record.state == "closed" and record.outcomes == []


async def test_both_stores_implement_the_protocol(stores):
    assert all(isinstance(store, GatewayStore) for store in stores)


async def test_audit_args_are_stored_as_json(stores):
    args = {"when": date(2026, 1, 2), "pair": (1, 2)}
    await stores[0].audit(audit_row("t", "schedule", 1.0, args=args))
    args["pair"] = (3, 4)  # the caller's later changes do not reach the stored row

    [row] = await stores[1].audit_rows("t")
    assert row.args == {"when": "2026-01-02", "pair": [1, 2]}
