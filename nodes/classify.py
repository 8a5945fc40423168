"""Classify a request to one of a registry's workers, with a confidence."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, create_model

from fleetgraph.context import Context
from fleetgraph.models import load_chat_model
from fleetgraph.registry import WorkerRegistry

ROUTER_PROMPT = """You are the router of a team of workers. Choose the one worker best suited \
to the user's request and say how confident you are, from 0 to 1.

Workers:
{catalogue}

If no worker clearly fits, choose {fallback} with a low confidence."""


class RouteDecision(BaseModel):
    """The worker chosen for a request."""

    worker: str = Field(description="Name of the worker that should handle the request.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the choice is, 0 to 1.")
    reason: str = Field(description="One sentence on why this worker fits.")


def decision_schema(registry: WorkerRegistry) -> type[RouteDecision]:
    """`RouteDecision` with `worker` restricted to the registry's names (an enum for the model)."""
    worker_type: Any = Literal[registry.names()]
    return create_model(
        "RouteDecision",
        __base__=RouteDecision,
        __doc__=RouteDecision.__doc__,
        worker=(worker_type, Field(description="Name of the worker to hand the request to.")),
    )


async def classify_request(
    request: str, registry: WorkerRegistry, fallback: str, context: Context
) -> dict[str, Any]:
    """Ask the router model for a decision; below the Context threshold, use `fallback`.

    Returns the route as stored in state: the worker that will run, the worker the model
    chose, its confidence and its reason.
    """
    model = load_chat_model(context.router_model).with_structured_output(decision_schema(registry))
    prompt = ROUTER_PROMPT.format(catalogue=registry.catalogue(), fallback=fallback)
    decision = await model.ainvoke([SystemMessage(prompt), HumanMessage(request)])
    assert isinstance(decision, RouteDecision)
    confident = decision.confidence >= context.route_confidence_threshold
    return {
        "worker": decision.worker if confident else fallback,
        "chosen": decision.worker,
        "confidence": decision.confidence,
        "reason": decision.reason,
        "below_threshold": not confident,
    }
