"""The store: idempotent import, re-review flagging, tokens kept as hashes, compare-and-set decisions."""
import json

import pytest
from sqlalchemy import func, select, text

from review.db import DecisionRow, MechanismRow
from review.errors import Conflict, ImportProblem, InvalidDecision, NotFound
from review.store import Filters, Store

from .conftest import item_ids


def _counts(store):
    with store.session() as s:
        return (s.scalar(select(func.count(MechanismRow.id))),
                s.scalar(select(func.sum(MechanismRow.version))),
                s.scalar(select(func.count(DecisionRow.id))))


def _edit_prediction(run_dir, name, mech_id, **changes):
    path = run_dir / "acts" / f"{name}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for m in doc["mechanisms"]:
        if m["id"] == mech_id:
            m.update(changes)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _row(store, name, mech_id) -> MechanismRow:
    rows, _ = store.items(Filters(act=name, status="all"), 0, 1000)
    return next(m for m in rows if m.mech_id == mech_id)


def test_store_import_is_idempotent(store, run_dir):
    before = _counts(store)
    result = store.import_run(run_dir, pdf_root=run_dir / "pdf")
    assert result.new == 0 and result.changed == 0 and result.unchanged == before[0]
    assert _counts(store) == before


def test_store_import_records_pdf_and_clauses(store):
    acts = store.acts()
    assert {a.name for a in acts} == {"ru-sample-1", "by-sample-2"}
    assert all(a.pdf_path and a.pdf_path.endswith(f"{a.name}.pdf") for a in acts)
    m = store.item(item_ids(store)[0])
    assert m.clause is not None and m.clause.clause_id == m.prediction["clause_id"]


@pytest.mark.parametrize("status_before,action", [("accepted", "accept"), ("rejected", "reject"), ("edited", "edit")])
def test_store_reimport_flags_changed_reviewed_prediction(store, run_dir, token, status_before, action):
    m = _row(store, "ru-sample-1", "m1")
    changes = {"subject": "OTHER"} if action == "edit" else None
    decided = store.decide(m.id, None, action, m.version, changes)
    assert decided.status == status_before
    _edit_prediction(run_dir, "ru-sample-1", "m1", type="GRANT")
    result = store.import_run(run_dir, pdf_root=run_dir / "pdf")
    after = store.item(m.id)
    assert result.flagged == [m.id]
    assert after.status == "needs_rereview"
    assert after.current == decided.current  # the decision is kept
    assert after.prediction["type"] == "GRANT" and after.version == decided.version + 1
    assert store.history(m.id)[-1]["action"] == "reimport"


def test_store_reimport_updates_pending_prediction_without_flag(store, run_dir):
    m = _row(store, "ru-sample-1", "m1")
    _edit_prediction(run_dir, "ru-sample-1", "m1", subject="OTHER")
    result = store.import_run(run_dir)
    after = store.item(m.id)
    assert result.flagged == [] and result.changed == 1
    assert after.status == "pending" and after.current["subject"] == "OTHER"


def test_store_reimport_ignores_confidence_only_change(store, run_dir):
    m = _row(store, "ru-sample-1", "m1")
    store.decide(m.id, None, "accept", m.version)
    _edit_prediction(run_dir, "ru-sample-1", "m1", confidence=0.99)
    result = store.import_run(run_dir)
    assert result.flagged == [] and store.item(m.id).status == "accepted"
    assert store.item(m.id).confidence == 0.99


def test_store_import_reports_mechanisms_no_longer_predicted(store, run_dir):
    path = run_dir / "acts" / "by-sample-2.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    dropped = doc["mechanisms"].pop()["id"]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = store.import_run(run_dir)
    assert [g.split(":")[1] for g in result.gone] == [dropped]


def test_store_import_rejects_folder_without_acts(tmp_path):
    with pytest.raises(ImportProblem, match="no per-document files"):
        Store(f"sqlite:///{tmp_path / 'r.db'}").import_run(tmp_path)


@pytest.mark.parametrize("source_file", ["../../../../etc/passwd", "/etc/passwd", "..\\..\\secret.pdf", ".."])
def test_store_import_never_resolves_pdf_outside_root(tmp_path, run_dir, source_file):
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    path = run_dir / "acts" / "by-sample-2.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["source"]["file"], doc["source"]["sha256"] = source_file, ""
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    store.import_run(run_dir, pdf_root=run_dir / "pdf")
    for act in store.acts():
        assert act.pdf_path is None or act.pdf_path.startswith(str((run_dir / "pdf").resolve()))


