"""Prefect's temporary API for one `clusterlex run`, started the way Prefect starts its own.

With no `PREFECT_API_URL`, calling a flow makes Prefect start a temporary server (uvicorn serving
`prefect.server.api.server:create_app` without the UI) and wait for it. Doing the same here lets the
server start while the workers load and take their first documents, and spares this process the
import of Prefect's whole server package (about 2 s of CPU) only to launch a subprocess.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parent_death_signal():
    """A function for the server's process to call before it starts (Linux): have the kernel send it
    SIGTERM when the thread that started it ends, so a run killed with SIGKILL or by the OOM killer
    leaves no server behind. Resolved here, in the run, so that the child imports nothing."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None  # elsewhere the server is stopped by the run only
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class TemporaryAPI:
    """A Prefect API server on a free loopback port, for the length of one run.

    `is_alive()` is true while it is still starting; `join()` waits for that; `url` is the API URL once
    it answers its health check, or None when it did not start (the flow then starts Prefect's own
    temporary server and reports any error itself).
    """

    def __init__(self, timeout: float = 180.0):
        self.url: str | None = None
        self.port = free_port()
        spec = importlib.util.find_spec("prefect")
        app_dir = Path(spec.origin).parent.parent if spec and spec.origin else Path(sys.prefix)
        env = dict(os.environ, PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network at run time
        env.pop("PREFECT_API_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"], env=env, stdin=subprocess.DEVNULL,
            preexec_fn=parent_death_signal())
        self._thread = threading.Thread(target=self._wait, args=(timeout,), name="prefect-api", daemon=True)
        self._thread.start()

    def _wait(self, timeout: float) -> None:
        url = f"http://127.0.0.1:{self.port}/api"
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        self.url = url
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s), as Prefect stops its own; the health
        wait then ends at once."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_if_needed() -> TemporaryAPI | None:
    """A `TemporaryAPI` when Prefect has no server configured and may start a temporary one; else None.

    The server is launched before Prefect's settings are read (importing Prefect takes a second) and
    stopped again if a profile turns out to name a server or to forbid temporary ones.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    api = TemporaryAPI()
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        api.stop()
        api.join()
        return None
    return api
