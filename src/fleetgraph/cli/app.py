"""The `fleetgraph` command: run a graph with live progress and continue its threads."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fleetgraph.catalogue import GRAPH_MODULES
from fleetgraph.cli.render import render_event, render_models, render_outcome
from fleetgraph.context import Context
from fleetgraph.diagrams import mermaid, refresh_readme
from fleetgraph.errors import FleetgraphError
from fleetgraph.runner import run_request

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
errors = Console(stderr=True)


@app.command()
def run(
    graph: Annotated[str, typer.Argument(help=f"Graph id: {', '.join(GRAPH_MODULES)}.")],
    request: Annotated[str, typer.Argument(help="What you ask the agents to do.")],
    thread: Annotated[str | None, typer.Option("--thread", help="Continue this thread id.")] = None,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            help="PostgreSQL URI for checkpoints (default: POSTGRES_URI or DATABASE_URI; "
            "without them, the embedded SQLite file).",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model for every role, e.g. 'offline' or 'openai:gpt-4.1'."),
    ] = None,
) -> None:
    """Run GRAPH on REQUEST, streaming progress, then print the answer."""
    try:
        context = (
            Context(router_model=model, worker_model=model, supervisor_model=model)
            if (model)
            else Context()
        )
        render_models(console, context)
        outcome = asyncio.run(
            run_request(
                graph,
                request,
                thread_id=thread,
                postgres_uri=postgres,
                context=context,
                on_event=lambda event: render_event(console, event),
            )
        )
    except FleetgraphError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(code=2) from None
    render_outcome(console, outcome)


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
