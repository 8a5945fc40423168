"""Run a graph in a child process that SIGKILLs itself mid-run, then resume it in another.

The child runs every role on the offline model, counted: at the Nth model call (1-based) it
kills itself before answering, as a crash would. Each call is logged to a file first, so the
parent knows how many calls each process made even when the process died.

As a script (the child side): `python crash_harness.py SPEC_JSON`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_MARKER = "FINAL_STATE_JSON:"
CRASH_MODEL = "crash:offline"


@dataclass
class CrashRun:
    returncode: int
    killed: bool
    stdout: str
    stderr: str
    model_calls: int
    final_state: dict[str, Any] | None


def run_in_subprocess(
    graph_id: str,
    request: str | None,
    *,
    thread_id: str,
    postgres_uri: str,
    kill_at_model_call: int | None = None,
    context: dict[str, Any] | None = None,
    timeout: float = 120,
) -> CrashRun:
    """Run (request) or resume (request None) `graph_id` on a Postgres thread in a child.

    `graph_id` is a catalogue id or a `module:attr` path to a builder.
    """
    with tempfile.TemporaryDirectory() as scratch:
        calls_log = Path(scratch) / "calls.log"
        spec = {
            "graph": graph_id,
            "request": request,
            "thread_id": thread_id,
            "postgres_uri": postgres_uri,
            "kill_at": kill_at_model_call,
            "context": context or {},
            "calls_log": str(calls_log),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "FLEETGRAPH_"))}
        done = subprocess.run(
            [sys.executable, __file__, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        calls = len(calls_log.read_text().splitlines()) if calls_log.exists() else 0
    final_state = None
    for line in done.stdout.splitlines():
        if line.startswith(STATE_MARKER):
            final_state = json.loads(line[len(STATE_MARKER) :])
    return CrashRun(
        returncode=done.returncode,
        killed=done.returncode == -signal.SIGKILL,
        stdout=done.stdout,
        stderr=done.stderr,
        model_calls=calls,
        final_state=final_state,
    )


def _child(spec: dict[str, Any]) -> None:
    import asyncio
    from importlib import import_module

    from langchain_core.messages import BaseMessage, message_to_dict
    from pydantic import BaseModel

    from fleetgraph.catalogue import GRAPH_MODULES, graph_builder
    from fleetgraph.checkpoints import postgres_checkpointer
    from fleetgraph.context import Context
    from fleetgraph.models import OfflineChatModel, register_chat_model

    log_path = Path(spec["calls_log"])
    kill_at = spec["kill_at"]

    class CrashingOfflineModel(OfflineChatModel):
        """The offline model, dying at call `kill_at` like a process killed mid-run."""

        def _generate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> Any:
            with log_path.open("a") as log:
                log.write(f"{os.getpid()}\n")
            calls = len(log_path.read_text().splitlines())
            if kill_at is not None and calls >= kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return super()._generate(messages, stop, run_manager, **kw)

    register_chat_model(CRASH_MODEL, CrashingOfflineModel())
    roles = {f"{role}_model": CRASH_MODEL for role in ("router", "worker", "supervisor")}
    context = Context(**{**spec["context"], **roles})
    graph_id = spec["graph"]
    if graph_id in GRAPH_MODULES:
        builder = graph_builder(graph_id)
    else:
        module, _, attr = graph_id.partition(":")
        builder = getattr(import_module(module), attr)

    def encode(value: Any) -> Any:
        if isinstance(value, BaseMessage):
            return message_to_dict(value)
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        return str(value)

    async def run() -> dict[str, Any]:
        config: Any = {"configurable": {"thread_id": spec["thread_id"]}}
        async with postgres_checkpointer(spec["postgres_uri"]) as saver:
            graph = builder.compile(checkpointer=saver)
            payload = None
            if spec["request"] is not None:
                payload = {"messages": [{"role": "user", "content": spec["request"]}]}
            await graph.ainvoke(payload, config, context=context)
            return dict((await graph.aget_state(config)).values)

    state = asyncio.run(run())
    print(STATE_MARKER + json.dumps(state, default=encode), flush=True)


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]))
