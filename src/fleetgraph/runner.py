"""Run a shipped graph on one request with a checkpointer: the CLI's engine, usable from Python."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, Interrupt

from fleetgraph.catalogue import compile_graph, graph_builder
from fleetgraph.checkpoints import open_checkpointer, postgres_uri_from_env
from fleetgraph.context import Context
from fleetgraph.errors import InvalidInputError
from fleetgraph.fleet import FleetHealth
from fleetgraph.gateway.store import open_gateway_store, use_gateway_store

Decide = Callable[[dict[str, Any]], dict[str, Any]]
"""Given an approval request (HITL shape), returns the resume value `{"decisions": [...]}`."""


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
    graph_id: str | None,
    request: str | None,
    *,
    thread_id: str | None = None,
    postgres_uri: str | None = None,
    context: Context | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    decide: Decide | None = None,
) -> RunOutcome:
    """Run `request` through a graph on a thread, calling `on_event` for progress events.

    When the run stops at an approval gate and `decide` is given, it is asked for the
    decision and the run goes on; without it the outcome lists the pending `interrupts`.
    `request=None` answers a thread's pending gates with `decide` and continues it.

    Checkpoints and the gateway's audit, ledger, breakers and quotas go to PostgreSQL when
    `postgres_uri` (or `POSTGRES_URI`/`DATABASE_URI`) is set; otherwise checkpoints go to the
    embedded SQLite file and gateway state stays in memory for this process.
    """
    if request is None and decide is None:
        raise InvalidInputError("Give a request, or decisions for the pending approvals.")
    if request is not None and not request.strip():
        raise InvalidInputError("The request is empty; say what you need.")
    if graph_id is not None:
        graph_builder(graph_id)  # an unknown graph fails before any connection is opened
    thread_id = thread_id or str(uuid.uuid4())
    context = context or Context()
    payload: Any = {"messages": [{"role": "user", "content": request}]} if request else None
    gateway_uri = postgres_uri or _env_uri()
    fleet_health: list[FleetHealth] = []
    async with AsyncExitStack() as stack:
        saver = await stack.enter_async_context(open_checkpointer(postgres_uri))
        graph_id = graph_id or await _graph_of_thread(saver, thread_id)
        config: RunnableConfig = {
            "configurable": {"thread_id": thread_id},
            "metadata": {"graph_id": graph_id},
        }
        store = await stack.enter_async_context(open_gateway_store(gateway_uri))
        stack.enter_context(use_gateway_store(store))
        graph = compile_graph(graph_id, saver)
        if payload is None:
            pending = await _pending(graph, config)
            if not pending:
                raise InvalidInputError(f"Thread {thread_id} has no pending approval.")
            payload = _answers(pending, decide)
        while True:
            async for event in _custom_events(graph, payload, config, context):
                if event.get("event") == "fleet_health":
                    fleet_health.append(FleetHealth(**_fields_of(event, FleetHealth)))
                elif on_event is not None:
                    on_event(event)
            pending = await _pending(graph, config)
            if not pending or decide is None:
                break
            payload = _answers(pending, decide)
        snapshot = await graph.aget_state(config)
    return RunOutcome(
        thread_id=thread_id,
        state=dict(snapshot.values),
        interrupts=[i.value for i in pending],
        fleet=fleet_health[-1] if fleet_health else None,
    )


async def _graph_of_thread(saver: Any, thread_id: str) -> str:
    """The graph a thread was started on, as recorded in its checkpoints' metadata."""
    found = await saver.aget_tuple({"configurable": {"thread_id": thread_id}})
    if found is None:
        raise InvalidInputError(f"There is no thread {thread_id!r} in this checkpointer.")
    graph_id = found.metadata.get("graph_id")
    if not isinstance(graph_id, str):
        raise InvalidInputError(f"Thread {thread_id!r} does not say which graph it ran on.")
    return graph_id


async def _pending(graph: Any, config: RunnableConfig) -> list[Interrupt]:
    snapshot = await graph.aget_state(config)
    return [i for task in snapshot.tasks for i in task.interrupts]


def _answers(pending: list[Interrupt], decide: Decide | None) -> Command[Any]:
    assert decide is not None
    return Command(resume={i.id: decide(i.value) for i in pending})


def _env_uri() -> str | None:
    from_env = postgres_uri_from_env()
    return from_env[0] if from_env else None


def _fields_of(event: dict[str, Any], kind: type[Any]) -> dict[str, Any]:
    return {name: event[name] for name in kind.__dataclass_fields__ if name in event}


async def _custom_events(
    graph: Any, payload: Any, config: RunnableConfig, context: Context
) -> AsyncIterator[dict[str, Any]]:
    async for chunk in graph.astream(
        payload, config, context=context, stream_mode="custom", subgraphs=True
    ):
        _namespace, event = chunk
        if isinstance(event, dict):
            yield event
