"""Runtime settings for every fleetgraph graph, passed as LangGraph's `context`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Annotated, Any

from langgraph.runtime import Runtime

from fleetgraph.errors import ConfigurationError

ENV_PREFIX = "FLEETGRAPH_"
RISK_LEVELS = ("low", "medium", "high")


@dataclass(kw_only=True)
class Context:
    """What a run may use: models per role, limits and the approval policy.

    Fields left at their default can be set from the environment as `FLEETGRAPH_<FIELD>`
    (for example `FLEETGRAPH_WORKER_MODEL=offline`), so a served graph is configured the
    same way as one invoked from Python.
    """

    router_model: Annotated[str, {"__template_metadata__": {"kind": "llm"}}] = field(
        default="openai:gpt-4.1-mini",
        metadata={
            "description": "Model that classifies requests, as 'provider:model'. "
            "'offline' (or no OPENAI_API_KEY for openai models) selects the offline model."
        },
    )
    worker_model: Annotated[str, {"__template_metadata__": {"kind": "llm"}}] = field(
        default="openai:gpt-4.1-mini",
        metadata={"description": "Model that worker agents think with, as 'provider:model'."},
    )
    supervisor_model: Annotated[str, {"__template_metadata__": {"kind": "llm"}}] = field(
        default="openai:gpt-4.1",
        metadata={"description": "Model that plans and aggregates in supervisors."},
    )
    route_confidence_threshold: float = field(
        default=0.5,
        metadata={
            "description": "Below this classification confidence the router hands the "
            "request to the general worker."
        },
    )
    max_worker_steps: int = field(
        default=12,
        metadata={"description": "Most graph steps one worker agent may take for a task."},
    )
    worker_timeout_seconds: float = field(
        default=120.0,
        metadata={"description": "Wall-clock limit for one worker task; past it the worker fails."},
    )
    max_delegations: int = field(
        default=8,
        metadata={"description": "Most subtasks a supervisor may delegate in one run."},
    )
    max_supervisor_steps: int = field(
        default=4,
        metadata={"description": "Most planning rounds a supervisor may take in one run."},
    )
    max_parallel_workers: int = field(
        default=4,
        metadata={"description": "Most worker runs the fleet manager runs at once."},
    )
    worker_restarts: int = field(
        default=1,
        metadata={"description": "Times the fleet manager restarts a failed worker run."},
    )
    stuck_after_seconds: float = field(
        default=60.0,
        metadata={"description": "A worker silent (no model or tool call) this long is stuck."},
    )
    max_invalid_tool_calls: int = field(
        default=3,
        metadata={
            "description": "Tool calls a worker may get refused (unknown tool, bad "
            "arguments) before it fails instead of retrying."
        },
    )
    approval_required: tuple[str, ...] = field(
        default=("high",),
        metadata={
            "description": "Risk levels whose tool calls stop for a person's approval "
            "(any of 'low', 'medium', 'high')."
        },
    )
    user_id: str | None = field(
        default=None,
        metadata={"description": "Who the run acts for; scopes quotas, memory and audit rows."},
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            env_value = os.environ.get(ENV_PREFIX + f.name.upper())
            if env_value is not None and getattr(self, f.name) == f.default:
                setattr(self, f.name, _parse_env(f.name, env_value, f.default))
        self.approval_required = tuple(self.approval_required)
        unknown = set(self.approval_required) - set(RISK_LEVELS)
        if unknown:
            raise ConfigurationError(
                f"approval_required has unknown risk levels {sorted(unknown)}; "
                f"use any of {list(RISK_LEVELS)}."
            )
        if not 0.0 <= self.route_confidence_threshold <= 1.0:
            raise ConfigurationError("route_confidence_threshold must be between 0 and 1.")
        if self.max_worker_steps < 2:
            raise ConfigurationError("max_worker_steps must be at least 2.")

    def model_for(self, role: str) -> str:
        """The model string configured for a role such as 'router' or 'worker'."""
        try:
            return str(getattr(self, f"{role}_model"))
        except AttributeError:
            raise ConfigurationError(f"No model is configured for role '{role}'.") from None


def _parse_env(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigurationError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not valid.") from None
    return raw


def context_of(runtime: Runtime[Context] | Runtime[Any] | None) -> Context:
    """The run's Context; a default one when the caller passed none."""
    context = runtime.context if runtime is not None else None
    if context is None:
        return Context()
    if isinstance(context, dict):
        return Context(**context)
    return context
