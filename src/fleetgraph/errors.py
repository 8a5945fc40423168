"""Errors fleetgraph raises on purpose, each with a message a user can act on."""


class FleetgraphError(Exception):
    """Base class for fleetgraph's own errors."""


class ConfigurationError(FleetgraphError, ValueError):
    """A setting, model string or input is not usable as given."""


class InvalidInputError(FleetgraphError, ValueError):
    """The graph input is malformed (for example, no messages)."""


class CheckpointerUnavailableError(FleetgraphError, ConnectionError):
    """The configured PostgreSQL database cannot be reached."""


class WorkerFailedError(FleetgraphError, RuntimeError):
    """A worker agent could not finish its task."""


def must_propagate(error: BaseException) -> bool:
    """Whether a node must re-raise `error` rather than treat it as a worker failure.

    Interrupts and parent commands (`GraphBubbleUp`) steer the graph, and a resume value
    that failed its interrupt's schema must fail the resume so the gate stays pending.
    """
    from langgraph.errors import GraphBubbleUp, is_invalid_resume

    return isinstance(error, GraphBubbleUp) or is_invalid_resume(error)
