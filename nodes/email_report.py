"""The email assistant's last node: one answer from the statement summary and the replies."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from fleetgraph.nodes.email_state import EmailAssistantState, ReplyRecord
from fleetgraph.tools.email import redact

NAME = "email_assistant"
CANNOT = (
    "I can summarise your bank statement (spending by category, never account numbers or "
    "balances) and answer your new emails (each reply waits for your approval)."
)


def report(state: EmailAssistantState) -> dict[str, Any]:
    """End the turn with the statement summary and each reply's outcome, redacted."""
    work = state.get("plan", {}).get("work", "none")
    sections: list[str] = []
    if work in ("statement", "both"):
        sections.append(_statement_section(state.get("statement")))
    if work in ("emails", "both"):
        sections.append(_replies_section(state.get("replies", [])))
    text = "\n\n".join(sections) if sections else CANNOT
    offline = _all_offline(state)
    metadata: dict[str, Any] = {"worker": NAME}
    if offline:
        metadata.update(offline=True, model_provider="offline")
    return {"messages": [AIMessage(content=redact(text), name=NAME, response_metadata=metadata)]}


def _statement_section(result: dict[str, Any] | None) -> str:
    if not result:
        return "Bank statement: no summary was made."
    if result["status"] != "ok":
        return f"Bank statement: the summary failed ({result['error']})."
    return f"Bank statement summary:\n{result['output']}"


def _replies_section(replies: list[ReplyRecord]) -> str:
    if not replies:
        return "New emails: none to answer."
    lines = [f"New emails answered: {len(replies)}"]
    for reply in sorted(replies, key=lambda r: r["email_id"]):
        outcome = {"sent": "reply sent", "not_sent": "no reply sent", "failed": "failed"}[
            reply["status"]
        ]
        detail = reply["result"].get("error") if reply["status"] == "failed" else None
        lines.append(
            f"- {reply['to']} ({reply['subject']}): {outcome}" + (f": {detail}" if detail else "")
        )
    return "\n".join(lines)


def _all_offline(state: EmailAssistantState) -> bool:
    results = [r["result"] for r in state.get("replies", [])]
    if statement := state.get("statement"):
        results.append(statement)
    return bool(results) and all(r.get("offline_model") for r in results)
