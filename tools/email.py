"""The email assistant's tools: a bank-statement summary, reply drafts and sending.

`read_bank_statement` is the only way to the confidential statement, and what it returns
never holds the account id or the balance. `send_email` is high risk and transactional: the
gateway stops it at the approval gate, then runs it inside the ledger's database
transaction, where it writes the email to the `fleetgraph_outbox` table, so the email and
the ledger row commit together (once, across crashes and resumes); without a transaction
(the in-memory gateway store) it appends to `MEMORY_OUTBOX`. `draft_reply` and `send_email`
refuse any text that would disclose the statement's account id or balance, whoever asks.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import tool
from psycopg.rows import tuple_row

from fleetgraph.gateway.effects import current_transaction
from fleetgraph.gateway.policy import PermanentToolError, RetrySpec, ToolPolicy
from fleetgraph.gateway.postgres_store import lock_key
from fleetgraph.tools.data_files import load_json

STATEMENT_FILE = "bank_statement.json"
INBOX_FILE = "inbox.json"
WITHHELD = "[withheld]"
SENT = "Sent:"
"""How `send_email`'s result starts when the email is in the outbox."""
LARGEST_SHOWN = 3
_EMAIL_ADDRESS = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")

# Sending acts inside the ledger's transaction: a failed attempt aborts it, so no retries.
SEND_EMAIL_POLICY = ToolPolicy(
    risk="high", side_effect="transactional", timeout_seconds=10, retry=RetrySpec(max_attempts=1)
)

OUTBOX_SCHEMA = """CREATE TABLE IF NOT EXISTS fleetgraph_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thread_id TEXT NOT NULL, call_id TEXT NOT NULL, recipient TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (thread_id, call_id))"""
OUTBOX_INSERT = (
    "INSERT INTO fleetgraph_outbox (thread_id, call_id, recipient, subject, body, created_at) "
    "VALUES (%(thread_id)s, %(call_id)s, %(recipient)s, %(subject)s, %(body)s, %(created_at)s)"
)
OUTBOX_LOCK = lock_key("email-outbox-setup")


@dataclass(frozen=True)
class OutboxEmail:
    """An email handed over for delivery, keyed by the thread and tool call that sent it."""

    thread_id: str
    call_id: str
    recipient: str
    subject: str
    body: str
    created_at: float


MEMORY_OUTBOX: list[OutboxEmail] = []
"""The outbox of sends made without a database transaction (the in-memory gateway store)."""


def new_emails() -> list[dict[str, Any]]:
    """The inbox's unread emails, oldest first."""
    inbox: list[dict[str, Any]] = load_json(INBOX_FILE)
    return sorted((e for e in inbox if e.get("unread")), key=lambda e: str(e["received"]))


