"""Mermaid diagrams of the shipped graphs, drawn from the compiled graphs themselves."""

from __future__ import annotations

import re
from importlib import import_module

from fleetgraph.catalogue import GRAPH_MODULES, graph_builder


def mermaid(graph_id: str) -> str:
    """The mermaid source of a graph as `langgraph.json` serves it (no checkpointer)."""
    graph_builder(graph_id)
    compiled = import_module(GRAPH_MODULES[graph_id]).graph
    return str(compiled.get_graph().draw_mermaid())


def readme_block(graph_id: str) -> str:
    return f"<!-- mermaid:{graph_id} -->\n```mermaid\n{mermaid(graph_id)}```\n<!-- /mermaid -->"


def refresh_readme(text: str) -> str:
    """`text` with every `<!-- mermaid:ID -->` block redrawn from the current graphs."""
    pattern = re.compile(r"<!-- mermaid:(\w+) -->.*?<!-- /mermaid -->", re.S)
    return pattern.sub(lambda match: readme_block(match.group(1)), text)
