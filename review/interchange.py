"""Gold export (SPEC §7) and Label Studio interchange: tasks with predictions out, annotations in as decisions."""
from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

from sqlalchemy import select

from pipeline.outputs import atomic_write_text

from .db import DECIDED, ActRow, MechanismRow, ReviewerRow
from .errors import ImportProblem, ReviewError
from .values import reviewed_values

GOLD_ACT_FIELDS = ("country", "type", "number", "date", "language")


def safe_name(name: str, fallback: str) -> str:
    """A file name from an act's name that cannot leave the target folder."""
    return re.sub(r"[^\w.\-]+", "_", name).lstrip(".") or fallback


def _doc_order(m: MechanismRow) -> tuple:
    return (m.clause.ordinal if m.clause else 10**9, m.ordinal, m.id)


def gold_document(act: ActRow, mechanisms: list[MechanismRow]) -> dict:
    """The gold file of one act: its metadata and the non-rejected mechanisms in document order."""
    out = []
    for m in sorted(mechanisms, key=_doc_order):
        if m.status == "rejected":
            continue
        v = m.current
        out.append({"quote": m.clause.text if m.clause else m.prediction.get("text", ""),
                    "type": v["type"], "subject": v["subject"], "categories": list(v.get("categories", [])),
                    "amounts": list(v.get("amounts", [])), "thresholds": list(v.get("thresholds", []))})
    return {"act": {k: act.act.get(k) for k in GOLD_ACT_FIELDS}, "mechanisms": out}


def export_gold(store, out_folder: Path) -> list[Path]:
    """Write `<name>.gold.json` for each act whose mechanisms are all decided; returns the files written."""
    written = []
    with store.session() as s:
        for act in s.scalars(select(ActRow).order_by(ActRow.name)):
            mechs = list(s.scalars(select(MechanismRow).where(MechanismRow.act_id == act.id)))
            if not mechs or any(m.status not in DECIDED for m in mechs):
                continue
            for m in mechs:
                _ = m.clause
            target = out_folder / f"{safe_name(act.name, act.doc_id[:12])}.gold.json"
            atomic_write_text(target, json.dumps(gold_document(act, mechs), ensure_ascii=False, indent=2) + "\n")
            written.append(target)
    return written


def label_studio_config(taxonomy) -> str:
    """The Label Studio labeling config matching the exported tasks."""
    def choices(name: str, codes, multiple: bool = False) -> str:
        opts = "".join(f"\n    <Choice value={quoteattr(c)}/>" for c in codes)
        choice = ' choice="multiple"' if multiple else ""
        return f'  <Choices name="{name}" toName="text"{choice}>{opts}\n  </Choices>\n'

    return ("<View>\n  <Header value=\"$act — $clause_id\"/>\n  <Text name=\"text\" value=\"$text\"/>\n"
            + choices("verdict", ("accept", "reject")) + choices("type", taxonomy.types)
            + choices("subject", taxonomy.subjects) + choices("categories", taxonomy.categories, True)
            + "</View>\n")


def _result(name: str, values: list[str]) -> dict:
    return {"id": name, "from_name": name, "to_name": "text", "type": "choices", "value": {"choices": values}}


def export_label_studio(store, path: Path) -> int:
    """Write every mechanism as a Label Studio task with the pipeline's prediction pre-filled, plus the config."""
    tasks = []
    with store.session() as s:
        for m in s.scalars(select(MechanismRow).order_by(MechanismRow.act_id, MechanismRow.ordinal)):
            v = reviewed_values(m.prediction)
            tasks.append({
                "data": {"review_id": m.id, "doc_id": m.act.doc_id, "mechanism_id": m.mech_id, "act": m.act.name,
                         "clause_id": m.prediction.get("clause_id"),
                         "text": m.clause.text if m.clause else m.prediction.get("text", ""),
                         "mechanism_text": m.prediction.get("text", ""), "status": m.status},
                "predictions": [{"model_version": str(m.prediction.get("method", "")), "score": m.confidence,
                                 "result": [_result("verdict", ["accept"]), _result("type", [v["type"]]),
                                            _result("subject", [v["subject"]]),
                                            _result("categories", v["categories"])]}],
            })
    atomic_write_text(path, json.dumps(tasks, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(path.with_name(path.stem + ".label-config.xml"), label_studio_config(store.taxonomy))
    return len(tasks)


def _choices(annotation: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in annotation.get("result") or []:
        if isinstance(r, dict) and r.get("type") == "choices":
            out[str(r.get("from_name"))] = [str(c) for c in (r.get("value") or {}).get("choices", [])]
    return out


def _annotator(a: dict) -> str:
    who = a.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return str(who) if who is not None else "?"


def _reviewer_id(store, name: str) -> int:
    """The id of the reviewer who stands for Label Studio; created inactive so nobody logs in as them."""
    with store.session() as s:
        rid = s.scalar(select(ReviewerRow.id).where(ReviewerRow.name == name))
    if rid is None:
        store.add_reviewer(name)
        with store.session() as s:
            row = s.scalar(select(ReviewerRow).where(ReviewerRow.name == name))
            row.active = False
            s.commit()
            rid = row.id
    return rid


def import_label_studio(store, path: Path, reviewer: str = "label-studio") -> dict:
    """Apply the last submitted annotation of each task as a decision on a still-open mechanism."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportProblem(f"{path}: not a Label Studio JSON export: {exc}") from None
    if not isinstance(tasks, list):
        raise ImportProblem(f"{path}: expected a JSON list of tasks")
    counts = dict.fromkeys(("accepted", "rejected", "edited", "skipped", "unknown", "invalid", "no_annotation"), 0)
    rid = _reviewer_id(store, reviewer)
    for task in tasks:
        if not isinstance(task, dict):
            counts["invalid"] += 1
            continue
        data = task.get("data") or {}
        anns = [a for a in (task.get("annotations") or []) if isinstance(a, dict) and not a.get("was_cancelled")]
        if not anns:
            counts["no_annotation"] += 1
            continue
        with store.session() as s:
            m = s.scalar(select(MechanismRow).join(ActRow).where(
                ActRow.doc_id == str(data.get("doc_id")), MechanismRow.mech_id == str(data.get("mechanism_id"))))
        if m is None:
            counts["unknown"] += 1
            continue
        if m.status in DECIDED:
            counts["skipped"] += 1  # a decision made in the review app wins over a later file import
            continue
        ann = anns[-1]
        got = _choices(ann)
        comment = f"Label Studio annotation {ann.get('id', '?')} by {_annotator(ann)}"
        pred = reviewed_values(m.prediction)
        try:
            if "reject" in got.get("verdict", []):
                store.decide(m.id, rid, "reject", m.version, comment=comment)
                counts["rejected"] += 1
                continue
            changes = {}
            for key in ("type", "subject"):
                if got.get(key) and got[key][0] != pred[key]:
                    changes[key] = got[key][0]
            if "categories" in got and sorted(got["categories"]) != sorted(pred["categories"]):
                changes["categories"] = got["categories"]
            action = "edit" if changes else "accept"
            store.decide(m.id, rid, action, m.version, changes or None, comment)
            counts["edited" if changes else "accepted"] += 1
        except ReviewError:
            counts["invalid"] += 1
    return counts
