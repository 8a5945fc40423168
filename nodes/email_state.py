"""The email assistant's state, and the only things its workers are sent."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from langgraph.graph import MessagesState

Work = Literal["statement", "emails", "both", "none"]
"""What a request asks for: the statement summary, replies to the new emails, both, neither."""
ReplyStatus = Literal["sent", "not_sent", "failed"]


class StatementTask(TypedDict):
    """What the statement reader is sent: the user's request, nothing else of the run."""

    request: str


class ReplyTask(TypedDict):
    """What the replier is sent for one email: that email, never the statement."""

    email: dict[str, Any]


class ReplyRecord(TypedDict):
    """One answered email: which, to whom, whether the reply went out, the worker's result."""

    email_id: str
    to: str
    subject: str
    status: ReplyStatus
    result: dict[str, Any]


class EmailAssistantState(MessagesState):
    """The conversation plus this turn's plan and results.

    Workers' transcripts never enter it: the statement reader's result is kept redacted, and
    each reply only as its `ReplyRecord`.
    """

    request: NotRequired[str]
    plan: NotRequired[dict[str, Any]]
    """The planner's decision: `work` (a `Work`) and its `reason`."""
    statement: NotRequired[dict[str, Any] | None]
    """The statement reader's `WorkerResult` (as a dict), redacted; None if not asked for."""
    replies: NotRequired[Annotated[list[ReplyRecord], operator.add]]
    """This turn's replies, one per new email; parallel repliers append to it."""
