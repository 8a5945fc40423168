"""Approval gates: high-risk calls wait for approve, edit or reject; bad answers are refused."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.types import Command
from pydantic import ValidationError

from fleetgraph.gateway.postgres_store import current_gateway_store

from fake_model import ScriptedChatModel
from gateway_kit import Faults, make_registry, make_team

CONFIG = {"configurable": {"thread_id": "gate"}}


def wire(account: str, amount: float, call_id: str) -> dict:
    return {
        "name": "wire_money",
        "args": {"account": account, "amount": amount},
        "id": call_id,
        "type": "tool_call",
    }


def two_wires() -> AIMessage:
    return AIMessage(
        content="Paying both invoices as asked.",
        tool_calls=[wire("A-1", 10, "w1"), wire("B-2", 20, "w2")],
    )


async def pending(team):
    state = await team.aget_state(CONFIG)
    return [i.value for task in state.tasks for i in task.interrupts]


async def test_high_risk_calls_stop_together_in_the_hitl_shape(scripted_models):
    faults = Faults()
    worker = ScriptedChatModel(script=[two_wires(), AIMessage("done")])
    team = make_team(make_registry(faults), "wire_money")

    await team.ainvoke({"request": "pay"}, CONFIG, context=scripted_models(worker=worker))

    (request,) = await pending(team)
    assert faults.effects == []
    assert [a["name"] for a in request["action_requests"]] == ["wire_money", "wire_money"]
    assert request["action_requests"][0]["args"] == {"account": "A-1", "amount": 10}
    assert request["action_requests"][0]["risk"] == "high"
    assert request["review_configs"][0] == {
        "action_name": "wire_money",
        "allowed_decisions": ["approve", "edit", "reject"],
    }
    assert request["reasoning"] == "Paying both invoices as asked."
    assert request["worker"] == "clerk"


async def test_one_decision_each_approve_edit_reject(scripted_models):
    faults = Faults()
    worker = ScriptedChatModel(
        script=[
            AIMessage(
                "", tool_calls=[wire("A-1", 10, "w1"), wire("B-2", 20, "w2"), wire("C-3", 30, "w3")]
            ),
            AIMessage("done"),
        ]
    )
    team = make_team(make_registry(faults), "wire_money")
    context = scripted_models(worker=worker)
    await team.ainvoke({"request": "pay"}, CONFIG, context=context)

    decisions = [
        {"type": "approve"},
        {
            "type": "edit",
            "edited_action": {"name": "wire_money", "args": {"account": "B-2", "amount": 2}},
        },
        {"type": "reject", "message": "not this one"},
    ]
    result = await team.ainvoke(
        Command(resume={"decisions": decisions, "approver": "alice"}), CONFIG, context=context
    )

    assert sorted(faults.effects) == ["wire:A-1:10.0", "wire:B-2:2.0"]
    assert result["result"]["status"] == "ok"
    answers = {m.tool_call_id: m for m in worker.received[1] if isinstance(m, ToolMessage)}
    assert answers["w3"].status == "error" and "not this one" in answers["w3"].text
    rows = {r.args["account"]: r for r in await current_gateway_store().audit_rows("gate")}
    assert (rows["A-1"].approval, rows["A-1"].approver) == ("approved", "alice")
    assert rows["B-2"].approval == "edited" and rows["B-2"].args == {"account": "B-2", "amount": 2}


@pytest.mark.parametrize(
    "answer",
    [
        {"decisions": [{"type": "approve"}]},
        {"decisions": [{"type": "maybe"}, {"type": "approve"}]},
        {"decisions": [{"type": "edit"}, {"type": "approve"}]},
        "yes",
    ],
)
async def test_a_malformed_decision_is_refused_and_the_gate_stays_pending(scripted_models, answer):
    faults = Faults()
    worker = ScriptedChatModel(script=[two_wires(), AIMessage("done")])
    team = make_team(make_registry(faults), "wire_money")
    context = scripted_models(worker=worker)
    await team.ainvoke({"request": "pay"}, CONFIG, context=context)

    with pytest.raises(ValidationError):
        await team.ainvoke(Command(resume=answer), CONFIG, context=context)

    assert len(await pending(team)) == 1 and faults.effects == []
    approve_both = {"decisions": [{"type": "approve"}, {"type": "approve"}]}
    result = await team.ainvoke(Command(resume=approve_both), CONFIG, context=context)
    assert result["result"]["status"] == "ok" and len(faults.effects) == 2


async def test_approval_events_are_streamed(scripted_models):
    worker = ScriptedChatModel(script=[two_wires(), AIMessage("done")])
    team = make_team(make_registry(Faults()), "wire_money")
    context = scripted_models(worker=worker)

    async def events(payload):
        return [
            e
            async for _, e in team.astream(
                payload, CONFIG, context=context, stream_mode="custom", subgraphs=True
            )
        ]

    first = await events({"request": "pay"})
    second = await events(Command(resume={"decisions": [{"type": "approve"}] * 2}))

    assert [e["event"] for e in first if e["event"].startswith("approval")] == [
        "approval_requested"
    ]
    assert [e["event"] for e in second if e["event"].startswith("approval")] == [
        "approval_decided",
        "approval_decided",
    ]
