"""A small synthetic run output (PDFs, acts/*.json, mechanisms.jsonl) for demos, tests and the load test."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

from pipeline.models import (ActDocument, Act, AmountOut, CategoryOut, ClauseOut, DeadlineOut, Evidence,
                             MechanismOut, MechanismRow, PipelineInfo, Source, ThresholdOut)
from pipeline.outputs import write_jsonl, write_model

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PAGE_W, PAGE_H, MARGIN, LEADING, SIZE = 595.0, 842.0, 56.0, 14.0, 10.0
ORIGIN = {"INNOVATION_INFRASTRUCTURE": ["US", "JP"], "CLUSTER_GRANTS": ["US", "EU"], "SME_STARTUPS": ["US"],
          "NETWORK_ECOSYSTEM": ["EU"], "SUPRANATIONAL_COORDINATION": ["EU"], "EXPORT_ORIENTATION": ["US", "EU"],
          "KNOWLEDGE_EXCHANGE": ["EU", "JP"], "TRANSNATIONAL": ["EU", "US"]}

# (clause text, type, subject, categories, triggers, amounts, thresholds, deadlines); type None = no mechanism
TEMPLATES = [
    ("Управляющая компания промышленного технопарка обязана обеспечить общую площадь территории не менее "
     "5 гектаров.", "REQUIREMENT", "MANAGEMENT_COMPANY", ["INNOVATION_INFRASTRUCTURE"], ["обязана"], [],
     [(">=", 5, "га", "не менее 5 гектаров")], []),
    ("Субсидии предоставляются специализированной организации кластера в размере не более 15 млн рублей.",
     "GRANT", "CLUSTER_ORGANIZATION", ["CLUSTER_GRANTS"], ["Субсидии предоставляются"],
     [(15_000_000, "RUB", "15 млн рублей")], [], []),
    ("Участники кластера, являющиеся субъектами малого и среднего предпринимательства, освобождаются от "
     "арендной платы.", "INCENTIVE", "PARTICIPANT", ["SME_STARTUPS"], ["освобождаются"], [], [], []),
    ("Конкурсная комиссия рассматривает заявки в течение 30 рабочих дней со дня их поступления.", "SELECTION",
     "AUTHORITY", [], ["рассматривает заявки"], [], [], [("в течение 30 рабочих дней", 30, True)]),
    ("Министерство экономики ведет реестр кластеров и координирует взаимодействие их участников.",
     "COORDINATION", "AUTHORITY", ["NETWORK_ECOSYSTEM", "SUPRANATIONAL_COORDINATION"], ["координирует"], [], [], []),
    ("Специализированная организация ежегодно представляет отчет о достижении показателей экспорта продукции.",
     "MONITORING", "CLUSTER_ORGANIZATION", ["EXPORT_ORIENTATION"], ["представляет отчет"], [], [], []),
    ("Настоящее постановление вступает в силу после его официального опубликования.", None, None, [], [], [], [], []),
]
HOSTILE = ("Участник обязан представить документы <script>alert(1)</script> & «заявку» не менее чем за 10 дней.",
           "REQUIREMENT", "PARTICIPANT", [], ["обязан"], [], [(">=", 10, "день", "не менее чем за 10 дней")], [])


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_FILE.is_file():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_FILE)))
        return "DejaVuSans"
    return "Helvetica"


def render_pdf(texts: list[str]) -> tuple[bytes, list[tuple[int, list[list[float]]]]]:
    """A PDF with one paragraph per text, and for each its first page and bbox rows [page, x0, top, x1, bottom]."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font, buf = _font(), io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)  # invariant: same bytes, same doc_id
    c.setFont(font, SIZE)
    page, top, boxes = 1, MARGIN, []
    for text in texts:
        lines = simpleSplit(text, font, SIZE, PAGE_W - 2 * MARGIN)
        if top + LEADING * len(lines) > PAGE_H - MARGIN:
            c.showPage()
            c.setFont(font, SIZE)
            page, top = page + 1, MARGIN
        width = max(c.stringWidth(line, font, SIZE) for line in lines)
        boxes.append((page, [[page, MARGIN, top, round(MARGIN + width, 2), top + LEADING * len(lines)]]))
        for line in lines:
            c.drawString(MARGIN, PAGE_H - top - SIZE, line)
            top += LEADING
        top += LEADING / 2
    c.save()
    return buf.getvalue(), boxes


