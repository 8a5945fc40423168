"""Email assistant (scenario 5), offline end to end: plan, workers, approval gates, outbox."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from fleetgraph.context import Context
from fleetgraph.gateway.postgres_store import current_gateway_store
from fleetgraph.graphs.email_assistant import builder, graph
from fleetgraph.nodes.email_report import CANNOT
from fleetgraph.tools.email import MEMORY_OUTBOX, OutboxEmail, new_emails

REQUEST = "summarise my bank statement and answer my new emails"
OFFLINE = Context(router_model="offline", worker_model="offline")
SNAPSHOT = Path(__file__).parent / "snapshots" / "email_assistant.mmd"
MAYA, PHISHER, OMAR = (email["from"] for email in new_emails())

Decide = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    MEMORY_OUTBOX.clear()
    yield
    MEMORY_OUTBOX.clear()


def thread(name: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": name}}


async def start(config: dict[str, Any], request: str = REQUEST, context: Context = OFFLINE) -> Any:
    team = builder.compile(checkpointer=InMemorySaver())
    await team.ainvoke({"messages": [("user", request)]}, config, context=context)
    return team


async def gates(team: Any, config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The pending approval requests by recipient, each with its interrupt id."""
    state = await team.aget_state(config)
    return {
        i.value["action_requests"][0]["args"]["to"]: {**i.value, "id": i.id}
        for i in state.interrupts
    }


async def decide(team: Any, config: dict[str, Any], decision: Decide) -> dict[str, Any]:
    """Answer every pending gate with `decision(action)`, as reviewer 'jamie'."""
    pending = await gates(team, config)
    resume = {
        gate["id"]: {"decisions": [decision(gate["action_requests"][0])], "approver": "jamie"}
        for gate in pending.values()
    }
    result: dict[str, Any] = await team.ainvoke(Command(resume=resume), config, context=OFFLINE)
    return result


def sent(thread_id: str) -> dict[str, OutboxEmail]:
    emails = [email for email in MEMORY_OUTBOX if email.thread_id == thread_id]
    by_recipient = {email.recipient: email for email in emails}
    assert len(by_recipient) == len(emails), "one email per recipient at most"
    return by_recipient


async def test_an_offline_run_stops_at_one_approval_gate_per_new_email():
    config = thread("gate")
    team = await start(config)

    pending = await gates(team, config)
    state = await team.aget_state(config)

    assert sorted(pending) == sorted([MAYA, PHISHER, OMAR])
    assert state.next == ("replier", "replier", "replier")  # the statement reader is done
    for gate in pending.values():
        (action,) = gate["action_requests"]
        assert action["name"] == "send_email"
        assert set(action["args"]) == {"to", "subject", "body"}
        assert action["risk"] == "high"
        assert action["description"].startswith("Tool execution requires approval")
        assert gate["review_configs"] == [
            {"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject"]}
        ]
        assert gate["worker"] == "replier"
        assert gate["reasoning"]  # the offline model gives none: the gate says so
    assert sent("gate") == {}


async def test_approving_every_gate_sends_one_email_per_new_email():
    config = thread("approve")
    team = await start(config)

    result = await decide(team, config, lambda action: {"type": "approve"})

    outbox = sent("approve")
    assert sorted(outbox) == sorted([MAYA, PHISHER, OMAR])
    assert "Lunch on Thursday?" in outbox[MAYA].body  # the offline model replies verbatim
    assert [r["status"] for r in result["replies"]] == ["sent"] * 3
    for reply in result["replies"]:  # each reply was drafted before it was sent
        tools = [e["tool"] for e in reply["result"]["evidence"]]
        assert tools == ["draft_reply", "send_email"]
    answer = result["messages"][-1]
    assert answer.name == "email_assistant" and answer.response_metadata["offline"] is True
    assert "Spending by category:" in answer.text and "- groceries: 308.80 (4)" in answer.text
    assert answer.text.count("reply sent") == 3
    rows = [
        r for r in await current_gateway_store().audit_rows("approve") if r.tool == "send_email"
    ]
    assert [(r.approval, r.approver, r.risk, r.error) for r in rows] == [
        ("approved", "jamie", "high", None)
    ] * 3


async def test_reject_and_edit_decisions_are_followed():
    config = thread("review")
    team = await start(config)
    edited = {"to": OMAR, "subject": "Re: Slides for Monday", "body": "Hi Omar, by Friday."}

    def review(action: dict[str, Any]) -> dict[str, Any]:
        to = action["args"]["to"]
        if to == PHISHER:
            return {"type": "reject", "message": "Phishing: do not answer it."}
        if to == OMAR:
            return {"type": "edit", "edited_action": {"name": "send_email", "args": edited}}
        return {"type": "approve"}

    result = await decide(team, config, review)

    outbox = sent("review")
    assert sorted(outbox) == sorted([MAYA, OMAR])
    assert (outbox[OMAR].subject, outbox[OMAR].body) == (edited["subject"], edited["body"])
    status = {reply["to"]: reply["status"] for reply in result["replies"]}
    assert status == {MAYA: "sent", PHISHER: "not_sent", OMAR: "sent"}
    phished = next(r for r in result["replies"] if r["to"] == PHISHER)
    assert "Phishing: do not answer it." in phished["result"]["output"]
    assert f"{PHISHER} (Action required: verify your account): no reply sent" in (
        result["messages"][-1].text
    )
    audit = await current_gateway_store().audit_rows("review")
    rows = {r.args["to"]: r for r in audit if r.tool == "send_email"}
    assert rows[OMAR].approval == "edited" and rows[OMAR].args == edited
    assert rows[MAYA].approval == "approved" and PHISHER not in rows


@pytest.mark.parametrize(
    ("request_text", "work", "gated"),
    [
        ("summarise my bank statement", "statement", 0),
        ("answer my new emails", "emails", 3),
        ("what is the weather in Lisbon?", "none", 0),
    ],
)
async def test_the_plan_runs_only_the_work_asked_for(request_text, work, gated):
    config = thread(f"plan-{work}")
    team = await start(config, request_text)

    state = await team.aget_state(config)

    assert state.values["plan"]["work"] == work
    assert len(state.interrupts) == gated
    if work == "statement":
        answer = state.values["messages"][-1].text
        assert answer.startswith("Bank statement summary:") and "New emails" not in answer
    if work == "none":
        assert state.values["messages"][-1].text == CANNOT


async def test_without_approval_required_sends_go_straight_out():
    config = thread("no-gate")
    context = Context(router_model="offline", worker_model="offline", approval_required=())

    team = await start(config, "answer my new emails", context)

    assert (await team.aget_state(config)).interrupts == ()
    assert sorted(sent("no-gate")) == sorted([MAYA, PHISHER, OMAR])


def test_the_graph_shape_matches_its_snapshot():
    drawn = graph.get_graph().draw_mermaid() + "\n"
    if os.environ.get("FLEETGRAPH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(drawn)
    assert drawn == SNAPSHOT.read_text()
    for route in ("plan -.-> statement_reader;", "plan -.-> replier;", "plan -.-> report;"):
        assert route in drawn
