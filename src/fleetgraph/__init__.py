"""fleetgraph: teams of AI agents on LangGraph."""

from fleetgraph.context import Context

__all__ = ["Context"]
__version__ = "0.1.0"
