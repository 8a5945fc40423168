"""The loop guard: delegation and planning limits, and refusing a task given twice.

A supervisor that keeps delegating (a model looping on the same plan, or workers handing a
task back and forth) must end. Three rules, all per run: at most `max_delegations` tasks
run, at most `max_supervisor_steps` supervisor model calls, and the same worker never
gets the same goal twice. A refused task is answered with the reason, not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fleetgraph.context import Context
from fleetgraph.nodes.supervisor_state import MemberTask, StopReason

REPEATED = "{worker} was already given this goal in this run; use that result instead."
OVER_LIMIT = "max_delegations={limit} reached; no more tasks can run in this run."


@dataclass
class Admission:
    """The candidates with `refused` set where refused, and which guards refused them."""

    tasks: list[MemberTask] = field(default_factory=list)
    over_limit: bool = False
    repeated: bool = False

    @property
    def admitted(self) -> list[MemberTask]:
        return [task for task in self.tasks if task["refused"] is None]

    def stop_reason(self) -> StopReason | None:
        """A limit stops the run; repeats stop it only when nothing new is left to run."""
        if self.over_limit:
            return "max_delegations"
        if self.repeated and not self.admitted:
            return "cycle"
        return None


def task_key(worker: str, goal: str) -> tuple[str, str]:
    """What makes two tasks "the same": the worker and the goal, case and spacing aside."""
    return worker, " ".join(goal.lower().split())


def admit(candidates: list[MemberTask], earlier: list[MemberTask], context: Context) -> Admission:
    """Apply the loop guard to `candidates`, given the run's `earlier` tasks."""
    admission = Admission()
    ran = [task for task in earlier if task["refused"] is None]
    seen = {task_key(task["worker"], task["goal"]) for task in ran}
    remaining = context.max_delegations - len(ran)
    for task in candidates:
        key = task_key(task["worker"], task["goal"])
        if task["refused"] is None and key in seen:
            admission.repeated = True
            task = {**task, "refused": REPEATED.format(worker=task["worker"])}
        elif task["refused"] is None and remaining <= 0:
            admission.over_limit = True
            task = {**task, "refused": OVER_LIMIT.format(limit=context.max_delegations)}
        elif task["refused"] is None:
            seen.add(key)
            remaining -= 1
        admission.tasks.append(task)
    return admission


def out_of_steps(steps: int, context: Context) -> bool:
    return steps >= context.max_supervisor_steps
