"""Reading the request out of a conversation, with clear errors for bad input."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AnyMessage, HumanMessage

from fleetgraph.errors import InvalidInputError

INPUT_EXAMPLE = '{"messages": [{"role": "user", "content": "reset my password"}]}'


def latest_request(messages: Sequence[AnyMessage]) -> str:
    """The text of the last user message; an error that shows the expected input if none."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            text = message.text.strip()
            if not text:
                raise InvalidInputError("The last user message is empty; say what you need.")
            return text
    raise InvalidInputError(f"The input has no user message. Expected for example {INPUT_EXAMPLE}")
