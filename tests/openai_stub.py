"""An OpenAI-compatible chat-completions server on loopback, replaying scripted replies.

It lets tests drive the real `langchain-openai` client (HTTP, JSON, parsing) offline.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StubReply:
    """One scripted completion: message content and/or tool calls, or an HTTP error."""

    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    prompt_tokens: int = 11
    completion_tokens: int = 7

    def body(self, model: str, index: int) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_stub_{index}_{n}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for n, (name, args) in enumerate(self.tool_calls)
            ]
        return {
            "id": f"chatcmpl-stub-{index}",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if self.tool_calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens,
            },
        }


@dataclass
class OpenAIStub:
    script: list[StubReply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reply(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(request)
            index = len(self.requests) - 1
        if index >= len(self.script):
            return 500, {"error": {"message": f"stub: no reply scripted for call {index}"}}
        reply = self.script[index]
        if reply.status != 200:
            return reply.status, {"error": {"message": "stub error", "type": "server_error"}}
        return 200, reply.body(request.get("model", "stub"), index)


@contextmanager
def openai_stub(script: list[StubReply]) -> Iterator[OpenAIStub]:
    """Serve `script` on 127.0.0.1; `stub.base_url` is the value for `OPENAI_BASE_URL`."""
    stub = OpenAIStub(script=script)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            status, body = stub.next_reply(json.loads(self.rfile.read(length) or b"{}"))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
