"""How a run starts: the temporary Prefect API, documents begun before the flow, re-runs without Prefect."""
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from pipeline.models import ActDocument

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "corpora" / "devset"


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    return env


def test_batch_start_temporary_api_answers_and_stops():
    from pipeline.tempapi import TemporaryAPI

    api = TemporaryAPI()
    try:
        api.join()
        assert api.url is not None, "the temporary API did not start"
        with urllib.request.urlopen(f"{api.url}/health", timeout=5) as r:
            assert r.status == 200
    finally:
        api.stop()
    assert api.proc.poll() is not None, "the server process outlived stop()"


def test_batch_start_early_documents_belong_to_the_run_and_rerun_needs_no_prefect(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    pdfs = sorted(DEVSET.glob("*.pdf"))[:4]
    for p in pdfs:
        shutil.copy(p, src / p.name)
    exe = Path(sys.executable).parent / "clusterlex"
    res = subprocess.run([str(exe), "run", str(src), "--out", str(out), "--no-progress", "--workers", "2"],
                         capture_output=True, text=True, env=_env(), timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["processed"] == len(pdfs) and run["failed"] == 0
    acts = [ActDocument.model_validate_json(p.read_text(encoding="utf-8")) for p in (out / "acts").glob("*.json")]
    assert len(acts) == len(pdfs)
    # documents the workers began while the API was starting were collected by this run's tasks
    assert {a.pipeline.run_id for a in acts} == {run["run_id"]}
    assert sum(1 for _ in (out / "mechanisms.jsonl").open(encoding="utf-8")) == run["mechanisms"]

    code = ("import sys; from pipeline.batch import run_batch; "
            f"info = run_batch([{str(src)!r}], {str(out)!r}); "
            "assert info.skipped == %d and info.processed == 0, info; "
            "assert 'prefect' not in sys.modules, 'a run with nothing new imported Prefect'" % len(pdfs))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=ROOT,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
