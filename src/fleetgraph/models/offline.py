"""The offline model: a deterministic, rule-based chat model that needs no API key.

It is not an LLM and does not pretend to be one. It picks a tool by matching the request
against tool descriptions, fills arguments by rule, answers from tool results, and fills
structured output the same way. Every message it writes says so in `response_metadata`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from fleetgraph.models import rules

OFFLINE_MODEL_NAME = "fleetgraph-offline"
NO_TOOL_FITS = (
    "[offline model] No tool fits this request and the offline model cannot reason freely. "
    "Set OPENAI_API_KEY (or pick another model) for a real answer. The request was: {request}"
)


class OfflineChatModel(BaseChatModel):
    """Rule-based stand-in for an LLM, for demos and tests of the orchestration."""

    model_name: str = OFFLINE_MODEL_NAME

    @property
    def _llm_type(self) -> str:
        return "fleetgraph-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        tools: list[dict[str, Any]] = kwargs.get("tools") or []
        message = self._respond(messages, tools, kwargs.get("tool_choice"))
        message.response_metadata.update(
            {"model_name": self.model_name, "model_provider": "offline", "offline": True}
        )
        message.usage_metadata = _estimated_usage(messages, message)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _respond(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]], tool_choice: Any
    ) -> AIMessage:
        request = _last_text(messages, HumanMessage)
        system_text = "\n".join(_text(m) for m in messages if isinstance(m, SystemMessage))
        results = _trailing_tool_results(messages)
        forced = _forced_tools(tools, tool_choice)
        if forced:
            return self._call_tools(messages, forced[:1], request, system_text)
        if results:
            return AIMessage(content=_answer_from(results))
        if tools:
            picked = _best_tools(tools, request)
            if picked:
                return self._call_tools(messages, picked, request, system_text)
        return AIMessage(content=NO_TOOL_FITS.format(request=request))

    def _call_tools(
        self,
        messages: list[BaseMessage],
        tools: list[dict[str, Any]],
        request: str,
        system_text: str,
    ) -> AIMessage:
        calls = []
        for tool in tools:
            function = tool["function"]
            args = rules.fill_arguments(function.get("parameters", {}), request, system_text)
            calls.append(
                {
                    "name": function["name"],
                    "args": args,
                    "id": _call_id(messages, function["name"]),
                    "type": "tool_call",
                }
            )
        return AIMessage(content="", tool_calls=calls)


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return " ".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in content
    )


def _last_text(messages: list[BaseMessage], kind: type[BaseMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, kind):
            return _text(message)
    return ""


def _trailing_tool_results(messages: list[BaseMessage]) -> list[ToolMessage]:
    results: list[ToolMessage] = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        results.insert(0, message)
    return results


def _forced_tools(tools: list[dict[str, Any]], tool_choice: Any) -> list[dict[str, Any]]:
    """The tools a `tool_choice` obliges the model to call, if any."""
    if not tools or tool_choice in (None, False, "auto", "none"):
        return []
    if tool_choice in (True, "any", "required"):
        return tools
    name = tool_choice
    if isinstance(tool_choice, dict):
        name = tool_choice.get("function", {}).get("name") or tool_choice.get("name")
    return [t for t in tools if t["function"]["name"] == name]


def _best_tools(tools: list[dict[str, Any]], request: str) -> list[dict[str, Any]]:
    """The tools whose name and description share most keywords with the request."""
    scores = [
        len(
            rules.overlap(
                request,
                f"{t['function']['name'].replace('_', ' ')} {t['function'].get('description', '')}",
            )
        )
        for t in tools
    ]
    best = max(scores, default=0)
    if best == 0:
        return []
    return [tool for tool, score in zip(tools, scores, strict=True) if score == best]


def _answer_from(results: list[ToolMessage]) -> str:
    lines = []
    for result in results:
        text = _text(result).strip()
        if getattr(result, "status", "success") == "error":
            text = f"the tool failed: {text}"
        lines.append(text if len(results) == 1 else f"- {result.name}: {text}")
    return "\n".join(lines)


def _call_id(messages: list[BaseMessage], name: str) -> str:
    """A tool-call id that is stable for the same conversation, distinct across others."""
    digest = hashlib.sha256()
    for message in messages:
        digest.update(message.type.encode())
        digest.update(_text(message).encode())
    digest.update(name.encode())
    return f"call_{digest.hexdigest()[:24]}"


def _estimated_usage(messages: list[BaseMessage], reply: AIMessage) -> Any:
    """Token counts estimated at four characters a token (the offline model has no tokenizer)."""
    prompt_chars = sum(len(_text(m)) for m in messages)
    reply_chars = len(_text(reply)) + len(json.dumps(reply.tool_calls))
    input_tokens = prompt_chars // 4 + len(messages)
    output_tokens = reply_chars // 4 + 1
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
