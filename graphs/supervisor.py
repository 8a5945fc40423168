"""Supervisor graph (scenario 2): "review this repository" by a team of three workers.

The supervisor delegates to the code analyst, the test runner and the dependency auditor
of `REVIEW_WORKERS` in parallel, each with a typed task envelope holding the goal and the
repository's `path`, then answers from their results. The code analyst may hand a task to
the test runner. Loop guards (`max_delegations`, `max_supervisor_steps`, repeated tasks)
end a run that would not; a failing or timed-out worker fails alone. See
`fleetgraph.nodes.supervisor_factory.build_supervisor` for the graph itself.
"""

from __future__ import annotations

from fleetgraph.nodes.review_workers import REVIEW_WORKERS
from fleetgraph.nodes.supervisor_factory import build_supervisor

builder = build_supervisor(
    REVIEW_WORKERS,
    name="supervisor",
    instructions="You review software repositories: split a review into code, test and "
    "dependency tasks and give every worker the repository's path.",
)

graph = builder.compile(name="supervisor")
