"""Worker agents: langchain v1 agents that see only their envelope and their own tools."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.graph.state import CompiledStateGraph

from fleetgraph.context import Context
from fleetgraph.envelope import Evidence, TaskEnvelope, WorkerCost, WorkerResult
from fleetgraph.models.middleware import ContextModelMiddleware
from fleetgraph.models.offline import OfflineChatModel
from fleetgraph.registry import WorkerSpec

EVIDENCE_CHARS = 2000


def build_worker_agent(spec: WorkerSpec, role: str = "worker") -> CompiledStateGraph[Any]:
    """The agent graph for one worker.

    The model passed to `create_agent` is only a placeholder: `ContextModelMiddleware`
    swaps in the model that the run's Context names for `role` on every call.
    """
    return create_agent(
        model=OfflineChatModel(),
        tools=list(spec.tools),
        system_prompt=spec.system_prompt,
        middleware=[ContextModelMiddleware(role)],
        context_schema=Context,
        name=spec.name,
    )


async def run_worker_agent(
    agent: CompiledStateGraph[Any], spec: WorkerSpec, task: TaskEnvelope, context: Context
) -> WorkerResult:
    """Run one task to its end and reduce the agent's transcript to a `WorkerResult`.

    Raises whatever the agent raises, and `TimeoutError` past the Context's limit; the
    caller decides what a failure means (fallback, retry, report).
    """
    state = await asyncio.wait_for(
        agent.ainvoke(
            {"messages": [HumanMessage(task.as_prompt())]},
            config={"recursion_limit": context.max_worker_steps},
            context=context,
        ),
        timeout=context.worker_timeout_seconds,
    )
    return summarise_transcript(spec.name, state["messages"])


def summarise_transcript(worker: str, messages: list[Any]) -> WorkerResult:
    replies = [m for m in messages if isinstance(m, AIMessage)]
    cost = WorkerCost(model_calls=len(replies))
    for reply in replies:
        if reply.usage_metadata:
            cost.input_tokens += reply.usage_metadata["input_tokens"]
            cost.output_tokens += reply.usage_metadata["output_tokens"]
    final = replies[-1] if replies else AIMessage(content="")
    return WorkerResult(
        worker=worker,
        status="ok",
        output=final.text,
        evidence=[
            Evidence(tool=m.name or "tool", output=m.text[:EVIDENCE_CHARS])
            for m in messages
            if isinstance(m, ToolMessage)
        ],
        cost=cost,
        offline_model=bool(final.response_metadata.get("offline")),
    )
