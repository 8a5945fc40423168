"""Reporting tools: figures out of research text, a structured report, markdown layout.

The offline model fills every string argument with its whole task text (a `TaskEnvelope`
prompt), so each tool first reads the input it needs out of such a text with `task_input`;
a model that passes the value itself is unaffected.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from langchain_core.tools import tool

from fleetgraph.models.rules import content_words
from fleetgraph.tools.analytics import describe_numbers, growth_rate

LINE_WIDTH = 80
MAX_OTHER_FACTS = 6
_INPUT_LINE = re.compile(r"^- ([a-z_][a-z0-9_]*): ", re.M)
_FIGURE = re.compile(
    r"(?P<metric>[A-Za-z][A-Za-z -]*?) in (?P<quarter>Q[1-4]) (?P<year>\d{4}) (?:was|were) "
    r"(?P<dollar>\$)?(?P<value>\d[\d,]*(?:\.\d+)?)(?P<unit> million| thousand|%)?"
)
_NOTE_PREFIX = re.compile(r"^[A-Z]+-\d+ [^:\n]*:\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TITLE_WORD = re.compile(r"[A-Za-z][\w-]*")
# Request verbs and question words that do not belong in a report's title.
_TITLE_SKIP = frozenset(
    [
        "write",
        "draft",
        "report",
        "compose",
        "summary",
        "summarise",
        "summarize",
        "give",
        "tell",
        "show",
        "many",
        "much",
        "did",
        "per",
    ]
)


def task_input(text: str, name: str) -> str:
    """The value of input `name` when `text` is a task envelope's prompt, else `text` itself.

    An envelope prompt lists its inputs as `- name: value` lines under `Inputs:`; a value
    runs to the next input line or to the `Constraints:` block.
    """
    _, found, block = text.partition("\nInputs:\n")
    if not found:
        return text
    block = block.split("\n\nConstraints:\n", 1)[0]
    starts = list(_INPUT_LINE.finditer(block))
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        if here.group(1) == name:
            return block[here.end() : after.start() if after else len(block)].strip()
    return text


@tool
def extract_figures(text: str) -> str:
    """Extract the figures from research notes and analyse each metric per quarter: growth
    rate and percent change between quarters, overall trend, average (mean), minimum and
    maximum. Returns one finding a line, other facts with figures after them."""
    research = task_input(text, "research")
    series: dict[tuple[str, str], dict[tuple[int, str], float]] = {}
    units: dict[tuple[str, str], tuple[bool, str]] = {}
    others: list[str] = []
    for sentence in _sentences(research):
        matches = list(_FIGURE.finditer(sentence))
        if not matches and any(c.isdigit() for c in sentence):
            others.append(sentence)
        for match in matches:
            metric = " ".join(match["metric"].split())
            unit = (match["unit"] or "").strip()
            key = (metric.lower(), unit)
            period = (int(match["year"]), match["quarter"])
            series.setdefault(key, {}).setdefault(period, float(match["value"].replace(",", "")))
            units.setdefault(key, (bool(match["dollar"]), unit))
    findings = [
        _series_finding(metric, points, *units[(metric, unit)])
        for (metric, unit), points in series.items()
    ]
    findings += others[:MAX_OTHER_FACTS]
    if not findings:
        return "No figures were found in the research."
    return "\n".join(findings)


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        for sentence in _SENTENCE_END.split(_NOTE_PREFIX.sub("", line.strip())):
            if sentence.strip():
                yield sentence.strip()


def _series_finding(
    metric: str, points: dict[tuple[int, str], float], dollar: bool, unit: str
) -> str:
    periods = sorted(points)
    values = [points[p] for p in periods]
    name = metric[:1].upper() + metric[1:]

    suffix = "%" if unit == "%" else f" {unit}" if unit else ""

    def amount(value: float) -> str:
        return f"{'$' if dollar else ''}{value:,.10g}{suffix}"

    first, last = f"{periods[0][1]} {periods[0][0]}", f"{periods[-1][1]} {periods[-1][0]}"
    if len(values) == 1:
        return f"{name} in {first} was {amount(values[0])}."
    if unit == "%":
        change = f"{values[-1] - values[0]:+.10g} points"
    else:
        change = "n/a" if values[0] == 0 else f"{(values[-1] - values[0]) / values[0] * 100:+.1f}%"
    verb = "rose" if values[-1] > values[0] else "fell" if values[-1] < values[0] else "held"
    measure = f" ({'USD ' if dollar else ''}{unit})" if dollar or unit else ""
    growth = str(growth_rate.invoke({"values": values})).removeprefix("changes: ")
    stats = describe_numbers.invoke({"values": values})
    return (
        f"{name} {verb} from {amount(values[0])} in {first} to {amount(values[-1])} in {last} "
        f"({change}). Changes between reported quarters: {growth}. "
        f"Statistics{measure}: {stats}."
    )


@tool
def compose_report(topic: str, findings: str) -> str:
    """Compose a structured report on a topic from analysis findings (one finding a line):
    a title, a summary and the findings as a list."""
    topic = task_input(topic, "topic")
    items = [
        line.strip().lstrip("-*• ").strip()
        for line in task_input(findings, "findings").splitlines()
        if line.strip()
    ]
    if not items:
        items = ["No findings were available for this topic."]
    headline = _SENTENCE_END.split(items[0], 1)[0]
    count = (
        "The finding below comes" if len(items) == 1 else f"The {len(items)} findings below come"
    )
    summary = f"{headline} {count} from the analysis of the research notes."
    lines = [f"# {_title(topic)}", "", "## Summary", "", summary, "", "## Findings", ""]
    lines += [f"- {item}" for item in items]
    return "\n".join(lines)


def _title(topic: str) -> str:
    first_line = topic.strip().splitlines()[0] if topic.strip() else ""
    terms = [
        word
        for word in _TITLE_WORD.findall(first_line)
        if content_words(word) and word.lower() not in _TITLE_SKIP
    ]
    return " ".join(word[:1].upper() + word[1:] for word in terms[:6]) or "Report"


@tool
def format_markdown(text: str) -> str:
    """Format a markdown document: normalise headings, blank lines and bullets, and wrap
    lines to 80 characters. Keeps the content and code blocks as they are."""
    out: list[str] = []
    previous = ""
    for kind, level, marker, body in _normalised_headings(_blocks(task_input(text, "report"))):
        # Items of one list stay together; a bullet list and a numbered list do not.
        this = f"{kind}:{marker[:1].isdigit()}"
        if out and not (kind == "item" and this == previous):
            out.append("")
        if kind == "heading":
            out.append(f"{'#' * level} {body}")
        elif kind == "verbatim":
            out.append(body)
        elif kind == "item":
            indent = "  " * level
            out.append(_wrap(body, f"{indent}{marker} ", indent + " " * (len(marker) + 1)))
        else:
            out.append(_wrap(body, "", ""))
        previous = this
    return "\n".join(out)


Block = tuple[str, int, str, str]
"""(kind, level, marker, text): kind is heading, item, paragraph or verbatim."""
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)([-*+\u2022\u00b7\u2013]|\d+[.)])\s+(.*)$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")


def _blocks(text: str) -> list[Block]:
    """Parse the text into blocks, joining soft-wrapped lines into their block."""
    blocks: list[Block] = []
    lines = text.expandtabs(4).splitlines()
    fence: list[str] | None = None
    joinable = skip = False
    for i, line in enumerate(lines):
        stripped, following = line.strip(), lines[i + 1] if i + 1 < len(lines) else ""
        if skip:
            skip = False
            continue
        if fence is not None or stripped.startswith("```"):
            fence = [*(fence or []), line]
            if len(fence) > 1 and stripped.startswith("```"):
                blocks.append(("verbatim", 0, "", "\n".join(fence)))
                fence = None
            joinable = False
            continue
        continues = False
        if not stripped:
            pass
        elif heading := _ATX.match(line):
            blocks.append(("heading", len(heading[1]), "", heading[2]))
        elif not joinable and not _ITEM.match(line) and _UNDERLINE.match(following):
            level = 1 if following.strip().startswith("=") else 2
            blocks.append(("heading", level, "", stripped))
            skip = True
        elif stripped.startswith("|") and blocks and blocks[-1][3].startswith("|") and joinable:
            blocks[-1] = ("verbatim", 0, "", f"{blocks[-1][3]}\n{line.rstrip()}")
            continues = True
        elif stripped.startswith("|") or _UNDERLINE.match(line):
            blocks.append(("verbatim", 0, "", line.rstrip()))
            continues = stripped.startswith("|")
        elif item := _ITEM.match(line):
            marker = item[2].replace(")", ".") if item[2][0].isdigit() else "-"
            blocks.append(("item", len(item[1]) // 2, marker, item[3]))
            continues = True
        elif joinable and blocks[-1][0] != "verbatim":
            kind, level, marker, body = blocks[-1]
            blocks[-1] = (kind, level, marker, f"{body} {stripped}")
            continues = True
        else:
            blocks.append(("paragraph", 0, "", stripped))
            continues = True
        joinable = continues
    if fence:
        blocks.append(("verbatim", 0, "", "\n".join(fence)))
    return blocks


def _normalised_headings(blocks: list[Block]) -> Iterator[Block]:
    """One top-level heading, and no heading more than one level below the one before."""
    levels = [level for kind, level, _, _ in blocks if kind == "heading"]
    shift = min(levels, default=1) - 1
    previous = 0
    for kind, level, marker, body in blocks:
        if kind == "heading":
            level = min(level - shift, previous + 1)
            level = max(level, 1 if previous == 0 else 2)
            previous = level
            body = " ".join(body.split())
        yield kind, level, marker, body


def _wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        LINE_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


REPORTING_TOOLS = (extract_figures, compose_report, format_markdown)
