"""Turn a `"provider:model"` string into a chat model, falling back to the offline model."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel

from fleetgraph.errors import ConfigurationError
from fleetgraph.models.offline import OfflineChatModel

OFFLINE = "offline"
_REGISTERED: dict[str, BaseChatModel] = {}


def register_chat_model(name: str, model: BaseChatModel) -> None:
    """Make `model` loadable by `name` from any Context model field.

    For models that no `"provider:model"` string can build: a custom client, a fine-tuned
    wrapper, or a scripted model in tests.
    """
    _REGISTERED[name] = model


def unregister_chat_model(name: str) -> None:
    _REGISTERED.pop(name, None)


def is_offline(model: str) -> bool:
    """Whether `model` resolves to the offline model in the current environment.

    The offline model is used for the string `offline`, and for OpenAI models when neither
    `OPENAI_API_KEY` nor `OPENAI_BASE_URL` is set (so a fresh checkout runs without a key).
    """
    if model.strip() in _REGISTERED:
        return False
    provider, _ = split_model(model)
    if provider == OFFLINE:
        return True
    has_openai = bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))
    return provider == "openai" and not has_openai


def split_model(model: str) -> tuple[str, str]:
    """`"provider:name"` into its parts; a bare `offline` is its own provider."""
    spec = model.strip()
    if spec == OFFLINE:
        return OFFLINE, OFFLINE
    provider, sep, name = spec.partition(":")
    if not sep or not provider or not name:
        raise ConfigurationError(
            f"Model {model!r} is not of the form 'provider:model' (for example "
            "'openai:gpt-4.1-mini'), nor 'offline'."
        )
    return provider.lower(), name


def load_chat_model(model: str) -> BaseChatModel:
    """The chat model for a model string, built once per string and environment."""
    if registered := _REGISTERED.get(model.strip()):
        return registered
    base_url = os.environ.get("OPENAI_BASE_URL")
    has_key = bool(os.environ.get("OPENAI_API_KEY"))
    return _load(model.strip(), base_url, has_key)


def check_models(models: list[str]) -> None:
    """Load each model string once, so a bad one fails before a run starts."""
    for model in models:
        load_chat_model(model)


@lru_cache(maxsize=64)
def _load(model: str, openai_base_url: str | None, has_openai_key: bool) -> BaseChatModel:
    if is_offline(model):
        return OfflineChatModel()
    provider, name = split_model(model)
    kwargs: dict[str, Any] = {}
    if provider == "openai" and openai_base_url:
        kwargs["base_url"] = openai_base_url
        if not has_openai_key:
            kwargs["api_key"] = "not-needed"  # Ollama and vLLM accept any key
    try:
        return init_chat_model(name, model_provider=provider, **kwargs)
    except ImportError as error:
        raise ConfigurationError(
            f"Model provider '{provider}' needs an integration package that is not installed "
            f"({error}). Install it, or use 'offline' or an 'openai:' model."
        ) from None
    except ValueError as error:
        raise ConfigurationError(f"Cannot use model {model!r}: {error}") from None
