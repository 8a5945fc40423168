"""The capability registry: workers declare what they do, patterns discover them here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from langchain_core.tools import BaseTool
from pydantic import BaseModel

from fleetgraph.errors import ConfigurationError


@dataclass(frozen=True)
class WorkerSpec:
    """One worker: its name, what it handles, how it is prompted and its only tools."""

    name: str
    description: str
    system_prompt: str
    tools: tuple[BaseTool, ...] = field(default_factory=tuple)
    input_schema: type[BaseModel] | None = None
    """Schema of the envelope's `inputs` this worker expects, if any."""
    handoff_peers: tuple[str, ...] = ()
    """Workers this one may hand a task to, with a payload."""
    model_role: str = "worker"
    """Which Context model field this worker thinks with."""

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(tool.name for tool in self.tools)


class WorkerRegistry:
    """Workers by name, in registration order. Adding a worker is one `register` call."""

    def __init__(self, specs: Iterable[WorkerSpec] = ()) -> None:
        self._specs: dict[str, WorkerSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: WorkerSpec) -> WorkerSpec:
        if spec.name in self._specs:
            raise ConfigurationError(f"A worker named '{spec.name}' is already registered.")
        self._specs[spec.name] = spec
        return spec

    def get(self, name: str) -> WorkerSpec:
        try:
            return self._specs[name]
        except KeyError:
            known = ", ".join(self._specs) or "none"
            raise ConfigurationError(f"No worker named '{name}' (known: {known}).") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def catalogue(self) -> str:
        """One '- name: description' line per worker, the form prompts list options in."""
        return "\n".join(f"- {spec.name}: {spec.description}" for spec in self)

    def __iter__(self) -> Iterator[WorkerSpec]:
        return iter(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __len__(self) -> int:
        return len(self._specs)
