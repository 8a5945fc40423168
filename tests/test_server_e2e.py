"""End to end: the `router` graph served by ``langgraph dev`` with the Postgres checkpointer.

One server (and one database) serves the whole module: starting ``langgraph dev`` takes
seconds, a run on the offline model milliseconds. Each test makes its own thread.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from pg_server import PostgresServer
from server_process import REPO_ROOT, LanggraphDevServer

pytestmark = [pytest.mark.server, pytest.mark.postgres]

SUPPORT_REQUEST = "reset my password"
ANALYTICS_REQUEST = "what is the average of 3, 5 and 10?"


@dataclass(frozen=True)
class Served:
    url: str
    database_uri: str


@pytest.fixture(scope="module")
def served(postgres_server: PostgresServer) -> Iterator[Served]:
    """``langgraph dev`` whose checkpointer writes to a database of its own."""
    name = f"t_server_e2e_{uuid.uuid4().hex[:8]}"
    uri = postgres_server.create_database(name)
    # FLEETGRAPH_* variables would change the graphs' Context defaults; the server runs without.
    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("FLEETGRAPH_")}
    overrides["POSTGRES_URI"] = uri
    try:
        with LanggraphDevServer(REPO_ROOT, overrides) as server:
            yield Served(server.url, uri)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def client(served: Served) -> LangGraphClient:
    # Function scope: the SDK's httpx client belongs to the test's event loop.
    return get_client(url=served.url)


def user_input(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


async def run_turn(
    client: LangGraphClient, thread_id: str, text: str, context: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Stream one run to its end; the custom events it emitted, in order."""
    custom: list[dict[str, Any]] = []
    async for part in client.runs.stream(
        thread_id,
        "router",
        input=user_input(text),
        stream_mode=["custom", "values"],
        context=context,
    ):
        assert part.event != "error", part.data
        if part.event == "custom":
            custom.append(part.data)
    return custom


async def new_thread(client: LangGraphClient) -> str:
    thread = await client.threads.create()
    return str(thread["thread_id"])


async def thread_values(client: LangGraphClient, thread_id: str) -> dict[str, Any]:
    state = await client.threads.get_state(thread_id)
    values = state["values"]
    assert isinstance(values, dict)
    return values


async def test_router_assistant_is_served(client: LangGraphClient) -> None:
    assistants = await client.assistants.search(graph_id="router")
    assert [a["graph_id"] for a in assistants] == ["router"]


async def test_support_request_streams_events_and_answers(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    custom = await run_turn(client, thread_id, SUPPORT_REQUEST)

    seen = [(e["event"], e["agent"]) for e in custom if e.get("agent") == "support"]
    assert ("agent_started", "support") in seen
    assert ("agent_completed", "support") in seen
    assert seen.index(("agent_started", "support")) < seen.index(("agent_completed", "support"))
    assert all(e["thread_id"] == thread_id for e in custom)
    assert all(isinstance(e["ts"], float) for e in custom)

    values = await thread_values(client, thread_id)
    last = values["messages"][-1]
    assert last["type"] == "ai"
    assert last["name"] == "support"
    assert last["response_metadata"]["offline"] is True
    assert values["route"]["worker"] == "support"


async def test_thread_continues_across_runs(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    await run_turn(client, thread_id, SUPPORT_REQUEST)
    await run_turn(client, thread_id, ANALYTICS_REQUEST)

    values = await thread_values(client, thread_id)
    messages = values["messages"]
    assert [m["type"] for m in messages] == ["human", "ai", "human", "ai"]
    assert "mean=6" in messages[-1]["content"]

    history = await client.threads.get_history(thread_id, limit=50)
    assert len(history) >= 4  # per turn at least the input, classify and worker steps
    newest = history[0]["values"]  # history is newest first
    assert isinstance(newest, dict)
    assert newest["messages"] == messages


async def test_checkpoints_are_in_postgres(client: LangGraphClient, served: Served) -> None:
    """Rows in the test database prove the server used Postgres and not its in-memory saver."""
    thread_id = await new_thread(client)
    await run_turn(client, thread_id, SUPPORT_REQUEST)

    async with await psycopg.AsyncConnection.connect(served.database_uri) as conn:
        cursor = await conn.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread_id,)
        )
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] >= 2


async def test_run_context_reaches_the_graph(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    custom = await run_turn(
        client, thread_id, SUPPORT_REQUEST, context={"route_confidence_threshold": 0.99}
    )

    values = await thread_values(client, thread_id)
    assert values["route"]["below_threshold"] is True
    assert values["route"]["worker"] == "general"
    assert values["messages"][-1]["name"] == "general"
    assert {e["agent"] for e in custom if e["event"] == "agent_started"} == {"general"}
