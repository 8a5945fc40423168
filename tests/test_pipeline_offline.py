"""The pipeline end to end on the offline model, its tools, and its drawn shape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fleetgraph.context import Context
from fleetgraph.graphs.pipeline import graph
from fleetgraph.tools.reporting import (
    LINE_WIDTH,
    compose_report,
    extract_figures,
    format_markdown,
    task_input,
)
from fleetgraph.tools.research import search_notes

SNAPSHOT = Path(__file__).parent / "snapshots" / "pipeline.mmd"
OFFLINE = Context(worker_model="offline")


def ask(text: str) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": "user", "content": text}]}


async def test_offline_run_writes_a_formatted_report_grounded_in_the_notes():
    result = await graph.ainvoke(ask("write a report on revenue growth"), context=OFFLINE)

    report = result["messages"][-1]
    assert report.name == "formatter" and report.response_metadata["offline"] is True
    lines = report.text.splitlines()
    assert lines[:5] == [
        "# Revenue Growth",
        "",
        "## Summary",
        "",
        "Revenue rose from $4.2 million in Q1 2024 to $5.9 million in Q4 2024 (+40.5%).",
    ]
    assert "## Findings" in lines
    assert "+9.5%, +10.9%, +15.7%; overall trend up" in " ".join(lines)
    assert "- Germany brought in 38% of 2024 revenue" in report.text
    assert max(len(line) for line in lines) <= LINE_WIDTH
    stages = result["stages"]
    assert [(name, [e["tool"] for e in stage["evidence"]]) for name, stage in stages.items()] == [
        ("research", ["search_notes"]),
        ("analysis", ["extract_figures"]),
        ("report_writer", ["compose_report"]),
        ("formatter", ["format_markdown"]),
    ]
    assert all(
        stage["offline_model"] and stage["cost"]["model_calls"] == 2 for stage in stages.values()
    )
    assert stages["formatter"]["output"] == report.text


async def test_offline_run_on_a_topic_the_notes_lack_says_so():
    result = await graph.ainvoke(ask("a report on the weather in Paris"), context=OFFLINE)

    assert "No research note matches" in result["stages"]["research"]["output"]
    assert "No figures were found in the research." in result["messages"][-1].text


def test_search_notes_returns_the_best_notes_in_corpus_order():
    found = search_notes.invoke({"query": "revenue growth"}).splitlines()

    assert [line.split()[0] for line in found] == ["NC-01", "NC-02", "NC-05", "NC-08"]
    assert "No research note matches 'tides'" in search_notes.invoke({"query": "tides"})


def test_extract_figures_analyses_each_quarterly_series_with_the_analytics_tools():
    text = (
        "NC-04 Gross margin: Gross margin in Q2 2024 was 32%. Gross margin in Q1 2024 was 31%.\n"
        "E-bikes sold in Q1 2024 were 2,950. E-bikes sold in Q4 2024 were 3,870. "
        "Staff grew to 102 people."
    )

    findings = extract_figures.invoke({"text": text}).splitlines()

    assert findings == [
        "Gross margin rose from 31% in Q1 2024 to 32% in Q2 2024 (+1 points). Changes between "
        "reported quarters: +3.2%; overall trend up. Statistics (%): count=2, sum=63, "
        "mean=31.5, median=31.5, min=31, max=32, stdev=0.7071.",
        "E-bikes sold rose from 2,950 in Q1 2024 to 3,870 in Q4 2024 (+31.2%). Changes between "
        "reported quarters: +31.2%; overall trend up. Statistics: count=2, sum=6820, "
        "mean=3410, median=3410, min=2950, max=3870, stdev=650.5.",
        "Staff grew to 102 people.",
    ]
    assert extract_figures.invoke({"text": "nothing here"}) == (
        "No figures were found in the research."
    )


def test_compose_report_titles_the_topic_and_lists_the_findings():
    report = compose_report.invoke(
        {"topic": "write a report on revenue growth", "findings": "Revenue rose 9%. More.\n- B"}
    )

    assert report.splitlines() == [
        "# Revenue Growth",
        "",
        "## Summary",
        "",
        "Revenue rose 9%. The 2 findings below come from the analysis of the research notes.",
        "",
        "## Findings",
        "",
        "- Revenue rose 9%. More.",
        "- B",
    ]


def test_format_markdown_normalises_headings_bullets_and_width():
    messy = (
        "Title\n=====\nIntro   text\nthat was soft   wrapped.\n\n\n"
        "#### Deep heading ##\n* one " + "word " * 20 + "\n+ two\n1) first\n\n"
        "| a | b |\n|---|---|\n\n```\nkeep    this\n```"
    )

    assert format_markdown.invoke({"text": messy}).splitlines() == [
        "# Title",
        "",
        "Intro text that was soft wrapped.",
        "",
        "## Deep heading",
        "",
        "- one word word word word word word word word word word word word word word word",
        "  word word word word word",
        "- two",
        "",
        "1. first",
        "",
        "| a | b |",
        "|---|---|",
        "",
        "```",
        "keep    this",
        "```",
    ]


def test_tools_read_their_input_out_of_a_whole_task_text():
    prompt = "Goal.\n\nInputs:\n- topic: t\n- findings: a\nb\n\nConstraints:\n- rule"

    assert (task_input(prompt, "topic"), task_input(prompt, "findings")) == ("t", "a\nb")
    assert task_input(prompt, "other") == prompt
    assert task_input("plain text", "topic") == "plain text"


def test_graph_shape_matches_its_snapshot():
    drawn = graph.get_graph().draw_mermaid() + "\n"
    if os.environ.get("FLEETGRAPH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(drawn)
    assert drawn == SNAPSHOT.read_text()
    assert "research --> analysis;" in drawn and "report_writer --> formatter;" in drawn


@pytest.mark.parametrize("text", ["", "   "])
async def test_an_empty_request_is_a_clear_error(text):
    from fleetgraph.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        await graph.ainvoke(ask(text), context=OFFLINE)
