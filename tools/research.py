"""Research tools: a keyword search over a small bundled corpus of company notes."""

from __future__ import annotations

from langchain_core.tools import tool

from fleetgraph.models.rules import keywords
from fleetgraph.tools.data_files import load_json
from fleetgraph.tools.reporting import task_input

MAX_NOTES = 4
COVERAGE = (
    "The notes cover Northwind Cycles' revenue, e-bikes sold, gross margin, marketing spend, "
    "markets, headcount and outlook."
)


@tool
def search_notes(query: str) -> str:
    """Search the research notes on Northwind Cycles (revenue, e-bikes sold, gross margin,
    marketing spend, markets, headcount, outlook) for a topic. Returns the best matching
    notes, one a line, with their figures."""
    # The offline model passes its whole task text as the query; search only the request.
    request = task_input(query, "request")
    wanted = keywords(request)
    notes = load_json("notes.json")
    scored = []
    for position, note in enumerate(notes):
        score = len(wanted & keywords(f"{note['title']} {note['body']}"))
        if score:
            scored.append((score, position))
    if not scored:
        return f"No research note matches {request!r}. {COVERAGE}"
    best = sorted(scored, key=lambda pair: -pair[0])[:MAX_NOTES]
    # Corpus order reads chronologically, so the best matches are listed in it.
    chosen = [notes[position] for _, position in sorted(best, key=lambda pair: pair[1])]
    return "\n".join(f"{n['id']} {n['title']}: {n['body']}" for n in chosen)
