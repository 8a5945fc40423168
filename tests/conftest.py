"""Shared pytest fixtures: a real PostgreSQL server (see ``pg_server.py``) and a fresh database
per test.

The server starts lazily, the first time a test requests ``postgres_server`` or
``postgres_uri``; a run that needs no database never starts one.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from fleetgraph.context import Context

# --import-mode=importlib does not put tests/ on sys.path, so the helper module is not importable
# by name without this.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from pg_server import PostgresServer  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server: a private one, or $FLEETGRAPH_TEST_POSTGRES_URI's."""
    server = PostgresServer.from_env().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_uri(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """URI of a fresh, empty database for this test, dropped (WITH (FORCE)) afterwards."""
    # The test's name in the database name makes leftovers on a shared server traceable.
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:40]
    name = f"t_{slug}_{uuid.uuid4().hex[:8]}"
    uri = postgres_server.create_database(name)
    try:
        yield uri
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def scripted_models() -> Iterator[Callable[..., Context]]:
    """Register scripted models per role for one test; returns a Context that uses them."""
    from fleetgraph.models import register_chat_model, unregister_chat_model

    names: list[str] = []

    def use(**roles_and_settings: Any) -> Context:
        settings: dict[str, Any] = {}
        for key, value in roles_and_settings.items():
            if isinstance(value, BaseChatModel):
                name = f"scripted:{key}-{uuid.uuid4().hex[:8]}"
                register_chat_model(name, value)
                names.append(name)
                settings[f"{key}_model"] = name
            else:
                settings[key] = value
        return Context(**settings)

    yield use
    for name in names:
        unregister_chat_model(name)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def checkpointer(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """Each checkpointer fleetgraph supports; Postgres on a fresh database per test."""
    from langgraph.checkpoint.memory import InMemorySaver

    from fleetgraph.checkpoints import postgres_checkpointer, sqlite_checkpointer

    if request.param == "memory":
        yield InMemorySaver()
    elif request.param == "sqlite":
        async with sqlite_checkpointer(tmp_path / "checkpoints.sqlite") as saver:
            yield saver
    else:
        uri = request.getfixturevalue("postgres_uri")
        async with postgres_checkpointer(uri) as saver:
            yield saver
