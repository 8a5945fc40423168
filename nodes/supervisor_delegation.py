"""Delegation tools: one per registered member, and the tasks a supervisor's calls ask for.

The supervisor model is bound with `delegate_to_<member>(goal, ...)` tools whose
descriptions come from the registry. They are never executed: the supervisor node reads
the calls and turns each into a `MemberTask` for the member's node.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import ToolCall
from pydantic import BaseModel, Field, ValidationError, create_model

from fleetgraph.nodes.supervisor_state import MemberTask
from fleetgraph.registry import WorkerRegistry, WorkerSpec

DELEGATE_PREFIX = "delegate_to_"
GOAL_DESCRIPTION = (
    "The task for this worker, self-contained: the worker sees only this goal and the "
    "inputs, never the conversation."
)


def delegation_tool_name(worker: str) -> str:
    return f"{DELEGATE_PREFIX}{worker}"


def delegation_tools(registry: WorkerRegistry) -> list[type[BaseModel]]:
    """One tool schema per member: `goal` plus the fields of the member's `input_schema`."""
    return [_delegation_schema(spec) for spec in registry]


def _delegation_schema(spec: WorkerSpec) -> type[BaseModel]:
    fields: dict[str, Any] = {"goal": (str, Field(description=GOAL_DESCRIPTION))}
    if spec.input_schema is not None:
        for name, field in spec.input_schema.model_fields.items():
            fields[name] = (field.annotation, field)
    schema: type[BaseModel] = create_model(
        delegation_tool_name(spec.name),
        __doc__=f"Delegate a task to {spec.name}: {spec.description}",
        **fields,
    )
    return schema


def task_from_call(call: ToolCall, registry: WorkerRegistry, round_no: int) -> MemberTask:
    """The task a delegation call asks for; `refused` says why when the call is unusable."""
    call_id = f"{round_no}:{call['id']}"
    worker = call["name"].removeprefix(DELEGATE_PREFIX)
    args = dict(call["args"])
    goal = str(args.pop("goal", "")).strip()
    task = new_task(call_id, worker, goal, {}, origin=call_id, reply_to=call["id"] or "")
    if not call["name"].startswith(DELEGATE_PREFIX) or worker not in registry:
        known = ", ".join(delegation_tool_name(name) for name in registry.names())
        return {**task, "refused": f"there is no tool {call['name']!r}; use one of {known}."}
    if not goal:
        return {**task, "refused": "the goal is empty; say what the worker must do."}
    try:
        task["inputs"] = member_inputs(registry.get(worker), args)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return {**task, "refused": f"invalid inputs for {worker}: {problems}."}
    return task


def member_inputs(spec: WorkerSpec, args: dict[str, Any]) -> dict[str, str]:
    """Envelope inputs from call arguments, validated by the member's `input_schema`."""
    if spec.input_schema is not None:
        args = spec.input_schema.model_validate(args).model_dump(mode="json", exclude_none=True)
    return as_inputs(args)


def as_inputs(values: dict[str, Any]) -> dict[str, str]:
    """Envelope inputs are strings: other JSON values are passed in their JSON form."""
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
        if value is not None
    }


def new_task(
    call_id: str,
    worker: str,
    goal: str,
    inputs: dict[str, str],
    *,
    origin: str,
    reply_to: str,
    parent: str | None = None,
) -> MemberTask:
    return {
        "call_id": call_id,
        "origin": origin,
        "reply_to": reply_to,
        "parent": parent,
        "worker": worker,
        "goal": goal,
        "inputs": inputs,
        "refused": None,
    }
