"""What a supervisor run says: replies to delegation calls, stop answers and its outcome."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from fleetgraph.context import Context
from fleetgraph.envelope import Evidence, WorkerCost, WorkerResult
from fleetgraph.nodes.agents import EVIDENCE_CHARS
from fleetgraph.nodes.supervisor_delegation import delegation_tool_name
from fleetgraph.nodes.supervisor_state import MemberRecord, MemberTask, StopReason

FINISHED: tuple[StopReason, ...] = ("answered", "worker_answer")


def delegation_reply(
    head: MemberTask, tasks: Sequence[MemberTask], results: Sequence[MemberRecord]
) -> ToolMessage:
    """The answer to the delegation call that started task `head`: each task of its chain
    (handoffs included) with its status and output. Never the workers' tool calls."""
    by_id = {record["task"]["call_id"]: record for record in results}
    lines, succeeded = [], False
    for task in (t for t in tasks if t["origin"] == head["call_id"]):
        record = by_id.get(task["call_id"])
        if task["refused"] is not None:
            lines.append(f"{task['worker']} (refused): {task['refused']}")
        elif record is not None:
            lines.append(result_line(record))
            succeeded = succeeded or record["result"]["status"] == "ok"
    return ToolMessage(
        content="\n".join(lines) or "no result",
        name=delegation_tool_name(head["worker"]),
        tool_call_id=head["reply_to"],
        status="success" if succeeded else "error",
    )


def result_line(record: MemberRecord) -> str:
    result = record["result"]
    # A failed team may still have partial results: its output then says why it stopped.
    text = result["output"] or result["error"] or "(no text)"
    line = f"{result['worker']} ({result['status']}): {text}"
    for handoff in record["handoffs"]:
        line += f"\n  → handed off to {handoff['peer']}: {handoff['task']}"
    return line


def stop_explanation(reason: StopReason, state: dict[str, Any], context: Context) -> str:
    if reason == "max_delegations":
        return (
            f"it reached max_delegations={context.max_delegations} "
            f"(tasks run: {state.get('delegations', 0)})"
        )
    if reason == "max_supervisor_steps":
        return f"it reached max_supervisor_steps={context.max_supervisor_steps} planning rounds"
    return "the supervisor only delegated tasks that had already been given (a loop)"


def stop_answer(name: str, why: str, results: Sequence[MemberRecord]) -> str:
    """The answer of a run a loop guard stopped: why, and every result so far."""
    lines = [f"{name} stopped before finishing: {why}."]
    if results:
        lines += ["Results so far:", *(f"- {result_line(r)}" for r in results)]
    else:
        lines.append("No results so far.")
    return "\n".join(lines)


def worker_answer(record: MemberRecord) -> AIMessage:
    """A single worker's result as the run's answer, marked like the worker wrote it."""
    result = record["result"]
    metadata: dict[str, Any] = {"worker": result["worker"]}
    if result["offline_model"]:
        metadata.update(offline=True, model_provider="offline")
    return AIMessage(content=result["output"], name=result["worker"], response_metadata=metadata)


def run_outcome(
    name: str,
    answer: AIMessage,
    reason: StopReason,
    why: str | None,
    results: Sequence[MemberRecord],
    messages: Sequence[AnyMessage],
    supervisor_calls: int,
) -> WorkerResult:
    """The whole run as one `WorkerResult`, as a parent graph receives a team's work."""
    cost = WorkerCost(model_calls=supervisor_calls)
    for reply in _this_run(messages):
        if isinstance(reply, AIMessage) and reply.name == name and reply.usage_metadata:
            cost.input_tokens += reply.usage_metadata["input_tokens"]
            cost.output_tokens += reply.usage_metadata["output_tokens"]
    for record in results:
        member_cost = record["result"]["cost"]
        cost.model_calls += member_cost["model_calls"]
        cost.input_tokens += member_cost["input_tokens"]
        cost.output_tokens += member_cost["output_tokens"]
    return WorkerResult(
        worker=name,
        status="ok" if reason in FINISHED else "failed",
        output=answer.text,
        error=why,
        evidence=[
            Evidence(tool=r["result"]["worker"], output=result_line(r)[:EVIDENCE_CHARS])
            for r in results
        ],
        cost=cost,
        offline_model=bool(answer.response_metadata.get("offline"))
        or any(r["result"]["offline_model"] for r in results),
    )


def _this_run(messages: Sequence[AnyMessage]) -> Sequence[AnyMessage]:
    """The messages since the latest user request."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1 :]
    return messages
