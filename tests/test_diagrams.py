"""The graphs' shapes are snapshotted, and the README shows the current ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fleetgraph.catalogue import GRAPH_MODULES
from fleetgraph.diagrams import mermaid, refresh_readme

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("FLEETGRAPH_UPDATE_SNAPSHOTS") == "1"
HOW_TO_UPDATE = (
    "if the change is intended: FLEETGRAPH_UPDATE_SNAPSHOTS=1 pytest tests/test_diagrams.py"
)


@pytest.mark.parametrize("graph_id", sorted(GRAPH_MODULES))
def test_graph_shape_matches_its_snapshot(graph_id):
    snapshot = SNAPSHOTS / f"{graph_id}.mmd"
    if UPDATE:
        snapshot.write_text(mermaid(graph_id) + "\n")
    assert mermaid(graph_id) + "\n" == snapshot.read_text(), HOW_TO_UPDATE


def test_router_routes_are_typed_so_studio_draws_them():
    drawn = mermaid("router")
    for worker in ("support", "analytics", "writer", "general"):
        assert f"classify -.-> {worker};" in drawn
    assert "support -.-> general;" in drawn and "general -.-> report_failure;" in drawn


def test_readme_shows_every_graph_as_it_is_now():
    readme = ROOT / "README.md"
    text = readme.read_text()
    if UPDATE:
        readme.write_text(refresh_readme(text))
        text = readme.read_text()
    for graph_id in GRAPH_MODULES:
        assert f"<!-- mermaid:{graph_id} -->" in text, f"README lacks the {graph_id} diagram"
    assert refresh_readme(text) == text, HOW_TO_UPDATE
