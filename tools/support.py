"""Support desk tools: a help-center search and an account lookup over shipped data."""

from __future__ import annotations

from langchain_core.tools import tool

from fleetgraph.models.rules import keywords
from fleetgraph.tools.data_files import load_json


@tool
def search_help_center(query: str) -> str:
    """Search help-center articles about passwords, login, locked accounts, billing,
    refunds, plans, bugs and data export. Returns the best matching articles."""
    wanted = keywords(query)
    scored = []
    for article in load_json("help_center.json"):
        score = len(wanted & keywords(f"{article['title']} {article['body']}"))
        if score:
            scored.append((score, article))
    if not scored:
        return f"No help-center article matches {query!r}."
    scored.sort(key=lambda pair: -pair[0])
    return "\n\n".join(f"{a['id']} {a['title']}: {a['body']}" for _, a in scored[:2])


@tool
def lookup_account(account_id: str) -> str:
    """Look up an account's plan, status, seats and lock state by its id (like ACC-1001)."""
    accounts = load_json("accounts.json")
    record = accounts.get(account_id.strip().upper())
    if record is None:
        return f"No account with id {account_id!r}. Known ids look like ACC-1001."
    return ", ".join(f"{key}={value}" for key, value in {"id": account_id, **record}.items())
