"""The database transaction a transactional side-effecting tool must act in.

The gateway opens a ledger transaction around such a tool and binds its connection here;
the tool writes its effect through `current_transaction()`, so the effect and the ledger
row commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_TRANSACTION: ContextVar[Any | None] = ContextVar("fleetgraph_transaction", default=None)


@contextmanager
def bind_transaction(connection: Any | None) -> Iterator[None]:
    token = _TRANSACTION.set(connection)
    try:
        yield
    finally:
        _TRANSACTION.reset(token)


def current_transaction() -> Any | None:
    """The psycopg connection of the open ledger transaction; None on the in-memory store."""
    return _TRANSACTION.get()
