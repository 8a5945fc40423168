"""The `fleetgraph` command: run a graph with live progress and continue its threads."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fleetgraph.catalogue import GRAPH_MODULES
from fleetgraph.cli.approvals import fixed_decider, terminal_decider
from fleetgraph.cli.audit import load_audit, render_audit
from fleetgraph.cli.render import render_event, render_models, render_outcome
from fleetgraph.context import Context
from fleetgraph.diagrams import mermaid, refresh_readme
from fleetgraph.errors import FleetgraphError
from fleetgraph.runner import RunOutcome, run_request

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
errors = Console(stderr=True)


PostgresOption = Annotated[
    str | None,
    typer.Option(
        "--postgres",
        help="PostgreSQL URI for checkpoints and the audit trail (default: POSTGRES_URI or "
        "DATABASE_URI; without them, the embedded SQLite file).",
    ),
]
ApproverOption = Annotated[
    str | None, typer.Option("--approver", help="Your name, recorded with each decision.")
]


@app.command()
def run(
    graph: Annotated[str, typer.Argument(help=f"Graph id: {', '.join(GRAPH_MODULES)}.")],
    request: Annotated[str, typer.Argument(help="What you ask the agents to do.")],
    thread: Annotated[str | None, typer.Option("--thread", help="Continue this thread id.")] = None,
    postgres: PostgresOption = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model for every role, e.g. 'offline' or 'openai:gpt-4.1'."),
    ] = None,
    approver: ApproverOption = None,
) -> None:
    """Run GRAPH on REQUEST, streaming progress, then print the answer.

    At an approval gate it asks you at the terminal; without a terminal it stops and tells
    you how to answer with `fleetgraph approve`.
    """

    def start(context: Context) -> RunOutcome:
        render_models(console, context)
        decide = terminal_decider(console, approver or _user()) if sys.stdin.isatty() else None
        return asyncio.run(
            run_request(
                graph,
                request,
                thread_id=thread,
                postgres_uri=postgres,
                context=context,
                on_event=lambda event: render_event(console, event),
                decide=decide,
            )
        )

    roles = {"router_model": model, "worker_model": model, "supervisor_model": model}
    _finish(lambda: start(Context(**roles) if model else Context()))


@app.command()
def approve(
    thread: Annotated[str, typer.Argument(help="The thread waiting for approval.")],
    reject: Annotated[
        str | None, typer.Option("--reject", help="Reject every pending action, with this reason.")
    ] = None,
    postgres: PostgresOption = None,
    approver: ApproverOption = None,
) -> None:
    """Approve (or --reject) every action a thread is waiting on, and let it continue."""

    def resume() -> RunOutcome:
        return asyncio.run(
            run_request(
                None,
                None,
                thread_id=thread,
                postgres_uri=postgres,
                on_event=lambda event: render_event(console, event),
                decide=fixed_decider(console, approver or _user(), reject),
            )
        )

    _finish(resume)


@app.command()
def audit(
    thread: Annotated[str, typer.Argument(help="Thread id.")],
    postgres: PostgresOption = None,
    limit: Annotated[int, typer.Option("--limit", help="Most recent rows to show.")] = 200,
) -> None:
    """Print the audit trail of a thread: every tool call, its outcome and approval."""
    try:
        rows = asyncio.run(load_audit(thread, postgres, limit))
    except FleetgraphError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(code=2) from None
    render_audit(console, thread, rows)


def _finish(work: Callable[[], RunOutcome]) -> None:
    try:
        outcome = work()
    except FleetgraphError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(code=2) from None
    render_outcome(console, outcome)
    if outcome.interrupts:
        console.print(
            f"[yellow]waiting for approval:[/] fleetgraph approve {outcome.thread_id} "
            "(or --reject REASON)"
        )


def _user() -> str | None:
    return os.environ.get("USER") or os.environ.get("USERNAME")


@app.command("graphs")
def list_graphs() -> None:
    """List the graphs this installation serves."""
    for graph_id, module in GRAPH_MODULES.items():
        console.print(f"{graph_id}\t[dim]{module}[/]")


@app.command()
def diagram(
    graph: Annotated[str | None, typer.Argument(help="Graph id.")] = None,
    readme: Annotated[
        Path | None, typer.Option("--readme", help="Redraw the diagram blocks in this file.")
    ] = None,
) -> None:
    """Print a graph's mermaid diagram, or refresh the diagrams in a README."""
    try:
        if readme is not None:
            readme.write_text(refresh_readme(readme.read_text("utf-8")), "utf-8")
        elif graph is not None:
            print(mermaid(graph))
        else:
            raise FleetgraphError("Name a graph, or give --readme FILE to refresh.")
    except FleetgraphError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(code=2) from None


def main() -> None:
    app(prog_name="fleetgraph")


if __name__ == "__main__":
    main()
