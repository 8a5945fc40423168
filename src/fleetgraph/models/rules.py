"""The offline model's rules: keyword matching, option picking and argument filling.

Deliberately simple and deterministic: the same prompt always gives the same answer, so the
orchestration around it (routes, tools, approval gates) can be demonstrated and tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_EXPRESSION = re.compile(r"\d\s*[-+*/%^]\s*\(?\s*\d")
_TIMEZONE = re.compile(r"\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")
_IDENTIFIER = re.compile(r"\b[A-Za-z]*[-_]?\d[\w-]*\b")
_PATH = re.compile(r"(?<![\w:/.~-])(?:~|\.{1,2})?/[\w.~+@%=-]+(?:/[\w.~+@%=-]+)*/?")
_PATH_ARGS = frozenset({"path", "dir", "directory", "folder", "repo", "repository", "root"})
_INPUT_LINE = re.compile(r"^- ([a-z_][a-z0-9_]*): ", re.M)
_ENVELOPE_BLOCK = re.compile(r"\n\n(?:Constraints|Inputs):\n")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "should",
        "so",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "about",
        "into",
        "any",
        "some",
        "all",
        "just",
        "get",
        "have",
        "has",
    ]
)
_SUFFIXES = ("ing", "ies", "es", "ed", "s")


def stem(word: str) -> str:
    """A crude suffix-stripping stem, enough to match 'averages' with 'average'."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def content_words(text: str) -> list[str]:
    """The words of a text in order, without stopwords or bare numbers."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and not w.isdigit()]


def keywords(text: str) -> set[str]:
    """Stemmed content words; an arithmetic expression in the text counts as 'calculate'.

    Words inside URLs and filesystem paths are not keywords: '/tmp/tests/x' says where,
    not what, and must not make a request look like it is about tests.
    """
    text = _PATH.sub(" ", _URL.sub(" ", text))
    found = {stem(word) for word in content_words(text)}
    if _EXPRESSION.search(text):
        found.add(stem("calculate"))
    return found


def overlap(request: str, description: str) -> set[str]:
    """The request's keywords that the description also uses."""
    return keywords(request) & keywords(description)


@dataclass(frozen=True)
class Choice:
    """An option picked for a request, with how sure the rules are and why."""

    option: str
    confidence: float
    matched: tuple[str, ...]

    @property
    def reason(self) -> str:
        if not self.matched:
            return f"no keyword matched any option; chose '{self.option}' as the fallback"
        return f"matched keywords {', '.join(self.matched)} for '{self.option}'"


def choose(request: str, options: dict[str, str], fallback: str | None = None) -> Choice:
    """Pick the option whose description shares most keywords with the request.

    Confidence is the winning margin m over the runner-up mapped to m / (m + 1): one keyword
    ahead gives 0.5, two give 0.67, a tie gives 0.
    """
    scored = sorted(
        ((len(overlap(request, f"{name} {text}")), name) for name, text in options.items()),
        key=lambda pair: -pair[0],
    )
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if best_score == 0:
        return Choice(fallback or best, 0.0, ())
    margin = best_score - runner_up
    matched = tuple(sorted(overlap(request, f"{best} {options[best]}")))
    return Choice(best, round(margin / (margin + 1), 2), matched)


def described_options(system_text: str, names: list[str]) -> dict[str, str]:
    """Descriptions of named options as a prompt lists them ("- name: what it does")."""
    found = {}
    for name in names:
        match = re.search(rf"^\s*[-*]?\s*`?{re.escape(name)}`?\s*[:—-]\s*(.+)$", system_text, re.M)
        found[name] = match.group(1) if match else name
    return found


def numbers(text: str) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text)]


def fill_arguments(
    parameters: dict[str, Any], request: str, system_text: str = ""
) -> dict[str, Any]:
    """Arguments for a JSON-schema'd tool, extracted from the request by rule.

    Required fields are always filled; optional ones only when the request clearly has them.
    An enum field is chosen with `choose`, reading option descriptions from the prompt, and a
    `confidence`/`reason` field beside it reports that choice.
    """
    properties: dict[str, Any] = parameters.get("properties", {})
    required = set(parameters.get("required", []))
    args: dict[str, Any] = {}
    choice: Choice | None = None
    for name, spec in properties.items():
        options = _enum_values(spec, parameters)
        if options:
            fallback = next((o for o in options if o in {"general", "other", "none"}), None)
            choice = choose(request, described_options(system_text, options), fallback)
            args[name] = choice.option
    for name, spec in properties.items():
        if name in args:
            continue
        value = _value_for(name, spec, request, choice, name in required)
        if value is not None and (name in required or value not in ("", [])):
            args[name] = value
        elif name in required:
            args[name] = _empty_value(spec)
    return args


def _enum_values(spec: dict[str, Any], parameters: dict[str, Any]) -> list[str]:
    if "enum" in spec:
        return [str(v) for v in spec["enum"]]
    ref = spec.get("$ref", "")
    if ref:
        target = parameters.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {})
        return [str(v) for v in target.get("enum", [])]
    return []


def _value_for(
    name: str, spec: dict[str, Any], request: str, choice: Choice | None, required: bool
) -> Any:
    kind = spec.get("type")
    lowered = name.lower()
    if kind in ("number", "integer"):
        if lowered == "confidence" and choice is not None:
            return choice.confidence
        found = numbers(request)
        if not found:
            return None
        return int(found[0]) if kind == "integer" else found[0]
    if kind == "array":
        item_type = spec.get("items", {}).get("type")
        if item_type in ("number", "integer"):
            found = numbers(request)
            return [int(n) for n in found] if item_type == "integer" else found
        return [request] if item_type == "string" else []
    if kind == "boolean":
        return spec.get("default", False)
    if kind == "object":
        return {}
    return _string_for(lowered, request, choice, required)


def _string_for(name: str, request: str, choice: Choice | None, required: bool) -> str | None:
    if (named := _named_input(name, request)) is not None:
        return named
    if name in ("reason", "rationale", "reasoning", "why") and choice is not None:
        return choice.reason
    if name in _PATH_ARGS or name.endswith(("_path", "_dir", "_directory")):
        match = _PATH.search(request)
        return match.group(0).rstrip(".") if match else ""
    if "email" in name or name in ("to", "recipient"):
        match = _EMAIL.search(request)
        return match.group(0) if match else ""
    if "url" in name or "link" in name:
        match = _URL.search(request)
        return match.group(0) if match else ""
    if name == "id" or name.endswith("_id"):
        match = _IDENTIFIER.search(request)
        return match.group(0) if match else ""
    if "timezone" in name or name == "tz":
        match = _TIMEZONE.search(request)
        return match.group(0) if match else ""
    return request if required else None


def _named_input(name: str, request: str) -> str | None:
    """The value of input `name` when the request is a task envelope's prompt, which lists
    its inputs as `- name: value` lines under `Inputs:` (see `TaskEnvelope.as_prompt`).

    A value runs to the next input line, to the `Constraints:` block, or to the `Inputs:`
    of an envelope quoted in it, as `fleetgraph.tools.reporting.task_input` reads them.
    """
    _, found, block = request.partition("\nInputs:\n")
    if not found:
        return None
    block = _ENVELOPE_BLOCK.split(block, maxsplit=1)[0]
    starts = list(_INPUT_LINE.finditer(block))
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        if here.group(1) == name:
            return block[here.end() : after.start() if after else len(block)].strip()
    return None


def _empty_value(spec: dict[str, Any]) -> Any:
    return {"string": "", "number": 0, "integer": 0, "boolean": False, "array": []}.get(
        spec.get("type", "string")
    )
