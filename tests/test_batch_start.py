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


def _children(pid: int, word: str) -> list[int]:
    """Processes whose parent is `pid` and whose command line contains `word`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and word in cmd:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_batch_start_killed_run_leaves_no_temporary_api_behind(tmp_path):
    import signal
    import time

    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(DEVSET.glob("*.pdf")):
        shutil.copy(p, src / p.name)
    exe = Path(sys.executable).parent / "clusterlex"
    proc = subprocess.Popen([str(exe), "run", str(src), "--out", str(tmp_path / "out"), "--no-progress"],
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not servers and proc.poll() is None:
            servers = _children(proc.pid, "uvicorn")
            time.sleep(0.05)
        assert servers, "the run started no temporary API to test with"
        os.kill(proc.pid, signal.SIGKILL)  # the run alone, not its process group
        proc.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in servers):
            time.sleep(0.1)
        assert not any(_alive(p) for p in servers), "the temporary API outlived the run that started it"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in servers:  # a failing run of this test leaves nothing behind either
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
