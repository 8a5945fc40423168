"""A supervisor run killed mid-run resumes from PostgreSQL in a new process."""

from __future__ import annotations

import pytest

from crash_harness import run_in_subprocess
from test_supervisor_support import OFFLINE_RULES_REASON, make_sample_repo, offline_fills_paths

pytestmark = pytest.mark.postgres
BUILDER = "fleetgraph.graphs.supervisor:builder"


@pytest.mark.xfail(not offline_fills_paths(), reason=OFFLINE_RULES_REASON, strict=True)
def test_a_killed_review_resumes_without_redoing_finished_work(postgres_uri, tmp_path):
    request = f"review the repository at {make_sample_repo(tmp_path)}"
    reference = run_in_subprocess(BUILDER, request, thread_id="ref", postgres_uri=postgres_uri)
    # Calls: 1 plan; 2-4 each worker's first call; 5-6 the code analyst's and dependency
    # auditor's answers; 7 the test runner's answer (after its pytest run); 8 aggregation.
    crashed = run_in_subprocess(
        BUILDER, request, thread_id="t", postgres_uri=postgres_uri, kill_at_model_call=7
    )
    resumed = run_in_subprocess(BUILDER, None, thread_id="t", postgres_uri=postgres_uri)

    assert reference.returncode == 0, reference.stderr
    assert reference.model_calls == 8
    assert crashed.killed and crashed.final_state is None and crashed.model_calls == 7
    assert resumed.returncode == 0, resumed.stderr
    # The plan and the two finished workers were checkpointed: only the test runner's
    # answer and the aggregation run again.
    assert resumed.model_calls == 2
    final, expected = resumed.final_state, reference.final_state
    assert final is not None and expected is not None
    assert final["messages"][-1]["data"]["content"] == expected["messages"][-1]["data"]["content"]
    assert (final["stop_reason"], final["delegations"]) == ("answered", 3)
    assert "pytest passed=1 failed=1" in final["messages"][-1]["data"]["content"]
