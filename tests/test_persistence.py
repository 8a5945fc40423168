"""Threads persist in every checkpointer, and across processes in PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from fleetgraph.catalogue import compile_graph
from fleetgraph.checkpoints import postgres_checkpointer
from fleetgraph.context import Context
from fleetgraph.errors import CheckpointerUnavailableError

OFFLINE = Context(router_model="offline", worker_model="offline")


def ask(text: str) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": "user", "content": text}]}


async def test_a_thread_accumulates_turns_and_history(checkpointer):
    graph = compile_graph("router", checkpointer)
    config = {"configurable": {"thread_id": "t-1"}}

    await graph.ainvoke(ask("reset my password"), config, context=OFFLINE)
    await graph.ainvoke(ask("what is the average of 3, 5 and 10?"), config, context=OFFLINE)

    state = await graph.aget_state(config)
    assert [m.type for m in state.values["messages"]] == ["human", "ai", "human", "ai"]
    assert state.values["answered_by"] == "analytics"
    history = [snapshot async for snapshot in graph.aget_state_history(config)]
    assert len(history) >= 6
    assert history[-1].values == {"messages": []}  # the first checkpoint: before any input


async def test_threads_are_independent(checkpointer):
    graph = compile_graph("router", checkpointer)

    await graph.ainvoke(
        ask("reset my password"), {"configurable": {"thread_id": "a"}}, context=OFFLINE
    )
    other = await graph.ainvoke(
        ask("what is 2+2"), {"configurable": {"thread_id": "b"}}, context=OFFLINE
    )

    assert len(other["messages"]) == 2


@pytest.mark.postgres
async def test_a_thread_written_by_one_process_is_continued_by_another(postgres_uri, tmp_path):
    env = {
        **os.environ,
        "FLEETGRAPH_HOME": str(tmp_path),
        "FLEETGRAPH_ROUTER_MODEL": "offline",
        "FLEETGRAPH_WORKER_MODEL": "offline",
    }
    env.pop("POSTGRES_URI", None)
    cli = [sys.executable, "-m", "fleetgraph.cli.app", "run", "router"]

    for request in ("reset my password", "what is the average of 3, 5 and 10?"):
        done = await asyncio.to_thread(
            subprocess.run,
            [*cli, request, "--thread", "shared", "--postgres", postgres_uri],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    async with postgres_checkpointer(postgres_uri) as saver:
        state = await compile_graph("router", saver).aget_state(
            {"configurable": {"thread_id": "shared"}}
        )
    assert [m.type for m in state.values["messages"]] == ["human", "ai", "human", "ai"]
    assert "mean=6" in state.values["messages"][-1].text
    assert not (tmp_path / "checkpoints.sqlite").exists()


@pytest.mark.postgres
async def test_the_saver_is_a_pooled_async_postgres_saver(postgres_uri):
    async with postgres_checkpointer(postgres_uri, max_size=3) as saver:
        assert isinstance(saver, AsyncPostgresSaver)
        assert saver.conn.max_size == 3


async def test_an_unreachable_database_is_a_clear_error():
    with pytest.raises(CheckpointerUnavailableError, match=r"127\.0\.0\.1.*from POSTGRES_URI"):
        async with postgres_checkpointer(
            "postgresql://fleet:secret@127.0.0.1:1/none", source="POSTGRES_URI"
        ):
            pass


def test_passwords_are_redacted_in_errors():
    from fleetgraph.checkpoints.postgres import redact

    assert redact("postgresql://fleet:secret@db:5432/x") == "postgresql://fleet:***@db:5432/x"
