"""The shape of a reviewer's answer to an approval gate, validated before it is used.

LangGraph validates a resume value against `response_schema` and, when it does not match,
fails the resume without saving it, so a malformed decision is refused with a clear
error and the gate stays pending.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Approve(_Strict):
    type: Literal["approve"]


class EditedAction(_Strict):
    name: str
    args: dict[str, Any]


class Edit(_Strict):
    type: Literal["edit"]
    edited_action: EditedAction


class Reject(_Strict):
    type: Literal["reject"]
    message: str | None = None


Decision = Annotated[Approve | Edit | Reject, Field(discriminator="type")]


class ApprovalResponse(_Strict):
    """`{"decisions": [...], "approver": "..."}`: one decision per reviewed action, in order."""

    decisions: list[Decision]
    approver: str | None = Field(default=None, description="Who decided, for the audit trail.")


def response_schema(action_count: int) -> type[ApprovalResponse]:
    """`ApprovalResponse` requiring exactly `action_count` decisions."""
    decisions: Any = Annotated[
        list[Decision], Field(min_length=action_count, max_length=action_count)
    ]
    return create_model(
        "ApprovalResponse",
        __base__=ApprovalResponse,
        decisions=(decisions, ...),
    )
