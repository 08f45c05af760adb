"""Quality loop for the mechanism and category rules on annotated acts (SPEC §7 scoring).

    PYTHONPATH=. .venv/bin/python scripts/dev_mechanisms.py [corpora/devset corpora/own ...]
        [--errors [--cats] [--context]] [--segmenter structure|crude] [--explain "clause text"]

Each act beside a `<name>.gold.json` is split into clauses — by the project's structure parser (its `.pdf`
through `load_document`, else its `.txt` through `DocumentText.from_string`), or with `--segmenter crude`
by a parser of the devset markup (a line that starts with a marker opens a clause, sub-points go under the
last lead-in, `^` lines are headings) — every clause, distractors included, goes through
`detect_mechanisms` and `classify_categories` with the act's context (`mentions.act_context`), and the result
is scored by `pipeline.evaluate` (SPEC §7). `--context` shows the headings, lead-in and rules behind each error.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extractors.categories import classify_categories
from extractors.mechanisms import ClauseView, detect_mechanisms, explain
from extractors.mentions import act_context
from pipeline.evaluate import PRF, Ratio, norm, score_document

POINT = re.compile(r"^(\d+(?:\.\d+)*)\.\s+(.*)$")
SUBPOINT = re.compile(r"^(\d+|[а-яёіў])\)\s+(.*)$")
ARTICLE = re.compile(r"^(Статья|Артыкул)\s+\d+(?:\.\d+)*\.?\s*(.*)$")
SECTION = re.compile(r"^(ГЛАВА|Глава|РАЗДЕЛ|Раздел|[IVXLC]+\.)\s*")
ENACTING = re.compile(r"(постановля\w*|приказываю|пастанаўля\w*|ПОСТАНОВЛЯЕТ|ПАСТАНАЎЛЯЕ|решил\w*):\s*$", re.I)
SIGNATURE = re.compile(r"[А-ЯЁІЎ]\.\s?(?:[А-ЯЁІЎ]\.\s?)?[А-ЯЁІЎ][а-яёіў'’-]+$")


@dataclass
class Clause:
    label: str
    text: str
    kind: str
    headings: tuple[str, ...]
    parent: "Clause | None" = None
    children: list = field(default_factory=list)

    @property
    def is_lead_in(self) -> bool:
        return self.text.rstrip().endswith(":") and bool(self.children)


def crude_clauses(txt: str) -> list[Clause]:
    """Clauses of a devset `.txt` by its markup (a stand-in until the structure parser is used)."""
    out: list[Clause] = []
    title = annex = section = article = ""
    in_stamp = annex_open = False
    pending_section = False
    last_point: Clause | None = None
    body_started = False
    for raw in txt.splitlines():
        line = raw.strip()
        if not line or line == "@pagebreak" or line.startswith("|"):
            continue
        if line.startswith(">"):
            in_stamp = True
            continue
        if line.startswith("^"):
            h = line[1:].strip()
            if h.startswith("(") and h.endswith(")"):
                continue
            if in_stamp:
                annex, in_stamp, annex_open, section, article = h, False, True, "", ""
            elif annex_open:
                annex += " " + h
                annex_open = False
            elif pending_section:
                section += ". " + h
                pending_section = False
            elif SECTION.match(h):
                section, article = h, ""
                pending_section = bool(re.fullmatch(r"(ГЛАВА|Глава|РАЗДЕЛ|Раздел)\s*\d+", h))
            elif not body_started and re.match(r"^(О|Об|Аб|Аб\b)\s", h):
                title = h
            continue
        annex_open = pending_section = False
        heads = tuple(x for x in (annex or title, section, article) if x)
        m = ARTICLE.match(line)
        if m:
            article, last_point = line, None
            continue
        m = POINT.match(line)
        if m:
            body_started = True
            label, text = m.groups()
            parent = None
            if "." in label:
                parent = next((c for c in reversed(out) if c.label == label.rsplit(".", 1)[0]), None)
            c = Clause(label, text, "subpoint" if parent else ("part" if article else "point"), heads, parent)
            if parent:
                parent.children.append(c)
            else:
                last_point = c
            out.append(c)
            continue
        m = SUBPOINT.match(line)
        if m and last_point is not None:
            c = Clause(m.group(1), m.group(2), "subpoint", heads, last_point)
            last_point.children.append(c)
            out.append(c)
            continue
        # an unnumbered paragraph: preamble, article body, signature, or a continuation of the clause above
        if ENACTING.search(line) and not body_started:
            out.append(Clause("", line, "preamble", heads))
        elif len(line) <= 90 and (SIGNATURE.search(line) or not line.endswith((".", ";", ":"))):
            out.append(Clause("", line, "paragraph", heads))
        elif article and (not out or out[-1].headings[-1:] != (article,)):
            out.append(Clause("", line, "paragraph", heads))
            last_point = out[-1]  # an article's unnumbered lead-in may open sub-points
        elif out:
            out[-1].text += " " + line
        else:
            out.append(Clause("", line, "paragraph", heads))
    return out


def views_from_crude(txt: str, language: str) -> list[ClauseView]:
    clauses = crude_clauses(txt)
    context = act_context(clauses, None)
    return [ClauseView(text=c.text, lead_in=c.parent.text if c.parent and c.parent.text.rstrip().endswith(":")
                       else None, headings=c.headings, is_lead_in=c.is_lead_in, language=language, kind=c.kind,
                       act_context=context)
            for c in clauses]


def views_from_structure(txt_path: Path, language: str) -> list[ClauseView]:
    from extractors.annotate import clause_view
    from extractors.metadata import extract_act
    from extractors.records import DocumentText
    from extractors.structure import parse_clauses

    pdf = txt_path.with_suffix(".pdf")
    if pdf.exists():
        from pipeline.text import load_document
        doc = load_document(pdf)
    else:
        doc = DocumentText.from_string(txt_path.read_text(encoding="utf-8"))
    clauses = parse_clauses(doc)
    by_id = {c.id: c for c in clauses}
    context = act_context(clauses, extract_act(doc).title)
    return [clause_view(c, by_id, language, context) for c in clauses]


def predict(views: list[ClauseView]) -> list[dict]:
    mechs = []
    for v in views:
        for hit in detect_mechanisms(v):
            cats = classify_categories(v, hit)
            mechs.append({"type": hit.type, "subject": hit.subject, "text": v.text, "rule": hit.rule,
                          "triggers": hit.triggers, "categories": [{"code": c.code} for c in cats],
                          "evidence": {"rule": hit.rule}, "_cat_evidence": {c.code: c.evidence for c in cats},
                          "_view": v})
    return mechs


def run(folders: list[Path], segmenter: str, show_errors: bool, show_cats: bool, context: bool = False) -> dict:
    total, per_type, per_cat = PRF(), {}, {}
    subj = Ratio()
    for folder in folders:
        for gpath in sorted(folder.glob("*.gold.json")):
            name = gpath.name[: -len(".gold.json")]
            txt = gpath.with_name(name + ".txt")
            gold = json.loads(gpath.read_text(encoding="utf-8"))
            lang = gold.get("act", {}).get("language", "ru")
            views = views_from_structure(txt, lang) if segmenter == "structure" else \
                views_from_crude(txt.read_text(encoding="utf-8"), lang)
            pred = {"act": {}, "mechanisms": predict(views), "clauses": []}
            ds = score_document(name, gold, pred)
            total.add(ds.mechanisms)
            for k, v in ds.per_type.items():
                per_type.setdefault(k, PRF()).add(v)
            for k, v in ds.per_category.items():
                per_cat.setdefault(k, PRF()).add(v)
            subj.right += ds.subject.right
            subj.total += ds.subject.total
            m = ds.mechanisms
            print(f"{name:45s} P={m.precision:.2f} R={m.recall:.2f} F1={m.f1:.2f}  subj={ds.subject.right}/{ds.subject.total}")
            if show_errors:
                _print_errors(ds, pred, show_cats, views if context else None)
    cat_total = PRF()
    for v in per_cat.values():
        cat_total.add(v)
    print(f"\nMECHANISMS  P={total.precision:.3f} R={total.recall:.3f} F1={total.f1:.3f}  (tp={total.tp} fp={total.fp} fn={total.fn})")
    for k, v in sorted(per_type.items()):
        print(f"  {k:14s} P={v.precision:.2f} R={v.recall:.2f} F1={v.f1:.2f}  (tp={v.tp} fp={v.fp} fn={v.fn})")
    print(f"SUBJECT accuracy {subj.right}/{subj.total} = {subj.value or 0:.3f}")
    print(f"CATEGORIES  P={cat_total.precision:.3f} R={cat_total.recall:.3f} F1={cat_total.f1:.3f}")
    for k, v in sorted(per_cat.items()):
        print(f"  {k:27s} P={v.precision:.2f} R={v.recall:.2f} F1={v.f1:.2f}  (tp={v.tp} fp={v.fp} fn={v.fn})")
    return {"f1": total.f1, "subject": subj.value, "categories": cat_total.f1}


def _context_lines(e: dict, pred: dict, views: list[ClauseView]) -> None:
    """The headings, lead-in and rule behind an error, to see which context a subject rule lacked."""
    quote = norm(e["text"])
    v = next((v for v in views if quote in norm(v.text) or norm(v.text) in quote), None)
    if v is None:
        return
    rules = [m["rule"] for m in pred["mechanisms"] if m["_view"] is v]
    print(f"        headings={list(v.headings)[-2:]} lead_in={(v.lead_in or '')[:100]!r} rules={rules}")


def _print_errors(ds, pred, show_cats: bool, views: list[ClauseView] | None = None) -> None:
    for e in ds.errors:
        kind = e["kind"]
        if kind == "mismatch":
            subj_bad = e["gold_subject"] != e["pred_subject"]
            cats_bad = e["gold_categories"] != e["pred_categories"]
            if subj_bad:
                print(f"   SUBJ {e['type']:12s} gold={e['gold_subject']} pred={e['pred_subject']} | {e['text'][:150]}")
            if cats_bad and show_cats:
                print(f"   CATS {e['type']:12s} gold={e['gold_categories']} pred={e['pred_categories']} | {e['text'][:150]}")
        elif kind == "FN":
            print(f"   FN   {e['type']:12s} {e['subject']:20s} | {e['text'][:150]}")
        else:
            print(f"   FP   {e['type']:12s} {e['subject']:20s} {e.get('rule')} | {e['text'][:150]}")
        if views is not None and (kind != "mismatch" or e["gold_subject"] != e["pred_subject"]):
            _context_lines(e, pred, views)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path, default=[Path("corpora/devset")])
    ap.add_argument("--errors", action="store_true", help="print every FP, FN and subject mismatch")
    ap.add_argument("--cats", action="store_true", help="with --errors, also print category mismatches")
    ap.add_argument("--context", action="store_true", help="with --errors, show headings, lead-in and rules")
    ap.add_argument("--segmenter", choices=["crude", "structure"], default="structure")
    ap.add_argument("--explain", metavar="TEXT", help="show gate, scores and hits for one clause text")
    args = ap.parse_args(argv)
    if args.explain:
        print(explain(ClauseView(args.explain, None, (), args.explain.rstrip().endswith(":"), "ru")))
        return 0
    run(args.folders, args.segmenter, args.errors, args.cats, args.context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
