"""Every tool fleetgraph ships, registered once with its gateway policy."""

from __future__ import annotations

from fleetgraph.gateway.policy import QuotaSpec, ToolPolicy
from fleetgraph.gateway.registry import ToolRegistry
from fleetgraph.tools.analytics import describe_numbers, growth_rate
from fleetgraph.tools.email import SEND_EMAIL_POLICY, draft_reply, read_bank_statement, send_email
from fleetgraph.tools.general import calculator, current_time
from fleetgraph.tools.reporting import compose_report, extract_figures, format_markdown
from fleetgraph.tools.repository import REPOSITORY_POLICIES, REPOSITORY_TOOLS
from fleetgraph.tools.research import search_notes
from fleetgraph.tools.support import lookup_account, search_help_center
from fleetgraph.tools.writing import draft_outline, text_statistics

TOOLS = ToolRegistry()

TOOLS.register(search_help_center, ToolPolicy(timeout_seconds=10))
TOOLS.register(
    lookup_account,
    ToolPolicy(timeout_seconds=10, quota=QuotaSpec(limit=30, window_seconds=60, per_user=True)),
)
TOOLS.register(describe_numbers, ToolPolicy(timeout_seconds=5))
TOOLS.register(growth_rate, ToolPolicy(timeout_seconds=5))
TOOLS.register(draft_outline, ToolPolicy(timeout_seconds=5))
TOOLS.register(text_statistics, ToolPolicy(timeout_seconds=5))
TOOLS.register(current_time, ToolPolicy(timeout_seconds=5))
TOOLS.register(calculator, ToolPolicy(timeout_seconds=5))
TOOLS.register(search_notes, ToolPolicy(timeout_seconds=5))
TOOLS.register(extract_figures, ToolPolicy(timeout_seconds=5))
TOOLS.register(compose_report, ToolPolicy(timeout_seconds=5))
TOOLS.register(format_markdown, ToolPolicy(timeout_seconds=5))
TOOLS.register(read_bank_statement, ToolPolicy(timeout_seconds=5))
TOOLS.register(draft_reply, ToolPolicy(timeout_seconds=5))
TOOLS.register(send_email, SEND_EMAIL_POLICY)
for repository_tool in REPOSITORY_TOOLS:
    TOOLS.register(repository_tool, REPOSITORY_POLICIES[repository_tool.name])
