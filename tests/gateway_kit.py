"""Test tools with controllable failures, and a worker built on a test registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from fleetgraph.context import Context, context_of
from fleetgraph.envelope import TaskEnvelope, WorkerResult
from fleetgraph.errors import must_propagate
from fleetgraph.gateway.breaker import BreakerPolicy
from fleetgraph.gateway.policy import (
    PermanentToolError,
    QuotaSpec,
    RetrySpec,
    ToolPolicy,
    TransientToolError,
)
from fleetgraph.gateway.registry import ToolRegistry
from fleetgraph.nodes.agents import build_worker_agent, run_worker_agent
from fleetgraph.registry import WorkerSpec

FAST_RETRY = RetrySpec(max_attempts=3, initial_delay=0.001, max_delay=0.002)


@dataclass
class Faults:
    """How many times each tool fails before it works, and what it raised."""

    transient: dict[str, int] = field(default_factory=dict)
    permanent: set[str] = field(default_factory=set)
    hang: set[str] = field(default_factory=set)
    calls: dict[str, int] = field(default_factory=dict)
    effects: list[str] = field(default_factory=list)

    def enter(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        if name in self.permanent:
            raise PermanentToolError(f"{name} refuses this input")
        if self.transient.get(name, 0) > 0:
            self.transient[name] -= 1
            raise TransientToolError(f"{name} is briefly unavailable")


def make_registry(faults: Faults) -> ToolRegistry:
    import asyncio

    @tool
    async def primary_search(query: str) -> str:
        """Search the primary index for a query."""
        faults.enter("primary_search")
        if "primary_search" in faults.hang:
            await asyncio.sleep(5)
        return f"primary result for {query}"

    @tool
    def backup_search(query: str) -> str:
        """Search the backup index for a query."""
        faults.enter("backup_search")
        return f"backup result for {query}"

    @tool
    def count_items(items: list[int], limit: int) -> str:
        """Count items up to a limit."""
        faults.enter("count_items")
        return f"{min(len(items), limit)} items"

    @tool
    def notify_team(message: str) -> str:
        """Post a message to the team channel."""
        faults.enter("notify_team")
        faults.effects.append(f"notify:{message}")
        return "posted"

    @tool
    def wire_money(account: str, amount: float) -> str:
        """Wire money to an account."""
        faults.enter("wire_money")
        faults.effects.append(f"wire:{account}:{amount}")
        return f"wired {amount} to {account}"

    registry = ToolRegistry()
    registry.register(backup_search, ToolPolicy(retry=FAST_RETRY))
    registry.register(
        primary_search,
        ToolPolicy(
            retry=FAST_RETRY,
            timeout_seconds=0.2,
            fallbacks=("backup_search",),
            breaker=BreakerPolicy(error_rate=0.5, min_calls=2, window=4, cooldown_seconds=60),
        ),
    )
    registry.register(
        count_items, ToolPolicy(retry=FAST_RETRY, quota=QuotaSpec(limit=2, window_seconds=60))
    )
    registry.register(notify_team, ToolPolicy(risk="medium", retry=FAST_RETRY))
    registry.register(wire_money, ToolPolicy(risk="high", retry=FAST_RETRY, side_effect="ledger"))
    return registry


class TeamState(TypedDict, total=False):
    request: str
    result: dict[str, Any]


def make_team(registry: ToolRegistry, *tool_names: str) -> Any:
    """A one-node graph running a worker with `tool_names` through the fleet, checkpointed.

    Worker failures are kept in `result` (status failed) rather than raised.
    """
    spec = WorkerSpec(
        name="clerk",
        description="test worker",
        system_prompt="You are a clerk.",
        tools=registry.select(*tool_names),
    )
    agent = build_worker_agent(spec, registry=registry)

    async def work(state: TeamState, runtime: Runtime[Context]) -> TeamState:
        task = TaskEnvelope(goal=state["request"])
        try:
            result = await run_worker_agent(agent, spec, task, context_of(runtime))
        except Exception as error:
            if must_propagate(error):
                raise
            result = WorkerResult(worker=spec.name, status="failed", error=str(error))
        return {"result": result.model_dump()}

    builder = StateGraph(TeamState, context_schema=Context)
    builder.add_node("work", work)
    builder.add_edge(START, "work")
    builder.add_edge("work", END)
    return builder.compile(checkpointer=InMemorySaver())
