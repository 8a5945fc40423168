"""Asking a person at the terminal to approve, edit or reject gated tool calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt


def render_request(console: Console, request: dict[str, Any]) -> None:
    actions = request.get("action_requests", [])
    lines = [
        f"[bold]{request.get('worker', 'a worker')}[/] wants to run {len(actions)} "
        f"action(s) that need approval.",
        f"reasoning: {request.get('reasoning', '')}",
    ]
    for number, action in enumerate(actions, 1):
        lines.append(
            f"{number}. [bold]{action['name']}[/] (risk {action.get('risk', '?')}) "
            f"{json.dumps(action['args'])}"
        )
    console.print(Panel("\n".join(lines), title="approval needed", border_style="yellow"))


def terminal_decider(console: Console, approver: str | None) -> Callable[[dict[str, Any]], dict]:
    """Decide each action by asking at the terminal."""

    def decide(request: dict[str, Any]) -> dict[str, Any]:
        render_request(console, request)
        decisions = []
        for number, action in enumerate(request.get("action_requests", []), 1):
            choice = Prompt.ask(
                f"{number}. {action['name']}: approve, edit or reject?",
                choices=["approve", "edit", "reject"],
                default="approve",
                console=console,
            )
            if choice == "edit":
                args = json.loads(
                    Prompt.ask("new arguments (JSON)", default=json.dumps(action["args"]))
                )
                decisions.append(
                    {"type": "edit", "edited_action": {"name": action["name"], "args": args}}
                )
            elif choice == "reject":
                decisions.append({"type": "reject", "message": Prompt.ask("why", default="")})
            else:
                decisions.append({"type": "approve"})
        return {"decisions": decisions, "approver": approver}

    return decide


def fixed_decider(
    console: Console, approver: str | None, reject_message: str | None
) -> Callable[[dict[str, Any]], dict]:
    """Approve every action, or reject every one with `reject_message`."""

    def decide(request: dict[str, Any]) -> dict[str, Any]:
        render_request(console, request)
        count = len(request.get("action_requests", []))
        decision: dict[str, Any] = (
            {"type": "reject", "message": reject_message}
            if reject_message is not None
            else {"type": "approve"}
        )
        return {"decisions": [decision] * count, "approver": approver}

    return decide
