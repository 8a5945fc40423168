"""The embedded default checkpointer: SQLite in a file, for runs without PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

HOME_ENV_VAR = "FLEETGRAPH_HOME"


def default_sqlite_path() -> Path:
    """`$FLEETGRAPH_HOME/checkpoints.sqlite`, by default under `~/.fleetgraph`."""
    home = Path(os.environ.get(HOME_ENV_VAR) or Path.home() / ".fleetgraph")
    return home / "checkpoints.sqlite"


@asynccontextmanager
async def sqlite_checkpointer(path: Path | None = None) -> AsyncIterator[AsyncSqliteSaver]:
    """An `AsyncSqliteSaver` on `path`, so threads outlive the process without a server."""
    target = path or default_sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(target)) as saver:
        await saver.setup()
        yield saver
