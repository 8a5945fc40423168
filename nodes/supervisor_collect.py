"""After each batch of members: follow handoffs, answer the delegation calls, decide what next.

This is the deterministic return path: no model is called here. A round ends when no
handoff is left to follow; then each of the supervisor's delegation calls gets one
`ToolMessage` with its chain's results, and the run goes back to the supervisor, or ends
when one worker's answer is the whole result, or when a loop guard has stopped it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from fleetgraph.context import Context, context_of
from fleetgraph.nodes.supervisor_delegation import member_inputs, new_task
from fleetgraph.nodes.supervisor_limits import admit, out_of_steps
from fleetgraph.nodes.supervisor_report import (
    delegation_reply,
    run_outcome,
    stop_answer,
    stop_explanation,
    worker_answer,
)
from fleetgraph.nodes.supervisor_state import (
    MemberRecord,
    MemberTask,
    StopReason,
    SupervisorState,
)
from fleetgraph.registry import WorkerRegistry

CollectNode = Callable[[SupervisorState, Runtime[Context]], Awaitable[Command[str]]]
FinishNode = Callable[[SupervisorState, Runtime[Context]], dict[str, Any]]


def make_collect_node(registry: WorkerRegistry) -> CollectNode:
    async def collect(state: SupervisorState, runtime: Runtime[Context]) -> Command[str]:
        context = context_of(runtime)
        tasks = state.get("tasks", [])
        results = state.get("results", [])
        stop = state.get("stop_reason")
        batch = set(state.get("dispatched", []))
        handoffs = [
            _handoff_task(record, n, request, registry)
            for record in results
            if record["task"]["call_id"] in batch
            for n, request in enumerate(record["handoffs"])
        ]
        if handoffs:
            admission = admit(handoffs, tasks, context)
            tasks = [*tasks, *admission.tasks]
            stop = stop or ("max_delegations" if admission.over_limit else None)
            update: dict[str, Any] = {
                "tasks": tasks,
                "delegations": sum(task["refused"] is None for task in tasks),
                "dispatched": [task["call_id"] for task in admission.admitted],
                "stop_reason": stop,
            }
            if admission.admitted:
                sends = [Send(task["worker"], {"task": task}) for task in admission.admitted]
                return Command(goto=sends, update=update)
        else:
            update = {"dispatched": []}
        round_tag = f"{state.get('steps', 0)}:"
        heads = [
            task
            for task in tasks
            if task["call_id"] == task["origin"]
            and task["call_id"].startswith(round_tag)
            and task["refused"] is None
        ]
        update["messages"] = [delegation_reply(head, tasks, results) for head in heads]
        if stop is None and _one_answer(tasks, results):
            stop = "worker_answer"
        if stop is None and out_of_steps(state.get("steps", 0), context):
            stop = "max_supervisor_steps"
        update["stop_reason"] = stop
        return Command(goto="supervisor" if stop is None else "finish", update=update)

    return collect


def make_finish_node(name: str) -> FinishNode:
    """The run's last node: write the answer a stop needs, and the run's `outcome`."""

    def finish(state: SupervisorState, runtime: Runtime[Context]) -> dict[str, Any]:
        reason: StopReason = state.get("stop_reason") or "answered"
        results = state.get("results", [])
        why = None
        if reason == "answered":
            answer = next(m for m in reversed(state["messages"]) if isinstance(m, AIMessage))
            written = []
        elif reason == "worker_answer":
            answer = worker_answer(results[0])
            written = [answer]
        else:
            why = stop_explanation(reason, dict(state), context_of(runtime))
            answer = AIMessage(
                content=stop_answer(name, why, results),
                name=name,
                response_metadata={"stop_reason": reason},
            )
            written = [answer]
        outcome = run_outcome(
            name,
            answer,
            reason,
            why,
            results,
            [*state["messages"], *written],
            supervisor_calls=state.get("steps", 0),
        )
        return {
            "messages": written,
            "stop_reason": reason,
            "outcome": outcome.model_dump(mode="json"),
            "answered_by": answer.name or name,
        }

    return finish


def _one_answer(tasks: list[MemberTask], results: list[MemberRecord]) -> bool:
    """Whether the run's only work is one successful task, whose answer is then final."""
    return (
        len(tasks) == 1
        and len(results) == 1
        and results[0]["result"]["status"] == "ok"
        and not results[0]["handoffs"]
    )


def _handoff_task(
    record: MemberRecord, n: int, request: dict[str, Any], registry: WorkerRegistry
) -> MemberTask:
    parent = record["task"]
    peer = str(request["peer"])
    task = new_task(
        f"{parent['call_id']}>{peer}#{n}",
        peer,
        str(request["task"]).strip(),
        {},
        origin=parent["origin"],
        reply_to=parent["reply_to"],
        parent=parent["call_id"],
    )
    if peer not in registry:
        return {**task, "refused": f"there is no worker named {peer!r} to hand off to."}
    if not task["goal"]:
        return {**task, "refused": "the handoff has no task; say what the peer must do."}
    try:
        task["inputs"] = member_inputs(registry.get(peer), dict(request["payload"]))
    except (ValueError, TypeError) as error:
        return {**task, "refused": f"invalid payload for {peer}: {error}"}
    return task
