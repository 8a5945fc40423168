"""A pipeline process killed between stages is resumed by another without redoing them."""

from __future__ import annotations

import pytest

from crash_harness import run_in_subprocess

pytestmark = pytest.mark.postgres

PIPELINE = "fleetgraph.graphs.pipeline:builder"
REQUEST = "write a report on revenue growth"
CALLS_PER_STAGE = 2  # the offline model: one tool call, then the answer


def test_killed_at_the_report_writer_resumes_there_in_a_new_process(postgres_uri):
    reference = run_in_subprocess(PIPELINE, REQUEST, thread_id="ref", postgres_uri=postgres_uri)
    first_writer_call = 2 * CALLS_PER_STAGE + 1

    crashed = run_in_subprocess(
        PIPELINE,
        REQUEST,
        thread_id="t",
        postgres_uri=postgres_uri,
        kill_at_model_call=first_writer_call,
    )
    resumed = run_in_subprocess(PIPELINE, None, thread_id="t", postgres_uri=postgres_uri)

    assert reference.returncode == 0, reference.stderr
    assert reference.model_calls == 4 * CALLS_PER_STAGE
    assert crashed.killed and crashed.final_state is None
    assert crashed.model_calls == first_writer_call
    assert resumed.returncode == 0, resumed.stderr
    # Research and analysis were checkpointed: only the writer and the formatter ran again.
    assert resumed.model_calls == 2 * CALLS_PER_STAGE
    report = resumed.final_state["messages"][-1]["data"]
    assert report["content"] == reference.final_state["messages"][-1]["data"]["content"]
    assert report["content"].startswith("# Revenue Growth")
    assert resumed.final_state["stages"] == reference.final_state["stages"]
