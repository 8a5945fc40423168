"""The supervisor node: one planning round, from the model's delegation calls to `Send`s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import Command, Overwrite, Send

from fleetgraph.context import Context, context_of
from fleetgraph.models import load_chat_model
from fleetgraph.nodes.requests import latest_request
from fleetgraph.nodes.supervisor_delegation import delegation_tools, task_from_call
from fleetgraph.nodes.supervisor_limits import admit
from fleetgraph.nodes.supervisor_state import MemberTask, SupervisorState
from fleetgraph.registry import WorkerRegistry

SUPERVISOR_PROMPT = """You are {name}, a supervisor. {instructions}

Delegate work by calling the delegate_to_<worker> tool of the worker whose description \
fits; call several tools at once for independent parts. A worker sees only the goal and \
inputs you give it, never this conversation, so make each goal self-contained. Each call is \
answered with that worker's result. Then answer the user from the results, or delegate \
what is still missing. Never give a worker the same goal twice. If no worker fits the \
request, answer directly and say so.

Workers:
{catalogue}"""

SupervisorNode = Callable[[SupervisorState, Runtime[Context]], Awaitable[Command[str]]]


def make_supervisor_node(registry: WorkerRegistry, name: str, instructions: str) -> SupervisorNode:
    """The planning node: call the supervisor model, send each admitted task to its member.

    The model sees the system prompt and the conversation, in which workers appear only as
    the results answering its own delegation calls. With no delegation call, its reply is
    the answer. Refused calls (unknown worker, bad inputs, loop guard) are answered at once.
    """
    tools = delegation_tools(registry)
    prompt = SUPERVISOR_PROMPT.format(
        name=name, instructions=instructions, catalogue=registry.catalogue()
    )

    async def supervisor(state: SupervisorState, runtime: Runtime[Context]) -> Command[str]:
        context = context_of(runtime)
        messages = state["messages"]
        fresh = _starts_run(messages)
        run: dict[str, Any] = _new_run() if fresh else {}
        earlier: list[MemberTask] = [] if fresh else state.get("tasks", [])
        steps = (0 if fresh else state.get("steps", 0)) + 1
        model = load_chat_model(context.supervisor_model).bind_tools(tools)
        reply = await model.ainvoke([SystemMessage(prompt), *messages])
        assert isinstance(reply, AIMessage)
        reply.name = name
        update = {**run, "messages": [reply], "steps": steps}
        if not reply.tool_calls:
            return Command(goto="finish", update={**update, "stop_reason": "answered"})
        candidates = [task_from_call(call, registry, steps) for call in reply.tool_calls]
        admission = admit(candidates, earlier, context)
        tasks = [*earlier, *admission.tasks]
        admitted = admission.admitted
        names = {call["id"] or "": call["name"] for call in reply.tool_calls}
        refusals = [
            ToolMessage(
                content=f"{task['worker']} (refused): {task['refused']}",
                name=names[task["reply_to"]],
                tool_call_id=task["reply_to"],
                status="error",
            )
            for task in admission.tasks
            if task["refused"] is not None
        ]
        update |= {
            "messages": [reply, *refusals],
            "tasks": tasks,
            "delegations": sum(task["refused"] is None for task in tasks),
            "dispatched": [task["call_id"] for task in admitted],
            "stop_reason": admission.stop_reason(),
        }
        sends = [Send(task["worker"], {"task": task}) for task in admitted]
        return Command(goto=sends or "collect", update=update)

    return supervisor


def _starts_run(messages: list[AnyMessage]) -> bool:
    """A run starts when the conversation ends with a user message; validated then."""
    if messages and not isinstance(messages[-1], HumanMessage):
        return False
    latest_request(messages)
    return True


def _new_run() -> dict[str, Any]:
    return {
        "results": Overwrite([]),
        "tasks": [],
        "dispatched": [],
        "delegations": 0,
        "stop_reason": None,
        "outcome": {},
        "answered_by": "",
    }
