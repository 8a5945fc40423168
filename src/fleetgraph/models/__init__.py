"""Chat models: the `"provider:model"` loader and the offline model."""

from fleetgraph.models.loader import (
    is_offline,
    load_chat_model,
    register_chat_model,
    unregister_chat_model,
)
from fleetgraph.models.offline import OfflineChatModel

__all__ = [
    "OfflineChatModel",
    "is_offline",
    "load_chat_model",
    "register_chat_model",
    "unregister_chat_model",
]
