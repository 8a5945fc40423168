"""The test-suite's real PostgreSQL server: reachable, one fresh database per test, and usable
by LangGraph's Postgres checkpointer."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import psycopg
import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import END, START, StateGraph

from pg_server import PostgresServer

pytestmark = pytest.mark.postgres

# Databases handed out so far in this run, to check the next one is new and the old one dropped.
_seen: list[str] = []

USER_TABLES = (
    "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')"
)


def test_server_answers_version(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.admin_uri) as conn:
        row = conn.execute("select version()").fetchone()
    assert row is not None
    assert row[0].startswith("PostgreSQL ")


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_distinct_empty_database(
    postgres_server: PostgresServer, postgres_uri: str, run: int
) -> None:
    assert postgres_uri.startswith("postgresql://")
    assert postgres_uri not in _seen
    with psycopg.connect(postgres_uri) as conn:
        dbname = conn.execute("select current_database()").fetchone()
        assert conn.execute(USER_TABLES).fetchone() == (0,)
    assert dbname is not None
    assert postgres_uri.split("?")[0].endswith("/" + dbname[0])
    with psycopg.connect(postgres_server.admin_uri) as admin:
        names = {r[0] for r in admin.execute("select datname from pg_database").fetchall()}
    # Earlier tests' databases were dropped at their teardown.
    assert not {uri.split("?")[0].rsplit("/", 1)[1] for uri in _seen} & names
    _seen.append(postgres_uri)


@pytest.mark.parametrize("run", [1, 2])
def test_tables_do_not_leak_between_tests(postgres_uri: str, run: int) -> None:
    """Whichever run goes second sees a database without the first run's table."""
    with psycopg.connect(postgres_uri) as conn:
        assert conn.execute("select to_regclass('public.leak_probe')").fetchone() == (None,)
        conn.execute("create table leak_probe (run int)")
        conn.execute("insert into leak_probe values (%s)", (run,))


class Tally(TypedDict):
    items: Annotated[list[str], operator.add]


def _tick(state: Tally) -> dict[str, list[str]]:
    return {"items": ["tick"]}


async def test_async_postgres_checkpointer_keeps_thread_state(postgres_uri: str) -> None:
    builder = StateGraph(Tally)
    builder.add_node("tick", _tick)
    builder.add_edge(START, "tick")
    builder.add_edge("tick", END)
    config: RunnableConfig = {"configurable": {"thread_id": "thread-1"}}

    async with AsyncPostgresSaver.from_conn_string(postgres_uri) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        await graph.ainvoke({"items": ["a"]}, config)
        out = await graph.ainvoke({"items": ["b"]}, config)
    assert out["items"] == ["a", "tick", "b", "tick"]

    # A new connection reads the same thread back: the state really is in the database.
    async with AsyncPostgresSaver.from_conn_string(postgres_uri) as saver:
        snapshot = await builder.compile(checkpointer=saver).aget_state(config)
        other = await builder.compile(checkpointer=saver).aget_state(
            {"configurable": {"thread_id": "thread-2"}}
        )
    assert snapshot.values["items"] == ["a", "tick", "b", "tick"]
    assert other.values == {}
