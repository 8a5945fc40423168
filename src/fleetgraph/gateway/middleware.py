"""The tool gateway as agent middleware: every worker tool call passes through here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware
from langchain_core.messages import ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command
from pydantic import BaseModel, ValidationError

from fleetgraph.context import context_of
from fleetgraph.errors import FleetgraphError
from fleetgraph.gateway.approval import APPROVALS_KEY
from fleetgraph.gateway.execution import CallContext, run_tool_call
from fleetgraph.gateway.postgres_store import current_gateway_store
from fleetgraph.gateway.registry import ToolRegistry

GATEWAY_ERROR = "gateway_error"


class ToolGatewayError(FleetgraphError, RuntimeError):
    """A worker kept making tool calls the gateway had to refuse."""


class ToolGatewayMiddleware(AgentMiddleware[Any, Any]):
    """Validate, gate, run and record each tool call under its registered policy.

    Calls to unknown tools and calls with malformed arguments go back to the model as tool
    errors that say why, so it can correct itself; past `Context.max_invalid_tool_calls`
    such errors the worker fails instead of looping.
    """

    def __init__(self, registry: ToolRegistry, worker: str, tool_names: tuple[str, ...]) -> None:
        super().__init__()
        self.registry = registry
        self.worker = worker
        self.tool_names = tool_names

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        context = context_of(request.runtime)
        if refusal := self._refusal(request):
            return self._refuse(request, refusal, context.max_invalid_tool_calls)
        approval = (request.state or {}).get(APPROVALS_KEY, {}).get(request.tool_call["id"], {})
        who = CallContext(
            thread_id=str(request.runtime.config.get("configurable", {}).get("thread_id", "")),
            worker=self.worker,
            user_id=context.user_id,
            approval=approval.get("decision"),
            approver=approval.get("approver"),
        )
        return await run_tool_call(request, handler, self.registry, current_gateway_store(), who)

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]],
    ) -> ToolMessage | Command[Any]:
        raise FleetgraphError(
            "fleetgraph's tool gateway runs asynchronously: use ainvoke/astream on the graph."
        )

    def _refusal(self, request: ToolCallRequest) -> str | None:
        name = request.tool_call["name"]
        if request.tool is None:
            available = ", ".join(self.tool_names) or "none"
            return f"there is no tool named {name!r}. Available tools: {available}."
        schema = request.tool.tool_call_schema
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            try:
                schema.model_validate(request.tool_call["args"])
            except ValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                    for e in error.errors()
                )
                return f"invalid arguments for {name}: {problems}. Fix them and call again."
        return None

    def _refuse(self, request: ToolCallRequest, reason: str, limit: int) -> ToolMessage:
        earlier = sum(
            1
            for message in (request.state or {}).get("messages", [])
            if isinstance(message, ToolMessage)
            and isinstance(message.artifact, dict)
            and message.artifact.get(GATEWAY_ERROR)
        )
        if earlier + 1 > limit:
            raise ToolGatewayError(
                f"{self.worker} made {earlier + 1} invalid tool calls (limit {limit}); "
                f"the last: {reason}"
            )
        return ToolMessage(
            content=f"Error: {reason}",
            name=request.tool_call["name"],
            tool_call_id=request.tool_call["id"],
            status="error",
            artifact={GATEWAY_ERROR: True},
        )
