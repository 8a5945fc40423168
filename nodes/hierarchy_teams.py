"""The hierarchy's teams (scenario 4): research, execution and review, each a small registry.

`TEAMS` describes each team to the coordinator (its `system_prompt` is the team
supervisor's instructions); `TEAM_WORKERS` holds each team's own workers. Every worker
reuses a shipped tool, so a team's answer rests on real results.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from fleetgraph.nodes.review_workers import RepositoryInput
from fleetgraph.registry import WorkerRegistry, WorkerSpec
from fleetgraph.tools.registry import TOOLS

_ANSWER_RULES = (
    "Use your tools and answer only from their results, in a few lines. You see only this "
    "task; do not ask for other context."
)


class TeamInput(BaseModel):
    """What a team may be given besides its goal."""

    path: str | None = Field(
        default=None, description="The repository's directory, if the task is about one."
    )


RESEARCH_WORKERS = WorkerRegistry(
    [
        WorkerSpec(
            name="code_researcher",
            description="Code research of a repository: languages, lines, largest files, "
            "functions and classes, TODO markers.",
            system_prompt=f"You are code_researcher, who surveys a codebase. {_ANSWER_RULES}",
            tools=TOOLS.select("analyse_codebase"),
            input_schema=RepositoryInput,
        ),
        WorkerSpec(
            name="docs_researcher",
            description="Help-center research: searches the product's articles on accounts, "
            "passwords, billing, plans and data export.",
            system_prompt=f"You are docs_researcher, who searches the docs. {_ANSWER_RULES}",
            tools=TOOLS.select("search_help_center"),
        ),
    ]
)

EXECUTION_WORKERS = WorkerRegistry(
    [
        WorkerSpec(
            name="test_executor",
            description="Runs a repository's pytest test suite and reports passed and failed "
            "tests.",
            system_prompt=f"You are test_executor, who runs test suites. {_ANSWER_RULES}",
            tools=TOOLS.select("run_tests"),
            input_schema=RepositoryInput,
        ),
        WorkerSpec(
            name="number_cruncher",
            description="Arithmetic: calculates expressions such as pass rates, totals and ratios.",
            system_prompt=f"You are number_cruncher, who calculates. {_ANSWER_RULES}",
            tools=TOOLS.select("calculator"),
        ),
    ]
)

REVIEW_TEAM_WORKERS = WorkerRegistry(
    [
        WorkerSpec(
            name="dependency_reviewer",
            description="Dependency review of a repository: lists its dependencies and flags "
            "unpinned versions.",
            system_prompt=f"You are dependency_reviewer, who audits dependencies. {_ANSWER_RULES}",
            tools=TOOLS.select("check_dependencies"),
            input_schema=RepositoryInput,
        ),
        WorkerSpec(
            name="text_reviewer",
            description="Text review: counts the words, sentences and reading time of a text.",
            system_prompt=f"You are text_reviewer, who checks texts. {_ANSWER_RULES}",
            tools=TOOLS.select("text_statistics"),
        ),
    ]
)

TEAMS = WorkerRegistry(
    [
        WorkerSpec(
            name="research_team",
            description="Research team: researches a repository's code (languages, size, "
            "functions) and the product's help-center documentation.",
            system_prompt="You lead the research team: find out what a repository contains "
            "and what the product documentation says.",
            input_schema=TeamInput,
        ),
        WorkerSpec(
            name="execution_team",
            description="Execution team: runs a repository's test suite and does arithmetic "
            "on the results.",
            system_prompt="You lead the execution team: run what needs running and compute "
            "figures from the results.",
            input_schema=TeamInput,
        ),
        WorkerSpec(
            name="review_team",
            description="Review team: reviews a repository's dependencies for unpinned "
            "versions and checks the length of texts.",
            system_prompt="You lead the review team: review dependencies and texts and report "
            "the problems you find.",
            input_schema=TeamInput,
        ),
    ]
)

TEAM_WORKERS = {
    "research_team": RESEARCH_WORKERS,
    "execution_team": EXECUTION_WORKERS,
    "review_team": REVIEW_TEAM_WORKERS,
}
