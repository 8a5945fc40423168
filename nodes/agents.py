"""Worker agents: langchain v1 agents that see only their envelope and their own tools."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.graph.state import CompiledStateGraph

from fleetgraph.context import Context
from fleetgraph.envelope import Evidence, TaskEnvelope, WorkerCost, WorkerResult
from fleetgraph.errors import must_propagate
from fleetgraph.events import emit
from fleetgraph.fleet import Heartbeat, fleet_for
from fleetgraph.gateway.approval import ApprovalGateMiddleware
from fleetgraph.gateway.middleware import ToolGatewayMiddleware
from fleetgraph.gateway.registry import ToolRegistry
from fleetgraph.models.middleware import ContextModelMiddleware
from fleetgraph.models.offline import OfflineChatModel
from fleetgraph.registry import WorkerSpec
from fleetgraph.tools.registry import TOOLS

EVIDENCE_CHARS = 2000


def build_worker_agent(
    spec: WorkerSpec, role: str | None = None, registry: ToolRegistry = TOOLS
) -> CompiledStateGraph[Any]:
    """The agent graph for one worker.

    The model passed to `create_agent` is only a placeholder: `ContextModelMiddleware`
    swaps in the model that the run's Context names for `role` on every call. Every tool
    call passes the approval gate, then the tool gateway, under the policies of `registry`.
    """
    return create_agent(
        model=OfflineChatModel(),
        tools=list(spec.tools),
        system_prompt=spec.system_prompt,
        middleware=[
            ContextModelMiddleware(role or spec.model_role),
            ApprovalGateMiddleware(registry, spec.name),
            ToolGatewayMiddleware(registry, spec.name, spec.tool_names),
        ],
        context_schema=Context,
        name=spec.name,
    )


async def run_worker_agent(
    agent: CompiledStateGraph[Any], spec: WorkerSpec, task: TaskEnvelope, context: Context
) -> WorkerResult:
    """Run one task to its end through the fleet manager; reduce the transcript to a result.

    The fleet applies the Context's concurrency limit, timeout, stuck detection and
    restarts. Raises the last attempt's error when every attempt failed; the caller decides
    what a failure means (fallback, retry, report).
    """
    fleet = fleet_for(
        max_concurrency=context.max_parallel_workers,
        restarts=context.worker_restarts,
        stuck_after=context.stuck_after_seconds,
        timeout=context.worker_timeout_seconds,
    )

    async def attempt(heartbeat: Heartbeat) -> WorkerResult:
        state = await agent.ainvoke(
            {"messages": [HumanMessage(task.as_prompt())]},
            config={
                "recursion_limit": context.max_worker_steps,
                "callbacks": [_HeartbeatHandler(heartbeat)],
            },
            context=context,
        )
        return summarise_transcript(spec.name, state["messages"])

    return await fleet.run(spec.name, attempt)


async def run_reported(worker: str, goal: str, work: Awaitable[WorkerResult]) -> WorkerResult:
    """Await a worker's (or team's) run between `agent_started` and `agent_completed` events.

    A failure becomes a failed `WorkerResult`, so a graph can fall back or report it;
    interrupts and refused resumes still propagate (`must_propagate`).
    """
    emit("agent_started", worker, goal=goal)
    try:
        result = await work
    except Exception as error:
        if must_propagate(error):
            raise
        message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        result = WorkerResult(worker=worker, status="failed", error=message)
    emit("agent_completed", worker, status=result.status, error=result.error)
    return result


class _HeartbeatHandler(BaseCallbackHandler):
    """Tells the fleet a worker is alive each time it starts or ends a model or tool call."""

    run_inline = True

    def __init__(self, heartbeat: Heartbeat) -> None:
        self.heartbeat = heartbeat

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.heartbeat()

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self.heartbeat()

    def on_tool_start(self, *args: Any, **kwargs: Any) -> None:
        self.heartbeat()

    def on_tool_end(self, *args: Any, **kwargs: Any) -> None:
        self.heartbeat()


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
