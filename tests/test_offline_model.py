"""The offline model: deterministic rules, honest metadata, real tool calls."""

from __future__ import annotations

from typing import Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from fleetgraph.context import Context
from fleetgraph.graphs.router import graph
from fleetgraph.models import OfflineChatModel
from fleetgraph.tools.analytics import describe_numbers, growth_rate
from fleetgraph.tools.support import lookup_account, search_help_center

CATALOGUE = SystemMessage(
    "Workers:\n- billing: invoices, refunds, charges\n- weather: forecast, rain, sun\n"
    "- general: anything else"
)


class Pick(BaseModel):
    """A choice."""

    worker: Literal["billing", "weather", "general"]
    confidence: float
    reason: str


def test_structured_output_picks_the_described_option_with_a_confidence():
    model = OfflineChatModel().with_structured_output(Pick)

    refund = model.invoke([CATALOGUE, HumanMessage("I want a refund for this charge")])
    unknown = model.invoke([CATALOGUE, HumanMessage("tell me a joke")])

    assert (refund.worker, refund.confidence) == ("billing", 0.67)
    assert "refund" in refund.reason
    assert (unknown.worker, unknown.confidence) == ("general", 0.0)


def test_picks_the_tool_whose_description_matches_and_fills_its_arguments():
    model = OfflineChatModel().bind_tools([describe_numbers, growth_rate])

    reply = model.invoke([HumanMessage("median of 4, 8 and 15")])

    assert reply.tool_calls[0]["name"] == "describe_numbers"
    assert reply.tool_calls[0]["args"] == {"values": [4.0, 8.0, 15.0]}
    assert reply.tool_calls[0]["id"].startswith("call_")


def test_extracts_identifiers_for_id_arguments():
    model = OfflineChatModel().bind_tools([search_help_center, lookup_account])

    reply = model.invoke([HumanMessage("look up account ACC-1002 status")])

    assert reply.tool_calls == [
        {**reply.tool_calls[0], "name": "lookup_account", "args": {"account_id": "ACC-1002"}}
    ]


def test_answers_from_tool_results_and_labels_itself():
    model = OfflineChatModel().bind_tools([describe_numbers])
    call = model.invoke([HumanMessage("mean of 1 and 3")])
    result = ToolMessage("count=2, mean=2", tool_call_id=call.tool_calls[0]["id"])

    answer = model.invoke([HumanMessage("mean of 1 and 3"), call, result])

    assert isinstance(answer, AIMessage) and answer.text == "count=2, mean=2"
    assert answer.tool_calls == []
    assert answer.response_metadata["offline"] is True
    assert answer.response_metadata["model_name"] == "fleetgraph-offline"
    assert answer.usage_metadata["total_tokens"] > 0


def test_says_plainly_when_it_cannot_help():
    answer = OfflineChatModel().invoke([HumanMessage("what is the meaning of life")])

    assert answer.text.startswith("[offline model]")
    assert "OPENAI_API_KEY" in answer.text


def test_is_deterministic():
    model = OfflineChatModel().bind_tools([describe_numbers, growth_rate])
    prompt = [HumanMessage("growth of 10, 20, 40")]

    assert model.invoke(prompt).tool_calls == model.invoke(prompt).tool_calls


@pytest.mark.parametrize(
    ("request_text", "worker", "needle"),
    [
        ("reset my password", "support", "KB-101"),
        ("look up account ACC-1003", "support", "locked=True"),
        ("what is the average of 3, 5 and 10?", "analytics", "mean=6"),
        ("revenue went 100, 120, 150: growth rate?", "analytics", "+25.0%"),
        ("write a blog post about sea turtles", "writer", "Title: Sea Turtles"),
        ("what is 17*3+2", "general", "= 53"),
        ("hello there", "general", "[offline model]"),
    ],
)
async def test_drives_the_router_through_every_worker(request_text, worker, needle):
    result = await graph.ainvoke(
        {"messages": [{"role": "user", "content": request_text}]},
        context=Context(router_model="offline", worker_model="offline"),
    )

    assert result["answered_by"] == worker
    assert needle in result["messages"][-1].text
    assert result["messages"][-1].response_metadata["offline"] is True
