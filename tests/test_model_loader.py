"""Model strings: offline fallback, OpenAI-compatible base URLs, clear errors."""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI

from fleetgraph.context import Context
from fleetgraph.errors import ConfigurationError
from fleetgraph.models import OfflineChatModel, is_offline, load_chat_model


@pytest.fixture
def no_openai(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_offline_string_and_missing_key_select_the_offline_model(no_openai):
    assert isinstance(load_chat_model("offline"), OfflineChatModel)
    assert isinstance(load_chat_model("openai:gpt-4.1-mini"), OfflineChatModel)
    assert is_offline("openai:gpt-4.1-mini")


def test_a_key_selects_the_real_openai_client(monkeypatch, no_openai):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    model = load_chat_model("openai:gpt-4.1-mini")

    assert isinstance(model, ChatOpenAI) and model.model_name == "gpt-4.1-mini"


def test_openai_base_url_works_without_a_key(monkeypatch, no_openai):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")

    model = load_chat_model("openai:llama3")

    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == "http://127.0.0.1:11434/v1"
    assert not is_offline("openai:llama3")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpt-4", "not of the form 'provider:model'"),
        ("nosuch:model", "Unsupported provider='nosuch'"),
    ],
)
def test_bad_model_strings_are_clear_errors(spec, message):
    with pytest.raises(ConfigurationError, match=message):
        load_chat_model(spec)


def test_context_reads_unset_fields_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLEETGRAPH_WORKER_MODEL", "offline")
    monkeypatch.setenv("FLEETGRAPH_ROUTE_CONFIDENCE_THRESHOLD", "0.8")
    monkeypatch.setenv("FLEETGRAPH_APPROVAL_REQUIRED", "medium, high")

    context = Context(router_model="anthropic:claude")

    assert context.worker_model == "offline" and context.router_model == "anthropic:claude"
    assert context.route_confidence_threshold == 0.8
    assert context.approval_required == ("medium", "high")


@pytest.mark.parametrize(
    "kwargs",
    [{"approval_required": ("urgent",)}, {"route_confidence_threshold": 2.0}],
)
def test_context_refuses_bad_settings(kwargs):
    with pytest.raises(ConfigurationError):
        Context(**kwargs)