def sample_document(name: str, country: str, rows: list[tuple], run_id: str = "sample") -> tuple[bytes, ActDocument]:
    """The PDF bytes and the per-document output of one synthetic act made of `rows` (TEMPLATES entries)."""
    texts = [r[0] for r in rows]
    pdf, boxes = render_pdf(texts)
    sha = hashlib.sha256(pdf).hexdigest()
    clauses, mechs, offset = [], [], 0
    for i, (row, (page, bbox)) in enumerate(zip(rows, boxes)):
        text, mtype, subject, cats, triggers, amounts, thresholds, deadlines = row
        cid = f"p{i + 1}"
        clauses.append(ClauseOut(id=cid, path=[f"п. {i + 1}"], text=text, page_start=page, page_end=page,
                                 bbox=bbox, char_start=offset, char_end=offset + len(text), kind="point"))
        offset += len(text) + 1
        if mtype is None:
            continue
        mechs.append(MechanismOut(
            id=f"m{i + 1}", clause_id=cid, type=mtype, subject=subject, text=text,
            amounts=[AmountOut(value=v, currency=cur, text=t) for v, cur, t in amounts],
            thresholds=[ThresholdOut(comparator=cmp, value=v, unit=u, text=t) for cmp, v, u, t in thresholds],
            deadlines=[DeadlineOut(text=t, days=d, working_days=w) for t, d, w in deadlines],
            bodies=["Министерство экономики"] if "Министерство экономики" in text else [],
            confidence=round(0.35 + ((i * 37) % 60) / 100, 2), method="rules",
            categories=[CategoryOut(code=c, score=0.8, origin=ORIGIN[c], evidence=triggers[:1]) for c in cats],
            evidence=Evidence(rule=f"{mtype.lower()}_rule", triggers=triggers, page=page, bbox=bbox)))
    doc = ActDocument(
        doc_id=sha, source=Source(file=f"{name}.pdf", sha256=sha, pages=boxes[-1][0], engine="pdfplumber"),
        act=Act(country=country, type="постановление", number=name.rsplit("-", 1)[-1], date="2020-01-15",
                title=f"О государственной поддержке кластеров ({name})", language="ru"),
        clauses=clauses, mechanisms=mechs,
        pipeline=PipelineInfo(version="0.1.0", run_id=run_id, processed_at="2026-11-26T00:00:00Z"))
    return pdf, doc


def write_sample_run(out_dir: Path, acts: int = 2, clauses_per_act: int = 8, hostile: bool = True) -> list[Path]:
    """Write `acts` synthetic acts: PDFs to OUT/pdf/, OUT/acts/<name>.json and OUT/mechanisms.jsonl."""
    out_dir = Path(out_dir)
    (out_dir / "pdf").mkdir(parents=True, exist_ok=True)
    rows_out, pdfs = [], []
    for a in range(acts):
        name, country = f"{'ru' if a % 2 == 0 else 'by'}-sample-{a + 1}", "RU" if a % 2 == 0 else "BY"
        rows = []
        for k in range(clauses_per_act):
            t = TEMPLATES[(k + a) % len(TEMPLATES)]
            rows.append((f"{t[0][:-1]} (пункт {k + 1})." if clauses_per_act > len(TEMPLATES) else t[0],) + t[1:])
        if hostile and a == 0:
            rows.insert(1, HOSTILE)
        pdf, doc = sample_document(name, country, rows)
        (out_dir / "pdf" / doc.source.file).write_bytes(pdf)
        write_model(out_dir / "acts" / f"{name}.json", doc)
        pdfs.append(out_dir / "pdf" / doc.source.file)
        for i, m in enumerate(doc.mechanisms):
            clause = next(c for c in doc.clauses if c.id == m.clause_id)
            rows_out.append(MechanismRow(**m.model_dump(), doc_id=doc.doc_id, file=doc.source.file,
                                         act_country=doc.act.country, act_type=doc.act.type,
                                         act_number=doc.act.number, act_date=doc.act.date,
                                         page_start=clause.page_start))
    write_jsonl(out_dir / "mechanisms.jsonl", rows_out)
    return pdfs
