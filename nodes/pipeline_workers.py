"""The pipeline's team and stages: research, analysis, report writer and formatter.

Each stage is a worker in `PIPELINE_WORKERS` bound to only its own tools, plus what its
task envelope holds: a goal, the user's request under `request_as` (if the stage needs
it) and the previous stage's output under `previous_as`. The goals double as the offline
model's keywords for picking each stage's tool, so they name what the tools do.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from fleetgraph.registry import WorkerRegistry, WorkerSpec
from fleetgraph.tools.registry import TOOLS

_RULES = "You see only this task; do not ask for other context."


class ResearchInputs(BaseModel):
    request: str = Field(description="The user's request the report answers.")


class AnalysisInputs(BaseModel):
    request: str = Field(description="The user's request the report answers.")
    research: str = Field(description="The research stage's notes, one a line.")


class ReportInputs(BaseModel):
    topic: str = Field(description="The user's request the report answers.")
    findings: str = Field(description="The analysis stage's findings, one a line.")


class FormatInputs(BaseModel):
    report: str = Field(description="The report writer's draft, in markdown.")


PIPELINE_WORKERS = WorkerRegistry(
    [
        WorkerSpec(
            name="research",
            description="Research: finds the notes with the facts and figures a request needs.",
            system_prompt="You are the research stage of a report pipeline. Search the notes "
            f"with your tool and answer with the matching notes unchanged. {_RULES}",
            tools=TOOLS.select("search_notes"),
            input_schema=ResearchInputs,
        ),
        WorkerSpec(
            name="analysis",
            description="Analysis: extracts the figures from research and computes growth, "
            "changes and statistics per metric.",
            system_prompt="You are the analysis stage of a report pipeline. Extract the "
            "figures with your tools and answer with one finding a line, each with its "
            f"numbers. {_RULES}",
            tools=TOOLS.select("extract_figures", "describe_numbers", "growth_rate"),
            input_schema=AnalysisInputs,
        ),
        WorkerSpec(
            name="report_writer",
            description="Report writer: composes a structured report from analysis findings.",
            system_prompt="You are the report writer of a report pipeline. Compose the report "
            f"with your tool from the findings alone; add no facts of your own. {_RULES}",
            tools=TOOLS.select("compose_report"),
            input_schema=ReportInputs,
        ),
        WorkerSpec(
            name="formatter",
            description="Formatter: lays a markdown report out (headings, bullets, width).",
            system_prompt="You are the formatter of a report pipeline. Format the report with "
            "your tool; change its layout only, never its content, and answer with the "
            f"formatted report alone. {_RULES}",
            tools=TOOLS.select("format_markdown"),
            input_schema=FormatInputs,
        ),
    ]
)


@dataclass(frozen=True)
class Stage:
    """One pipeline step: its worker and how its task envelope is filled."""

    worker: WorkerSpec
    goal: str
    previous_as: str | None = None
    """Input name for the previous stage's output (None for the first stage)."""
    request_as: str | None = None
    """Input name for the user's request, if the stage needs it."""
    constraints: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.worker.name


PIPELINE_STAGES = (
    Stage(
        PIPELINE_WORKERS.get("research"),
        goal="Search the research notes for this request and return the matching notes.",
        request_as="request",
        constraints=("Return the notes as written; do not summarise them.",),
    ),
    Stage(
        PIPELINE_WORKERS.get("analysis"),
        goal="Extract the figures from the research notes and analyse each metric: growth, "
        "changes between quarters and averages.",
        request_as="request",
        previous_as="research",
        constraints=("Use only figures that appear in the research.",),
    ),
    Stage(
        PIPELINE_WORKERS.get("report_writer"),
        goal="Compose a report on the topic from the findings.",
        request_as="topic",
        previous_as="findings",
    ),
    Stage(
        PIPELINE_WORKERS.get("formatter"),
        goal="Format the report as clean markdown: headings, bullets and line width.",
        previous_as="report",
    ),
)
