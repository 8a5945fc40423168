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
