"""Router graph (seed 001): classify a request and hand it to the right worker.

Workers come from the `ROUTER_WORKERS` registry: adding one is one registration. A confident
classification goes to that specialist; a low-confidence one, or a specialist
that fails, goes to the general worker. If the general worker fails too, the turn ends
with an answer that says so.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from fleetgraph.context import Context, context_of
from fleetgraph.nodes.classify import classify_request
from fleetgraph.nodes.requests import latest_request
from fleetgraph.nodes.router_workers import ROUTER_WORKERS
from fleetgraph.nodes.worker import make_worker_node
from fleetgraph.state import RouterState

FALLBACK = "general"


async def classify(state: RouterState, runtime: Runtime[Context]) -> Command[str]:
    """Route to a worker of `ROUTER_WORKERS`; the graph's edges come from the same registry."""
    request = latest_request(state["messages"])
    route = await classify_request(request, ROUTER_WORKERS, FALLBACK, context_of(runtime))
    return Command(goto=route["worker"], update={"route": route, "attempts": [], "answered_by": ""})


def after_specialist(state: RouterState) -> Literal["general", "__end__"]:
    """A specialist that failed hands the request to the general worker."""
    return "__end__" if state["attempts"][-1]["status"] == "ok" else "general"


def after_general(state: RouterState) -> Literal["report_failure", "__end__"]:
    return "__end__" if state["attempts"][-1]["status"] == "ok" else "report_failure"


def report_failure(state: RouterState) -> dict[str, object]:
    """End the turn with an answer that names each worker's error."""
    errors = "; ".join(f"{a['worker']}: {a['error']}" for a in state["attempts"])
    text = f"Sorry, no worker could answer this request ({errors})."
    return {"messages": [AIMessage(content=text, name="router")], "answered_by": "router"}


builder = StateGraph(RouterState, context_schema=Context)
builder.add_node("classify", classify, destinations=ROUTER_WORKERS.names())
for spec in ROUTER_WORKERS:
    builder.add_node(spec.name, make_worker_node(spec))
    if spec.name != FALLBACK:
        builder.add_conditional_edges(spec.name, after_specialist)
builder.add_conditional_edges(FALLBACK, after_general)
builder.add_node("report_failure", report_failure)
builder.add_edge(START, "classify")
builder.add_edge("report_failure", END)

graph = builder.compile(name="router")
