"""Run a shipped graph on one request with a checkpointer: the CLI's engine, usable from Python."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig

from fleetgraph.catalogue import compile_graph, graph_builder
from fleetgraph.checkpoints import open_checkpointer
from fleetgraph.context import Context
from fleetgraph.errors import InvalidInputError
from fleetgraph.fleet import FleetHealth


@dataclass
class RunOutcome:
    """How a run ended: its thread, final state, answer, and any pending interrupts."""

    thread_id: str
    state: dict[str, Any]
    interrupts: list[Any] = field(default_factory=list)
    fleet: FleetHealth | None = None
    """The fleet's health when the run ended (None if no worker ran)."""

    @property
    def answer(self) -> AIMessage | None:
        for message in reversed(self.state.get("messages", [])):
            if isinstance(message, AIMessage):
                return message
        return None


async def run_request(
    graph_id: str,
    request: str,
    *,
    thread_id: str | None = None,
    postgres_uri: str | None = None,
    context: Context | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> RunOutcome:
    """Run `request` through a graph on a thread, calling `on_event` for progress events.

    The thread persists in PostgreSQL when `postgres_uri` (or `POSTGRES_URI`/`DATABASE_URI`)
    is set, else in the embedded SQLite file, so `thread_id` can continue it later.
    """
    if not request.strip():
        raise InvalidInputError("The request is empty; say what you need.")
    graph_builder(graph_id)  # an unknown graph fails before any connection is opened
    thread_id = thread_id or str(uuid.uuid4())
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    async with open_checkpointer(postgres_uri) as saver:
        graph = compile_graph(graph_id, saver)
        payload = {"messages": [{"role": "user", "content": request}]}
        fleet_health: list[FleetHealth] = []
        async for event in _custom_events(graph, payload, config, context or Context()):
            if event.get("event") == "fleet_health":
                fleet_health.append(FleetHealth(**_fields_of(event, FleetHealth)))
            elif on_event is not None:
                on_event(event)
        snapshot = await graph.aget_state(config)
    interrupts = [i.value for task in snapshot.tasks for i in task.interrupts]
    return RunOutcome(
        thread_id=thread_id,
        state=dict(snapshot.values),
        interrupts=interrupts,
        fleet=fleet_health[-1] if fleet_health else None,
    )


def _fields_of(event: dict[str, Any], kind: type[Any]) -> dict[str, Any]:
    return {name: event[name] for name in kind.__dataclass_fields__ if name in event}


async def _custom_events(
    graph: Any, payload: dict[str, Any], config: RunnableConfig, context: Context
) -> AsyncIterator[dict[str, Any]]:
    async for chunk in graph.astream(
        payload, config, context=context, stream_mode="custom", subgraphs=True
    ):
        _namespace, event = chunk
        if isinstance(event, dict):
            yield event
