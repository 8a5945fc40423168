"""Hierarchy graph (scenario 4): a coordinator over research, execution and review teams.

Each team is a supervisor graph of its own (`build_supervisor` over its registry in
`TEAM_WORKERS`), compiled with `SupervisorOutput` as output schema and run by one node of
the coordinator, itself a supervisor whose members are the teams. A team starts from its
task as its only message and hands back only its outcome: the coordinator's conversation
holds the teams' results, never their internal messages, and a team that fails or stops
at a limit fails alone. `graph.get_graph(xray=True)` draws the teams as subgraphs.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph.state import CompiledStateGraph

from fleetgraph.nodes.hierarchy_teams import TEAM_WORKERS, TEAMS
from fleetgraph.nodes.supervisor_factory import build_supervisor
from fleetgraph.nodes.supervisor_state import SupervisorOutput

COORDINATOR_INSTRUCTIONS = (
    "You coordinate teams, not individual workers: give each team the part of the request "
    "it is for (with the repository's path when there is one) and combine their reports."
)


def build_team(name: str) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Team `name` as a graph that returns only its outcome."""
    team = TEAMS.get(name)
    return build_supervisor(
        TEAM_WORKERS[name],
        name=name,
        instructions=team.system_prompt,
        output_schema=SupervisorOutput,
    ).compile(name=name)


builder = build_supervisor(
    TEAMS,
    name="coordinator",
    instructions=COORDINATOR_INSTRUCTIONS,
    teams={name: build_team(name) for name in TEAMS.names()},
)

graph = builder.compile(name="hierarchy")
