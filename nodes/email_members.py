"""The email assistant's worker nodes: the statement reader and the replier.

Each receives only its `Send` payload, never the graph state: the reader the request, the
replier one email. A failure becomes a failed result instead of an exception, so the other
workers keep theirs; interrupts (the approval gate on `send_email`) pass through. The
reader's result is redacted before it is stored, in case a model repeated a secret anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.runtime import Runtime

from fleetgraph.context import Context, context_of
from fleetgraph.envelope import Evidence, TaskEnvelope, WorkerResult
from fleetgraph.nodes.agents import build_worker_agent, run_reported, run_worker_agent
from fleetgraph.nodes.email_state import ReplyRecord, ReplyStatus, ReplyTask, StatementTask
from fleetgraph.nodes.email_workers import (
    EMAIL_WORKERS,
    REPLIER,
    STATEMENT_READER,
    reply_envelope,
    statement_envelope,
)
from fleetgraph.registry import WorkerSpec
from fleetgraph.tools.email import SENT, redact

StatementNode = Callable[[StatementTask, Runtime[Context]], Awaitable[dict[str, Any]]]
ReplierNode = Callable[[ReplyTask, Runtime[Context]], Awaitable[dict[str, Any]]]
RunTask = Callable[[TaskEnvelope, Context], Awaitable[WorkerResult]]


def make_statement_reader() -> StatementNode:
    """A node summarising the statement for the request it is sent; stores it redacted."""
    run = _runner(EMAIL_WORKERS.get(STATEMENT_READER))

    async def statement_reader(task: StatementTask, runtime: Runtime[Context]) -> dict[str, Any]:
        result = await run(statement_envelope(task["request"]), context_of(runtime))
        return {"statement": redacted(result).model_dump(mode="json")}

    return statement_reader


def make_replier() -> ReplierNode:
    """A node answering the one email it is sent; records whether the reply went out."""
    run = _runner(EMAIL_WORKERS.get(REPLIER))

    async def replier(task: ReplyTask, runtime: Runtime[Context]) -> dict[str, Any]:
        email = task["email"]
        result = await run(reply_envelope(email), context_of(runtime))
        return {"replies": [reply_record(email, result)]}

    return replier


def redacted(result: WorkerResult) -> WorkerResult:
    """`result` with the statement's secrets withheld from its output, evidence and error."""
    return result.model_copy(
        update={
            "output": redact(result.output),
            "error": redact(result.error) if result.error else result.error,
            "evidence": [Evidence(tool=e.tool, output=redact(e.output)) for e in result.evidence],
        }
    )


def reply_record(email: dict[str, Any], result: WorkerResult) -> ReplyRecord:
    status: ReplyStatus = "failed"
    if result.status == "ok":
        status = "sent" if any(_was_sent(e) for e in result.evidence) else "not_sent"
    return {
        "email_id": str(email["id"]),
        "to": str(email["from"]),
        "subject": str(email["subject"]),
        "status": status,
        "result": result.model_dump(mode="json"),
    }


def _was_sent(evidence: Evidence) -> bool:
    """Whether this is `send_email`'s success; after an edit, the approval gate puts a note
    about the edit before the tool's own answer."""
    lines = evidence.output.splitlines()
    return evidence.tool == "send_email" and any(line.startswith(SENT) for line in lines)


def _runner(spec: WorkerSpec) -> RunTask:
    agent = build_worker_agent(spec)

    async def run(task: TaskEnvelope, context: Context) -> WorkerResult:
        return await run_reported(
            spec.name, task.goal, run_worker_agent(agent, spec, task, context)
        )

    return run
