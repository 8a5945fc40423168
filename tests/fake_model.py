"""A scripted tool-calling chat model for unit tests, and a fixture-friendly registrar."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field


class Sleep:
    """A scripted step that takes `seconds` before answering `then`."""

    def __init__(self, seconds: float, then: AIMessage) -> None:
        self.seconds = seconds
        self.then = then


Step = AIMessage | Exception | Sleep


class ScriptedChatModel(BaseChatModel):
    """Replays `script` one step per call and records what each call was given.

    `received[i]` is the message list of call i and `bound_tools[i]` the tool names bound
    for it, so tests can assert what a model saw, not just what it said.
    """

    script: list[Any] = Field(default_factory=list)
    """Steps in call order: an AIMessage, an exception to raise, or a `Sleep`."""
    received: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[list[str]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _next_step(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Step:
        self.received.append(list(messages))
        self.bound_tools.append([t["function"]["name"] for t in kwargs.get("tools") or []])
        if len(self.received) > len(self.script):
            raise AssertionError(
                f"scripted model called {len(self.received)} times, "
                f"only {len(self.script)} steps scripted"
            )
        return self.script[len(self.received) - 1]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        step = self._next_step(messages, kwargs)
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            step = step.then
        return _result(step)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        step = self._next_step(messages, kwargs)
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            step = step.then
        return _result(step)


def _result(step: Step) -> ChatResult:
    if isinstance(step, Exception):
        raise step
    assert isinstance(step, AIMessage)
    return ChatResult(generations=[ChatGeneration(message=step.model_copy())])


def tool_call(name: str, args: dict[str, Any], call_id: str | None = None) -> AIMessage:
    """An AI message calling one tool."""
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": args, "id": call_id or f"call_{name}", "type": "tool_call"}
        ],
    )


def route_to(worker: str, confidence: float = 0.9, reason: str = "scripted") -> AIMessage:
    """The router model's structured answer (a forced `RouteDecision` tool call)."""
    return tool_call(
        "RouteDecision", {"worker": worker, "confidence": confidence, "reason": reason}
    )
