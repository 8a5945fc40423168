"""Read the small data sets shipped with the demo tools."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_json(name: str) -> Any:
    """A JSON file from `fleetgraph/tools/data`, parsed once per process."""
    text = resources.files("fleetgraph.tools").joinpath("data", name).read_text("utf-8")
    return json.loads(text)
