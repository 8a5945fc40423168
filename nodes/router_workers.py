"""The router's team: support, analytics, writer and general workers."""

from __future__ import annotations

from fleetgraph.registry import WorkerRegistry, WorkerSpec
from fleetgraph.tools.registry import TOOLS

_ANSWER_RULES = (
    "Use your tools to ground the answer and answer only from their results. "
    "You see only this request; do not ask for other context."
)

ROUTER_WORKERS = WorkerRegistry(
    [
        WorkerSpec(
            name="support",
            description="Customer support: account access, password resets, login problems, "
            "locked accounts, billing, refunds, plans and bug reports.",
            system_prompt=f"You are a customer-support agent. {_ANSWER_RULES}",
            tools=TOOLS.select("search_help_center", "lookup_account"),
        ),
        WorkerSpec(
            name="analytics",
            description="Analytics over numbers: averages, mean, median, sums, statistics, "
            "growth rates, trends and percentages.",
            system_prompt=f"You are a data analyst. {_ANSWER_RULES}",
            tools=TOOLS.select("describe_numbers", "growth_rate"),
        ),
        WorkerSpec(
            name="writer",
            description="Writing: write, draft, rewrite or outline documents, posts, emails, "
            "reports and titles; check a text's length.",
            system_prompt=f"You are a writer. {_ANSWER_RULES}",
            tools=TOOLS.select("text_statistics", "draft_outline"),
        ),
        WorkerSpec(
            name="general",
            description="Anything else: general questions, greetings, the time and date, "
            "arithmetic and calculations.",
            system_prompt=f"You are a helpful generalist. {_ANSWER_RULES}",
            tools=TOOLS.select("current_time", "calculator"),
        ),
    ]
)
