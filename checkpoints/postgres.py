"""PostgreSQL checkpointing: an `AsyncPostgresSaver` on a `psycopg_pool` pool."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection, OperationalError, ProgrammingError
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from fleetgraph.errors import CheckpointerUnavailableError

URI_ENV_VARS = ("POSTGRES_URI", "DATABASE_URI")
CONNECT_TIMEOUT_SECONDS = 10.0


def postgres_uri_from_env() -> tuple[str, str] | None:
    """The first of `POSTGRES_URI`, `DATABASE_URI` that is set, with its name; else None.

    `langgraph dev` sets `DATABASE_URI=:memory:` for its own in-memory runtime; that is not
    a PostgreSQL URI and counts as unset.
    """
    for name in URI_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value and value != ":memory:":
            return value, name
    return None


def redact(uri: str) -> str:
    """The URI with any password replaced, for error messages and logs."""
    scheme, sep, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return uri
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


async def check_reachable(uri: str, source: str) -> None:
    """Connect once, so a wrong URI fails at once with the server's own reason."""
    try:
        connection = await AsyncConnection.connect(
            uri, connect_timeout=int(CONNECT_TIMEOUT_SECONDS), autocommit=True
        )
    except (OperationalError, ProgrammingError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckpointerUnavailableError(
            f"Cannot reach PostgreSQL at {redact(uri)} (from {source}): {reason}. "
            "Check the URI and that the server runs."
        ) from None
    await connection.close()


@asynccontextmanager
async def postgres_pool(
    uri: str, *, max_size: int = 20, source: str = "--postgres"
) -> AsyncIterator[AsyncConnectionPool]:
    """An open connection pool set up as `AsyncPostgresSaver` needs it.

    Fails fast with `CheckpointerUnavailableError` naming the URI's source (the CLI flag or
    the environment variable) when the database cannot be reached.
    """
    await check_reachable(uri, source)
    pool = AsyncConnectionPool(
        uri,
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=CONNECT_TIMEOUT_SECONDS,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    try:
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
    except (PoolTimeout, OperationalError) as error:
        await pool.close()
        raise CheckpointerUnavailableError(
            f"Cannot reach PostgreSQL at {redact(uri)} (from {source}) within "
            f"{CONNECT_TIMEOUT_SECONDS:.0f}s: {error}. Check the URI and that the server runs."
        ) from None
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def postgres_checkpointer(
    uri: str, *, max_size: int = 20, source: str = "--postgres"
) -> AsyncIterator[AsyncPostgresSaver]:
    """An `AsyncPostgresSaver` with its tables created, on a pool closed on exit."""
    async with postgres_pool(uri, max_size=max_size, source=source) as pool:
        saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        await saver.setup()
        yield saver
