"""Checkpointers: PostgreSQL when configured, SQLite as the embedded default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver

from fleetgraph.checkpoints.embedded import default_sqlite_path, sqlite_checkpointer
from fleetgraph.checkpoints.postgres import (
    postgres_checkpointer,
    postgres_uri_from_env,
)

__all__ = [
    "default_sqlite_path",
    "open_checkpointer",
    "postgres_checkpointer",
    "postgres_uri_from_env",
    "sqlite_checkpointer",
]


@asynccontextmanager
async def open_checkpointer(postgres_uri: str | None = None) -> AsyncIterator[BaseCheckpointSaver]:
    """PostgreSQL from the argument or `POSTGRES_URI`/`DATABASE_URI`; else embedded SQLite."""
    source = "--postgres"
    if postgres_uri is None and (from_env := postgres_uri_from_env()):
        postgres_uri, source = from_env
    if postgres_uri:
        async with postgres_checkpointer(postgres_uri, source=source) as saver:
            yield saver
    else:
        async with sqlite_checkpointer() as sqlite_saver:
            yield sqlite_saver
