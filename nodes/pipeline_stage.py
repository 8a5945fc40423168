"""A graph node that runs one pipeline stage's worker on its envelope, raising on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from pydantic import ValidationError

from fleetgraph.context import Context, context_of
from fleetgraph.envelope import TaskEnvelope, WorkerResult
from fleetgraph.errors import InvalidInputError, must_propagate
from fleetgraph.events import emit
from fleetgraph.nodes.agents import build_worker_agent, run_worker_agent
from fleetgraph.nodes.pipeline_retry import StageFailedError
from fleetgraph.nodes.pipeline_state import PipelineState
from fleetgraph.nodes.pipeline_workers import Stage
from fleetgraph.nodes.requests import latest_request

StageNode = Callable[[PipelineState, Runtime[Context]], Awaitable[dict[str, Any]]]


def stage_envelope(stage: Stage, request: str, previous_output: str) -> TaskEnvelope:
    """The stage's whole view of the run: its goal, the request if it needs it, and the
    previous stage's output. Validated against the worker's `input_schema`."""
    inputs: dict[str, str] = {}
    if stage.request_as:
        inputs[stage.request_as] = request
    if stage.previous_as:
        inputs[stage.previous_as] = previous_output
    if stage.worker.input_schema is not None:
        try:
            stage.worker.input_schema.model_validate(inputs)
        except ValidationError as error:
            raise InvalidInputError(
                f"Stage '{stage.name}' cannot take its inputs: {error}"
            ) from None
    return TaskEnvelope(goal=stage.goal, inputs=inputs, constraints=list(stage.constraints))


def make_stage_node(
    stage: Stage, *, previous: str | None, last: bool, max_attempts: int
) -> StageNode:
    """A node running `stage` after the stage named `previous` (None: the first stage).

    A failure raises `StageFailedError` naming the stage, so the node's RetryPolicy retries
    it and, once retries run out, the run fails with the thread resumable from this stage.
    The last stage's output ends the turn as an AI message.
    """
    agent = build_worker_agent(stage.worker, role=stage.worker.model_role)

    async def run_stage(state: PipelineState, runtime: Runtime[Context]) -> dict[str, Any]:
        context = context_of(runtime)
        attempt = runtime.execution_info.node_attempt if runtime.execution_info else 1
        if previous is None:
            request, stages = latest_request(state["messages"]), {}
        else:
            request, stages = state["request"], dict(state["stages"])
        try:
            task = stage_envelope(stage, request, stages[previous]["output"] if previous else "")
            emit("agent_started", stage.name, goal=task.goal, attempt=attempt)
            result = await run_worker_agent(agent, stage.worker, task, context)
            if not result.output.strip():
                raise ValueError("the worker gave an empty answer")
        except Exception as error:
            if must_propagate(error):
                raise
            failure = StageFailedError.wrap(stage.name, attempt, max_attempts, error)
            emit(
                "agent_completed", stage.name, status="failed", error=str(failure), attempt=attempt
            )
            raise failure from error
        emit("agent_completed", stage.name, status="ok", error=None, attempt=attempt)
        stages[stage.name] = result.model_dump()
        update: dict[str, Any] = {"request": request, "stages": stages}
        if last:
            update["messages"] = [_report_message(result)]
        return update

    run_stage.__name__ = f"run_{stage.name}"
    return run_stage


def _report_message(result: WorkerResult) -> AIMessage:
    metadata: dict[str, Any] = {"worker": result.worker}
    if result.offline_model:
        metadata.update(offline=True, model_provider="offline")
    return AIMessage(content=result.output, name=result.worker, response_metadata=metadata)
