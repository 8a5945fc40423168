"""The repository-review team: code analyst, test runner and dependency auditor.

Each worker takes the repository's directory as the `path` input of its envelope; the
supervisor's delegation tools ask for it (from `input_schema`), so the path reaches the
worker's prompt and tools without the worker ever seeing the conversation.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from fleetgraph.registry import WorkerRegistry, WorkerSpec
from fleetgraph.tools.registry import TOOLS

_ANSWER_RULES = (
    "Run your tools on the repository path in your inputs and answer only from their "
    "results, in a few lines. You see only this task; do not ask for other context."
)


class RepositoryInput(BaseModel):
    """The envelope input of a repository worker."""

    path: str = Field(description="The repository's directory, as an absolute path.")


REVIEW_WORKERS = WorkerRegistry(
    [
        WorkerSpec(
            name="code_analyst",
            description="Code review of a repository: files and lines per language, largest "
            "files, Python functions and classes, TODO/FIXME markers.",
            system_prompt=f"You are code_analyst, who reviews a codebase. {_ANSWER_RULES}",
            tools=TOOLS.select("analyse_codebase"),
            input_schema=RepositoryInput,
            handoff_peers=("test_runner",),
        ),
        WorkerSpec(
            name="test_runner",
            description="Test review of a repository: runs its pytest suite and reports "
            "passed, failed and erroring tests.",
            system_prompt=f"You are test_runner, who runs a test suite. {_ANSWER_RULES}",
            tools=TOOLS.select("run_tests"),
            input_schema=RepositoryInput,
        ),
        WorkerSpec(
            name="dependency_auditor",
            description="Dependency review of a repository: lists declared Python and npm "
            "dependencies and flags unpinned versions.",
            system_prompt=f"You are dependency_auditor, who audits dependencies. {_ANSWER_RULES}",
            tools=TOOLS.select("check_dependencies"),
            input_schema=RepositoryInput,
        ),
    ]
)
