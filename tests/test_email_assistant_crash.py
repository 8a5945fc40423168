"""Exactly once: a process killed right after `send_email` committed is resumed by another,
and every new email has exactly one outbox row (the ledger replays the committed send)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import psycopg
import pytest

from fleetgraph.tools.email import new_emails

from email_crash_child import final_state, run_child

pytestmark = pytest.mark.postgres

REQUEST = "summarise my bank statement and answer my new emails"


def outbox(uri: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(uri) as conn:
        rows = conn.execute(
            "SELECT thread_id, call_id, recipient FROM fleetgraph_outbox ORDER BY id"
        ).fetchall()
    return [(str(t), str(c), str(r)) for t, c, r in rows]


def ledger(uri: str) -> list[tuple[str, str]]:
    with psycopg.connect(uri) as conn:
        rows = conn.execute(
            "SELECT call_id, result FROM fleetgraph_tool_ledger WHERE tool = 'send_email'"
        ).fetchall()
    return [(str(c), str(r)) for c, r in rows]


def sends(log: Path) -> list[tuple[int, str, bool]]:
    """(pid, call id, replayed by the ledger) of each send_email call that returned."""
    return [tuple(json.loads(line)) for line in log.read_text().splitlines()]


@pytest.mark.parametrize(
    "resume_step",
    [
        pytest.param("approve", id="resumed-with-the-same-approvals"),
        pytest.param("continue", id="resumed-with-no-input"),
    ],
)
def test_killed_after_a_send_committed_resumes_without_sending_twice(
    postgres_uri, tmp_path, resume_step
):
    sends_log = tmp_path / "sends.log"
    spec = {
        "thread_id": "inbox",
        "postgres_uri": postgres_uri,
        "request": REQUEST,
        "sends_log": str(sends_log),
    }
    recipients = sorted(email["from"] for email in new_emails())

    started = run_child({**spec, "step": "start"})
    assert started.returncode == 0, started.stderr
    gates = final_state(started)["pending_interrupts"]
    assert sorted(g["action_requests"][0]["args"]["to"] for g in gates) == recipients

    crashed = run_child({**spec, "step": "approve", "kill_after_send": True})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert final_state(crashed) is None
    ((_, killed_call, replayed),) = sends(sends_log)
    assert not replayed
    committed = outbox(postgres_uri)
    assert killed_call in [call for _, call, _ in committed]  # committed before the kill
    assert len(committed) == len(ledger(postgres_uri))  # effect and ledger row together

    resumed = run_child({**spec, "step": resume_step})
    assert resumed.returncode == 0, resumed.stderr
    state = final_state(resumed)
    assert state["pending_interrupts"] == []
    assert sorted(r["status"] for r in state["replies"]) == ["sent"] * len(recipients)

    rows = outbox(postgres_uri)
    assert sorted(recipient for _, _, recipient in rows) == recipients  # one row per email
    assert {thread for thread, _, _ in rows} == {"inbox"}
    assert len({call for _, call, _ in rows}) == len(rows) == len(ledger(postgres_uri))
    resumed_calls = {call: was_replayed for _, call, was_replayed in sends(sends_log)[1:]}
    assert resumed_calls[killed_call] is True  # the ledger answered; nothing was re-sent
    assert sum(not was_replayed for was_replayed in resumed_calls.values()) == len(rows) - len(
        committed
    )
