"""Fixed-window quotas on both backends: limits hold under concurrency, windows reset."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.memory_store import MemoryGatewayStore
from fleetgraph.gateway.quota import fixed_window
from fleetgraph.gateway.store import GatewayStore, open_gateway_store

Pair = tuple[GatewayStore, GatewayStore]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Pair]:
    """Two stores on separate pools ("processes") on PostgreSQL; one store twice in memory."""
    if request.param == "memory":
        store = MemoryGatewayStore()
        yield store, store
        return
    uri = request.getfixturevalue("postgres_uri")
    async with open_gateway_store(uri) as first, open_gateway_store(uri) as second:
        yield first, second


def test_windows_start_at_multiples_of_their_length():
    assert fixed_window(1000.0, 60.0) == (960.0, 20.0)
    assert fixed_window(1020.0, 60.0) == (1020.0, 60.0)
    with pytest.raises(ConfigurationError):
        fixed_window(1000.0, 0.0)


async def test_limit_takes_per_window_then_denied_with_reset_in(stores):
    first, second = stores
    takes = [await stores[n % 2].quota_take("tool:search", 3, 60.0, now=1000.0) for n in range(3)]
    assert [(t.allowed, t.used, t.limit) for t in takes] == [
        (True, 1, 3),
        (True, 2, 3),
        (True, 3, 3),
    ]

    for now in (1001.0, 1019.5):
        denied = await first.quota_take("tool:search", 3, 60.0, now=now)
        assert (denied.allowed, denied.used, denied.reset_in) == (False, 3, 1020.0 - now)
    assert (await second.quota_take("tool:other", 3, 60.0, now=1000.0)).used == 1
    assert (await second.quota_take("tool:search", 3, 3600.0, now=1000.0)).allowed


async def test_a_new_window_starts_from_zero(stores):
    first, second = stores
    for _ in range(2):
        await first.quota_take("k", 2, 60.0, now=1000.0)
    assert not (await first.quota_take("k", 2, 60.0, now=1010.0)).allowed

    fresh = await second.quota_take("k", 2, 60.0, now=1020.0)
    assert (fresh.allowed, fresh.used, fresh.reset_in) == (True, 1, 60.0)


async def test_concurrent_takes_from_two_processes_never_exceed_the_limit(stores):
    takes = await asyncio.gather(
        *(stores[n % 2].quota_take("tool:search", 10, 60.0, now=5000.0) for n in range(50))
    )
    allowed = [take for take in takes if take.allowed]
    assert sorted(take.used for take in allowed) == list(range(1, 11))
    assert all(take.used == 10 for take in takes if not take.allowed)


async def test_a_zero_limit_denies_without_counting(stores):
    take = await stores[0].quota_take("k", 0, 60.0, now=1000.0)
    assert (take.allowed, take.used) == (False, 0)
    with pytest.raises(ConfigurationError):
        await stores[0].quota_take("k", -1, 60.0, now=1000.0)


@pytest.mark.postgres
async def test_old_windows_of_a_key_are_pruned(postgres_uri):
    async with open_gateway_store(postgres_uri) as store:
        await store.quota_take("k", 5, 60.0, now=1000.0)
        await store.quota_take("k", 5, 3600.0, now=1000.0)
        await store.quota_take("k", 5, 60.0, now=2000.0)
    with psycopg.connect(postgres_uri) as conn:
        rows = conn.execute(
            "SELECT window_seconds, window_start FROM fleetgraph_quota ORDER BY 1, 2"
        ).fetchall()
    assert rows == [(60.0, 1980.0), (3600.0, 0.0)]
