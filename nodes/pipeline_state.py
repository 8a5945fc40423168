"""The pipeline graph's state: the conversation, the request and each stage's result."""

from __future__ import annotations

from typing import Any, NotRequired

from langgraph.graph import MessagesState


class PipelineState(MessagesState):
    """The conversation plus this turn's request and finished stages.

    `messages` ends with the formatted report; the stages' intermediate outputs live only
    in `stages`, so a later stage is given its predecessor's output, never the history.
    """

    request: NotRequired[str]
    """The user request this turn's pipeline works on."""
    stages: NotRequired[dict[str, dict[str, Any]]]
    """Each finished stage's `WorkerResult` (as a dict) by stage name, in pipeline order."""
