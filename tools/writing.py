"""Writing tools: text statistics and a structured outline for a draft."""

from __future__ import annotations

import re

from langchain_core.tools import tool

from fleetgraph.models.rules import content_words

WORDS_PER_MINUTE = 230


@tool
def text_statistics(text: str) -> str:
    """Count words, sentences and reading time of a text, to check length and tone."""
    words = re.findall(r"\b\w+\b", text)
    sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
    minutes = len(words) / WORDS_PER_MINUTE
    return f"words={len(words)}, sentences={len(sentences)}, reading_time={minutes:.1f} min"


@tool
def draft_outline(topic: str) -> str:
    """Write, draft or plan a document, post, email or report: an outline with a title and
    sections built from the topic's key terms."""
    skip = {"write", "draft", "outline", "post", "report", "email", "blog"}
    terms = list(dict.fromkeys(w for w in content_words(topic) if w not in skip))
    title = " ".join(word.capitalize() for word in terms[:6]) or "Untitled"
    sections = ["Introduction", *[f"About {term}" for term in terms[:3]], "Conclusion"]
    body = "\n".join(f"{n}. {name}" for n, name in enumerate(sections, 1))
    return f"Title: {title}\n{body}"
