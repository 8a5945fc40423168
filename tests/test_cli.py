"""The `fleetgraph` command: live progress, threads on the embedded default, clear errors."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from fleetgraph.cli.app import app
from fleetgraph.runner import run_request


@pytest.fixture
def cli(monkeypatch, tmp_path):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "POSTGRES_URI", "DATABASE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLEETGRAPH_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_run_streams_progress_and_prints_the_answer(cli, tmp_path):
    result = cli("run", "router", "reset my password")

    assert result.exit_code == 0, result.output
    assert "support agent started" in result.output
    assert "support agent completed" in result.output
    assert "answer from support · offline model" in result.output
    assert "KB-101" in result.output
    assert "→ offline model" in result.output
    assert (tmp_path / "checkpoints.sqlite").exists()


def test_thread_continues_across_invocations_on_sqlite(cli):
    first = cli("run", "router", "reset my password", "--thread", "t-42")
    second = cli("run", "router", "what is the average of 3, 5 and 10?", "--thread", "t-42")

    assert first.exit_code == second.exit_code == 0
    assert "mean=6" in second.output and "--thread t-42" in second.output

    outcome = asyncio.run(run_request("router", "what is 2+2", thread_id="t-42"))
    assert len(outcome.state["messages"]) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "nope", "hi"), "Unknown graph 'nope'. Known graphs: "),
        (("run", "router", "   "), "The request is empty"),
        (("run", "router", "hi", "--model", "nosuch:x"), "Unsupported provider='nosuch'"),
        (
            ("run", "router", "hi", "--postgres", "postgresql://u:pw@127.0.0.1:1/db"),
            "Cannot reach PostgreSQL at postgresql://u:***@127.0.0.1:1/db (from --postgres)",
        ),
    ],
)
def test_bad_input_is_a_clear_error_not_a_traceback(cli, args, message):
    result = cli(*args)

    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_the_database_env_var_is_named_when_unreachable(cli, monkeypatch):
    monkeypatch.setenv("DATABASE_URI", "postgresql://u@127.0.0.1:1/db")

    result = cli("run", "router", "hi")

    assert result.exit_code == 2 and "(from DATABASE_URI)" in result.output


def test_graphs_and_diagram(cli):
    assert "router" in cli("graphs").output
    assert "classify -.-> support;" in cli("diagram", "router").output


@pytest.mark.postgres
def test_a_gate_is_answered_later_and_the_audit_trail_shows_it(cli, postgres_uri):
    started = cli(
        "run",
        "email_assistant",
        "answer my new emails",
        "--thread",
        "mail",
        "--postgres",
        postgres_uri,
    )
    assert started.exit_code == 0, started.output
    assert "waiting for approval: fleetgraph approve mail" in started.output

    approved = cli("approve", "mail", "--postgres", postgres_uri, "--approver", "jamie")
    trail = cli("audit", "mail", "--postgres", postgres_uri)

    assert approved.exit_code == 0, approved.output
    assert "reply sent" in approved.output and "waiting for approval" not in approved.output
    assert trail.exit_code == 0
    assert trail.output.count("approved by jamie") == 3
    assert "draft_reply" in trail.output


def test_approve_without_a_pending_gate_is_a_clear_error(cli):
    cli("run", "router", "reset my password", "--thread", "done")

    result = cli("approve", "done")

    assert result.exit_code == 2 and "has no pending approval" in result.output


def test_audit_needs_postgres(cli):
    result = cli("audit", "any")

    assert result.exit_code == 2 and "kept in PostgreSQL" in result.output
