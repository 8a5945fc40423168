"""The email assistant's planner: which work a request asks for, as `Send`s to the workers.

The router model classifies the request as one `Work`; the statement reader is sent the
request, and the replier is sent each new email of the inbox on its own, so repliers run
in parallel and none sees another email or the statement. The option lines double as the
offline model's keywords; `both` lists the words of the two others, so a request naming
both wins it and a request naming one ties with that one, which is listed first.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.types import Command, Overwrite, Send
from pydantic import BaseModel, Field

from fleetgraph.context import Context, context_of
from fleetgraph.models import load_chat_model
from fleetgraph.nodes.email_state import EmailAssistantState, ReplyTask, StatementTask, Work
from fleetgraph.nodes.email_workers import REPLIER, STATEMENT_READER
from fleetgraph.nodes.requests import latest_request
from fleetgraph.tools.email import new_emails

REPORT: Final = "report"

PLANNER_PROMPT = """You plan the work of the user's email assistant. Choose what the user's \
request asks for:
- statement: summarise (summarize) the user's bank statement: income and spending by category.
- emails: answer the user's new emails: reply to each new email in the inbox.
- both: summarise (summarize) the bank statement and answer the new emails: reply to each \
new email in the inbox.
- none: something else the assistant cannot do.
A worker reads the statement; another answers each email without ever seeing the statement."""


class PlanDecision(BaseModel):
    """The work a request asks for."""

    work: Work = Field(description="What to do: statement, emails, both or none.")
    reason: str = Field(description="One sentence on why.")


async def plan_work(request: str, context: Context) -> PlanDecision:
    """Ask the router model which `Work` the request asks for."""
    model = load_chat_model(context.router_model).with_structured_output(PlanDecision)
    decision = await model.ainvoke([SystemMessage(PLANNER_PROMPT), HumanMessage(request)])
    assert isinstance(decision, PlanDecision)
    return decision


async def plan(
    state: EmailAssistantState, runtime: Runtime[Context]
) -> Command[Literal["statement_reader", "replier", "report"]]:
    """Start a turn: send the request to the reader and each new email to a replier."""
    request = latest_request(state["messages"])
    decision = await plan_work(request, context_of(runtime))
    sends: list[Send] = []
    if decision.work in ("statement", "both"):
        sends.append(Send(STATEMENT_READER, StatementTask(request=request)))
    if decision.work in ("emails", "both"):
        sends.extend(Send(REPLIER, ReplyTask(email=email)) for email in new_emails())
    update: dict[str, Any] = {
        "request": request,
        "plan": decision.model_dump(),
        "statement": None,
        "replies": Overwrite([]),
    }
    if not sends:
        return Command(goto=REPORT, update=update)
    return Command(goto=sends, update=update)
