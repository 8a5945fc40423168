"""General-purpose tools: the current time and a safe arithmetic calculator."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langchain_core.tools import tool

_ARITHMETIC_RUN = re.compile(r"[\d.+\-*/%() ]+")
_OPERATORS: dict[type[ast.AST], Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
    ast.USub: operator.neg,
}


@tool
def current_time(timezone: str = "UTC") -> str:
    """The current date and time (today, now) in an IANA timezone such as Europe/Paris."""
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except ZoneInfoNotFoundError:
        return f"Unknown timezone {timezone!r}; use an IANA name like Europe/Paris."
    return datetime.now(zone).isoformat(timespec="seconds")


@tool
def calculator(expression: str) -> str:
    """Calculate an arithmetic expression with + - * / ** % and parentheses."""
    try:
        tree = ast.parse(_arithmetic_part(expression), mode="eval")
        return f"{expression.strip()} = {_evaluate(tree.body)}"
    except (SyntaxError, ValueError, ZeroDivisionError) as error:
        return f"Cannot calculate {expression!r}: {error}"


def _arithmetic_part(text: str) -> str:
    """The longest run of arithmetic characters, so 'what is 2+3?' becomes '2+3'."""
    runs = [run.strip() for run in _ARITHMETIC_RUN.findall(text) if any(c.isdigit() for c in run)]
    return max(runs, key=len, default="")


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand))
    raise ValueError("only numbers and + - * / ** % are allowed")
