"""Member nodes: run one delegated task on a worker agent or on a whole team graph.

A member receives a `MemberTask` through a `Send` and nothing else: a worker gets the task
as its `TaskEnvelope`, a team gets it as the single user message of its own run. Either
way the member appends one `MemberRecord` to `results`. A failure (an error, a timeout)
becomes a failed result instead of an exception, so the other members of the batch keep
their results; interrupts (approval gates) are not failures and pass through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from fleetgraph.context import Context, context_of
from fleetgraph.envelope import TaskEnvelope, WorkerResult
from fleetgraph.nodes.agents import build_worker_agent, run_reported, run_worker_agent
from fleetgraph.nodes.supervisor_gateway import worker_tool_registry
from fleetgraph.nodes.supervisor_handoff import read_handoffs, with_handoffs
from fleetgraph.nodes.supervisor_state import MemberInput, MemberRecord, MemberTask
from fleetgraph.registry import WorkerRegistry, WorkerSpec

MemberNode = Callable[[MemberInput, Runtime[Context]], Awaitable[dict[str, Any]]]
RunTask = Callable[[TaskEnvelope, Context], Awaitable[WorkerResult]]


def make_worker_member(spec: WorkerSpec, registry: WorkerRegistry) -> MemberNode:
    """A node running `spec`'s agent (with handoff tools for its peers) on one task."""
    armed = with_handoffs(spec, registry)
    agent = build_worker_agent(armed, registry=worker_tool_registry(armed))

    async def run_worker(member: MemberInput, runtime: Runtime[Context]) -> dict[str, Any]:
        return await _run_member(
            spec.name, member, runtime, partial(run_worker_agent, agent, armed)
        )

    run_worker.__name__ = f"run_{spec.name}"
    return run_worker


def make_team_member(spec: WorkerSpec, team: CompiledStateGraph[Any, Any, Any, Any]) -> MemberNode:
    """A node running a team graph (built by `build_supervisor`) on one task.

    The team starts from the task as its only message, and returns only its `outcome`
    (its output schema), so neither side sees the other's messages. The node refers to
    `team` itself, which is how `get_graph(xray=True)` finds and draws it as a subgraph.
    """

    async def run_team(member: MemberInput, runtime: Runtime[Context]) -> dict[str, Any]:
        return await _run_member(spec.name, member, runtime, partial(_run_team, team, spec.name))

    run_team.__name__ = f"run_{spec.name}"
    return run_team


def team_recursion_limit(context: Context) -> int:
    """Graph steps a supervisor run can take within its limits: three per planning round
    (plan, members, collect), two per task handed off, and the final step."""
    return 3 * context.max_supervisor_steps + 2 * context.max_delegations + 2


async def _run_team(
    team: CompiledStateGraph[Any, Any, Any, Any], name: str, task: TaskEnvelope, context: Context
) -> WorkerResult:
    output = await team.ainvoke(
        {"messages": [HumanMessage(task.as_prompt())]},
        config={"recursion_limit": team_recursion_limit(context)},
        context=context,
    )
    return WorkerResult.model_validate({**output["outcome"], "worker": name})


async def _run_member(
    name: str, member: MemberInput, runtime: Runtime[Context], run: RunTask
) -> dict[str, Any]:
    task = member["task"]
    envelope = TaskEnvelope(goal=task["goal"], inputs=task["inputs"])
    result = await run_reported(name, envelope.goal, run(envelope, context_of(runtime)))
    return {"results": [_record(task, result)]}


def _record(task: MemberTask, result: WorkerResult) -> MemberRecord:
    return {
        "task": task,
        "result": result.model_dump(mode="json"),
        "handoffs": read_handoffs(result) if result.status == "ok" else [],
    }
