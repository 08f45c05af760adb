"""What the item page shows: text with evidence highlighted (escaped first), and the clause's page region as PNG."""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from markupsafe import Markup, escape

MAX_REGIONS, PAD, MAX_WIDTH = 3, 40.0, 1400


def highlight(text: str, terms: list[tuple[str, str]]) -> Markup:
    """`text` escaped, with each occurrence of a (term, css class) wrapped in <mark>; overlaps keep the first."""
    spans = []
    for term, cls in terms:
        term = (term or "").strip()
        if len(term) < 2:
            continue
        for m in re.finditer(re.escape(term), text, re.IGNORECASE):
            spans.append((m.start(), -m.end(), cls))
    out, pos = [], 0
    for start, neg_end, cls in sorted(spans):
        end = -neg_end
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="{}">{}</mark>').format(cls, text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def evidence_terms(prediction: dict, current: dict | None = None) -> list[tuple[str, str]]:
    """Trigger words (class `ev`) and entity texts (class `ent`) of a mechanism, longest first."""
    ev = list((prediction.get("evidence") or {}).get("triggers") or [])
    for c in prediction.get("categories") or []:
        ev.extend((c.get("evidence") or []) if isinstance(c, dict) else [])
    ents = []
    for src in (prediction, current or {}):
        for key in ("amounts", "thresholds", "deadlines", "references"):
            ents.extend(x.get("text", "") for x in src.get(key) or [] if isinstance(x, dict))
        ents.extend(str(b) for b in src.get("bodies") or [])
    terms = [(t, "ent") for t in ents] + [(t, "ev") for t in ev]
    return sorted({t: None for t in terms}, key=lambda t: -len(t[0]))


def _cache_name(clause_pk: int, pdf_path: str, bbox: list) -> str:
    key = hashlib.sha256(json.dumps([pdf_path, bbox]).encode()).hexdigest()[:16]
    return f"clause-{int(clause_pk)}-{key}.png"


def page_image(cache_dir: Path, clause_pk: int, pdf_path: str, bbox: list) -> Path:
    """The PNG of the clause's page region(s) with the bbox marked, rendered once into `cache_dir`."""
    target = cache_dir / _cache_name(clause_pk, pdf_path, bbox)
    if target.is_file():
        return target
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    regions = []
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for row in bbox[:MAX_REGIONS]:
            page_no, x0, top, x1, bottom = (float(v) for v in row[:5])
            if not 1 <= page_no <= len(pdf):
                continue
            page = pdf[int(page_no) - 1]
            width, height = page.get_size()
            scale = min(2.0, MAX_WIDTH / max(width, 1.0))
            img = page.render(scale=scale).to_pil().convert("RGB")
            page.close()
            draw = ImageDraw.Draw(img, "RGBA")
            box = [x0 * scale - 3, top * scale - 3, x1 * scale + 3, bottom * scale + 3]
            draw.rectangle(box, outline=(220, 30, 30, 255), width=3, fill=(255, 230, 0, 50))
            y0, y1 = max(0.0, top - PAD) * scale, min(height, bottom + PAD) * scale
            regions.append(img.crop((0, int(y0), img.width, int(max(y1, y0 + 1)))))
    finally:
        pdf.close()
    if not regions:
        raise ValueError("no bbox on a page of this PDF")
    out = Image.new("RGB", (max(r.width for r in regions), sum(r.height for r in regions) + 8 * (len(regions) - 1)),
                    "white")
    y = 0
    for r in regions:
        out.paste(r, (0, y))
        y += r.height + 8
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".png.tmp", dir=cache_dir)
    with os.fdopen(fd, "wb") as fh:
        out.save(fh, "PNG")
    os.replace(tmp, target)  # concurrent renders of one clause both land whole
    return target
