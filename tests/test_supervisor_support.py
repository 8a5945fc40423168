"""Helpers for the supervisor and hierarchy tests (no tests here).

`AgentsModel` gives every agent of a team its own scripted model, so parallel workers and
teams do not race for one script: each call goes to the model of the agent whose system
prompt it carries ("You are <name>, ..."), and the tool schemas bound for it are kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolCall
from langchain_core.outputs import ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from fleetgraph.models import rules

from fake_model import ScriptedChatModel

_AGENT = re.compile(r"You are (\w+)")


class AgentsModel(BaseChatModel):
    """Dispatches each call to `agents[name]`, `name` read from the call's system prompt."""

    agents: dict[str, ScriptedChatModel]
    schemas: dict[str, list[list[dict[str, Any]]]] = Field(default_factory=dict)
    """Per agent and call, the full tool schemas bound (what the model was offered)."""

    @property
    def _llm_type(self) -> str:
        return "scripted-agents"

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _pick(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> ScriptedChatModel:
        system = next((m.text for m in messages if isinstance(m, SystemMessage)), "")
        match = _AGENT.match(system)
        assert match and match.group(1) in self.agents, f"no script for prompt {system[:60]!r}"
        self.schemas.setdefault(match.group(1), []).append(list(kwargs.get("tools") or []))
        return self.agents[match.group(1)]

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return self._pick(messages, kw)._generate(messages, stop, None, **kw)

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return await self._pick(messages, kw)._agenerate(messages, stop, None, **kw)


def call(name: str, call_id: str, **args: Any) -> ToolCall:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def calls(*tool_calls: ToolCall, content: str = "") -> AIMessage:
    """An AI message making several tool calls at once."""
    return AIMessage(content=content, tool_calls=list(tool_calls))


def ask(text: str) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": "user", "content": text}]}


def make_sample_repo(root: Path) -> Path:
    """A tiny package with one passing and one failing test, and a pyproject with one
    pinned and one unpinned dependency. Generated per test: never committed, so the
    suite's own pytest run does not collect its tests."""
    repo = root / "sample_repo"
    files = {
        "samplepkg/__init__.py": '"""A sample package."""\n',
        "samplepkg/maths.py": (
            "def add(a, b):\n    return a + b\n\n\n"
            "class Greeter:\n    def greet(self, name):\n"
            "        # TODO: localise the greeting\n        return f'hello {name}'\n"
        ),
        "tests/test_maths.py": (
            "from samplepkg.maths import Greeter, add\n\n\n"
            "def test_add():\n    assert add(2, 3) == 5\n\n\n"
            "def test_greet():\n    assert Greeter().greet('ada') == 'hi ada'\n"
        ),
        "pyproject.toml": (
            '[project]\nname = "samplepkg"\nversion = "0.1.0"\n'
            'dependencies = ["requests==2.32.3", "rich"]\n'
        ),
    }
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    return repo


def offline_fills_paths() -> bool:
    """Whether the offline model's rules fill `path` arguments with a path (and ignore
    path words when matching tools), which the offline end-to-end runs need."""
    schema = {"properties": {"path": {"type": "string"}}, "required": ["path"]}
    return (
        rules.fill_arguments(schema, "review the repository at /srv/app") == {"path": "/srv/app"}
        and rules.fill_arguments(schema, "x\n\nInputs:\n- path: /a b") == {"path": "/a b"}
        and "test" not in rules.keywords("/tmp/pytest-of-x/test_y0")
    )


OFFLINE_RULES_REASON = (
    "needs the offline model's path rules (models/rules.py change proposed with this work)"
)
