"""Terminal rendering of progress events and answers, with rich."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from fleetgraph.cli.approvals import render_request
from fleetgraph.context import Context
from fleetgraph.fleet import FleetHealth
from fleetgraph.models.loader import check_models, is_offline
from fleetgraph.runner import RunOutcome

_ICONS = {"agent_started": "▶", "agent_completed": "■", "tool_called": "⚙"}


def render_event(console: Console, event: dict[str, Any]) -> None:
    """One progress line per event: time, agent, what happened."""
    when = datetime.fromtimestamp(event.get("ts", 0)).strftime("%H:%M:%S")
    name = event.get("event", "?")
    details = {
        k: v for k, v in event.items() if k not in {"event", "agent", "ts", "thread_id"} and v
    }
    detail_text = ", ".join(f"{k}={_short(v)}" for k, v in details.items())
    console.print(
        f"[dim]{when}[/] {_ICONS.get(name, '•')} [bold]{event.get('agent', '?')}[/] "
        f"{name.replace('_', ' ')} [dim]{detail_text}[/]"
    )


def render_models(console: Console, context: Context) -> None:
    roles = ("router", "supervisor", "worker")
    check_models([context.model_for(role) for role in roles])
    parts = []
    for role in roles:
        model = context.model_for(role)
        parts.append(f"{role}={model}" + (" → offline model" if is_offline(model) else ""))
    console.print(f"[dim]models: {'; '.join(parts)}[/]")


def render_outcome(console: Console, outcome: RunOutcome) -> None:
    route = outcome.state.get("route")
    if route:
        console.print(
            f"[dim]route: {route.get('chosen')} (confidence {route.get('confidence')}) → "
            f"{route.get('worker')}; {route.get('reason')}[/]"
        )
    answer = outcome.answer
    if answer is not None:
        offline = " · offline model" if answer.response_metadata.get("offline") else ""
        title = f"answer from {outcome.state.get('answered_by') or answer.name or 'agent'}{offline}"
        console.print(Panel(Markdown(answer.text), title=title, title_align="left"))
    if outcome.fleet is not None:
        console.print(_fleet_table(outcome.fleet))
    for pending in outcome.interrupts:
        render_request(console, pending)
    console.print(
        f"[dim]thread: {outcome.thread_id} (continue with --thread {outcome.thread_id})[/]"
    )


def _fleet_table(health: FleetHealth) -> Table:
    table = Table(title="fleet", title_justify="left", box=None, pad_edge=False)
    columns = ("completed", "failed", "restarted", "cancelled", "avg ms", "p95 ms")
    for column in columns:
        table.add_column(column, justify="right", style="dim")
    table.add_row(
        str(health.completed),
        str(health.failed),
        str(health.restarted),
        str(health.cancelled),
        _ms(health.latency_avg_ms),
        _ms(health.latency_p95_ms),
    )
    return table


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _short(value: Any, limit: int = 60) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
