"""The router through the real langchain-openai client, against a loopback stub server."""

from __future__ import annotations

import json

import pytest

from fleetgraph.context import Context
from fleetgraph.graphs.router import graph

from openai_stub import StubReply, openai_stub


@pytest.fixture
def stubbed_openai(monkeypatch):
    def start(script):
        stub_cm = openai_stub(script)
        stub = stub_cm.__enter__()
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-stub")
        started.append(stub_cm)
        return stub

    started: list = []
    yield start
    for stub_cm in started:
        stub_cm.__exit__(None, None, None)


async def test_router_runs_on_an_openai_compatible_endpoint(stubbed_openai):
    decision = {"worker": "analytics", "confidence": 0.92, "reason": "numbers"}
    stub = stubbed_openai(
        [
            StubReply(content=json.dumps(decision)),
            StubReply(tool_calls=[("describe_numbers", {"values": [2, 4]})]),
            StubReply(content="The mean is 3."),
        ]
    )
    context = Context(router_model="openai:router-mini", worker_model="openai:worker-large")

    result = await graph.ainvoke(
        {"messages": [{"role": "user", "content": "mean of 2 and 4"}]}, context=context
    )

    assert result["route"]["worker"] == "analytics" and result["route"]["confidence"] == 0.92
    answer = result["messages"][-1]
    assert answer.text == "The mean is 3." and answer.name == "analytics"
    router_call, worker_call, worker_answer = stub.requests
    assert router_call["model"] == "router-mini" and worker_call["model"] == "worker-large"
    schema = router_call["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["worker"]["enum"] == ["support", "analytics", "writer", "general"]
    assert [t["function"]["name"] for t in worker_call["tools"]] == [
        "describe_numbers",
        "growth_rate",
    ]
    tool_message = worker_answer["messages"][-1]
    assert tool_message["role"] == "tool" and "mean=3" in tool_message["content"]
    assert result["attempts"][0]["cost"] == {
        "model_calls": 2,
        "input_tokens": 22,
        "output_tokens": 14,
    }
    assert result["attempts"][0]["offline_model"] is False
