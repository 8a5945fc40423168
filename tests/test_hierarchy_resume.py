"""A hierarchy run killed inside a team resumes from PostgreSQL in a new process."""

from __future__ import annotations

import pytest

from crash_harness import run_in_subprocess
from test_supervisor_support import OFFLINE_RULES_REASON, make_sample_repo, offline_fills_paths

pytestmark = pytest.mark.postgres
BUILDER = "fleetgraph.graphs.hierarchy:builder"


@pytest.mark.xfail(not offline_fills_paths(), reason=OFFLINE_RULES_REASON, strict=True)
def test_a_killed_assessment_resumes_inside_the_running_team(postgres_uri, tmp_path):
    request = f"research, test and review the repository at {make_sample_repo(tmp_path)}"
    reference = run_in_subprocess(BUILDER, request, thread_id="ref", postgres_uri=postgres_uri)
    # Calls: 1 coordinator plan; 2-4 the team supervisors; 5-7 their workers' first calls;
    # 8-9 the research and review workers' answers; 10 the test executor's answer (after
    # its pytest run); 11 the coordinator's aggregation.
    crashed = run_in_subprocess(
        BUILDER, request, thread_id="t", postgres_uri=postgres_uri, kill_at_model_call=10
    )
    resumed = run_in_subprocess(BUILDER, None, thread_id="t", postgres_uri=postgres_uri)

    assert reference.returncode == 0, reference.stderr
    assert reference.model_calls == 11
    assert crashed.killed and crashed.final_state is None and crashed.model_calls == 10
    assert resumed.returncode == 0, resumed.stderr
    # Finished teams are not rerun, and the execution team resumes inside its worker.
    assert resumed.model_calls == 2
    final, expected = resumed.final_state, reference.final_state
    assert final is not None and expected is not None
    assert final["messages"][-1]["data"]["content"] == expected["messages"][-1]["data"]["content"]
    teams = {r["result"]["worker"]: r["result"]["status"] for r in final["results"]}
    assert teams == {"research_team": "ok", "execution_team": "ok", "review_team": "ok"}
