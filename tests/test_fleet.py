"""The fleet manager: concurrency limit, stuck and timed-out runs, restarts, health."""

from __future__ import annotations

import asyncio

import pytest

from fleetgraph.fleet import FleetManager, WorkerStuckError, WorkerTimeoutError, fleet_for


async def test_never_runs_more_than_the_concurrency_limit():
    fleet = FleetManager(max_concurrency=3)
    running, peak = 0, 0

    async def job(heartbeat):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        return "ok"

    results = await asyncio.gather(*(fleet.run(f"w{i}", job) for i in range(10)))

    assert results == ["ok"] * 10 and peak == 3
    health = fleet.health()
    assert (health.completed, health.running, health.failed) == (10, 0, 0)
    assert health.latency_avg_ms is not None and health.latency_p95_ms >= 20


async def test_a_failed_run_is_restarted_within_the_budget():
    fleet = FleetManager(restarts=2)
    attempts = []

    async def flaky(heartbeat):
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("transient")
        return "third time"

    assert await fleet.run("w", flaky) == "third time"
    assert fleet.health().restarted == 2 and fleet.health().failed == 0


async def test_a_run_failing_past_the_budget_reports_its_last_error():
    fleet = FleetManager(restarts=1)

    async def broken(heartbeat):
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await fleet.run("w", broken)
    assert (fleet.health().restarted, fleet.health().failed) == (1, 1)


async def test_a_silent_run_is_cancelled_as_stuck_but_heartbeats_keep_it_alive():
    fleet = FleetManager(restarts=0, stuck_after=0.1, timeout=5)
    cancelled = asyncio.Event()

    async def silent(heartbeat):
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def busy(heartbeat):
        for _ in range(6):
            await asyncio.sleep(0.05)
            heartbeat()
        return "alive"

    with pytest.raises(WorkerStuckError, match=r"no progress for 0\.1s"):
        await fleet.run("silent", silent)
    assert cancelled.is_set()
    assert await fleet.run("busy", busy) == "alive"
    assert fleet.health().cancelled == 1


async def test_a_run_past_its_timeout_is_cancelled_even_with_heartbeats():
    fleet = FleetManager(restarts=0, stuck_after=5, timeout=0.15)

    async def endless(heartbeat):
        while True:
            heartbeat()
            await asyncio.sleep(0.02)

    with pytest.raises(WorkerTimeoutError):
        await fleet.run("endless", endless)
    assert fleet.health().running == 0


async def test_health_lists_running_workers():
    fleet = FleetManager(max_concurrency=1)
    release = asyncio.Event()

    async def hold(heartbeat):
        await release.wait()

    first = asyncio.ensure_future(fleet.run("holder", hold))
    second = asyncio.ensure_future(fleet.run("queued", hold))
    await asyncio.sleep(0.02)
    health = fleet.health()
    assert (health.running, health.waiting, health.running_workers) == (1, 1, ["holder"])
    release.set()
    await asyncio.gather(first, second)


async def test_one_fleet_per_loop_and_limits():
    limits = {"max_concurrency": 2, "restarts": 0, "stuck_after": 1.0, "timeout": 2.0}
    assert fleet_for(**limits) is fleet_for(**limits)
    assert fleet_for(**limits) is not fleet_for(**{**limits, "max_concurrency": 3})
