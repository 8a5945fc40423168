"""Pipeline graph (scenario 3): research → analysis → report writer → formatter.

Each stage is a worker agent on its own node, so a checkpoint is written after every stage
and a thread resumes after the last finished one. A stage receives a `TaskEnvelope` with
the previous stage's output (never the history), and a failing stage raises: the node's
RetryPolicy (backoff with jitter) retries it, and once retries run out the run fails
with an error naming the stage; `ainvoke(None, config)` later reruns that stage only.

Retries compose with the fleet manager's: each node attempt is one `run_worker_agent`
call, which the fleet restarts up to `Context.worker_restarts` times within the attempt.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy

from fleetgraph.context import Context
from fleetgraph.nodes.pipeline_retry import STAGE_RETRY_POLICY
from fleetgraph.nodes.pipeline_stage import make_stage_node
from fleetgraph.nodes.pipeline_state import PipelineState
from fleetgraph.nodes.pipeline_workers import PIPELINE_STAGES

PipelineBuilder = StateGraph[PipelineState, Context, PipelineState, PipelineState]


def build_pipeline(retry_policy: RetryPolicy = STAGE_RETRY_POLICY) -> PipelineBuilder:
    """The pipeline's builder with `retry_policy` on every stage node.

    A RetryPolicy is fixed when the graph is built, not per run, hence a function: tests
    and callers that want other retry timings build their own graph from it.
    """
    pipeline = StateGraph(PipelineState, context_schema=Context)
    previous: str | None = None
    for position, stage in enumerate(PIPELINE_STAGES):
        node = make_stage_node(
            stage,
            previous=previous,
            last=position == len(PIPELINE_STAGES) - 1,
            max_attempts=retry_policy.max_attempts,
        )
        pipeline.add_node(stage.name, node, retry_policy=retry_policy)
        pipeline.add_edge(previous or START, stage.name)
        previous = stage.name
    pipeline.add_edge(previous or START, END)
    return pipeline


builder = build_pipeline()

graph = builder.compile(name="pipeline")
