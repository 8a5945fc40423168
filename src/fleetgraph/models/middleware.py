"""Agent middleware that picks each model call's model from the run's Context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse

from fleetgraph.context import context_of
from fleetgraph.models.loader import load_chat_model


class ContextModelMiddleware(AgentMiddleware[Any, Any]):
    """Use the model that `Context` configures for `role` on every call.

    Agents are compiled once, but the model is a per-run choice (offline in tests, a real
    provider in production), so it is resolved here rather than when the agent is built.
    """

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def _with_model(self, request: ModelRequest[Any]) -> ModelRequest[Any]:
        model = load_chat_model(context_of(request.runtime).model_for(self.role))
        return request.override(model=model)

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any]:
        return handler(self._with_model(request))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any]:
        return await handler(self._with_model(request))
