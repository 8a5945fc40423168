"""`build_supervisor`: a supervisor graph over any registry of workers or teams.

    START → supervisor ─(Send per delegation)→ <member> … → collect → supervisor | finish → END

The supervisor model plans with one delegation tool per member; each call becomes a `Send`
of a `MemberTask` to that member's node, so members run in parallel and see only their
task. `collect` follows handoffs and answers every delegation call with a `ToolMessage`,
then loops back to the supervisor to aggregate, or ends the run. Budget: a request served
by one worker costs one supervisor call plus the worker's calls; with several results the
supervisor is called once more to aggregate (and may delegate again, within the limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from fleetgraph.context import Context
from fleetgraph.errors import ConfigurationError
from fleetgraph.nodes.supervisor_collect import make_collect_node, make_finish_node
from fleetgraph.nodes.supervisor_members import make_team_member, make_worker_member
from fleetgraph.nodes.supervisor_plan import make_supervisor_node
from fleetgraph.nodes.supervisor_state import SupervisorState
from fleetgraph.registry import WorkerRegistry

DEFAULT_INSTRUCTIONS = (
    "Split the user's request into tasks for your workers and combine their results into "
    "one answer."
)
RESERVED_NODES = frozenset({"supervisor", "collect", "finish"})
SupervisorBuilder = StateGraph[SupervisorState, Context, Any, Any]


def build_supervisor(
    registry: WorkerRegistry,
    *,
    name: str,
    instructions: str = DEFAULT_INSTRUCTIONS,
    teams: Mapping[str, CompiledStateGraph[Any, Any, Any, Any]] | None = None,
    output_schema: type[Any] | None = None,
) -> SupervisorBuilder:
    """The uncompiled supervisor graph over `registry`'s members.

    `name` names the supervisor in its messages, outcome and prompt. A member listed in
    `teams` runs that compiled graph (itself usually a supervisor, compiled with
    `output_schema=SupervisorOutput`) instead of a worker agent. `output_schema` narrows
    what the compiled graph returns, as a team inside a parent graph should.
    """
    if not len(registry):
        raise ConfigurationError(f"Supervisor {name!r} needs at least one member.")
    clashes = RESERVED_NODES & set(registry.names())
    if clashes:
        raise ConfigurationError(f"Member names {sorted(clashes)} are reserved node names.")
    teams = teams or {}
    members = registry.names()
    graph: SupervisorBuilder = StateGraph(
        SupervisorState, context_schema=Context, output_schema=output_schema
    )
    graph.add_node(
        "supervisor",
        make_supervisor_node(registry, name, instructions),
        destinations=(*members, "collect", "finish"),
    )
    for spec in registry:
        team = teams.get(spec.name)
        node = make_team_member(spec, team) if team else make_worker_member(spec, registry)
        graph.add_node(spec.name, node)
        graph.add_edge(spec.name, "collect")
    graph.add_node(
        "collect", make_collect_node(registry), destinations=(*members, "supervisor", "finish")
    )
    graph.add_node("finish", make_finish_node(name))
    graph.add_edge(START, "supervisor")
    graph.add_edge("finish", END)
    return graph
