"""The pipeline graph on scripted models: envelopes, own tools, retries, timeouts, resume."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import RetryPolicy

from fleetgraph.graphs.pipeline import build_pipeline, builder
from fleetgraph.nodes.pipeline_retry import StageFailedError, is_retryable, stage_retry_policy
from fleetgraph.nodes.pipeline_stage import stage_envelope
from fleetgraph.nodes.pipeline_workers import PIPELINE_STAGES

from fake_model import ScriptedChatModel, Sleep, tool_call

REQUEST = "write a report on revenue growth"
FAST_RETRY = stage_retry_policy(initial_interval=0.01, backoff_factor=1.0, jitter=False)
STAGE_OF_TOOL = {
    "search_notes": "research",
    "extract_figures": "analysis",
    "compose_report": "report_writer",
    "format_markdown": "formatter",
}
RESEARCH = [tool_call("search_notes", {"query": "revenue growth"}), AIMessage("NOTES: revenue")]
ANALYSIS = [
    tool_call("extract_figures", {"text": "Revenue in Q1 2024 was $4.2 million."}),
    AIMessage("FINDINGS: revenue rose"),
]
WRITER = [
    tool_call("compose_report", {"topic": "revenue growth", "findings": "Revenue rose."}),
    AIMessage("DRAFT: # Revenue"),
]
FORMATTER = [tool_call("format_markdown", {"text": "#Revenue"}), AIMessage("# Revenue\n\nDone.")]


def ask(text: str = REQUEST) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": "user", "content": text}]}


def calls_per_stage(model: ScriptedChatModel) -> dict[str, int]:
    counts: dict[str, int] = {}
    for bound in model.bound_tools:
        stage = STAGE_OF_TOOL[bound[0]]
        counts[stage] = counts.get(stage, 0) + 1
    return counts


def fast_pipeline(checkpointer=None):
    return build_pipeline(FAST_RETRY).compile(checkpointer=checkpointer)


async def test_each_stage_gets_only_its_envelope_and_its_own_tools(scripted_models):
    worker = ScriptedChatModel(script=[*RESEARCH, *ANALYSIS, *WRITER, *FORMATTER])

    result = await fast_pipeline().ainvoke(ask(), context=scripted_models(worker=worker))

    research, analysis, writer, formatter = PIPELINE_STAGES
    expected_prompts = [
        stage_envelope(research, REQUEST, "").as_prompt(),
        stage_envelope(analysis, REQUEST, "NOTES: revenue").as_prompt(),
        stage_envelope(writer, REQUEST, "FINDINGS: revenue rose").as_prompt(),
        stage_envelope(formatter, REQUEST, "DRAFT: # Revenue").as_prompt(),
    ]
    first_calls = worker.received[::2]
    assert [[type(m) for m in call] for call in first_calls] == [[SystemMessage, HumanMessage]] * 4
    assert [call[1].text for call in first_calls] == expected_prompts
    assert "- research: NOTES: revenue" in expected_prompts[1]
    assert "- findings: FINDINGS: revenue rose" in expected_prompts[2]
    assert expected_prompts[3].endswith("- report: DRAFT: # Revenue")
    # Nothing upstream leaks: not the research tool's raw notes, not earlier stages' outputs.
    research_tool_output = worker.received[1][-1]
    assert isinstance(research_tool_output, ToolMessage) and "NC-01" in research_tool_output.text
    assert all("NC-01" not in call[1].text for call in first_calls[1:])
    assert "NOTES" not in expected_prompts[2] and REQUEST not in expected_prompts[3]
    assert worker.bound_tools[::2] == [
        ["search_notes"],
        ["extract_figures", "describe_numbers", "growth_rate"],
        ["compose_report"],
        ["format_markdown"],
    ]
    assert list(result["stages"]) == ["research", "analysis", "report_writer", "formatter"]
    assert all(stage["status"] == "ok" for stage in result["stages"].values())
    assert result["stages"]["analysis"]["evidence"][0]["tool"] == "extract_figures"
    assert result["stages"]["research"]["cost"]["model_calls"] == 2
    report = result["messages"][-1]
    assert isinstance(report, AIMessage) and report.name == "formatter"
    assert report.text == "# Revenue\n\nDone." and result["request"] == REQUEST
    assert [m.type for m in result["messages"]] == ["human", "ai"]


async def test_a_new_turn_on_the_thread_starts_the_stages_afresh(scripted_models):
    script = [*RESEARCH, *ANALYSIS, *WRITER, *FORMATTER]
    worker = ScriptedChatModel(script=script * 2)
    graph = fast_pipeline(InMemorySaver())
    config = {"configurable": {"thread_id": "turns"}}
    context = scripted_models(worker=worker)

    await graph.ainvoke(ask(), config, context=context)
    result = await graph.ainvoke(ask("now a report on margins"), config, context=context)

    assert result["request"] == "now a report on margins"
    assert [m.type for m in result["messages"]] == ["human", "ai", "human", "ai"]
    assert (
        worker.received[8][1].text
        == stage_envelope(PIPELINE_STAGES[0], "now a report on margins", "").as_prompt()
    )


async def test_a_stage_failing_once_is_retried_by_its_retry_policy(scripted_models):
    worker = ScriptedChatModel(
        script=[*RESEARCH, RuntimeError("provider hiccup"), *ANALYSIS, *WRITER, *FORMATTER]
    )
    context = scripted_models(worker=worker, worker_restarts=0)
    graph = fast_pipeline(InMemorySaver())
    config = {"configurable": {"thread_id": "retry"}}

    events = [
        event
        async for event in graph.astream(ask(), config, context=context, stream_mode="custom")
        if event["event"] in ("agent_started", "agent_completed")
    ]

    state = (await graph.aget_state(config)).values
    assert state["messages"][-1].text == "# Revenue\n\nDone."
    assert calls_per_stage(worker) == {
        "research": 2,
        "analysis": 3,
        "report_writer": 2,
        "formatter": 2,
    }
    analysis = [
        (e["event"], e["attempt"], e.get("status")) for e in events if e["agent"] == "analysis"
    ]
    assert analysis == [
        ("agent_started", 1, None),
        ("agent_completed", 1, "failed"),
        ("agent_started", 2, None),
        ("agent_completed", 2, "ok"),
    ]
    failed = next(e for e in events if e.get("status") == "failed")
    assert failed["error"] == (
        "Pipeline stage 'analysis' failed (attempt 1 of 3): RuntimeError: provider hiccup."
    )


async def test_a_stage_failing_past_its_retries_fails_the_run_and_resumes_there(
    scripted_models, checkpointer
):
    down = [RuntimeError("provider down")] * 3
    worker = ScriptedChatModel(script=[*RESEARCH, *ANALYSIS, *down, *WRITER, *FORMATTER])
    context = scripted_models(worker=worker, worker_restarts=0)
    graph = fast_pipeline(checkpointer)
    config = {"configurable": {"thread_id": "resume"}}

    with pytest.raises(StageFailedError) as failure:
        await graph.ainvoke(ask(), config, context=context)

    assert failure.value.stage == "report_writer"
    assert str(failure.value) == (
        "Pipeline stage 'report_writer' failed (attempt 3 of 3): RuntimeError: provider down. "
        "Resume the thread to rerun it; finished stages are kept."
    )
    stopped = await graph.aget_state(config)
    assert stopped.next == ("report_writer",)
    assert list(stopped.values["stages"]) == ["research", "analysis"]
    assert "provider down" in stopped.tasks[0].error
    assert calls_per_stage(worker) == {"research": 2, "analysis": 2, "report_writer": 3}

    result = await graph.ainvoke(None, config, context=context)

    assert calls_per_stage(worker) == {
        "research": 2,
        "analysis": 2,
        "report_writer": 5,
        "formatter": 2,
    }
    assert result["messages"][-1].text == "# Revenue\n\nDone."
    assert list(result["stages"]) == ["research", "analysis", "report_writer", "formatter"]
    assert [m.type for m in result["messages"]] == ["human", "ai"]


async def test_a_timed_out_stage_is_retried(scripted_models):
    worker = ScriptedChatModel(
        script=[Sleep(5, RESEARCH[0]), *RESEARCH, *ANALYSIS, *WRITER, *FORMATTER]
    )
    context = scripted_models(worker=worker, worker_timeout_seconds=0.2, worker_restarts=0)
    graph = fast_pipeline(InMemorySaver())
    config = {"configurable": {"thread_id": "timeout"}}

    events = [
        event
        async for event in graph.astream(ask(), config, context=context, stream_mode="custom")
        if event.get("status") == "failed"
    ]

    assert [e["error"] for e in events] == [
        "Pipeline stage 'research' failed (attempt 1 of 3): "
        "WorkerTimeoutError: research ran past its 0.2s limit."
    ]
    state = (await graph.aget_state(config)).values
    assert state["messages"][-1].text == "# Revenue\n\nDone."
    assert calls_per_stage(worker)["research"] == 3


async def test_a_stage_timing_out_on_every_attempt_fails_naming_it(scripted_models):
    slow = Sleep(5, AIMessage("too late"))
    worker = ScriptedChatModel(script=[*RESEARCH, slow, slow, slow])
    context = scripted_models(worker=worker, worker_timeout_seconds=0.1, worker_restarts=0)

    with pytest.raises(StageFailedError, match=r"'analysis' failed \(attempt 3 of 3\).*0\.1s"):
        await fast_pipeline().ainvoke(ask(), context=context)


async def test_a_configuration_error_is_not_retried(scripted_models):
    context = scripted_models(worker_model="nosuch:model", worker_restarts=0)

    with pytest.raises(StageFailedError, match=r"'research' failed \(attempt 1 of 3\): Config"):
        await fast_pipeline().ainvoke(ask(), context=context)


def test_stage_failures_are_retryable_unless_retrying_cannot_help():
    from fleetgraph.errors import ConfigurationError

    assert is_retryable(StageFailedError.wrap("research", 1, 3, TimeoutError()))
    assert not is_retryable(StageFailedError.wrap("research", 1, 3, ConfigurationError("x")))
    assert not is_retryable(RuntimeError("not a stage failure"))


def test_every_shipped_stage_node_has_a_jittered_retry_policy():
    for stage in PIPELINE_STAGES:
        policy = builder.nodes[stage.name].retry_policy
        assert isinstance(policy, RetryPolicy)
        assert policy.jitter and policy.max_attempts == 3 and policy.retry_on is is_retryable
