"""One document through every stage: the stage functions, and `run_document`, which chains them."""
from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from extractors.records import ActMeta, AnchoredTable, Clause, DocumentText, Mechanism
from extractors.scope import Scope, act_scope

from .models import (Act, ActDocument, AmountOut, CategoryOut, ClauseOut, DeadlineOut, Evidence, MechanismOut,
                     PipelineInfo, ReferenceOut, Source, TableOut, ThresholdOut)


@functools.cache
def pipeline_version() -> str:
    """Package version plus a digest of the code and data that shape results: a rule change reprocesses."""
    try:
        base = metadata.version("clusterlex")
    except metadata.PackageNotFoundError:
        base = "0"
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for folder, patterns in ((root / "extractors", ("**/*.py", "data/**/*")),
                             (root / "pipeline", ("ingest.py", "text.py", "ocr.py", "process.py", "data/*"))):
        files = sorted({f for pat in patterns for f in folder.glob(pat) if f.is_file() and "__pycache__" not in f.parts})
        for f in files:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return f"{base}+{h.hexdigest()[:10]}"


def sha256_file(path: Path) -> str:
    """The file's SHA-256; read once per run even though the pre-flow check and the flow both ask."""
    st = os.stat(path)
    return _sha256(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Structured:
    """What the structure stage gives: metadata, clauses, tables linked to clauses."""

    act: ActMeta
    clauses: list[Clause]
    tables: list[tuple[AnchoredTable, str | None]]
    scope: Scope = Scope(True, ())


def read_text(path: Path, engine: str = "auto") -> DocumentText:
    """Ingestion and normalization: the PDF as one normalized text with its provenance map."""
    from .text import load_document

    return load_document(path, engine=engine)


def structure(doc: DocumentText) -> Structured:
    """Act metadata, clauses and table links."""
    from extractors.metadata import extract_act
    from extractors.structure import link_tables, parse_clauses, release

    try:
        clauses = parse_clauses(doc)
        act = extract_act(doc)  # reads the same parse of the lines
    finally:
        release()
    return Structured(act=act, clauses=clauses, tables=link_tables(doc, clauses), scope=act_scope(doc.text))


def extract(structured: Structured, nlp) -> list[Mechanism]:
    """Mechanisms with attributes and categories."""
    from extractors.annotate import annotate

    if not structured.scope.in_scope:
        return []  # not an act of cluster or innovation policy: its duties are not cluster-policy instruments
    return annotate(structured.clauses, structured.act, nlp)


def _clause_out(c: Clause, doc: DocumentText) -> ClauseOut:
    boxes = doc.provenance(c.char_start, c.char_end)
    pages = [int(b[0]) for b in boxes] or [1]
    return ClauseOut(id=c.id, path=list(c.path), text=c.text, page_start=min(pages), page_end=max(pages),
                     bbox=[list(b) for b in boxes], char_start=c.char_start, char_end=c.char_end,
                     kind=c.kind, parent_id=c.parent_id, rule=c.rule)


def _mechanism_out(m: Mechanism, clause: ClauseOut | None) -> MechanismOut:
    from extractors.taxonomy import ORIGINS

    e = m.entities
    return MechanismOut(
        id=m.id, clause_id=m.clause_id, type=m.type, subject=m.subject, text=m.text,
        amounts=[AmountOut(value=a.value, currency=a.currency, text=a.text) for a in e.amounts],
        thresholds=[ThresholdOut(comparator=t.comparator, value=t.value, unit=t.unit, text=t.text)
                    for t in e.thresholds],
        deadlines=[DeadlineOut(text=d.text, days=d.days, working_days=d.working_days, date=d.date)
                   for d in e.deadlines],
        bodies=list(dict.fromkeys(b.name for b in e.bodies)),
        references=[ReferenceOut(text=r.text, type=r.type, number=r.number, date=r.date) for r in e.references],
        confidence=round(min(max(m.confidence, 0.0), 1.0), 3), method=m.method,
        categories=[CategoryOut(code=c.code, score=round(c.score, 3), origin=list(c.origin or ORIGINS[c.code]),
                                evidence=list(c.evidence)) for c in m.categories],
        evidence=Evidence(rule=m.rule, triggers=list(m.triggers),
                          page=clause.page_start if clause else 1, bbox=clause.bbox if clause else []),
    )


def assemble(path: Path, sha: str, doc: DocumentText, structured: Structured, mechanisms: list[Mechanism],
             run_id: str, engine: str = "", ocr_pages: list[int] | None = None) -> ActDocument:
    """The per-document output record."""
    clauses = [_clause_out(c, doc) for c in structured.clauses]
    by_id = {c.id: c for c in clauses}
    a = structured.act
    tables = [TableOut(clause_id=cid, page=t.table.page, bbox=[round(v, 1) for v in t.table.bbox],
                       rows=[list(r) for r in t.table.rows]) for t, cid in structured.tables]
    return ActDocument(
        doc_id=sha,
        source=Source(file=Path(path).name, sha256=sha, pages=doc.pages, ocr=bool(ocr_pages),
                      ocr_pages=ocr_pages or [], engine=engine),
        act=Act(country=a.country, type=a.type, issuer=a.issuer, number=a.number, date=a.date, title=a.title,
                language=a.language, evidence=dict(a.evidence), in_scope=structured.scope.in_scope,
                scope_evidence=list(structured.scope.evidence)),
        clauses=clauses, tables=tables,
        mechanisms=[_mechanism_out(m, by_id.get(m.clause_id)) for m in mechanisms],
        pipeline=PipelineInfo(version=pipeline_version(), run_id=run_id,
                              processed_at=datetime.now(timezone.utc).isoformat(timespec="seconds")),
    )


def run_document(path: str, target: str, sha: str, run_id: str, engine: str = "auto",
                 deadline: float | None = None) -> dict:
    """Every stage for one input, its act file written at `target` (atomically).

    Runs where the document's worker is, so the page records and clauses never travel between
    processes; returns what the run summary needs: counts and the seconds of each stage.
    """
    from extractors.nlp import get_nlp

    from .outputs import write_model
    from .workers import stage

    times: dict[str, float] = {}
    with stage("ingest", times, deadline):
        doc = read_text(Path(path), engine)
    with stage("structure", times, deadline):
        structured = structure(doc)
    with stage("nlp", times, deadline):
        mechanisms = extract(structured, get_nlp())
    with stage("write", times, deadline):
        document = assemble(Path(path), sha, doc, structured, mechanisms, run_id,
                            engine=getattr(doc, "engine", "") or engine,
                            ocr_pages=list(getattr(doc, "ocr_pages", []) or []))
        write_model(Path(target), document)
    return {"pages": doc.pages, "clauses": len(document.clauses), "mechanisms": len(document.mechanisms),
            "times": times}


_WARM_LINES = (
    "ПРАВИТЕЛЬСТВО РОССИЙСКОЙ ФЕДЕРАЦИИ", "ПОСТАНОВЛЕНИЕ", "от 1 марта 2024 г. № 100",
    "О поддержке промышленных кластеров", "Правительство Российской Федерации постановляет:",
    "1. Утвердить прилагаемые Правила предоставления субсидий.",
    "2. Министерству промышленности и торговли Российской Федерации обеспечить мониторинг.",
    "Председатель Правительства Российской Федерации",
)


def warm() -> None:
    """Load, once per worker, what the first document would otherwise pay for: the PDF engine, the
    table lattice, the structure and metadata rules, and the NLP pipeline with its lexicons."""
    import pypdfium2  # noqa: F401
    from pdfplumber import table  # noqa: F401  (ruled tables use its lattice functions)

    from extractors.annotate import warm as warm_nlp
    from extractors.records import Line, Page

    from .text import build_document

    lines = tuple(Line(page=1, text=t, bbox=(70.0, 60.0 + 20 * i, 520.0, 72.0 + 20 * i), size=12.0)
                  for i, t in enumerate(_WARM_LINES))
    structure(build_document([Page(number=1, width=595.0, height=842.0, lines=lines)]))
    warm_nlp()
