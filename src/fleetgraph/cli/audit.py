"""`fleetgraph audit THREAD`: every tool call on a thread, from the gateway's audit trail."""

from __future__ import annotations

import json
from datetime import datetime

from rich.console import Console
from rich.table import Table

from fleetgraph.checkpoints import postgres_uri_from_env
from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.records import AuditRow
from fleetgraph.gateway.store import open_gateway_store


async def load_audit(thread_id: str, postgres_uri: str | None, limit: int) -> list[AuditRow]:
    from_env = postgres_uri_from_env()
    uri = postgres_uri or (from_env[0] if from_env else None)
    if uri is None:
        raise ConfigurationError(
            "The audit trail is kept in PostgreSQL: give --postgres or set POSTGRES_URI. "
            "Runs on the embedded default keep it in memory only while they run."
        )
    async with open_gateway_store(uri) as store:
        return await store.audit_rows(thread_id=thread_id, limit=limit)


def render_audit(console: Console, thread_id: str, rows: list[AuditRow]) -> None:
    table = Table(title=f"audit trail of thread {thread_id}", title_justify="left")
    for column in ("time", "worker", "tool", "risk", "args", "outcome", "ms", "approval"):
        table.add_column(column, overflow="fold")
    for row in rows:
        outcome = f"[red]{row.error}[/]" if row.error else (row.result or "")
        if row.answered_by and row.answered_by != row.tool:
            outcome = f"(by {row.answered_by}) {outcome}"
        approval = f"{row.approval} by {row.approver or '?'}" if row.approval else ""
        table.add_row(
            datetime.fromtimestamp(row.ts).strftime("%H:%M:%S"),
            row.worker,
            row.tool,
            row.risk,
            json.dumps(row.args)[:80],
            outcome[:120],
            f"{row.latency_ms:.0f}",
            approval,
        )
    console.print(table if rows else f"No tool calls recorded for thread {thread_id}.")
