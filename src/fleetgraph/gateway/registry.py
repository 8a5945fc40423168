"""The tool registry: every tool is registered once, with its policy; workers pick by name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.tools import BaseTool

from fleetgraph.errors import ConfigurationError
from fleetgraph.gateway.policy import ToolPolicy

DEFAULT_POLICY = ToolPolicy()


@dataclass(frozen=True)
class RegisteredTool:
    tool: BaseTool
    policy: ToolPolicy

    @property
    def name(self) -> str:
        return self.tool.name


class ToolRegistry:
    """Tools by name. Registering validates fallback chains; lookups fail clearly."""

    def __init__(self) -> None:
        self._tools: dict[str, RegisteredTool] = {}

    def register(self, tool: BaseTool, policy: ToolPolicy = DEFAULT_POLICY) -> BaseTool:
        if tool.name in self._tools:
            raise ConfigurationError(f"A tool named '{tool.name}' is already registered.")
        for fallback in policy.fallbacks:
            if fallback not in self._tools:
                raise ConfigurationError(
                    f"Fallback '{fallback}' of '{tool.name}' must be registered before it."
                )
        self._tools[tool.name] = RegisteredTool(tool, policy)
        return tool

    def get(self, name: str) -> RegisteredTool | None:
        return self._tools.get(name)

    def policy(self, name: str) -> ToolPolicy:
        registered = self._tools.get(name)
        return registered.policy if registered else DEFAULT_POLICY

    def select(self, *names: str) -> tuple[BaseTool, ...]:
        """The tools a worker may use, by name; an unknown name is a configuration error."""
        missing = [name for name in names if name not in self._tools]
        if missing:
            known = ", ".join(sorted(self._tools))
            raise ConfigurationError(f"Unknown tools {missing}; registered: {known}.")
        return tuple(self._tools[name].tool for name in names)

    def chain(self, name: str, bound: BaseTool | None = None) -> list[RegisteredTool]:
        """The tool followed by its fallbacks, each once, in order.

        A tool bound to a worker but never registered runs alone under the default policy.
        """
        if name not in self._tools:
            return [RegisteredTool(bound, DEFAULT_POLICY)] if bound is not None else []
        seen: list[RegisteredTool] = []
        for candidate in (name, *self.policy(name).fallbacks):
            registered = self._tools.get(candidate)
            if registered is not None and registered not in seen:
                seen.append(registered)
        return seen

    def __iter__(self) -> Iterator[RegisteredTool]:
        return iter(self._tools.values())

    def __contains__(self, name: object) -> bool:
        return name in self._tools
