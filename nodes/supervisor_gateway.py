"""The tool registry a supervisor's worker runs under: the shared one, plus team tools.

The tool gateway refuses calls to tools it has no registration for, and runs each call as
its registered tool under its policy. Handoff tools are built with a team (one per peer),
so they cannot be listed in the shared `fleetgraph.tools.registry.TOOLS`; a worker that
has some gets its own registry: the shared tools plus its missing ones, each with the
policy below. The shared registry itself is never changed.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.policy import ToolPolicy
from fleetgraph.gateway.registry import ToolRegistry
from fleetgraph.nodes.supervisor_handoff import HANDOFF_POLICY, HANDOFF_PREFIX
from fleetgraph.registry import WorkerSpec
from fleetgraph.tools.registry import TOOLS


def worker_tool_registry(spec: WorkerSpec, base: ToolRegistry = TOOLS) -> ToolRegistry:
    """`base`, or a copy of it with `spec`'s tools that it lacks, under their policies."""
    missing = [tool for tool in spec.tools if tool.name not in base]
    if not missing:
        return base
    registry = ToolRegistry()
    for registered in base:
        registry.register(registered.tool, registered.policy)
    for tool in missing:
        registry.register(tool, _policy(spec.name, tool))
    return registry


def _policy(worker: str, tool: BaseTool) -> ToolPolicy:
    if tool.name.startswith(HANDOFF_PREFIX):
        return HANDOFF_POLICY
    raise ConfigurationError(
        f"Tool {tool.name!r} of worker {worker!r} has no gateway policy: register it in "
        "fleetgraph.tools.registry."
    )
