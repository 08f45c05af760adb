"""Scheduled batches: the flow served as a Prefect deployment, with a local Prefect server when none is set."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .tempapi import free_port, parent_death_signal

DEPLOYMENT = "clusterlex-batch"


def wait_healthy(api_url: str, seconds: float = 90.0) -> None:
    """Wait until the Prefect API answers its health check, or raise with what to do."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {api_url} did not become healthy within {seconds:g} s")


@contextmanager
def local_server(home: Path, port: int | None = None):
    """A real Prefect server on loopback (a temporary one cannot schedule); yields its API URL."""
    port = port or free_port()
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_UI_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=parent_death_signal())  # a killed `serve` leaves no server behind
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(url)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def serve(inbox: Path, out: Path, cron: str, workers: int = 0) -> None:
    """Serve the batch flow on `cron` over `inbox` into `out`; blocks until interrupted."""
    from .flow import batch_flow

    batch_flow.serve(name=DEPLOYMENT, cron=cron,
                     parameters={"inputs": [str(Path(inbox).resolve())], "out": str(Path(out).resolve()),
                                 "workers": workers},
                     description="clusterlex over newly published acts in the inbox")
