"""Running one tool call under its policy: quota, breaker, ledger, timeout, retries, fallbacks.

Every outcome is a `ToolMessage` for the model (errors included, with the reason, so the
model can correct itself) plus an audit row and a `tool_called` event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from langgraph.errors import GraphBubbleUp
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from fleetgraph.errors import must_propagate
from fleetgraph.events import emit
from fleetgraph.gateway import breaker as breakers
from fleetgraph.gateway.effects import bind_transaction
from fleetgraph.gateway.policy import QuotaSpec, ToolPolicy
from fleetgraph.gateway.records import AuditRow
from fleetgraph.gateway.registry import RegisteredTool, ToolRegistry
from fleetgraph.gateway.store import GatewayStore

Handler = Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]]


@dataclass
class CallContext:
    """Who is calling: the thread, the worker and the user the run acts for."""

    thread_id: str
    worker: str
    user_id: str | None
    approval: str | None = None
    approver: str | None = None


class ToolFailure(Exception):
    """A tool failed after its retries; carries the last error for the model and audit."""


async def run_tool_call(
    request: ToolCallRequest,
    handler: Handler,
    registry: ToolRegistry,
    store: GatewayStore,
    who: CallContext,
) -> ToolMessage | Command[Any]:
    """Run a validated tool call through its chain and return what the model should see."""
    call = request.tool_call
    policy = registry.policy(call["name"])
    started = time.monotonic()
    if denied := await _check_quota(store, call["name"], policy.quota, who):
        return await _finish(store, request, who, policy, started, error=denied)
    errors: list[str] = []
    for candidate in registry.chain(call["name"], request.tool):
        if not await _admitted(store, candidate):
            errors.append(f"{candidate.name}: circuit open")
            continue
        try:
            message = await _run_candidate(request, handler, candidate, store, who)
        except GraphBubbleUp:
            raise
        except ToolFailure as failure:
            errors.append(f"{candidate.name}: {failure}")
            await _record_outcome(store, candidate, ok=False, who=who)
            continue
        await _record_outcome(store, candidate, ok=True, who=who)
        return await _finish(
            store, request, who, policy, started, result=message, answered_by=candidate.name
        )
    return await _finish(store, request, who, policy, started, error="; ".join(errors))


async def _run_candidate(
    request: ToolCallRequest,
    handler: Handler,
    candidate: RegisteredTool,
    store: GatewayStore,
    who: CallContext,
) -> ToolMessage | Command[Any]:
    call: ToolCall = {**request.tool_call, "name": candidate.name}
    attempt_request = request.override(tool=candidate.tool, tool_call=call)
    policy = candidate.policy
    if policy.side_effect == "none":
        return await _with_retries(attempt_request, handler, policy)
    async with store.ledger_transaction(who.thread_id, call["id"], candidate.name) as entry:
        if entry.existing is not None:
            return _replayed(entry.existing.result, call)
        with bind_transaction(entry.connection):
            message = await _with_retries(attempt_request, handler, policy)
        await entry.record(_text_of(message))
        return message


async def _with_retries(
    request: ToolCallRequest, handler: Handler, policy: ToolPolicy
) -> ToolMessage | Command[Any]:
    retry = policy.retry
    for attempt in range(1, retry.max_attempts + 1):
        try:
            message = await asyncio.wait_for(handler(request), timeout=policy.timeout_seconds)
        except Exception as error:
            if must_propagate(error):
                raise
            if not retry.is_transient(error) or attempt == retry.max_attempts:
                raise ToolFailure(_describe(error)) from error
            await asyncio.sleep(retry.delay(attempt))
            continue
        if isinstance(message, ToolMessage) and message.status == "error":
            raise ToolFailure(_text_of(message))
        return message
    raise AssertionError("unreachable")


async def _check_quota(
    store: GatewayStore, tool: str, quota: QuotaSpec | None, who: CallContext
) -> str | None:
    if quota is None:
        return None
    key = f"tool:{tool}"
    if quota.per_user and who.user_id:
        key = f"user:{who.user_id}:{key}"
    taken = await store.quota_take(key, quota.limit, quota.window_seconds)
    if taken.allowed:
        return None
    emit("quota_exceeded", who.worker, tool=tool, limit=quota.limit, reset_in=taken.reset_in)
    return (
        f"rate limit reached for {tool}: {quota.limit} calls per {quota.window_seconds:g}s"
        f"{' for this user' if quota.per_user and who.user_id else ''}; "
        f"try again in {taken.reset_in:.0f}s or do without this tool"
    )


async def _admitted(store: GatewayStore, candidate: RegisteredTool) -> bool:
    async with store.breaker(candidate.name) as record:
        allowed, _ = breakers.admit(record, candidate.policy.breaker, time.time())
        return allowed


async def _record_outcome(
    store: GatewayStore, candidate: RegisteredTool, *, ok: bool, who: CallContext
) -> None:
    async with store.breaker(candidate.name) as record:
        transition = breakers.record_outcome(record, candidate.policy.breaker, ok, time.time())
    if transition is None:
        return
    emit(
        "breaker_opened" if transition == "opened" else "breaker_closed",
        who.worker,
        tool=candidate.name,
    )
    await store.audit(
        AuditRow(
            thread_id=who.thread_id,
            run_id=None,
            worker=who.worker,
            tool=candidate.name,
            args={},
            result=f"circuit breaker {transition}",
            error=None,
            latency_ms=0.0,
            risk=candidate.policy.risk,
            approval=None,
            approver=None,
            user_id=who.user_id,
            answered_by=None,
            ts=time.time(),
        )
    )


async def _finish(
    store: GatewayStore,
    request: ToolCallRequest,
    who: CallContext,
    policy: ToolPolicy,
    started: float,
    *,
    result: ToolMessage | Command[Any] | None = None,
    error: str | None = None,
    answered_by: str | None = None,
) -> ToolMessage | Command[Any]:
    call = request.tool_call
    latency_ms = (time.monotonic() - started) * 1000
    if result is None:
        result = ToolMessage(
            content=f"Error: {error}",
            name=call["name"],
            tool_call_id=call["id"],
            status="error",
        )
    elif answered_by and answered_by != call["name"] and isinstance(result, ToolMessage):
        result = result.model_copy(
            update={
                "content": f"(answered by fallback tool {answered_by}) {_text_of(result)}",
                "name": call["name"],
                "artifact": {"answered_by": answered_by},
            }
        )
    await store.audit(
        AuditRow(
            thread_id=who.thread_id,
            run_id=None,
            worker=who.worker,
            tool=call["name"],
            args=dict(call["args"]),
            result=None if error else _text_of(result),
            error=error,
            latency_ms=latency_ms,
            risk=policy.risk,
            approval=who.approval,
            approver=who.approver,
            user_id=who.user_id,
            answered_by=answered_by,
            ts=time.time(),
        )
    )
    emit(
        "tool_called",
        who.worker,
        tool=call["name"],
        risk=policy.risk,
        ok=error is None,
        latency_ms=round(latency_ms, 1),
        answered_by=answered_by,
    )
    if policy.risk == "medium":
        emit("risk_notice", who.worker, tool=call["name"], args=dict(call["args"]))
    return result


def _replayed(result: str, call: ToolCall) -> ToolMessage:
    """The recorded result of a side effect that already happened, instead of a repeat."""
    return ToolMessage(
        content=result,
        name=call["name"],
        tool_call_id=call["id"],
        artifact={"replayed_from_ledger": True},
    )


def _text_of(message: ToolMessage | Command[Any]) -> str:
    return message.text if isinstance(message, ToolMessage) else repr(message)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
