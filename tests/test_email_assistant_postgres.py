"""`send_email` on the PostgreSQL gateway store: the outbox row commits with the ledger row,
and a rejected or refused send writes neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from langgraph.types import Command

from fleetgraph.checkpoints import postgres_checkpointer
from fleetgraph.context import Context
from fleetgraph.gateway.store import GatewayStore, open_gateway_store, use_gateway_store
from fleetgraph.graphs.email_assistant import builder
from fleetgraph.tools.data_files import load_json
from fleetgraph.tools.email import MEMORY_OUTBOX, new_emails

pytestmark = pytest.mark.postgres

OFFLINE = Context(router_model="offline", worker_model="offline")
MAYA, PHISHER, OMAR = (email["from"] for email in new_emails())
BALANCE = load_json("bank_statement.json")["balance"]


@pytest.fixture
async def team(postgres_uri: str) -> AsyncIterator[tuple[Any, GatewayStore, Any]]:
    """The graph checkpointed on PostgreSQL, under a PostgreSQL gateway store."""
    async with (
        open_gateway_store(postgres_uri) as store,
        postgres_checkpointer(postgres_uri) as saver,
    ):
        with use_gateway_store(store):
            yield builder.compile(checkpointer=saver), store, saver


async def query(saver: Any, sql: str) -> list[dict[str, Any]]:
    async with saver.conn.connection() as conn:
        cursor = await conn.execute(sql)
        return list(await cursor.fetchall())


async def run_and_decide(graph: Any, thread: str, review: Any) -> dict[str, Any]:
    config = {"configurable": {"thread_id": thread}}
    request = "summarise my bank statement and answer my new emails"
    await graph.ainvoke({"messages": [("user", request)]}, config, context=OFFLINE)
    pending = (await graph.aget_state(config)).interrupts
    resume = {i.id: {"decisions": [review(i.value["action_requests"][0]["args"])]} for i in pending}
    result: dict[str, Any] = await graph.ainvoke(Command(resume=resume), config, context=OFFLINE)
    return result


async def test_approved_sends_commit_to_the_outbox_table_with_their_ledger_rows(team):
    graph, _, saver = team

    result = await run_and_decide(graph, "pg", lambda args: {"type": "approve"})

    rows = await query(saver, "SELECT thread_id, call_id, recipient FROM fleetgraph_outbox")
    ledger = await query(
        saver, "SELECT thread_id, call_id FROM fleetgraph_tool_ledger WHERE tool = 'send_email'"
    )
    assert sorted(r["recipient"] for r in rows) == sorted([MAYA, PHISHER, OMAR])
    assert {(r["thread_id"], r["call_id"]) for r in rows} == {
        (r["thread_id"], r["call_id"]) for r in ledger
    }
    assert [r["status"] for r in result["replies"]] == ["sent"] * 3
    assert MEMORY_OUTBOX == []  # with a transaction, nothing goes to the in-memory outbox


async def test_rejected_and_refused_sends_write_neither_outbox_nor_ledger(team):
    graph, store, saver = team
    leaked = {"to": OMAR, "subject": "Re: Slides", "body": f"My balance is {BALANCE}."}

    def review(args: dict[str, Any]) -> dict[str, Any]:
        if args["to"] == PHISHER:
            return {"type": "reject"}
        if args["to"] == OMAR:  # the reviewer's own edit must not leak the statement either
            return {"type": "edit", "edited_action": {"name": "send_email", "args": leaked}}
        return {"type": "approve"}

    result = await run_and_decide(graph, "pg-review", review)

    rows = await query(saver, "SELECT recipient FROM fleetgraph_outbox")
    ledger = await query(
        saver, "SELECT call_id FROM fleetgraph_tool_ledger WHERE tool = 'send_email'"
    )
    assert [r["recipient"] for r in rows] == [MAYA]
    assert len(ledger) == 1
    status = {reply["to"]: reply["status"] for reply in result["replies"]}
    assert status == {MAYA: "sent", PHISHER: "not_sent", OMAR: "not_sent"}
    audit = {r.args["to"]: r for r in await store.audit_rows("pg-review") if r.tool == "send_email"}
    assert audit[OMAR].approval == "edited" and "refused" in (audit[OMAR].error or "")
    assert PHISHER not in audit
