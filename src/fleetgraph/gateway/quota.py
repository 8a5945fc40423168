"""Fixed-window quota arithmetic shared by the gateway stores.

A window of `window_seconds` starts at a multiple of `window_seconds` since the epoch, so
every process agrees on the window a moment falls in without coordinating.
"""

from __future__ import annotations

import math

from fleetgraph.errors import ConfigurationError


def fixed_window(now: float, window_seconds: float) -> tuple[float, float]:
    """(start of the window `now` falls in, seconds until that window ends)."""
    if not window_seconds > 0:
        raise ConfigurationError(f"quota window_seconds must be positive, not {window_seconds}.")
    start = math.floor(now / window_seconds) * window_seconds
    reset_in = min(window_seconds, max(0.0, start + window_seconds - now))
    return start, reset_in


def check_limit(limit: int) -> None:
    """A limit of 0 denies every take; a negative one is a configuration mistake."""
    if limit < 0:
        raise ConfigurationError(f"quota limit must be 0 or more, not {limit}.")
