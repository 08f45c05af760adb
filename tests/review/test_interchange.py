"""Gold export scores F1 1.0 against the act it came from; Label Studio tasks go out and come back as decisions."""
import json
import shutil

import pytest

from pipeline.evaluate import evaluate
from review.store import Filters

from .conftest import item_ids


def _decide_all(store, act, action="accept"):
    rows, _ = store.items(Filters(act=act, status="all"), 0, 1000)
    for m in rows:
        store.decide(m.id, None, action, m.version)
    return rows


def test_interchange_gold_of_fully_accepted_act_scores_f1_one(store, run_dir, tmp_path):
    _decide_all(store, "ru-sample-1")
    written = store.export_gold(tmp_path / "gold")
    assert [p.name for p in written] == ["ru-sample-1.gold.json"]
    pred = tmp_path / "pred" / "acts"
    pred.mkdir(parents=True)
    shutil.copy(run_dir / "acts" / "ru-sample-1.json", pred)
    report = evaluate(tmp_path / "gold", tmp_path / "pred").as_dict()
    assert report["mechanisms"]["f1"] == 1.0 and report["mechanisms"]["fn"] == 0
    assert report["subject"]["accuracy"] == 1.0 and report["categories"]["f1"] == 1.0
    assert report["thresholds"]["accuracy"] == 1.0 and report["amounts"]["accuracy"] in (1.0, None)
    assert all(v["accuracy"] == 1.0 for v in report["act"].values())


def test_interchange_gold_follows_spec_shape(store, tmp_path):
    _decide_all(store, "by-sample-2")
    gold = json.loads((store.export_gold(tmp_path)[0]).read_text(encoding="utf-8"))
    assert set(gold) == {"act", "mechanisms"}
    assert set(gold["act"]) == {"country", "type", "number", "date", "language"}
    for m in gold["mechanisms"]:
        assert set(m) == {"quote", "type", "subject", "categories", "amounts", "thresholds"}
        assert all(isinstance(c, str) for c in m["categories"])


def test_interchange_gold_skips_acts_not_fully_decided(store, run_dir, tmp_path):
    _decide_all(store, "ru-sample-1")
    assert store.export_gold(tmp_path / "a") != []
    path = run_dir / "acts" / "ru-sample-1.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["mechanisms"][0]["subject"] = "OTHER"  # the pipeline changed its mind: the act needs re-review
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert store.import_run(run_dir).flagged
    assert store.export_gold(tmp_path / "b") == []


def test_interchange_gold_leaves_out_rejected_and_keeps_edits(store, tmp_path):
    rows = _decide_all(store, "by-sample-2")
    rejected, edited = rows[0], rows[1]
    store.decide(rejected.id, None, "reject", rejected.version + 1)
    store.decide(edited.id, None, "edit", edited.version + 1, {"subject": "OTHER", "categories": ["TRANSNATIONAL"]})
    gold = json.loads(store.export_gold(tmp_path)[0].read_text(encoding="utf-8"))
    quotes = [m["quote"] for m in gold["mechanisms"]]
    assert len(quotes) == len(rows) - 1 and rejected.clause.text not in quotes
    e = next(m for m in gold["mechanisms"] if m["quote"] == edited.clause.text)
    assert e["subject"] == "OTHER" and e["categories"] == ["TRANSNATIONAL"]


def test_interchange_gold_file_name_cannot_escape_folder(store, tmp_path):
    from review.db import ActRow
    with store.session() as s:
        for act in s.query(ActRow):
            act.name = "../../evil"
        s.commit()
    _decide_all(store, "../../evil")
    written = store.export_gold(tmp_path / "gold")
    assert written and all(p.parent == tmp_path / "gold" for p in written)


def test_interchange_label_studio_tasks_carry_predictions(store, tmp_path):
    n = store.export_label_studio(tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert n == len(tasks) == len(item_ids(store))
    t = tasks[0]
    assert {"doc_id", "mechanism_id", "text"} <= set(t["data"])
    results = {r["from_name"]: r["value"]["choices"] for r in t["predictions"][0]["result"]}
    assert set(results) == {"verdict", "type", "subject", "categories"}
    config = (tmp_path / "tasks.label-config.xml").read_text(encoding="utf-8")
    assert 'name="categories"' in config and 'choice="multiple"' in config


def _annotate(task, verdict, **choices):
    result = [{"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": [verdict]}}]
    for name, values in choices.items():
        result.append({"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": values}})
    task["annotations"] = [{"id": 7, "completed_by": {"email": "ann@example.org"}, "result": result}]


def test_interchange_label_studio_round_trip_as_decisions(store, tmp_path):
    store.export_label_studio(tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    _annotate(tasks[0], "accept")
    _annotate(tasks[1], "reject")
    _annotate(tasks[2], "accept", type=["GRANT"], subject=["PROJECT"], categories=["SME_STARTUPS"])
    _annotate(tasks[3], "accept", type=["NOT_A_TYPE"])
    tasks[4]["annotations"] = [{"was_cancelled": True, "result": []}]
    tasks[5]["data"]["mechanism_id"] = "no-such-mechanism"
    _annotate(tasks[5], "accept")
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    counts = store.import_label_studio(tmp_path / "export.json")
    assert counts == {"accepted": 1, "rejected": 1, "edited": 1, "skipped": 0, "unknown": 1, "invalid": 1,
                      "no_annotation": len(tasks) - 5}
    by_key = {(m.act.doc_id, m.mech_id): m for m in store.items(Filters(status="all"), 0, 1000)[0]}
    edited = by_key[(tasks[2]["data"]["doc_id"], tasks[2]["data"]["mechanism_id"])]
    assert edited.status == "edited" and edited.current["type"] == "GRANT"
    assert "ann@example.org" in edited.comment
    again = store.import_label_studio(tmp_path / "export.json")
    assert again["skipped"] == 3  # decisions already made are not overwritten by a file


@pytest.mark.parametrize("content", ["{not json", '{"tasks": []}'])
def test_interchange_label_studio_bad_file_is_a_clear_error(store, tmp_path, content):
    from review.errors import ImportProblem
    (tmp_path / "x.json").write_text(content, encoding="utf-8")
    with pytest.raises(ImportProblem):
        store.import_label_studio(tmp_path / "x.json")
