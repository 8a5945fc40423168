"""Peer handoff: a worker hands a follow-up task, with a payload, to a peer.

A worker whose spec lists `handoff_peers` gets one `handoff_to_<peer>(task, payload)` tool
per peer. The tool does nothing but record the request in its result (and ends the
worker's run when it is the only call), so the request reaches the supervisor inside the
worker's `WorkerResult` evidence; the supervisor then runs the task on the peer with the
payload as the peer's envelope `inputs`, under the same loop guard as its own delegations.

The tool-call id is injected, never shown to the model. The worker's state is deliberately
not: the peer gets the task and payload only, not the worker's transcript.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated, Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, InjectedToolCallId, StructuredTool
from pydantic import BaseModel, Field

from fleetgraph.envelope import WorkerResult
from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.policy import RetrySpec, ToolPolicy
from fleetgraph.registry import WorkerRegistry, WorkerSpec

HANDOFF_PREFIX = "handoff_to_"
HANDOFF_CHARS = 1500
"""Largest handoff (as JSON) a tool result carries intact; pass paths and ids, not content."""
HANDOFF_POLICY = ToolPolicy(timeout_seconds=5, retry=RetrySpec(max_attempts=1))


class HandoffArgs(BaseModel):
    task: str = Field(description="What the peer must do, self-contained: it sees only this.")
    payload: dict[str, Any] = Field(
        description="Named inputs the peer needs, such as {'path': '/srv/repo'}; short values "
        "(paths, ids, numbers), not documents."
    )
    tool_call_id: Annotated[str, InjectedToolCallId]


def handoff_tool(peer: WorkerSpec) -> BaseTool:
    """The tool that hands a task to `peer`; its result is the handoff request as JSON."""
    name = f"{HANDOFF_PREFIX}{peer.name}"

    def hand_off(task: str, payload: dict[str, Any], tool_call_id: str) -> ToolMessage:
        request = {"peer": peer.name, "task": task, "payload": payload}
        content = json.dumps(request, default=str)
        if len(content) > HANDOFF_CHARS:
            return ToolMessage(
                content=f"Error: the handoff is {len(content)} characters; keep it under "
                f"{HANDOFF_CHARS} by passing references (paths, ids) instead of content.",
                name=name,
                tool_call_id=tool_call_id,
                status="error",
            )
        return ToolMessage(content=content, name=name, tool_call_id=tool_call_id)

    return StructuredTool.from_function(
        func=hand_off,
        name=name,
        # The peer's description is in the worker's prompt; repeating it here would make the
        # offline model's keyword match pick the handoff for the worker's own task.
        description=f"Hand a follow-up task over to the {peer.name} worker, with a payload "
        "of what it needs.",
        args_schema=HandoffArgs,
        return_direct=True,
    )


def with_handoffs(spec: WorkerSpec, registry: WorkerRegistry) -> WorkerSpec:
    """`spec` with a handoff tool per peer and a prompt that names them."""
    if not spec.handoff_peers:
        return spec
    for peer in spec.handoff_peers:
        if peer not in registry or peer == spec.name:
            raise ConfigurationError(
                f"{spec.name} hands off to {peer!r}, which is not another worker of its team."
            )
    peers = [registry.get(peer) for peer in spec.handoff_peers]
    tools = [handoff_tool(peer) for peer in peers]
    note = "\n".join(f"- {peer.name}: {peer.description}" for peer in peers)
    return replace(
        spec,
        tools=(*spec.tools, *tools),
        system_prompt=f"{spec.system_prompt}\n\nWhen part of the task is another worker's job, "
        f"hand it over with its handoff tool and put what it needs in the payload:\n{note}",
    )


def read_handoffs(result: WorkerResult) -> list[dict[str, Any]]:
    """The handoff requests in a worker's evidence, in call order."""
    found = []
    for evidence in result.evidence:
        if not evidence.tool.startswith(HANDOFF_PREFIX):
            continue
        try:
            request = json.loads(evidence.output)
        except json.JSONDecodeError:
            continue  # a refused or failed handoff: its error is already in the evidence
        if isinstance(request, dict) and {"peer", "task", "payload"} <= request.keys():
            found.append(request)
    return found