def test_store_token_is_stored_only_as_hash(store, db_url):
    token = store.add_reviewer("bob")
    assert store.authenticate(token).name == "bob"
    with store.session() as s:
        dump = " ".join(str(row) for row in s.execute(text("SELECT * FROM reviewers")))
    assert token not in dump
    assert store.authenticate(token + "x") is None and store.authenticate("") is None


def test_store_inactive_reviewer_cannot_authenticate(store):
    token = store.add_reviewer("carol")
    rid = store.authenticate(token).id
    store.set_active(rid, False)
    assert store.authenticate(token) is None


def test_store_stale_version_conflicts_and_writes_nothing(store):
    pk = item_ids(store)[0]
    m = store.decide(pk, None, "accept", 1)
    before = _counts(store)
    with pytest.raises(Conflict) as exc:
        store.decide(pk, None, "reject", 1)
    assert exc.value.current_version == 2
    assert _counts(store) == before and store.item(pk).status == "accepted" and m.version == 2


def test_store_decision_log_is_append_only(store):
    pk = item_ids(store)[0]
    store.decide(pk, None, "accept", 1)
    with store.session() as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("UPDATE decisions SET action = 'reject'"))
    with store.session() as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("DELETE FROM decisions"))


@pytest.mark.parametrize("changes,message", [
    ({"type": "BRIBE"}, "type: unknown code"),
    ({"subject": "nobody"}, "subject: unknown code"),
    ({"categories": ["MOON_BASE"]}, "categories: unknown code"),
    ({"amounts": [{"value": -1, "currency": "RUB"}]}, "amounts"),
    ({"amounts": [{"value": 5, "currency": "XYZ"}]}, "currency"),
    ({"thresholds": [{"comparator": "≈", "value": 5}]}, "comparator"),
    ({"text": "rewritten"}, "text"),
])
def test_store_edit_rejects_invalid_changes(store, changes, message):
    pk = item_ids(store)[0]
    with pytest.raises(InvalidDecision, match=message):
        store.decide(pk, None, "edit", 1, changes)
    assert store.item(pk).version == 1


@pytest.mark.parametrize("changes,expected", [
    ({"type": "GRANT"}, {"type": "GRANT"}),
    ({"categories": ["SME_STARTUPS", "SME_STARTUPS", "TRANSNATIONAL"]},
     {"categories": ["SME_STARTUPS", "TRANSNATIONAL"]}),
    ({"thresholds": [{"comparator": ">=", "value": 5, "unit": "га"}]},
     {"thresholds": [{"comparator": ">=", "value": 5.0, "unit": "га", "text": ""}]}),
    ({}, {}),
])
def test_store_edit_applies_changes(store, changes, expected):
    pk = item_ids(store)[0]
    before = store.item(pk).current
    after = store.decide(pk, None, "edit", 1, changes).current
    assert after == {**before, **expected}


def test_store_accept_with_changes_is_invalid(store):
    with pytest.raises(InvalidDecision, match="only allowed with action 'edit'"):
        store.decide(item_ids(store)[0], None, "accept", 1, {"type": "GRANT"})


def test_store_unknown_item_is_not_found(store):
    with pytest.raises(NotFound):
        store.decide(10**6, None, "accept", 1)


@pytest.mark.parametrize("filters,check", [
    (Filters(), lambda m: m.status in ("pending", "needs_rereview")),
    (Filters(act="by-sample-2", status="all"), lambda m: m.act.name == "by-sample-2"),
    (Filters(country="BY", status="all"), lambda m: m.act.country == "BY"),
    (Filters(type="GRANT", status="all"), lambda m: m.current["type"] == "GRANT"),
    (Filters(category="SME_STARTUPS", status="all"), lambda m: "SME_STARTUPS" in m.current["categories"]),
])
def test_store_filters_select_matching_items(store, filters, check):
    rows, total = store.items(filters, 0, 1000)
    assert rows and total == len(rows) and all(check(m) for m in rows)


def test_store_queue_is_lowest_confidence_first(store):
    rows, _ = store.items(Filters(), 0, 1000)
    assert [m.confidence for m in rows] == sorted(m.confidence for m in rows)


def test_store_unknown_filter_value_is_an_error(store):
    with pytest.raises(InvalidDecision, match="category"):
        store.items(Filters(category="SME%"))
