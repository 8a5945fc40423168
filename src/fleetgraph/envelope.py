"""What a worker is given and what it gives back: its whole view of the world."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TaskEnvelope(BaseModel):
    """A worker's task. The worker sees this and nothing else of the run."""

    goal: str = Field(description="What the worker must achieve, in one request.")
    inputs: dict[str, str] = Field(
        default_factory=dict, description="Named inputs the worker may use."
    )
    constraints: list[str] = Field(
        default_factory=list, description="Rules the worker must respect."
    )
    budget_model_calls: int | None = Field(
        default=None, description="Most model calls the worker may make, if limited."
    )

    def as_prompt(self) -> str:
        """The envelope as the single user message a worker agent receives."""
        lines = [self.goal]
        if self.inputs:
            lines += ["", "Inputs:", *(f"- {key}: {value}" for key, value in self.inputs.items())]
        if self.constraints:
            lines += ["", "Constraints:", *(f"- {rule}" for rule in self.constraints)]
        return "\n".join(lines)


class Evidence(BaseModel):
    """A tool result the worker's answer rests on."""

    tool: str
    output: str


class WorkerCost(BaseModel):
    model_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class WorkerResult(BaseModel):
    """What a worker hands back: never its internal tool chatter, only this."""

    worker: str
    status: Literal["ok", "failed"]
    output: str = ""
    error: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    cost: WorkerCost = Field(default_factory=WorkerCost)
    offline_model: bool = Field(
        default=False, description="True when the answer came from the offline model."
    )
