"""Child side of the email assistant's kill-and-resume test (`test_email_assistant_crash.py`).

`python email_crash_child.py SPEC_JSON` runs one step of an `email_assistant` thread on
PostgreSQL (checkpoints on `postgres_uri`, the gateway store from `POSTGRES_URI`), every
model offline:

- `start`: run the request until it stops at the approval gates;
- `continue`: invoke the thread with no input (`ainvoke(None)`);
- `approve`: approve every pending gate with `Command(resume={interrupt id: ...})`. With
  `kill_after_send`, `run_tool_call` is wrapped so that the process SIGKILLs itself right
  after a `send_email` call returns, that is after its ledger transaction (outbox row and
  ledger row) committed and before the graph could checkpoint anything after it.

Each `send_email` call that returns is logged to `sends_log` first (pid, call id, whether the
ledger replayed it); the state at the end is printed after `STATE_MARKER`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

STATE_MARKER = "FINAL_STATE_JSON:"


def run_child(spec: dict[str, Any], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one step in a child process (the parent side); POSTGRES_URI is set for it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "FLEETGRAPH_"))}
    env["POSTGRES_URI"] = spec["postgres_uri"]
    return subprocess.run(
        [sys.executable, __file__, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def final_state(done: subprocess.CompletedProcess[str]) -> dict[str, Any] | None:
    for line in done.stdout.splitlines():
        if line.startswith(STATE_MARKER):
            state: dict[str, Any] = json.loads(line[len(STATE_MARKER) :])
            return state
    return None


def _arm_kill(sends_log: Path, kill: bool) -> None:
    from fleetgraph.gateway import execution, middleware

    original = execution.run_tool_call

    async def run_then_maybe_die(*args: Any, **kwargs: Any) -> Any:
        message = await original(*args, **kwargs)
        call = args[0].tool_call
        if call["name"] == "send_email":
            artifact = getattr(message, "artifact", None) or {}
            replayed = bool(artifact.get("replayed_from_ledger"))
            with sends_log.open("a") as log:
                log.write(json.dumps([os.getpid(), call["id"], replayed]) + "\n")
            if kill:
                os.kill(os.getpid(), signal.SIGKILL)
        return message

    # The gateway middleware calls the name it imported, so both bindings are replaced.
    execution.run_tool_call = run_then_maybe_die
    middleware.run_tool_call = run_then_maybe_die


async def _step(spec: dict[str, Any]) -> dict[str, Any]:
    from langgraph.types import Command

    from fleetgraph.checkpoints import postgres_checkpointer
    from fleetgraph.context import Context
    from fleetgraph.graphs.email_assistant import builder

    context = Context(router_model="offline", worker_model="offline")
    config: Any = {"configurable": {"thread_id": spec["thread_id"]}}
    async with postgres_checkpointer(spec["postgres_uri"]) as saver:
        graph = builder.compile(checkpointer=saver)
        payload: Any = None
        if spec["step"] == "start":
            payload = {"messages": [{"role": "user", "content": spec["request"]}]}
        elif spec["step"] == "approve":
            pending = (await graph.aget_state(config)).interrupts
            decisions = {
                i.id: {"decisions": [{"type": "approve"}] * len(i.value["action_requests"])}
                for i in pending
            }
            payload = Command(resume=decisions)
        await graph.ainvoke(payload, config, context=context)
        state = await graph.aget_state(config)
        values = dict(state.values)
        values["pending_interrupts"] = [i.value for i in state.interrupts]
        return values


def _child(spec: dict[str, Any]) -> None:
    _arm_kill(Path(spec["sends_log"]), bool(spec.get("kill_after_send")))
    values = asyncio.run(_step(spec))
    values["messages"] = [m.text for m in values.get("messages", [])]
    print(STATE_MARKER + json.dumps(values, default=str), flush=True)


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]))
