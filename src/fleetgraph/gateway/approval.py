"""Approval gates: high-risk tool calls stop on `interrupt()` until a person decides.

Built on langchain's `HumanInTheLoopMiddleware` (its request shape, decision handling and
edit substitution), with what fleetgraph adds: which calls stop comes from each tool's risk
level and the run's `Context.approval_required`; the request carries the risk level and
the worker's reasoning; the answer is validated so a malformed one leaves the gate
pending; decisions are streamed as events and kept for the audit trail.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from langchain.agents.middleware import HumanInTheLoopMiddleware, InterruptOnConfig
from langchain.agents.middleware.human_in_the_loop import _HumanInTheLoopState
from langchain.agents.middleware.types import PrivateStateAttr
from langchain_core.messages import AIMessage, ToolCall, ToolMessage
from langgraph.errors import GraphInterrupt
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from fleetgraph.context import context_of
from fleetgraph.events import emit
from fleetgraph.gateway.decisions import response_schema
from fleetgraph.gateway.registry import ToolRegistry

APPROVALS_KEY = "fleetgraph_approvals"
ALLOWED_DECISIONS: list[Any] = ["approve", "edit", "reject"]


class ApprovalState(_HumanInTheLoopState[Any]):
    fleetgraph_approvals: NotRequired[Annotated[dict[str, dict[str, Any]], PrivateStateAttr]]
    """Decision and approver per reviewed tool-call id, for the gateway's audit rows."""


class ApprovalGateMiddleware(HumanInTheLoopMiddleware[Any, Any, Any]):
    state_schema = ApprovalState

    def __init__(self, registry: ToolRegistry, worker: str) -> None:
        self.registry = registry
        self.worker = worker
        gated = {
            registered.name: InterruptOnConfig(
                allowed_decisions=ALLOWED_DECISIONS, when=self._needs_approval
            )
            for registered in registry
        }
        super().__init__(interrupt_on=dict(gated))

    def _needs_approval(self, request: ToolCallRequest) -> bool:
        risk = self.registry.policy(request.tool_call["name"]).risk
        return risk in context_of(request.runtime).approval_required

    def after_model(self, state: Any, runtime: Runtime[Any]) -> dict[str, Any] | None:
        last = next((m for m in reversed(state["messages"]) if isinstance(m, AIMessage)), None)
        if last is None or not last.tool_calls:
            return None
        gated = [
            (index, call, self.interrupt_on[call["name"]])
            for index, call in enumerate(last.tool_calls)
            if call["name"] in self.interrupt_on
            and self._should_interrupt(call, self.interrupt_on[call["name"]], state, runtime)
        ]
        if not gated:
            return {"hitl_edited_tool_calls": {}} if state.get("hitl_edited_tool_calls") else None
        request = self._review_request(last, gated, state, runtime)
        try:
            answer = interrupt(request, response_schema=response_schema(len(gated)))
        except GraphInterrupt:
            emit("approval_requested", self.worker, actions=request["action_requests"])
            raise
        return self._apply(last, gated, answer.model_dump(exclude_none=True))

    async def aafter_model(self, state: Any, runtime: Runtime[Any]) -> dict[str, Any] | None:
        return self.after_model(state, runtime)

    def _review_request(
        self,
        last: AIMessage,
        gated: list[tuple[int, ToolCall, InterruptOnConfig]],
        state: Any,
        runtime: Runtime[Any],
    ) -> dict[str, Any]:
        actions, configs = [], []
        for _, call, config in gated:
            action, review = self._create_action_and_config(call, config, state, runtime)
            actions.append({**action, "risk": self.registry.policy(call["name"]).risk})
            configs.append(review)
        return {
            "action_requests": actions,
            "review_configs": configs,
            "worker": self.worker,
            "reasoning": last.text or "(the worker gave no reasoning with this call)",
        }

    def _apply(
        self,
        last: AIMessage,
        gated: list[tuple[int, ToolCall, InterruptOnConfig]],
        answer: dict[str, Any],
    ) -> dict[str, Any]:
        by_index = {
            index: (config, decision)
            for (index, _, config), decision in zip(gated, answer["decisions"], strict=True)
        }
        revised: list[ToolCall] = []
        rejections: list[ToolMessage] = []
        edits: dict[str, Any] = {}
        approvals: dict[str, dict[str, Any]] = {}
        for index, call in enumerate(last.tool_calls):
            if index not in by_index:
                revised.append(call)
                continue
            config, decision = by_index[index]
            kept, rejection = self._process_decision(decision, call, config)
            if decision["type"] == "edit":
                edits[call["id"] or ""] = decision["edited_action"]
            approvals[call["id"] or ""] = {
                "decision": {"approve": "approved", "edit": "edited", "reject": "rejected"}[
                    decision["type"]
                ],
                "approver": answer.get("approver"),
            }
            emit("approval_decided", self.worker, tool=call["name"], **approvals[call["id"] or ""])
            if kept is not None:
                revised.append(kept)
            if rejection is not None:
                rejections.append(rejection)
        last.tool_calls = revised
        return {
            "messages": [last, *rejections],
            "hitl_edited_tool_calls": edits,
            APPROVALS_KEY: approvals,
        }
