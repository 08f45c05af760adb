"""Scoring of predictions against gold exactly as SPEC §7 says, plus clause recall and error listings."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ACT_FIELDS = ("country", "type", "number", "date")
AMOUNT_TOLERANCE = 0.005


def norm(s: str) -> str:
    """SPEC §7.1: lower-case, ё→е, no soft hyphens or hyphen+line-break joins, one space, stripped."""
    s = s.lower().replace("ё", "е").replace("\u00ad", "")
    s = re.sub(r"-\s*\n\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


def text_matches(gold_quote: str, pred_text: str) -> bool:
    """SPEC §7.2 without the type: containment either way within the length bounds (both normalized)."""
    if not gold_quote or not pred_text:
        return False
    if gold_quote in pred_text and len(pred_text) <= 2 * len(gold_quote) + 100:
        return True
    return pred_text in gold_quote and 2 * len(pred_text) >= len(gold_quote)


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "PRF") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Ratio:
    right: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None

    def as_dict(self) -> dict:
        v = self.value
        return {"right": self.right, "total": self.total, "accuracy": None if v is None else round(v, 4)}


@dataclass
class DocScore:
    """Everything measured on one document."""

    name: str
    mechanisms: PRF = field(default_factory=PRF)
    per_type: dict[str, PRF] = field(default_factory=dict)
    per_category: dict[str, PRF] = field(default_factory=dict)
    subject: Ratio = field(default_factory=Ratio)
    amounts: Ratio = field(default_factory=Ratio)
    thresholds: Ratio = field(default_factory=Ratio)
    act: dict[str, bool] = field(default_factory=dict)
    clause_recall: Ratio = field(default_factory=Ratio)
    errors: list[dict] = field(default_factory=list)
    missing_prediction: bool = False


def _greedy_pairs(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Each gold, in document order, takes the first unused prediction of its type that matches."""
    used: set[int] = set()
    pairs = []
    gq = [norm(g.get("quote", "")) for g in gold]
    pt = [norm(p.get("text", "")) for p in pred]
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi in used or p.get("type") != g.get("type"):
                continue
            if text_matches(gq[gi], pt[pi]):
                used.add(pi)
                pairs.append((gi, pi))
                break
    return pairs


def _amount_right(g: dict, p: dict) -> bool:
    gv, pv = float(g.get("value", 0)), float(p.get("value", 0))
    close = abs(gv - pv) <= AMOUNT_TOLERANCE * abs(gv) if gv else pv == 0
    return close and g.get("currency") == p.get("currency")


def _threshold_right(g: dict, p: dict) -> bool:
    return g.get("comparator") == p.get("comparator") and abs(float(g["value"]) - float(p["value"])) < 1e-9


def _attr_score(gold: list[dict], pred: list[dict], same) -> Ratio:
    """One-to-one matches; the total counts the larger side so both misses and extras cost."""
    used: set[int] = set()
    right = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                right += 1
                break
    return Ratio(right, max(len(gold), len(pred)))


def score_document(name: str, gold: dict, pred: dict | None) -> DocScore:
    """Score one document's prediction (the per-document JSON) against its gold."""
    ds = DocScore(name=name)
    gm = gold.get("mechanisms", [])
    if pred is None:
        ds.missing_prediction = True
        pred = {"act": {}, "mechanisms": [], "clauses": []}
    pm = pred.get("mechanisms", [])
    pairs = _greedy_pairs(gm, pm)
    matched_g = {g for g, _ in pairs}
    matched_p = {p for _, p in pairs}
    ds.mechanisms = PRF(tp=len(pairs), fp=len(pm) - len(pairs), fn=len(gm) - len(pairs))
    for t in {m.get("type") for m in gm} | {m.get("type") for m in pm}:
        tp = sum(1 for g, _ in pairs if gm[g]["type"] == t)
        ds.per_type[t] = PRF(tp=tp, fp=sum(1 for m in pm if m.get("type") == t) - tp,
                             fn=sum(1 for m in gm if m.get("type") == t) - tp)
    for gi, pi in pairs:
        g, p = gm[gi], pm[pi]
        ds.subject.total += 1
        ds.subject.right += g.get("subject") == p.get("subject")
        gc = set(g.get("categories", []))
        pc = {c["code"] if isinstance(c, dict) else c for c in p.get("categories", [])}
        for code in gc | pc:
            prf = ds.per_category.setdefault(code, PRF())
            prf.tp += code in gc and code in pc
            prf.fp += code in pc and code not in gc
            prf.fn += code in gc and code not in pc
        for key, same, ratio in (("amounts", _amount_right, ds.amounts),
                                 ("thresholds", _threshold_right, ds.thresholds)):
            r = _attr_score(g.get(key, []), p.get(key, []), same)
            ratio.right += r.right
            ratio.total += r.total
        if g.get("subject") != p.get("subject") or gc != pc:
            ds.errors.append({"kind": "mismatch", "type": g["type"], "gold_subject": g.get("subject"),
                              "pred_subject": p.get("subject"), "gold_categories": sorted(gc),
                              "pred_categories": sorted(pc), "text": g["quote"]})
    for gi, g in enumerate(gm):
        if gi not in matched_g:
            ds.errors.append({"kind": "FN", "type": g["type"], "subject": g.get("subject"), "text": g["quote"]})
    for pi, p in enumerate(pm):
        if pi not in matched_p:
            ds.errors.append({"kind": "FP", "type": p.get("type"), "subject": p.get("subject"),
                              "clause_id": p.get("clause_id"), "rule": (p.get("evidence") or {}).get("rule"),
                              "text": p.get("text", "")})
    gact, pact = gold.get("act", {}), pred.get("act", {}) or {}
    ds.act = {f: (gact.get(f) is not None and str(gact.get(f)) == str(pact.get(f))) for f in ACT_FIELDS if f in gact}
    clause_texts = [norm(c.get("text", "")) for c in pred.get("clauses", [])]
    for g in gm:
        ds.clause_recall.total += 1
        q = norm(g.get("quote", ""))
        ds.clause_recall.right += any(text_matches(q, t) for t in clause_texts)
    return ds


