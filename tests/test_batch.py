"""Batches beyond one process: a deployment served on a real Prefect server, and a Dask cluster."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "corpora" / "devset"
ACTS = ["ru-488-fz-industrial-policy-excerpt.pdf", "by-cluster-interaction-regulation.pdf"]


def _comparable(path: Path) -> dict:
    """An act file without what differs between any two runs (run id, time, engine-independent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("pipeline")
    return data


@pytest.fixture()
def inbox(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    for name in ACTS:
        shutil.copy(DEVSET / name, box / name)
    return box


def test_batch_dask_cluster_gives_results_identical_to_local(inbox, tmp_path, prefect_harness):
    from distributed import LocalCluster

    from pipeline.flow import run_flow

    local = run_flow([str(inbox)], str(tmp_path / "local"), workers=1)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        dist = run_flow([str(inbox)], str(tmp_path / "dask"), dask_address=cluster.scheduler_address)
    assert local.processed == dist.processed == len(ACTS) and dist.failed == 0
    for name in ACTS:
        stem = name.replace(".pdf", ".json")
        assert _comparable(tmp_path / "local" / "acts" / stem) == _comparable(tmp_path / "dask" / "acts" / stem)


def test_batch_deployment_served_on_a_real_prefect_server_runs_on_demand(inbox, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.serve import DEPLOYMENT, local_server

    out = tmp_path / "out"
    with local_server(tmp_path / "prefect-home") as url:
        env = dict(os.environ, PREFECT_API_URL=url, PREFECT_HOME=str(tmp_path / "prefect-home"))
        exe = Path(sys.executable).parent / "clusterlex"
        log = open(tmp_path / "serve.log", "wb")
        server = subprocess.Popen([str(exe), "serve", "--inbox", str(inbox), "--out", str(out), "--cron",
                                   "0 3 * * *", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with temporary_settings({PREFECT_API_URL: url}):
                name = f"clusterlex/{DEPLOYMENT}"
                deadline = time.monotonic() + 180
                deployment = None
                while time.monotonic() < deadline and deployment is None:
                    assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                    try:
                        with get_client(sync_client=True) as client:
                            deployment = client.read_deployment_by_name(name)
                    except Exception:
                        time.sleep(1)
                assert deployment is not None, "the deployment was never registered"
                assert deployment.schedules and deployment.schedules[0].schedule.cron == "0 3 * * *"
                run = run_deployment(name, timeout=300)
                assert run.state.is_completed(), run.state
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    info = json.loads((out / "run.json").read_text())
    assert info["processed"] == len(ACTS) and info["failed"] == 0
    assert len(list((out / "acts").glob("*.json"))) == len(ACTS)
