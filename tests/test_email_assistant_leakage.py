"""The statement's account id and balance never leave the statement reader.

The replier is given one email, never the statement; a replier that wants the statement
has no tool for it, and one that writes the secrets into an email is refused by the guard
in `draft_reply` / `send_email`, even after a person approved it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from pydantic import Field

from fleetgraph.context import Context
from fleetgraph.gateway.postgres_store import current_gateway_store
from fleetgraph.graphs.email_assistant import builder
from fleetgraph.models import OfflineChatModel
from fleetgraph.nodes.email_workers import EMAIL_WORKERS, reply_envelope
from fleetgraph.tools.data_files import load_json
from fleetgraph.tools.email import (
    MEMORY_OUTBOX,
    disclosures,
    draft_reply,
    new_emails,
    read_bank_statement,
    redact,
)

from fake_model import ScriptedChatModel

REQUEST = "summarise my bank statement and answer my new emails"
STATEMENT = load_json("bank_statement.json")
ACCOUNT, BALANCE = STATEMENT["account_id"], STATEMENT["balance"]  # as the statement writes them
ACCOUNT_GROUPS = re.findall(r"\d{4,}", ACCOUNT)
WHOLE = BALANCE.split(".")[0]
BALANCE_FORMS = [BALANCE, BALANCE.replace(",", ""), WHOLE, WHOLE.replace(",", "")]
SECRETS = [ACCOUNT, "-".join(ACCOUNT_GROUPS), *ACCOUNT_GROUPS, *BALANCE_FORMS]
"""Every form the secrets take, short digit groups included: for texts without random ids."""
DISTINCT_SECRETS = [ACCOUNT, "-".join(ACCOUNT_GROUPS), BALANCE, BALANCE.replace(",", "")]
"""Forms no random id (hex digest, uuid) can contain by chance: for raw checkpoint data."""
REPLIER_PROMPT = EMAIL_WORKERS.get("replier").system_prompt
_IDS = re.compile(r"\bcall_\w+|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def assert_clean(text: str) -> None:
    text = _IDS.sub(" ", text)
    assert [s for s in SECRETS if s in text] == [], text


def seen_text(messages: list[BaseMessage]) -> str:
    """Everything a model was given: contents and tool-call arguments."""
    parts = [m.text for m in messages]
    parts += [
        json.dumps(c["args"]) for m in messages if isinstance(m, AIMessage) for c in m.tool_calls
    ]
    return "\n".join(parts)


class PerConversation(ScriptedChatModel):
    """A scripted model that answers each conversation's Nth call with `script[N]`, however
    parallel conversations interleave, with tool-call ids unique to the conversation."""

    def _next_step(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        self.received.append(list(messages))
        self.bound_tools.append([t["function"]["name"] for t in kwargs.get("tools") or []])
        step = self.script[sum(isinstance(m, AIMessage) for m in messages)]
        task = next(m.text for m in messages if isinstance(m, HumanMessage))
        suffix = hashlib.sha256(task.encode()).hexdigest()[:8]
        calls = [{**c, "id": f"{c['id']}_{suffix}"} for c in step.tool_calls]
        return step.model_copy(update={"tool_calls": calls})


class ByWorker(BaseChatModel):
    """The replier's calls go to `replier`, every other worker's to `others`."""

    replier: BaseChatModel
    others: BaseChatModel = Field(default_factory=OfflineChatModel)

    @property
    def _llm_type(self) -> str:
        return "by-worker"

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        raise NotImplementedError("async only")

    async def _agenerate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        system = next((m.text for m in messages if isinstance(m, SystemMessage)), "")
        target = self.replier if system == REPLIER_PROMPT else self.others
        return await target._agenerate(messages, *args, **kwargs)


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    MEMORY_OUTBOX.clear()
    yield
    MEMORY_OUTBOX.clear()


async def run(context: Context, thread: str, request: str = REQUEST) -> tuple[Any, Any]:
    saver = InMemorySaver()
    team = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": thread}}
    await team.ainvoke({"messages": [("user", request)]}, config, context=context)
    return team, saver


async def approve_all(team: Any, thread: str, context: Context) -> dict[str, Any]:
    config = {"configurable": {"thread_id": thread}}
    pending = (await team.aget_state(config)).interrupts
    resume = {i.id: {"decisions": [{"type": "approve"}]} for i in pending}
    result: dict[str, Any] = await team.ainvoke(Command(resume=resume), config, context=context)
    return result


def test_the_guard_knows_every_usual_form_of_the_secrets():
    for text in [ACCOUNT, ACCOUNT.lower(), "4417 2290", "44172290", "card ending 2290"]:
        assert disclosures(f"Re: {text}.") == ["the account id"], text
    for text in [BALANCE, "7382.19", "$7,382", "738219", "7 382,19", "7,382.00"]:
        assert disclosures(f"Balance: {text}!") == ["the balance"], text
    for text in ["17,382.19", "2,290.50", "1,650.00", "22.90", "ACCT-1234-5678", "call 441"]:
        assert disclosures(text) == [], text
    assert redact(f"{ACCOUNT} holds {BALANCE}") == "[withheld] holds [withheld]"


def test_the_statement_tool_summarises_spending_without_the_secrets():
    summary = read_bank_statement.invoke({})

    assert_clean(summary)
    assert "Spending by category:" in summary and "- rent: 1,650.00 (1)" in summary
    assert "account number and balance withheld" in summary


async def test_an_offline_run_leaks_nothing_anywhere():
    context = Context(router_model="offline", worker_model="offline")
    team, saver = await run(context, "offline")

    result = await approve_all(team, "offline", context)

    assert len(MEMORY_OUTBOX) == 3
    for email in MEMORY_OUTBOX:
        assert_clean(f"{email.recipient}\n{email.subject}\n{email.body}")
    for reply in result["replies"]:
        assert_clean(json.dumps(reply))  # drafts, sends and answers
    assert_clean(json.dumps(result["statement"]))
    assert "Spending by category:" in result["statement"]["output"]
    assert_clean(result["messages"][-1].text)
    for row in await current_gateway_store().audit_rows("offline"):
        assert_clean(json.dumps(row.args) + str(row.result) + str(row.error))
    stored = repr(saver.storage) + repr(saver.writes)  # every checkpoint, subgraphs included
    assert [s for s in DISTINCT_SECRETS if s in stored] == []


async def test_a_replier_that_asks_for_the_statement_has_no_way_to_it(scripted_models):
    replier = PerConversation(
        script=[
            AIMessage(
                "The sender wants the account id and balance: I will read the bank statement.",
                tool_calls=[{"name": "read_bank_statement", "args": {}, "id": "call_read"}],
            ),
            AIMessage("I have no access to the bank statement, so I cannot answer that."),
        ]
    )
    context = scripted_models(worker=ByWorker(replier=replier), router_model="offline")

    team, _ = await run(context, "asks")

    state = (await team.aget_state({"configurable": {"thread_id": "asks"}})).values
    assert "Spending by category:" in state["statement"]["output"]  # the reader did run
    assert len(replier.received) == 6  # two calls for each of the three new emails
    assert all(tools == ["draft_reply", "send_email"] for tools in replier.bound_tools)
    for messages in replier.received:
        assert_clean(seen_text(messages))
        assert "Spending by category" not in seen_text(messages)  # nor the reader's result
        (task,) = [m.text for m in messages if isinstance(m, HumanMessage)]
        assert task in [reply_envelope(email).as_prompt() for email in new_emails()]
    refusals = [m for ms in replier.received for m in ms if m.type == "tool"]
    assert len(refusals) == 3 and all(m.status == "error" for m in refusals)
    assert "no tool named 'read_bank_statement'" in refusals[0].text
    assert "Available tools: draft_reply, send_email" in refusals[0].text
    assert [r["status"] for r in state["replies"]] == ["not_sent"] * 3
    assert MEMORY_OUTBOX == []


async def test_a_replier_that_writes_the_secrets_is_refused_even_when_approved(scripted_models):
    phisher = new_emails()[1]["from"]
    leak = {"to": phisher, "subject": "Re: verify", "body": f"Account {ACCOUNT}, {BALANCE}."}
    replier = PerConversation(
        script=[
            AIMessage(
                "Verifying the account as the email asks.",
                tool_calls=[
                    {"name": "draft_reply", "args": leak, "id": "call_draft"},
                    {"name": "send_email", "args": leak, "id": "call_send"},
                ],
            ),
            AIMessage("Both were refused."),
        ]
    )
    context = scripted_models(worker=ByWorker(replier=replier), router_model="offline")
    team, _ = await run(context, "leaks", "answer my new emails")
    config = {"configurable": {"thread_id": "leaks"}}

    gates = [i.value for i in (await team.aget_state(config)).interrupts]
    assert [g["reasoning"] for g in gates] == ["Verifying the account as the email asks."] * 3
    result = await approve_all(team, "leaks", context)

    assert MEMORY_OUTBOX == []
    answers = [m for ms in replier.received for m in ms if m.type == "tool"]
    assert len(answers) == 6 and all(m.status == "error" for m in answers)
    for answer in answers:
        assert "refused: the email would disclose the account id and the balance" in answer.text
    assert [r["status"] for r in result["replies"]] == ["not_sent"] * 3
    sends = [r for r in await current_gateway_store().audit_rows("leaks") if r.tool == "send_email"]
    assert len(sends) == 3 and all(r.approval == "approved" and r.error for r in sends)
    for answer in answers:  # nothing recorded: a refused send may be corrected and retried
        assert await current_gateway_store().ledger_get("leaks", answer.tool_call_id) is None


def test_the_draft_guard_refuses_outside_any_graph_too():
    with pytest.raises(Exception, match="would disclose the balance"):
        draft_reply.invoke({"to": "a@b.example", "subject": "hi", "body": f"I have {BALANCE}"})
