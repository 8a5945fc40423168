"""The router graph on scripted models: routes, fallbacks, isolation and bad input."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from fleetgraph.context import Context
from fleetgraph.errors import ConfigurationError, InvalidInputError
from fleetgraph.graphs.router import builder, graph

from fake_model import ScriptedChatModel, Sleep, route_to, tool_call


def ask(text: str) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": "user", "content": text}]}


async def test_confident_route_runs_the_specialist_with_its_own_tools(scripted_models):
    router = ScriptedChatModel(script=[route_to("analytics", 0.9)])
    worker = ScriptedChatModel(
        script=[tool_call("describe_numbers", {"values": [1, 2, 3]}), AIMessage("The mean is 2.")]
    )
    context = scripted_models(router=router, worker=worker)

    result = await graph.ainvoke(ask("average of 1, 2 and 3"), context=context)

    answer = result["messages"][-1]
    assert (answer.text, answer.name, result["answered_by"]) == (
        "The mean is 2.",
        "analytics",
        "analytics",
    )
    assert result["route"]["worker"] == "analytics" and result["route"]["confidence"] == 0.9
    assert worker.bound_tools == [["describe_numbers", "growth_rate"]] * 2
    tool_result = worker.received[1][-1]
    assert isinstance(tool_result, ToolMessage) and "mean=2" in tool_result.text
    assert result["attempts"][0]["evidence"][0]["tool"] == "describe_numbers"
    assert result["attempts"][0]["cost"]["model_calls"] == 2


async def test_router_model_sees_the_catalogue_and_only_the_request(scripted_models):
    router = ScriptedChatModel(script=[route_to("writer")])
    worker = ScriptedChatModel(script=[AIMessage("Draft ready.")])

    await graph.ainvoke(ask("draft a post"), context=scripted_models(router=router, worker=worker))

    system, human = router.received[0]
    assert isinstance(system, SystemMessage) and isinstance(human, HumanMessage)
    for name in ("support", "analytics", "writer", "general"):
        assert f"- {name}:" in system.text
    assert human.text == "draft a post"
    assert router.bound_tools == [["RouteDecision"]]


async def test_low_confidence_goes_to_the_general_worker(scripted_models):
    router = ScriptedChatModel(script=[route_to("support", confidence=0.2)])
    worker = ScriptedChatModel(script=[AIMessage("General answer.")])

    result = await graph.ainvoke(ask("hmm"), context=scripted_models(router=router, worker=worker))

    assert result["route"] | {"reason": None} == {
        "worker": "general",
        "chosen": "support",
        "confidence": 0.2,
        "reason": None,
        "below_threshold": True,
    }
    assert result["answered_by"] == "general"
    assert worker.bound_tools == [["current_time", "calculator"]]


async def test_threshold_comes_from_context(scripted_models):
    router = ScriptedChatModel(script=[route_to("support", confidence=0.6)])
    worker = ScriptedChatModel(script=[AIMessage("ok")])
    context = scripted_models(router=router, worker=worker, route_confidence_threshold=0.7)

    result = await graph.ainvoke(ask("password"), context=context)

    assert result["answered_by"] == "general"


async def test_a_failing_specialist_falls_back_to_general(scripted_models):
    router = ScriptedChatModel(script=[route_to("support")])
    worker = ScriptedChatModel(script=[RuntimeError("provider exploded"), AIMessage("Fallback.")])

    context = scripted_models(router=router, worker=worker, worker_restarts=0)

    result = await graph.ainvoke(ask("reset"), context=context)

    assert [a["worker"] for a in result["attempts"]] == ["support", "general"]
    assert result["attempts"][0]["status"] == "failed"
    assert "provider exploded" in result["attempts"][0]["error"]
    assert result["messages"][-1].text == "Fallback." and result["answered_by"] == "general"


async def test_a_failed_worker_run_is_restarted_before_falling_back(scripted_models):
    router = ScriptedChatModel(script=[route_to("support")])
    worker = ScriptedChatModel(script=[RuntimeError("flaky"), AIMessage("Second try.")])
    events = []
    threaded = builder.compile(checkpointer=InMemorySaver())
    context = scripted_models(router=router, worker=worker, worker_restarts=1)

    async for event in threaded.astream(
        ask("reset"), {"configurable": {"thread_id": "r"}}, context=context, stream_mode="custom"
    ):
        events.append(event)

    state = (await threaded.aget_state({"configurable": {"thread_id": "r"}})).values
    assert state["answered_by"] == "support" and state["messages"][-1].text == "Second try."
    restart = next(e for e in events if e["event"] == "worker_restarted")
    assert restart["agent"] == "support" and "flaky" in restart["error"]
    assert [type(m) for m in worker.received[1]] == [SystemMessage, HumanMessage]


async def test_a_timed_out_specialist_falls_back(scripted_models):
    router = ScriptedChatModel(script=[route_to("writer")])
    worker = ScriptedChatModel(script=[Sleep(5, AIMessage("too late")), AIMessage("In time.")])
    context = scripted_models(
        router=router, worker=worker, worker_timeout_seconds=0.2, worker_restarts=0
    )

    result = await graph.ainvoke(ask("write"), context=context)

    assert result["attempts"][0]["error"] == "WorkerTimeoutError: writer ran past its 0.2s limit"
    assert result["messages"][-1].text == "In time."


async def test_when_every_worker_fails_the_answer_says_so(scripted_models):
    router = ScriptedChatModel(script=[route_to("support")])
    worker = ScriptedChatModel(script=[RuntimeError("down"), RuntimeError("also down")])
    context = scripted_models(router=router, worker=worker, worker_restarts=0)

    result = await graph.ainvoke(ask("x"), context=context)

    answer = result["messages"][-1]
    assert answer.name == "router" and "no worker could answer" in answer.text
    assert "support: RuntimeError: down" in answer.text and "also down" in answer.text


async def test_workers_see_only_the_latest_request_not_the_thread(scripted_models):
    router = ScriptedChatModel(script=[route_to("support"), route_to("writer")])
    worker = ScriptedChatModel(
        script=[AIMessage("Your account id is ACC-1003."), AIMessage("Draft.")]
    )
    context = scripted_models(router=router, worker=worker)
    threaded = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "isolation"}}

    await threaded.ainvoke(ask("what is my account id?"), config, context=context)
    result = await threaded.ainvoke(ask("write a thank-you note"), config, context=context)

    assert len(result["messages"]) == 4
    second_call = worker.received[1]
    assert [type(m) for m in second_call] == [SystemMessage, HumanMessage]
    assert second_call[1].text == "write a thank-you note"
    assert "ACC-1003" not in " ".join(m.text for m in second_call)


async def test_progress_events_are_streamed(scripted_models):
    router = ScriptedChatModel(script=[route_to("support")])
    worker = ScriptedChatModel(script=[AIMessage("done")])
    threaded = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "events"}}

    events = [
        chunk
        async for chunk in threaded.astream(
            ask("help"),
            config,
            context=scripted_models(router=router, worker=worker),
            stream_mode="custom",
        )
    ]

    assert [(e["event"], e["agent"]) for e in events] == [
        ("agent_started", "support"),
        ("fleet_health", "support"),
        ("agent_completed", "support"),
    ]
    assert events[1]["completed"] == 1 and events[1]["running"] == 0
    assert all(e["thread_id"] == "events" and e["ts"] > 0 for e in events)


@pytest.mark.parametrize("payload", [{"messages": []}, ask("   ")])
async def test_bad_input_is_a_clear_error(payload):
    with pytest.raises(InvalidInputError, match="user message"):
        await graph.ainvoke(payload, context=Context(router_model="offline"))


async def test_unknown_model_provider_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="Unsupported provider='nosuch'"):
        await graph.ainvoke(ask("hi"), context=Context(router_model="nosuch:model"))
