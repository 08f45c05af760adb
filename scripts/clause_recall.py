"""Clause recall on the devset: the share of gold quotes that some clause text covers (SPEC §7 match).

    PYTHONPATH=. python scripts/clause_recall.py [--source pipeline|raw|txt] [--corpus devset|own] [--misses] [--real]

`txt` reads the devset markup (`^` centred, `>` right-aligned, tables dropped); `raw` reads pdfplumber's
plain `extract_text()` lines (wrapped, no layout hints); `pipeline` uses `pipeline.text.load_document`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from extractors.metadata import extract_act
from extractors.records import DocumentText, TextLine
from extractors.structure import parse_clauses

ROOT = Path(__file__).resolve().parent.parent


def norm(s: str) -> str:
    """SPEC §7 normalization."""
    s = s.lower().replace("ё", "е").replace("\u00ad", "")
    s = re.sub(r"-\s*\n\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


def from_markup(text: str) -> DocumentText:
    """Devset markup to DocumentText: `^`/`>` become align hints, `@pagebreak` a new page, tables dropped."""
    out, lines, pos, page = [], [], 0, 1
    for raw in text.split("\n"):
        if raw.startswith("@pagebreak"):
            page += 1
            continue
        if raw.startswith("|"):
            continue
        align = {"^": "center", ">": "right"}.get(raw[:1], "")
        body = raw[2:] if align else raw
        lines.append(TextLine(start=pos, end=pos + len(body), page=page, align=align))
        out.append(body)
        pos += len(body) + 1
    return DocumentText(text="\n".join(out), lines=lines, pages=page)


def from_plain_pages(pages: list[str]) -> DocumentText:
    """pdfplumber page texts to DocumentText: repeated first/last lines and page numbers dropped."""
    split = [p.split("\n") for p in pages]
    def key(x: str) -> str:
        return re.sub(r"\d+", "#", x.strip())
    edge = Counter(key(x) for ls in split for x in set(ls[:2] + ls[-2:]) if ls)
    noise = {k for k, v in edge.items() if len(pages) > 2 and v >= max(3, len(pages) // 2)}
    out, lines, pos = [], [], 0
    for n, ls in enumerate(split, 1):
        for x in ls:
            s = x.strip()
            if key(s) in noise or re.fullmatch(r"[-–]?\s*\d{1,4}\s*[-–]?", s):
                continue
            lines.append(TextLine(start=pos, end=pos + len(x), page=n))
            out.append(x)
            pos += len(x) + 1
    return DocumentText(text="\n".join(out), lines=lines, pages=len(pages))


def load(path: Path, source: str) -> DocumentText:
    if source == "txt":
        return from_markup(path.with_suffix(".txt").read_text(encoding="utf-8"))
    if source == "pipeline":
        from pipeline.text import load_document
        return load_document(path)
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return from_plain_pages([p.extract_text() or "" for p in pdf.pages])


def covered(quote: str, texts: list[str]) -> bool:
    """SPEC §7 text match of one gold quote against the clause texts."""
    q = norm(quote)
    return any((q in t and len(t) <= 2 * len(q) + 100) or (t and t in q and len(t) >= len(q) / 2) for t in texts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", choices=("pipeline", "raw", "txt"), default="pipeline")
    ap.add_argument("--corpus", choices=("devset", "own"), default="devset", help="annotated folder under corpora/")
    ap.add_argument("--misses", action="store_true", help="print the quotes no clause covers")
    ap.add_argument("--real", action="store_true", help="also print act metadata of corpora/real text PDFs")
    a = ap.parse_args()
    if a.source == "pipeline":
        try:
            import pipeline.text  # noqa: F401
        except ImportError:
            print("pipeline.text not available, using --source raw", file=sys.stderr)
            a.source = "raw"
    hit = total = meta_ok = docs = 0
    folder = ROOT / "corpora" / a.corpus
    for gold_path in sorted(folder.glob("*.gold.json")):
        name = gold_path.name[: -len(".gold.json")]
        if not (folder / f"{name}.pdf").exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = load(folder / f"{name}.pdf", a.source)
        docs += 1
        clauses = parse_clauses(doc)
        texts = [norm(c.text) for c in clauses]
        quotes = list(dict.fromkeys(m["quote"] for m in gold["mechanisms"]))
        ok = [q for q in quotes if covered(q, texts)]
        hit, total = hit + len(ok), total + len(quotes)
        act = extract_act(doc)
        want = gold["act"]
        bad = {k: (getattr(act, k), want[k]) for k in ("country", "type", "number", "date", "language")
               if getattr(act, k) != want[k]}
        meta_ok += not bad
        print(f"{name:40} clauses {len(clauses):3}  recall {len(ok)}/{len(quotes)}  act {'ok' if not bad else bad}")
        if a.misses:
            for q in quotes:
                if q not in ok:
                    print("   MISS", q[:110])
    print(f"clause recall {hit}/{total} = {hit / max(total, 1):.3f}; act metadata right on {meta_ok}/{docs} "
          f"({a.corpus}, {a.source})")
    if a.real:
        for pdf in sorted((ROOT / "corpora" / "real").glob("*.pdf")):
            if pdf.name.endswith("-scan.pdf"):
                continue
            act = extract_act(load(pdf, a.source))
            print(f"{pdf.name:42} {act.country} | {act.type} | {act.number} | {act.date} | {act.language} | "
                  f"{act.issuer} | {(act.title or '')[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
