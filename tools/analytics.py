"""Analytics tools: descriptive statistics and growth over numbers given in the request."""

from __future__ import annotations

import itertools
import statistics

from langchain_core.tools import tool


@tool
def describe_numbers(values: list[float]) -> str:
    """Statistics of a list of numbers: count, sum, average (mean), median, minimum,
    maximum and standard deviation."""
    if not values:
        return "No numbers were given; list the values to analyse."
    parts = {
        "count": len(values),
        "sum": sum(values),
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }
    if len(values) > 1:
        parts["stdev"] = statistics.stdev(values)
    return ", ".join(f"{name}={_fmt(value)}" for name, value in parts.items())


@tool
def growth_rate(values: list[float]) -> str:
    """Growth between consecutive numbers in a series: percent change and overall trend."""
    if len(values) < 2:
        return "A growth rate needs at least two numbers in order."
    changes = [
        "n/a" if old == 0 else f"{(new - old) / abs(old) * 100:+.1f}%"
        for old, new in itertools.pairwise(values)
    ]
    trend = "up" if values[-1] > values[0] else "down" if values[-1] < values[0] else "flat"
    return f"changes: {', '.join(changes)}; overall trend {trend}"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"