@dataclass
class Report:
    """Micro-averaged figures over a set of documents."""

    docs: list[DocScore]

    def _sum_prf(self, attr: str) -> dict[str, PRF]:
        out: dict[str, PRF] = {}
        for d in self.docs:
            for k, v in getattr(d, attr).items():
                out.setdefault(k, PRF()).add(v)
        return dict(sorted(out.items()))

    def _sum_ratio(self, attr: str) -> Ratio:
        r = Ratio()
        for d in self.docs:
            x = getattr(d, attr)
            r.right += x.right
            r.total += x.total
        return r

    def as_dict(self) -> dict:
        mech = PRF()
        for d in self.docs:
            mech.add(d.mechanisms)
        cats = self._sum_prf("per_category")
        cat_total = PRF()
        for v in cats.values():
            cat_total.add(v)
        act: dict[str, Ratio] = {}
        for d in self.docs:
            for f, ok in d.act.items():
                r = act.setdefault(f, Ratio())
                r.total += 1
                r.right += ok
        return {
            "documents": len(self.docs),
            "missing_predictions": [d.name for d in self.docs if d.missing_prediction],
            "mechanisms": mech.as_dict(),
            "per_type": {k: v.as_dict() for k, v in self._sum_prf("per_type").items()},
            "subject": self._sum_ratio("subject").as_dict(),
            "categories": cat_total.as_dict(),
            "per_category": {k: v.as_dict() for k, v in cats.items()},
            "amounts": self._sum_ratio("amounts").as_dict(),
            "thresholds": self._sum_ratio("thresholds").as_dict(),
            "act": {f: r.as_dict() for f, r in act.items()},
            "clause_recall": self._sum_ratio("clause_recall").as_dict(),
            "per_document": {d.name: {"mechanisms": d.mechanisms.as_dict(), "subject": d.subject.as_dict(),
                                      "clause_recall": d.clause_recall.as_dict(), "act": d.act}
                             for d in self.docs},
        }


def find_gold(folder: Path) -> dict[str, Path]:
    """Gold files under `folder` (recursive), keyed by document name."""
    found: dict[str, Path] = {}
    for p in sorted(Path(folder).rglob("*.gold.json")):
        found[p.name[: -len(".gold.json")]] = p
    return found


def find_predictions(folder: Path) -> dict[str, Path]:
    """Per-document outputs under `folder` (a run's output folder or its `acts/`), keyed by source name."""
    folder = Path(folder)
    base = folder / "acts" if (folder / "acts").is_dir() else folder
    found: dict[str, Path] = {}
    for p in sorted(base.rglob("*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict) or "mechanisms" not in data:
            continue
        src = (data.get("source") or {}).get("file") or p.name
        found[Path(src).stem] = p
    return found


def evaluate(gold_dir: Path, pred_dir: Path) -> Report:
    """Score every gold document under `gold_dir` against the predictions under `pred_dir`."""
    golds = find_gold(gold_dir)
    if not golds:
        raise FileNotFoundError(f"no *.gold.json files under {gold_dir}")
    preds = find_predictions(pred_dir)
    docs = []
    for name, gpath in golds.items():
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        ppath = preds.get(name)
        pred = json.loads(ppath.read_text(encoding="utf-8")) if ppath else None
        docs.append(score_document(name, gold, pred))
    return Report(docs)
