"""The graphs fleetgraph ships, by the ids `langgraph.json` serves them under."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph, StateGraph

from fleetgraph.errors import ConfigurationError

GRAPH_MODULES = {
    "router": "fleetgraph.graphs.router",
    "supervisor": "fleetgraph.graphs.supervisor",
    "pipeline": "fleetgraph.graphs.pipeline",
    "hierarchy": "fleetgraph.graphs.hierarchy",
    "email_assistant": "fleetgraph.graphs.email_assistant",
}


def graph_builder(graph_id: str) -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled builder of a shipped graph; a clear error for an unknown id."""
    module_name = GRAPH_MODULES.get(graph_id)
    if module_name is None:
        known = ", ".join(sorted(GRAPH_MODULES))
        raise ConfigurationError(f"Unknown graph '{graph_id}'. Known graphs: {known}.")
    builder: StateGraph[Any, Any, Any, Any] = import_module(module_name).builder
    return builder


def compile_graph(
    graph_id: str, checkpointer: BaseCheckpointSaver | None = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """A shipped graph compiled with `checkpointer`, for callers outside LangGraph Server."""
    return graph_builder(graph_id).compile(checkpointer=checkpointer, name=graph_id)
