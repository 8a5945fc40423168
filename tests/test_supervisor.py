"""The supervisor graph on scripted models: delegation, budget, failures and isolation."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from fleetgraph.graphs.supervisor import builder, graph

from fake_model import ScriptedChatModel, Sleep
from test_supervisor_support import AgentsModel, ask, call, calls, make_sample_repo

WORKER_TOOLS = {"analyse_codebase", "run_tests", "check_dependencies"}


@pytest.fixture
def repo(tmp_path: Path) -> str:
    return str(make_sample_repo(tmp_path))


def review_plan(repo: str) -> AIMessage:
    return calls(
        call("delegate_to_code_analyst", "c1", goal="Analyse the code", path=repo),
        call("delegate_to_test_runner", "c2", goal="Run the test suite", path=repo),
        call("delegate_to_dependency_auditor", "c3", goal="Audit the dependencies", path=repo),
    )


def worker(tool: str, repo: str, answer: str, *, delay: float = 0.0) -> ScriptedChatModel:
    first = calls(call(tool, f"t-{tool}", path=repo))
    return ScriptedChatModel(script=[Sleep(delay, first) if delay else first, AIMessage(answer)])


def review_team(repo: str, *supervisor_steps: AIMessage, delay: float = 0.0) -> AgentsModel:
    return AgentsModel(
        agents={
            "supervisor": ScriptedChatModel(script=list(supervisor_steps)),
            "code_analyst": worker("analyse_codebase", repo, "Code: 4 functions.", delay=delay),
            "test_runner": worker("run_tests", repo, "Tests: 1 passed, 1 failed.", delay=delay),
            "dependency_auditor": worker(
                "check_dependencies", repo, "Deps: rich is unpinned.", delay=delay
            ),
        }
    )


async def test_three_parallel_delegations_are_aggregated_by_one_more_call(repo, scripted_models):
    team = review_team(repo, review_plan(repo), AIMessage("Review: fine code, 1 failing test."))
    context = scripted_models(supervisor=team, worker=team)
    threaded = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "review"}}

    result = await threaded.ainvoke(
        ask(f"review the repository at {repo}"), config, context=context
    )

    assert result["messages"][-1].text == "Review: fine code, 1 failing test."
    assert (result["stop_reason"], result["delegations"], result["steps"]) == ("answered", 3, 2)
    assert [r["result"]["status"] for r in result["results"]] == ["ok"] * 3
    assert [type(m) for m in result["messages"]] == [
        HumanMessage,
        AIMessage,
        ToolMessage,
        ToolMessage,
        ToolMessage,
        AIMessage,
    ]
    replies = {m.tool_call_id: m.text for m in result["messages"] if isinstance(m, ToolMessage)}
    assert replies == {
        "c1": "code_analyst (ok): Code: 4 functions.",
        "c2": "test_runner (ok): Tests: 1 passed, 1 failed.",
        "c3": "dependency_auditor (ok): Deps: rich is unpinned.",
    }
    # The three tasks were pending together: one superstep, run in parallel.
    history = [s async for s in threaded.aget_state_history(config)]
    assert any(
        sorted(s.next) == ["code_analyst", "dependency_auditor", "test_runner"] for s in history
    )
    evidence = {r["result"]["worker"]: r["result"]["evidence"][0] for r in result["results"]}
    assert "passed=1 failed=1" in evidence["test_runner"]["output"]
    assert "1 pinned, 1 unpinned" in evidence["dependency_auditor"]["output"]
    assert result["outcome"]["cost"]["model_calls"] == 2 + 3 * 2


async def test_workers_run_concurrently(repo, scripted_models):
    team = review_team(repo, review_plan(repo), AIMessage("done"), delay=0.3)
    context = scripted_models(supervisor=team, worker=team)
    threaded = builder.compile(checkpointer=InMemorySaver())

    events = [
        chunk
        async for chunk in threaded.astream(
            ask("review"),
            {"configurable": {"thread_id": "e"}},
            context=context,
            stream_mode="custom",
        )
        if chunk.get("event", "").startswith("agent_")
    ]

    assert [e["event"] for e in events] == ["agent_started"] * 3 + ["agent_completed"] * 3
    assert {e["agent"] for e in events} == {"code_analyst", "test_runner", "dependency_auditor"}


async def test_one_delegation_with_one_tool_call_takes_three_model_calls(repo, scripted_models):
    plan = calls(call("delegate_to_test_runner", "c1", goal="Run the tests", path=repo))
    team = review_team(repo, plan)
    context = scripted_models(supervisor=team, worker=team)

    result = await graph.ainvoke(ask(f"run the tests of {repo}"), context=context)

    answer = result["messages"][-1]
    assert (answer.text, answer.name) == ("Tests: 1 passed, 1 failed.", "test_runner")
    assert result["stop_reason"] == "worker_answer" and result["answered_by"] == "test_runner"
    calls_made = {name: len(model.received) for name, model in team.agents.items()}
    assert calls_made == {
        "supervisor": 1,
        "code_analyst": 0,
        "test_runner": 2,
        "dependency_auditor": 0,
    }
    assert result["outcome"]["cost"]["model_calls"] == 3
    assert result["outcome"]["status"] == "ok"


async def test_a_failing_and_a_timed_out_worker_do_not_sink_the_others(repo, scripted_models):
    team = review_team(repo, review_plan(repo), AIMessage("Partial review."))
    team.agents["code_analyst"].script = [RuntimeError("model provider down")]
    team.agents["test_runner"].script = [Sleep(5, AIMessage("too late"))]
    context = scripted_models(
        supervisor=team, worker=team, worker_timeout_seconds=0.5, worker_restarts=0
    )

    result = await graph.ainvoke(ask("review"), context=context)

    outcomes = {r["result"]["worker"]: r["result"] for r in result["results"]}
    assert outcomes["code_analyst"]["status"] == "failed"
    assert "model provider down" in outcomes["code_analyst"]["error"]
    assert outcomes["test_runner"]["status"] == "failed"
    assert "Timeout" in outcomes["test_runner"]["error"]
    assert outcomes["dependency_auditor"]["status"] == "ok"
    aggregated = team.agents["supervisor"].received[1]
    replies = {m.tool_call_id: m for m in aggregated if isinstance(m, ToolMessage)}
    assert replies["c1"].status == "error" and "code_analyst (failed)" in replies["c1"].text
    assert replies["c2"].status == "error" and "Timeout" in replies["c2"].text
    assert replies["c3"].status == "success"
    assert result["messages"][-1].text == "Partial review." and result["stop_reason"] == "answered"


async def test_a_request_no_worker_fits_is_answered_without_delegating(repo, scripted_models):
    reply = AIMessage("I can only review repositories; no worker can book flights.")
    team = review_team(repo, reply)
    context = scripted_models(supervisor=team, worker=team)

    result = await graph.ainvoke(ask("book me a flight to Lisbon"), context=context)

    assert result["messages"][-1].text == reply.text and len(result["messages"]) == 2
    assert (result["stop_reason"], result["delegations"], result["steps"]) == ("answered", 0, 1)
    assert all(not m.received for name, m in team.agents.items() if name != "supervisor")


async def test_invalid_delegations_are_refused_and_the_supervisor_may_retry(repo, scripted_models):
    team = review_team(
        repo,
        calls(call("delegate_to_code_analyst", "c1", goal="Analyse"), call("delegate_to_x", "c2")),
        AIMessage("I need the repository's path to review it."),
    )
    context = scripted_models(supervisor=team, worker=team)

    result = await graph.ainvoke(ask("review my code"), context=context)

    refusals = [m for m in team.agents["supervisor"].received[1] if isinstance(m, ToolMessage)]
    assert [m.status for m in refusals] == ["error", "error"]
    assert "invalid inputs for code_analyst: path" in refusals[0].text
    assert "there is no tool 'delegate_to_x'" in refusals[1].text
    assert result["delegations"] == 0 and result["stop_reason"] == "answered"


async def test_the_supervisor_sees_results_never_worker_chatter(repo, scripted_models):
    team = review_team(repo, review_plan(repo), AIMessage("done"))
    context = scripted_models(supervisor=team, worker=team)

    await graph.ainvoke(ask(f"please review the repository at {repo}, thanks!"), context=context)

    supervisor = team.agents["supervisor"]
    assert (
        supervisor.bound_tools
        == [
            [
                "delegate_to_code_analyst",
                "delegate_to_test_runner",
                "delegate_to_dependency_auditor",
            ]
        ]
        * 2
    )
    seen = supervisor.received[1]
    assert [type(m) for m in seen] == [SystemMessage, HumanMessage, AIMessage, *[ToolMessage] * 3]
    assert {m.name for m in seen if isinstance(m, ToolMessage)} <= {
        "delegate_to_code_analyst",
        "delegate_to_test_runner",
        "delegate_to_dependency_auditor",
    }
    tool_calls = [c["name"] for m in seen if isinstance(m, AIMessage) for c in m.tool_calls]
    assert not WORKER_TOOLS & set(tool_calls)


async def test_each_worker_sees_only_its_envelope_and_its_own_tools(repo, scripted_models):
    team = review_team(repo, review_plan(repo), AIMessage("done"))
    context = scripted_models(supervisor=team, worker=team)

    await graph.ainvoke(ask(f"please review the repository at {repo}, thanks!"), context=context)

    own_tools = {
        "code_analyst": ["analyse_codebase", "handoff_to_test_runner"],
        "test_runner": ["run_tests"],
        "dependency_auditor": ["check_dependencies"],
    }
    goals = {"code_analyst": "Analyse the code", "test_runner": "Run the test suite"}
    goals["dependency_auditor"] = "Audit the dependencies"
    for name, tools in own_tools.items():
        model = team.agents[name]
        assert model.bound_tools == [tools, tools]
        first, second = model.received
        assert [type(m) for m in first] == [SystemMessage, HumanMessage]
        assert first[1].text == f"{goals[name]}\n\nInputs:\n- path: {repo}"
        assert [type(m) for m in second] == [SystemMessage, HumanMessage, AIMessage, ToolMessage]
        assert second[3].name == tools[0]
        assert "thanks" not in " ".join(m.text for m in first + second)
    handoff = next(
        t["function"]
        for t in team.schemas["code_analyst"][0]
        if t["function"]["name"] != "analyse_codebase"
    )
    assert set(handoff["parameters"]["properties"]) == {"task", "payload"}


async def test_a_new_request_on_the_thread_starts_a_fresh_run(repo, scripted_models):
    plan = calls(call("delegate_to_test_runner", "c1", goal="Run the tests", path=repo))
    team = review_team(repo, plan, AIMessage("Earlier: 1 test failed; nothing else to add."))
    context = scripted_models(supervisor=team, worker=team)
    threaded = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "two-turns"}}

    await threaded.ainvoke(ask(f"run the tests of {repo}"), config, context=context)
    second = await threaded.ainvoke(ask("anything else?"), config, context=context)

    assert (second["stop_reason"], second["delegations"], second["steps"]) == ("answered", 0, 1)
    assert second["results"] == [] and second["tasks"] == []
    seen = team.agents["supervisor"].received[1]
    assert [type(m) for m in seen] == [
        SystemMessage,
        HumanMessage,
        AIMessage,
        ToolMessage,
        AIMessage,
        HumanMessage,
    ]
    assert seen[4].text == "Tests: 1 passed, 1 failed." and seen[4].name == "test_runner"
