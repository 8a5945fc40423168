"""Email assistant graph (scenario 5): an inbox, and a confidential bank statement.

    START → plan ─(Send)→ statement_reader ─→ report → END
                 └(Send per new email)→ replier ─┘

`plan` asks the router model what the request wants: the statement summarised, the new
emails answered, or both. The statement reader alone can read the statement, and its tool
never returns the account id or the balance. Each new email goes to its own replier, which
sees that email only (never the statement) and drafts and sends a reply. `send_email` is
high risk: it stops at the approval gate (approve, edit or reject), then writes to the
outbox in the same transaction as its ledger row, so a resumed thread never sends twice;
it refuses any email holding the statement's account id or balance. `report` ends the turn.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from fleetgraph.context import Context
from fleetgraph.nodes.email_members import make_replier, make_statement_reader
from fleetgraph.nodes.email_plan import REPORT, plan
from fleetgraph.nodes.email_report import report
from fleetgraph.nodes.email_state import EmailAssistantState
from fleetgraph.nodes.email_workers import REPLIER, STATEMENT_READER

builder = StateGraph(EmailAssistantState, context_schema=Context)
builder.add_node("plan", plan)
builder.add_node(STATEMENT_READER, make_statement_reader())
builder.add_node(REPLIER, make_replier())
builder.add_node(REPORT, report)
builder.add_edge(START, "plan")
builder.add_edge(STATEMENT_READER, REPORT)
builder.add_edge(REPLIER, REPORT)
builder.add_edge(REPORT, END)

graph = builder.compile(name="email_assistant")
