"""How a run gets its gateway store: opened explicitly, set for a loop, or made from the env."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from fleetgraph.errors import CheckpointerUnavailableError
from fleetgraph.gateway.memory_store import MemoryGatewayStore
from fleetgraph.gateway.postgres_store import PostgresGatewayStore
from fleetgraph.gateway.store import (
    close_gateway_stores,
    current_gateway_store,
    open_gateway_store,
    use_gateway_store,
)

UNREACHABLE = "postgresql://fleet:secret@127.0.0.1:1/none"
GATEWAY_TABLES = [
    "fleetgraph_audit",
    "fleetgraph_breakers",
    "fleetgraph_quota",
    "fleetgraph_tool_ledger",
]


def tables(uri: str) -> list[str]:
    with psycopg.connect(uri) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'fleetgraph_%' ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def no_postgres_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("POSTGRES_URI", raising=False)
    monkeypatch.setenv("DATABASE_URI", ":memory:")  # what `langgraph dev` sets: not PostgreSQL
    return monkeypatch


async def test_no_uri_opens_a_memory_store():
    async with open_gateway_store(None) as store:
        assert isinstance(store, MemoryGatewayStore)


async def test_an_unreachable_database_is_a_clear_error():
    with pytest.raises(CheckpointerUnavailableError, match=r"127\.0\.0\.1.*from POSTGRES_URI"):
        async with open_gateway_store(UNREACHABLE, source="POSTGRES_URI"):
            pass


@pytest.mark.postgres
async def test_setup_is_idempotent_and_safe_from_concurrent_processes(postgres_uri):
    async with open_gateway_store(postgres_uri) as a, open_gateway_store(postgres_uri) as b:
        assert isinstance(a, PostgresGatewayStore) and isinstance(b, PostgresGatewayStore)
        await asyncio.gather(*(store.setup() for store in (a, b, a, b)))
    assert tables(postgres_uri) == GATEWAY_TABLES


@pytest.mark.postgres
async def test_concurrent_first_setups_on_an_empty_database_all_succeed(postgres_uri):
    stores = [PostgresGatewayStore(uri=postgres_uri) for _ in range(4)]
    try:
        await asyncio.gather(*(store.ledger_get("t", "c") for store in stores))
    finally:
        await asyncio.gather(*(store.aclose() for store in stores))
    assert tables(postgres_uri) == GATEWAY_TABLES


async def test_without_postgres_each_loop_gets_its_own_memory_store(no_postgres_env):
    store = current_gateway_store()
    assert isinstance(store, MemoryGatewayStore) and current_gateway_store() is store

    other = await asyncio.to_thread(asyncio.run, _current())
    assert isinstance(other, MemoryGatewayStore) and other is not store


async def _current() -> object:
    return current_gateway_store()


async def test_use_gateway_store_sets_the_loops_store_for_a_block(no_postgres_env):
    default = current_gateway_store()
    chosen, inner = MemoryGatewayStore(), MemoryGatewayStore()
    with use_gateway_store(chosen):
        assert current_gateway_store() is chosen
        with use_gateway_store(inner):
            assert current_gateway_store() is inner
        assert current_gateway_store() is chosen
    assert current_gateway_store() is default


@pytest.mark.postgres
async def test_postgres_from_the_env_connects_on_first_use_and_closes(monkeypatch, postgres_uri):
    monkeypatch.setenv("DATABASE_URI", postgres_uri)
    monkeypatch.delenv("POSTGRES_URI", raising=False)
    await close_gateway_stores()

    store = current_gateway_store()
    assert isinstance(store, PostgresGatewayStore) and tables(postgres_uri) == []
    await store.ledger_record("t", "c", "tool", "result")
    assert tables(postgres_uri) == GATEWAY_TABLES
    assert current_gateway_store() is store

    await close_gateway_stores()
    assert current_gateway_store() is not store
    await close_gateway_stores()


@pytest.mark.postgres
def test_a_lazily_opened_pool_is_closed_when_its_loop_shuts_down(monkeypatch, postgres_uri):
    monkeypatch.setenv("POSTGRES_URI", postgres_uri)

    async def use_and_leave_open() -> object:
        store = current_gateway_store()
        await store.audit_rows()
        pool = store._pool  # type: ignore[attr-defined]
        assert pool is not None and not pool.closed
        return pool

    pool = asyncio.run(use_and_leave_open())
    assert pool.closed  # type: ignore[attr-defined]


async def test_an_unreachable_env_database_fails_on_first_use_naming_the_variable(monkeypatch):
    monkeypatch.setenv("POSTGRES_URI", UNREACHABLE)
    await close_gateway_stores()
    store = current_gateway_store()
    for _ in range(2):  # nothing half-open is left behind: the next use tries again
        with pytest.raises(CheckpointerUnavailableError, match="from POSTGRES_URI"):
            await store.quota_take("k", 1, 60.0)
    await close_gateway_stores()