@cache
def statement_secrets() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What must never leave the statement: (name, pattern) for its account id and balance.

    The patterns match the values as the statement writes them and in other usual forms:
    the account id's digit groups with any or no separator, each long group on its own,
    the balance with or without thousands separators and cents.
    """
    statement = load_json(STATEMENT_FILE)
    groups = re.findall(r"\d+", statement["account_id"])
    account = [
        re.escape(statement["account_id"]),
        r"\D{0,3}".join(groups),
        *(group for group in groups if len(group) >= 4),
    ]
    whole, _, cents = str(statement["balance"]).partition(".")
    digits = re.sub(r"\D", "", whole)
    thousands = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)][::-1]
    amount = r"[,.\s']?".join(thousands)
    balance = f"{amount}(?:[.,]?{cents})?" if len(digits) >= 4 else f"{amount}[.,]?{cents}"
    return (
        ("the account id", _standalone(account)),
        ("the balance", _standalone([balance])),
    )


def _standalone(alternatives: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?<!\\d)(?:{a})(?!\\d)" for a in alternatives), re.I)


def disclosures(text: str) -> list[str]:
    """The statement secrets that `text` gives away, by name; empty when it is clean."""
    return [name for name, pattern in statement_secrets() if pattern.search(text)]


def redact(text: str) -> str:
    """`text` with every statement secret in it replaced by `[withheld]`."""
    for _, pattern in statement_secrets():
        text = pattern.sub(WITHHELD, text)
    return text


def _refuse_disclosures(*texts: str) -> None:
    if leaked := disclosures("\n".join(texts)):
        raise PermanentToolError(
            f"refused: the email would disclose {' and '.join(leaked)} from the user's bank "
            "statement. Never put account numbers or balances in an email; write it without."
        )


@tool
def read_bank_statement() -> str:
    """Read the user's confidential bank statement and summarise it: income, spending by
    category and the largest expenses. Account numbers and balances are always withheld."""
    statement = load_json(STATEMENT_FILE)
    income = [t for t in statement["transactions"] if t["amount"] > 0]
    spending = [t for t in statement["transactions"] if t["amount"] < 0]
    by_category: dict[str, list[float]] = defaultdict(list)
    for item in spending:
        by_category[item["category"]].append(-item["amount"])
    period = statement["period"]
    lines = [
        f"Bank statement {period['start']} to {period['end']} (account number and balance "
        "withheld).",
        f"Income: {_money(sum(t['amount'] for t in income))} in {len(income)} payments.",
        f"Spending: {_money(-sum(t['amount'] for t in spending))} in {len(spending)} payments.",
        "Spending by category:",
        *(
            f"- {category}: {_money(sum(amounts))} ({len(amounts)})"
            for category, amounts in sorted(by_category.items(), key=lambda c: -sum(c[1]))
        ),
        "Largest expenses: "
        + "; ".join(
            f"{t['date']} {t['description']} {_money(-t['amount'])}"
            for t in sorted(spending, key=lambda t: t["amount"])[:LARGEST_SHOWN]
        ),
    ]
    return redact("\n".join(lines))


def _money(amount: float) -> str:
    return f"{amount:,.2f}"


@tool
def draft_reply(to: str, subject: str, body: str) -> str:
    """Draft a reply email for review; nothing is sent. Send the reply email with send_email."""
    _refuse_disclosures(subject, body)
    return f"Draft reply to {to}, subject {subject!r}:\n{body}"


@tool
async def send_email(to: str, subject: str, body: str, runtime: ToolRuntime[Any, Any]) -> str:
    """Send a reply email (drafted or not) to its recipient; a person approves it before it
    goes out."""
    _refuse_disclosures(subject, body)
    if not _EMAIL_ADDRESS.match(to.strip()):
        raise PermanentToolError(f"{to!r} is not an email address; give the recipient's.")
    email = OutboxEmail(
        thread_id=str(runtime.config.get("configurable", {}).get("thread_id", "")),
        call_id=runtime.tool_call_id or "",
        recipient=to.strip(),
        subject=subject,
        body=body,
        created_at=time.time(),
    )
    connection = current_transaction()
    if connection is None:
        _append_in_memory(email)
    else:
        await _insert_in_transaction(connection, email)
    return f"{SENT} the email to {email.recipient} is in the outbox."


def _append_in_memory(email: OutboxEmail) -> None:
    if any((e.thread_id, e.call_id) == (email.thread_id, email.call_id) for e in MEMORY_OUTBOX):
        raise PermanentToolError(f"tool call {email.call_id} already sent its email")
    MEMORY_OUTBOX.append(email)


async def _insert_in_transaction(connection: Any, email: OutboxEmail) -> None:
    """Insert into the outbox in the ledger's open transaction; the first send creates the
    table (concurrent first sends take turns on an advisory lock, as CREATE ... IF NOT
    EXISTS races with itself). A second row for one tool call violates the UNIQUE key."""
    cursor = connection.cursor(row_factory=tuple_row)
    await cursor.execute("SELECT to_regclass('fleetgraph_outbox') IS NOT NULL")
    exists = await cursor.fetchone()
    if not (exists and exists[0]):
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (OUTBOX_LOCK,))
        await connection.execute(OUTBOX_SCHEMA)
    await connection.execute(
        OUTBOX_INSERT,
        {
            "thread_id": email.thread_id,
            "call_id": email.call_id,
            "recipient": email.recipient,
            "subject": email.subject,
            "body": email.body,
            "created_at": email.created_at,
        },
    )


EMAIL_TOOLS = (read_bank_statement, draft_reply, send_email)
