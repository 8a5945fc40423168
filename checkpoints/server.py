"""The checkpointer LangGraph Server loads through `langgraph.json` `checkpointer.path`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from fleetgraph.checkpoints.postgres import postgres_checkpointer, postgres_uri_from_env

logger = logging.getLogger(__name__)


@asynccontextmanager
async def server_checkpointer() -> AsyncIterator[BaseCheckpointSaver]:
    """PostgreSQL when `POSTGRES_URI` or `DATABASE_URI` is set; in memory otherwise, loudly."""
    from_env = postgres_uri_from_env()
    if from_env is None:
        logger.warning(
            "fleetgraph: neither POSTGRES_URI nor DATABASE_URI is set; threads are kept in "
            "memory and lost when the server stops."
        )
        yield InMemorySaver()
        return
    uri, source = from_env
    async with postgres_checkpointer(uri, source=source) as saver:
        yield saver
