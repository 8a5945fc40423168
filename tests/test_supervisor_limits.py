"""The supervisor's loop guard and peer handoff, on scripted models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from fleetgraph.graphs.supervisor import graph
from fleetgraph.nodes.review_workers import REVIEW_WORKERS
from fleetgraph.nodes.supervisor_handoff import handoff_tool

from fake_model import ScriptedChatModel
from test_supervisor_support import AgentsModel, ask, call, calls, make_sample_repo


@pytest.fixture
def repo(tmp_path: Path) -> str:
    return str(make_sample_repo(tmp_path))


def team_of(**scripts: list[AIMessage]) -> AgentsModel:
    names = ("supervisor", "code_analyst", "test_runner", "dependency_auditor")
    return AgentsModel(agents={n: ScriptedChatModel(script=scripts.get(n, [])) for n in names})


def delegate(worker: str, call_id: str, goal: str, repo: str) -> dict:
    return call(f"delegate_to_{worker}", call_id, goal=goal, path=repo)


async def test_max_delegations_ends_the_run_with_partial_results(repo, scripted_models):
    plan = calls(
        delegate("code_analyst", "c1", "Analyse", repo),
        delegate("test_runner", "c2", "Test", repo),
        delegate("dependency_auditor", "c3", "Audit", repo),
    )
    team = team_of(
        supervisor=[plan],
        code_analyst=[AIMessage("code ok")],
        test_runner=[AIMessage("tests ok")],
    )
    context = scripted_models(supervisor=team, worker=team, max_delegations=2)

    result = await graph.ainvoke(ask("review"), context=context)

    assert (result["stop_reason"], result["delegations"]) == ("max_delegations", 2)
    assert len(team.agents["supervisor"].received) == 1
    assert not team.agents["dependency_auditor"].received
    answer = result["messages"][-1].text
    assert "stopped before finishing: it reached max_delegations=2" in answer
    assert "code_analyst (ok): code ok" in answer and "test_runner (ok): tests ok" in answer
    refused = next(m for m in result["messages"] if getattr(m, "tool_call_id", "") == "c3")
    assert refused.status == "error" and "max_delegations=2 reached" in refused.text
    assert (
        result["outcome"]["status"] == "failed" and "max_delegations" in result["outcome"]["error"]
    )


async def test_max_supervisor_steps_ends_the_run_with_partial_results(repo, scripted_models):
    team = team_of(
        supervisor=[
            calls(
                delegate("code_analyst", "c1", "Analyse", repo),
                delegate("test_runner", "c2", "Test", repo),
            ),
            calls(delegate("dependency_auditor", "c3", "Audit", repo)),
        ],
        code_analyst=[AIMessage("code ok")],
        test_runner=[AIMessage("tests ok")],
        dependency_auditor=[AIMessage("deps ok")],
    )
    context = scripted_models(supervisor=team, worker=team, max_supervisor_steps=2)

    result = await graph.ainvoke(ask("review"), context=context)

    assert (result["stop_reason"], result["steps"], result["delegations"]) == (
        "max_supervisor_steps",
        2,
        3,
    )
    assert len(team.agents["supervisor"].received) == 2
    answer = result["messages"][-1].text
    assert "it reached max_supervisor_steps=2 planning rounds" in answer
    assert answer.count("(ok)") == 3


async def test_delegating_the_same_goal_again_is_refused_and_ends_the_loop(repo, scripted_models):
    team = team_of(
        supervisor=[
            calls(
                delegate("code_analyst", "c1", "Analyse the code", repo),
                delegate("test_runner", "c2", "Test", repo),
            ),
            calls(delegate("code_analyst", "c3", "  analyse THE code ", repo)),
        ],
        code_analyst=[AIMessage("code ok")],
        test_runner=[AIMessage("tests ok")],
    )
    context = scripted_models(supervisor=team, worker=team)

    result = await graph.ainvoke(ask("review"), context=context)

    assert (result["stop_reason"], result["delegations"], result["steps"]) == ("cycle", 2, 2)
    assert len(team.agents["code_analyst"].received) == 1
    refused = next(m for m in result["messages"] if getattr(m, "tool_call_id", "") == "c3")
    assert "code_analyst was already given this goal" in refused.text
    assert "a loop" in result["messages"][-1].text


async def test_a_handoff_runs_the_peer_with_the_payload_as_inputs(repo, scripted_models):
    handoff = calls(
        call("handoff_to_test_runner", "h1", task="Run the tests", payload={"path": repo})
    )
    team = team_of(
        supervisor=[
            calls(delegate("code_analyst", "c1", "Analyse the code", repo)),
            AIMessage("Code analysed; tests: 1 passed, 1 failed."),
        ],
        code_analyst=[handoff],
        test_runner=[calls(call("run_tests", "t1", path=repo)), AIMessage("1 passed, 1 failed")],
    )
    context = scripted_models(supervisor=team, worker=team)

    result = await graph.ainvoke(ask("review"), context=context)

    assert len(team.agents["code_analyst"].received) == 1  # the handoff ends its run
    peer_first = team.agents["test_runner"].received[0]
    assert [type(m) for m in peer_first] == [SystemMessage, HumanMessage]
    assert peer_first[1].text == f"Run the tests\n\nInputs:\n- path: {repo}"
    assert team.agents["test_runner"].bound_tools[0] == ["run_tests"]
    assert result["delegations"] == 2 and result["stop_reason"] == "answered"
    handed = result["results"][0]
    assert handed["handoffs"] == [
        {"peer": "test_runner", "task": "Run the tests", "payload": {"path": repo}}
    ]
    assert result["results"][1]["task"]["parent"] == handed["task"]["call_id"]
    reply = next(m for m in team.agents["supervisor"].received[1] if isinstance(m, ToolMessage))
    assert reply.tool_call_id == "c1"
    assert "→ handed off to test_runner: Run the tests" in reply.text
    assert "test_runner (ok): 1 passed, 1 failed" in reply.text


async def test_a_handoff_counts_against_max_delegations(repo, scripted_models):
    handoff = calls(
        call("handoff_to_test_runner", "h1", task="Run the tests", payload={"path": repo})
    )
    team = team_of(
        supervisor=[calls(delegate("code_analyst", "c1", "Analyse", repo))],
        code_analyst=[handoff],
    )
    context = scripted_models(supervisor=team, worker=team, max_delegations=1)

    result = await graph.ainvoke(ask("review"), context=context)

    assert (result["stop_reason"], result["delegations"]) == ("max_delegations", 1)
    assert not team.agents["test_runner"].received
    assert "test_runner (refused): max_delegations=1 reached" in result["messages"][-2].text


async def test_a_handoff_without_the_inputs_the_peer_needs_is_refused(repo, scripted_models):
    handoff = calls(call("handoff_to_test_runner", "h1", task="Run the tests", payload={}))
    team = team_of(
        supervisor=[
            calls(delegate("code_analyst", "c1", "Analyse", repo)),
            AIMessage("No tests run."),
        ],
        code_analyst=[handoff],
    )
    context = scripted_models(supervisor=team, worker=team)

    result = await graph.ainvoke(ask("review"), context=context)

    assert not team.agents["test_runner"].received and result["delegations"] == 1
    reply = next(m for m in result["messages"] if isinstance(m, ToolMessage))
    assert "test_runner (refused): invalid payload for test_runner" in reply.text


def test_a_handoff_tool_hides_the_call_id_and_refuses_oversized_payloads():
    tool = handoff_tool(REVIEW_WORKERS.get("test_runner"))

    def run(payload: dict) -> ToolMessage:
        args = {"task": "Run the tests", "payload": payload}
        return tool.invoke({"type": "tool_call", "name": tool.name, "args": args, "id": "h1"})

    assert set(tool.tool_call_schema.model_json_schema()["properties"]) == {"task", "payload"}
    ok = run({"path": "/srv/app"})
    assert (ok.tool_call_id, ok.status) == ("h1", "success")
    assert json.loads(ok.text) == {
        "peer": "test_runner",
        "task": "Run the tests",
        "payload": {"path": "/srv/app"},
    }
    too_big = run({"source": "x" * 5000})
    assert too_big.status == "error" and "by passing references" in too_big.text
