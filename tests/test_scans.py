"""A scanned act read end to end: OCR, document text, clauses, against the gold of its text-layer original."""
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# three pages in Belarusian: the language the OCR repairs treat apart, read in about ten seconds
SCAN = ROOT / "corpora" / "scans" / "by-bel-sovmin-cluster-support.pdf"


@pytest.mark.skipif(not shutil.which("tesseract"), reason="needs tesseract with rus and bel data")
def test_scans_clauses_of_a_scanned_act_match_its_gold():
    from extractors.structure import parse_clauses
    from pipeline.evaluate import norm, text_matches
    from pipeline.text import load_document

    doc = load_document(SCAN)
    assert doc.ocr_pages == [1, 2, 3]
    texts = [norm(c.text) for c in parse_clauses(doc)]
    quotes = [norm(m["quote"]) for m in json.loads(SCAN.with_suffix("").with_suffix(".gold.json").read_text(
        encoding="utf-8"))["mechanisms"]]
    found = [q for q in quotes if any(text_matches(q, t) for t in texts)]
    missing = [q[:80] for q in quotes if q not in found]
    assert len(found) / len(quotes) >= 0.85, missing


def _scan_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("corpora_scan", ROOT / "corpora" / "scan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scans_maker_is_deterministic_and_leaves_no_text(tmp_path):
    import pypdfium2 as pdfium

    scan = _scan_module()
    src = ROOT / "corpora" / "own" / "by-bel-gknt-monitoring-technoparks.pdf"
    a, b, c = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    assert scan.scan(src, a, dpi=100, seed=7) == 3
    scan.scan(src, b, dpi=100, seed=7)
    scan.scan(src, c, dpi=100, seed=8)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    pdf = pdfium.PdfDocument(str(a))
    try:
        assert all(not pdf[i].get_textpage().get_text_range().strip() for i in range(len(pdf)))
    finally:
        pdf.close()
    with pytest.raises(ValueError):
        scan.scan(src, c, skew=2.0)
