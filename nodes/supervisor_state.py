"""The supervisor's state: the conversation plus this run's tasks, results and stop reason."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from langgraph.graph import MessagesState

StopReason = Literal[
    "answered",
    "worker_answer",
    "max_delegations",
    "max_supervisor_steps",
    "cycle",
]
"""How a run ended: the supervisor answered, one worker's answer was handed back as is, or
a loop guard stopped the run (`max_delegations`, `max_supervisor_steps`, `cycle`)."""


class MemberTask(TypedDict):
    """One delegated (or handed-off) task, as sent to the member that runs it."""

    call_id: str
    """Unique in the run: `<round>:<tool-call id>`, or `<parent>><peer>#<n>` if handed off."""
    origin: str
    """`call_id` of the delegated task whose chain this task is part of (itself, if none)."""
    reply_to: str
    """The supervisor's tool-call id that this task's chain answers."""
    parent: str | None
    """The task that handed this one off, if any."""
    worker: str
    goal: str
    inputs: dict[str, str]
    refused: str | None
    """Why the loop guard refused the task; refused tasks never run."""


class MemberInput(TypedDict):
    """What a member node receives in its `Send`: one task, nothing of the run's history."""

    task: MemberTask


class MemberRecord(TypedDict):
    """A finished task: the task, the member's `WorkerResult` (as a dict), its handoffs."""

    task: MemberTask
    result: dict[str, Any]
    handoffs: list[dict[str, Any]]
    """`{"peer", "task", "payload"}` for each task the worker handed to a peer."""


class SupervisorState(MessagesState):
    """The conversation plus the current run's bookkeeping.

    `messages` holds what the supervisor sees: user requests, its delegation calls, one
    `ToolMessage` per call with the outcome, and answers. Workers' own transcripts never
    enter it; their results are in `results`.
    """

    tasks: NotRequired[list[MemberTask]]
    """Every task of this run in order, refused ones included (with `refused` set)."""
    dispatched: NotRequired[list[str]]
    """Ids of the tasks sent in the latest batch, which `collect` reads the results of."""
    results: NotRequired[Annotated[list[MemberRecord], operator.add]]
    """This run's finished tasks; parallel members append to it."""
    delegations: NotRequired[int]
    """Tasks run this run (delegations and handoffs), checked against `max_delegations`."""
    steps: NotRequired[int]
    """Supervisor model calls this run, checked against `max_supervisor_steps`."""
    stop_reason: NotRequired[StopReason | None]
    """Why the run ended, or a loop guard that stops it once the running tasks finish."""
    outcome: NotRequired[dict[str, Any]]
    """The run as one `WorkerResult` dict: what a parent graph receives from a team."""
    answered_by: NotRequired[str]
    """The member (or the supervisor) whose text is the final answer."""


class SupervisorOutput(TypedDict):
    """A team's output schema: only its outcome, so its messages stay inside the team."""

    outcome: dict[str, Any]
