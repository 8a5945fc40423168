"""Custom stream events (`stream_mode="custom"`) that the CLI, Studio and the SDK show."""

from __future__ import annotations

import time
from typing import Any, Literal

from langgraph.config import get_config, get_stream_writer

EventName = Literal[
    "agent_started",
    "agent_completed",
    "tool_called",
    "approval_requested",
    "approval_decided",
    "budget_exceeded",
    "risk_notice",
    "quota_exceeded",
    "breaker_opened",
    "breaker_closed",
    "worker_restarted",
    "worker_cancelled",
    "fleet_health",
]


def emit(event: EventName, agent: str, **fields: Any) -> dict[str, Any]:
    """Write one progress event to the run's custom stream; a no-op outside a run."""
    payload: dict[str, Any] = {"event": event, "agent": agent, "ts": time.time(), **fields}
    try:
        config = get_config()
        writer = get_stream_writer()
    except RuntimeError:
        return payload
    payload["thread_id"] = config.get("configurable", {}).get("thread_id")
    writer(payload)
    return payload
