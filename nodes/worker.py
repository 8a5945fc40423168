"""A graph node that hands the latest request to one worker agent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from fleetgraph.context import Context, context_of
from fleetgraph.envelope import TaskEnvelope, WorkerResult
from fleetgraph.nodes.agents import build_worker_agent, run_reported, run_worker_agent
from fleetgraph.nodes.requests import latest_request
from fleetgraph.registry import WorkerSpec
from fleetgraph.state import RouterState

WorkerNode = Callable[[RouterState, Runtime[Context]], Awaitable[dict[str, Any]]]


def make_worker_node(spec: WorkerSpec) -> WorkerNode:
    """A node running `spec`'s agent on an envelope holding only the latest request.

    A failure is recorded in `attempts` rather than raised, so the graph's edges can route
    to a fallback worker. Interrupts (approval gates) are not failures and pass through.
    """
    agent = build_worker_agent(spec)

    async def run_worker(state: RouterState, runtime: Runtime[Context]) -> dict[str, Any]:
        context = context_of(runtime)
        task = TaskEnvelope(goal=latest_request(state["messages"]))
        result = await run_reported(
            spec.name, task.goal, run_worker_agent(agent, spec, task, context)
        )
        update: dict[str, Any] = {"attempts": [*state.get("attempts", []), result.model_dump()]}
        if result.status == "ok":
            update["messages"] = [_answer_message(result)]
            update["answered_by"] = spec.name
        return update

    run_worker.__name__ = f"run_{spec.name}"
    return run_worker


def _answer_message(result: WorkerResult) -> AIMessage:
    metadata = {"worker": result.worker}
    if result.offline_model:
        metadata.update(offline=True, model_provider="offline")
    return AIMessage(content=result.output, name=result.worker, response_metadata=metadata)
