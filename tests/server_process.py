"""Run ``langgraph dev`` as a subprocess for end-to-end tests.

The server runs in its own process group so that everything it spawns is stopped with it, and
with the offline settings (no analytics, no version check, no tracing, no OpenAI key) so that a
test needs no network.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parents[1]
OFFLINE_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TRACING": "false",
}
# Unset in the server: with no key the graphs use the deterministic offline model.
UNSET_ENV = ("OPENAI_API_KEY",)


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


def _answers_ok(opener: urllib.request.OpenerDirector, url: str) -> bool:
    """Whether ``url`` answers ``{"ok": true}``; False while the server is not up yet."""
    try:
        with opener.open(url, timeout=2) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):  # refused, reset, HTTP error, timeout, not JSON
        return False
    return isinstance(body, dict) and body.get("ok") is True


class LanggraphDevServer:
    """``langgraph dev`` on a free port of 127.0.0.1, as a context manager.

    ``env_overrides`` are applied on top of this process's environment; a value of ``None``
    removes the variable. ``url`` is valid between ``__enter__`` and ``__exit__``.
    """

    def __init__(
        self,
        cwd: Path = REPO_ROOT,
        env_overrides: Mapping[str, str | None] | None = None,
        *,
        start_timeout: float = 60.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.cwd = Path(cwd)
        self.env_overrides = dict(env_overrides or {})
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: Path | None = None

    @property
    def url(self) -> str:
        if self.port is None or self._proc is None:
            raise RuntimeError("LanggraphDevServer is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        if self._tmp is None:
            raise RuntimeError("LanggraphDevServer is not started")
        return self._tmp / "langgraph-dev.log"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in UNSET_ENV}
        env.update(OFFLINE_ENV)
        for key, value in self.env_overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def start(self) -> LanggraphDevServer:
        # The console script sits next to the interpreter in the same venv (no PATH lookup).
        binary = Path(sys.executable).parent / "langgraph"
        self._tmp = Path(tempfile.mkdtemp(prefix="fleetgraph-langgraph-dev-"))
        try:
            self.port = _free_port()
            cmd = [str(binary), "dev", "--no-browser", "--no-reload", "--port", str(self.port)]
            with self.log_path.open("wb") as log:
                self._proc = subprocess.Popen(
                    cmd,
                    cwd=self.cwd,
                    env=self._env(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: stop() signals all of it
                )
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        """Poll ``GET /ok`` until it answers ``{"ok": true}``; fail with the log tail."""
        assert self._proc is not None
        # No proxy: an HTTP(S)_PROXY from the environment must not intercept 127.0.0.1.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.start_timeout
        while (code := self._proc.poll()) is None:
            if _answers_ok(opener, f"{self.url}/ok"):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"langgraph dev not ready in {self.start_timeout:.0f}s:\n{self.log_tail()}"
                )
            time.sleep(0.2)
        raise RuntimeError(f"langgraph dev exited with code {code}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if self._tmp is None or not self.log_path.exists():
            return "(no server log)"
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, sig)

    def _leader_exited(self) -> bool:
        """Whether the leader exited, without reaping it.

        An unreaped (zombie) leader keeps its pid, and so the group id, from being reused:
        the final SIGKILL to the group cannot hit an unrelated process.
        """
        assert self._proc is not None
        if self._proc.returncode is not None:
            return True
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self._proc.pid, flags) is not None

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL whatever is left after ``stop_timeout``."""
        if self._proc is not None:
            self._signal_group(signal.SIGTERM)
            deadline = time.monotonic() + self.stop_timeout
            while not self._leader_exited() and time.monotonic() < deadline:
                time.sleep(0.1)
            self._signal_group(signal.SIGKILL)  # stragglers, or a leader that ignored SIGTERM
            self._proc.wait()
            self._proc = None
        self.port = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> LanggraphDevServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
