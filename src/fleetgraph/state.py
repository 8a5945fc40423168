"""Graph state schemas. Every graph's state starts from `messages`."""

from __future__ import annotations

from typing import Any, NotRequired

from langgraph.graph import MessagesState


class RouterState(MessagesState):
    """The router's state: the conversation plus this turn's route and outcome."""

    route: NotRequired[dict[str, Any]]
    """The classification of the latest request: worker, confidence, reason."""
    attempts: NotRequired[list[dict[str, Any]]]
    """This turn's worker results in order (a failed specialist, then its fallback)."""
    answered_by: NotRequired[str]
    """The worker whose answer ends this turn."""
