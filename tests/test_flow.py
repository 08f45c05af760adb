"""The flow end to end on real PDFs: outputs, invariants, incremental re-runs, bad inputs, kill safety."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.models import ActDocument, ErrorRow, MechanismRow, RunInfo

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "corpora" / "devset"
TWO = ["ru-kaluga-it-cluster-law.pdf", "by-bel-innovation-fund-grants.pdf"]


def _run(inputs, out, **kw):
    from pipeline.flow import run_flow

    return run_flow([str(p) for p in inputs], str(out), workers=kw.pop("workers", 2), **kw)


@pytest.fixture(scope="module")
def two_acts(tmp_path_factory, prefect_harness):
    src = tmp_path_factory.mktemp("in")
    for name in TWO:
        shutil.copy(DEVSET / name, src / name)
    out = tmp_path_factory.mktemp("out")
    info = _run([src], out)
    return src, out, info


def test_flow_writes_every_output(two_acts):
    src, out, info = two_acts
    assert info.processed == 2 and info.failed == 0
    assert sorted(p.name for p in (out / "acts").iterdir()) == sorted(n.replace(".pdf", ".json") for n in TWO)
    RunInfo.model_validate_json((out / "run.json").read_text(encoding="utf-8"))
    assert (out / "errors.jsonl").read_text() == ""


def test_flow_act_files_validate_and_keep_invariants(two_acts):
    _, out, _ = two_acts
    for path in (out / "acts").glob("*.json"):
        doc = ActDocument.model_validate_json(path.read_text(encoding="utf-8"))
        assert doc.act.country and doc.act.number and doc.act.date
        spans = [(c.char_start, c.char_end) for c in doc.clauses]
        assert all(s < e for s, e in spans)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "clauses overlap or are out of order"
        assert len({c.id for c in doc.clauses}) == len(doc.clauses)
        ids = {c.id for c in doc.clauses}
        for c in doc.clauses:
            assert c.bbox and all(1 <= b[0] <= doc.source.pages for b in c.bbox)
        assert doc.mechanisms, f"{path.name} yields no mechanisms"
        for m in doc.mechanisms:
            assert m.clause_id in ids
            assert m.evidence and m.evidence.rule and m.evidence.triggers and m.evidence.bbox


def test_flow_mechanisms_jsonl_is_union_of_act_files(two_acts):
    _, out, _ = two_acts
    rows = [MechanismRow.model_validate_json(x) for x in (out / "mechanisms.jsonl").read_text().splitlines()]
    per_doc = sum(len(json.loads(p.read_text())["mechanisms"]) for p in (out / "acts").glob("*.json"))
    assert len(rows) == per_doc
    assert {r.doc_id for r in rows} == {json.loads(p.read_text())["doc_id"] for p in (out / "acts").glob("*.json")}


def test_flow_ids_are_stable_run_to_run(two_acts, tmp_path):
    src, out, _ = two_acts
    _run([src], tmp_path / "again")
    for p in (out / "acts").glob("*.json"):
        a, b = json.loads(p.read_text()), json.loads((tmp_path / "again" / "acts" / p.name).read_text())
        assert [c["id"] for c in a["clauses"]] == [c["id"] for c in b["clauses"]]
        assert [m["id"] for m in a["mechanisms"]] == [m["id"] for m in b["mechanisms"]]


def test_flow_incremental_skips_replaces_and_reports_missing(prefect_harness, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in TWO:
        shutil.copy(DEVSET / name, src / name)
    first = _run([src], out)
    assert (first.processed, first.skipped) == (2, 0)
    again = _run([src], out)
    assert (again.processed, again.skipped) == (0, 2)
    # a changed PDF under the same name is processed again and its old results replaced
    shutil.copy(DEVSET / "ru-488-fz-industrial-policy-excerpt.pdf", src / TWO[0])
    changed = _run([src], out)
    assert (changed.processed, changed.skipped) == (1, 1)
    doc = json.loads((out / "acts" / TWO[0].replace(".pdf", ".json")).read_text())
    assert doc["act"]["number"] == "488-ФЗ"
    (src / TWO[1]).unlink()
    gone = _run([src], out)
    assert gone.missing == [str((src / TWO[1]).absolute())]
    rows = (out / "mechanisms.jsonl").read_text().splitlines()
    assert len(rows) == sum(len(json.loads(p.read_text())["mechanisms"]) for p in (out / "acts").glob("*.json"))


def _cli(*args, env=None, **kw):
    exe = Path(sys.executable).parent / "clusterlex"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, **kw)


def test_flow_hostile_inputs_each_get_a_result_or_one_reasoned_error(tmp_path):
    from tests.hostile import build_hostile_folder

    src = tmp_path / "in"
    expected = build_hostile_folder(src, tmp_path / "elsewhere")
    shutil.copy(DEVSET / "ru-kaluga-it-cluster-law.pdf", src / "ru-kaluga-it-cluster-law.pdf")
    expected["ru-kaluga-it-cluster-law.pdf"] = None
    out = tmp_path / "out"
    res = _cli("run", str(src), "--out", str(out), "--no-progress", "--workers", "2", "--timeout", "120",
               "--memory-mb", "1200")
    assert res.returncode == 3, res.stderr[-2000:]
    errors = [ErrorRow.model_validate_json(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    by_name = {Path(e.file).name: e for e in errors}
    assert len(by_name) == len(errors), "an input got more than one error row"
    for name, reason in expected.items():
        if reason is None:
            assert name not in by_name, f"{name} rejected: {by_name.get(name)}"
            assert (out / "acts" / name.replace(".pdf", ".json")).exists(), name
        else:
            assert name in by_name, f"{name} was not reported"
            assert by_name[name].reason == reason, (name, by_name[name].reason, by_name[name].message)
            assert len(by_name[name].message) > 20
    run = json.loads((out / "run.json").read_text())
    assert run["failed"] == sum(1 for r in expected.values() if r)


def test_flow_sigkill_leaves_no_torn_output_and_next_run_completes(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    pdfs = sorted(DEVSET.glob("*.pdf")) + sorted((ROOT / "corpora" / "own").glob("*.pdf"))[:6]
    for p in pdfs:
        shutil.copy(p, src / p.name)
    exe = Path(sys.executable).parent / "clusterlex"
    proc = subprocess.Popen([str(exe), "run", str(src), "--out", str(out), "--no-progress", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list((out / "acts").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list((out / "acts").glob("*.json"))
    assert 2 <= len(done) < len(pdfs), "the kill came too late to test anything"
    for p in done:
        ActDocument.model_validate_json(p.read_text(encoding="utf-8"))  # whole, never torn
    for jl in out.glob("*.jsonl"):
        for line in jl.read_text(encoding="utf-8").splitlines():
            json.loads(line)
    res = _cli("run", str(src), "--out", str(out), "--no-progress", "--workers", "2")
    assert res.returncode == 0, res.stderr[-2000:]
    run = json.loads((out / "run.json").read_text())
    assert run["processed"] + run["skipped"] == len(pdfs) and run["skipped"] >= 1
    assert len(list((out / "acts").glob("*.json"))) == len(pdfs)
    assert not list(out.rglob("*.tmp")), "temporary files left behind"
