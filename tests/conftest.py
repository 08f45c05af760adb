"""Test-wide settings: a Prefect home of our own, no telemetry, quiet logs; `--slow` for corpus runs."""
import os
import tempfile
from pathlib import Path

import pytest

_HOME = tempfile.mkdtemp(prefix="clusterlex-prefect-")
os.environ.setdefault("PREFECT_HOME", _HOME)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.pop("PREFECT_API_URL", None)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for every in-process flow run of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
