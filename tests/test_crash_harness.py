"""The crash harness really kills mid-run, and a new process resumes the thread."""

from __future__ import annotations

import pytest

from crash_harness import run_in_subprocess

pytestmark = pytest.mark.postgres


def test_router_killed_in_its_worker_resumes_in_a_new_process(postgres_uri):
    request = "what is the average of 3, 5 and 10?"
    reference = run_in_subprocess("router", request, thread_id="ref", postgres_uri=postgres_uri)

    crashed = run_in_subprocess(
        "router", request, thread_id="t", postgres_uri=postgres_uri, kill_at_model_call=2
    )
    resumed = run_in_subprocess("router", None, thread_id="t", postgres_uri=postgres_uri)

    assert reference.returncode == 0 and reference.model_calls == 3
    assert crashed.killed and crashed.final_state is None and crashed.model_calls == 2
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.model_calls == 2  # classification was checkpointed; only the worker re-ran
    answer = resumed.final_state["messages"][-1]["data"]
    assert answer["content"] == reference.final_state["messages"][-1]["data"]["content"]
    assert "mean=6" in answer["content"]
