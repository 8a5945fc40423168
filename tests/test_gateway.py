"""The tool gateway: validation, retries, timeouts, fallbacks, breakers, quotas, audit."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from fleetgraph.gateway.postgres_store import current_gateway_store

from fake_model import ScriptedChatModel, tool_call
from gateway_kit import Faults, make_registry, make_team


async def run(team, context, request="go", thread="t"):
    config = {"configurable": {"thread_id": thread}}
    events = [
        e
        async for e in team.astream(
            {"request": request}, config, context=context, stream_mode="custom", subgraphs=True
        )
    ]
    state = (await team.aget_state(config)).values
    return state.get("result"), [payload for _, payload in events]


def tool_results(model: ScriptedChatModel, call_index: int) -> list[ToolMessage]:
    return [m for m in model.received[call_index] if isinstance(m, ToolMessage)]


async def test_an_unknown_tool_goes_back_to_the_model_with_the_available_ones(scripted_models):
    worker = ScriptedChatModel(
        script=[tool_call("search_everything", {"query": "x"}), AIMessage("sorry")]
    )
    team = make_team(make_registry(Faults()), "primary_search", "backup_search")

    result, _ = await run(team, scripted_models(worker=worker))

    error = tool_results(worker, 1)[-1]
    assert error.status == "error"
    assert "no tool named 'search_everything'" in error.text
    assert "primary_search, backup_search" in error.text
    assert result["status"] == "ok"


async def test_malformed_arguments_are_refused_with_the_reason(scripted_models):
    faults = Faults()
    worker = ScriptedChatModel(
        script=[
            tool_call("count_items", {"items": "many"}),
            tool_call("count_items", {"items": [1, 2, 3], "limit": 2}, "call_2"),
            AIMessage("done"),
        ]
    )
    team = make_team(make_registry(faults), "count_items")

    result, _ = await run(team, scripted_models(worker=worker))

    refusal = tool_results(worker, 1)[-1].text
    assert "invalid arguments for count_items" in refusal
    assert "items" in refusal and "limit: Field required" in refusal
    assert faults.calls == {"count_items": 1}
    assert tool_results(worker, 2)[-1].text == "2 items"
    assert result["status"] == "ok"


async def test_invalid_calls_are_bounded(scripted_models):
    worker = ScriptedChatModel(script=[tool_call("nope", {}, f"c{i}") for i in range(3)])
    team = make_team(make_registry(Faults()), "backup_search")
    context = scripted_models(worker=worker, max_invalid_tool_calls=2, worker_restarts=0)

    result, _ = await run(team, context)

    assert result["status"] == "failed"
    assert "made 3 invalid tool calls (limit 2)" in result["error"]


async def test_transient_errors_are_retried_and_permanent_ones_are_not(scripted_models):
    faults = Faults(transient={"backup_search": 2}, permanent={"count_items"})
    worker = ScriptedChatModel(
        script=[
            tool_call("backup_search", {"query": "q"}),
            tool_call("count_items", {"items": [1], "limit": 1}, "call_2"),
            AIMessage("done"),
        ]
    )
    team = make_team(make_registry(faults), "backup_search", "count_items")

    await run(team, scripted_models(worker=worker))

    assert tool_results(worker, 1)[-1].text == "backup result for q"
    assert faults.calls["backup_search"] == 3
    assert faults.calls["count_items"] == 1
    refused = tool_results(worker, 2)[-1]
    assert refused.status == "error" and "PermanentToolError" in refused.text


async def test_a_timed_out_tool_falls_back_and_says_who_answered(scripted_models):
    faults = Faults(hang={"primary_search"})
    worker = ScriptedChatModel(
        script=[tool_call("primary_search", {"query": "q"}), AIMessage("ok")]
    )
    team = make_team(make_registry(faults), "primary_search")

    _, events = await run(team, scripted_models(worker=worker))

    answer = tool_results(worker, 1)[-1]
    assert answer.text == "(answered by fallback tool backup_search) backup result for q"
    assert answer.artifact == {"answered_by": "backup_search"}
    called = [e for e in events if e["event"] == "tool_called"]
    assert called[-1]["answered_by"] == "backup_search" and called[-1]["ok"] is True


async def test_the_breaker_opens_and_then_fails_fast_to_the_fallback(scripted_models):
    faults = Faults(permanent={"primary_search"})
    calls = [tool_call("primary_search", {"query": f"q{i}"}, f"c{i}") for i in range(4)]
    worker = ScriptedChatModel(script=[*calls, AIMessage("ok")])
    team = make_team(make_registry(faults), "primary_search")

    _, events = await run(team, scripted_models(worker=worker))

    assert faults.calls["primary_search"] == 2  # min_calls=2 at 100% errors opens it
    assert faults.calls["backup_search"] == 4
    assert [e["tool"] for e in events if e["event"] == "breaker_opened"] == ["primary_search"]
    rows = await current_gateway_store().audit_rows(thread_id="t")
    assert any(r.result == "circuit breaker opened" for r in rows)


async def test_a_quota_is_enforced_with_a_clear_error(scripted_models):
    faults = Faults()
    calls = [tool_call("count_items", {"items": [1], "limit": 5}, f"c{i}") for i in range(3)]
    worker = ScriptedChatModel(script=[*calls, AIMessage("ok")])
    team = make_team(make_registry(faults), "count_items")

    _, events = await run(team, scripted_models(worker=worker))

    assert faults.calls["count_items"] == 2
    refused = tool_results(worker, 3)[-1]
    assert refused.status == "error" and "rate limit reached for count_items" in refused.text
    assert [e["tool"] for e in events if e["event"] == "quota_exceeded"] == ["count_items"]


async def test_medium_risk_runs_and_notifies_and_every_call_is_audited(scripted_models):
    faults = Faults()
    worker = ScriptedChatModel(
        script=[tool_call("notify_team", {"message": "deploy done"}), AIMessage("posted")]
    )
    team = make_team(make_registry(faults), "notify_team")

    _, events = await run(team, scripted_models(worker=worker, user_id="u-7"), thread="audit")

    assert faults.effects == ["notify:deploy done"]
    notice = next(e for e in events if e["event"] == "risk_notice")
    assert notice["tool"] == "notify_team" and notice["thread_id"] == "audit"
    (row,) = await current_gateway_store().audit_rows(thread_id="audit")
    assert (row.worker, row.tool, row.risk, row.user_id) == (
        "clerk",
        "notify_team",
        "medium",
        "u-7",
    )
    assert row.args == {"message": "deploy done"} and row.result == "posted"
    assert row.error is None and row.latency_ms >= 0


@pytest.mark.parametrize("policy", [(), ("low",)])
async def test_approval_policy_comes_from_context(scripted_models, policy):
    faults = Faults()
    worker = ScriptedChatModel(
        script=[tool_call("wire_money", {"account": "A-1", "amount": 5}), AIMessage("ok")]
    )
    team = make_team(make_registry(faults), "wire_money")

    result, _ = await run(team, scripted_models(worker=worker, approval_required=policy))

    assert result["status"] == "ok" and faults.effects == ["wire:A-1:5.0"]
