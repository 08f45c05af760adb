"""OCR of pages without a usable text layer: render with PDFium, read with Tesseract, keep word boxes."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from extractors.records import Line, Page

DPI = 300
INSTALL_HINT = ("Tesseract is not installed: run `apt-get install tesseract-ocr tesseract-ocr-rus "
                "tesseract-ocr-bel` (or `make system`)")

# Latin letters that look like Cyrillic ones, repaired inside words that are otherwise Cyrillic.
LOOKALIKES = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к",
                            "m": "м", "t": "т", "h": "н", "b": "в", "A": "А", "B": "В", "E": "Е", "K": "К",
                            "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х", "Y": "У",
                            "i": "і"})
_CYR = re.compile(r"[А-Яа-яЁёІіЎў]")
_LAT = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-zА-Яа-яЁёІіЎў]+")


class OcrUnavailable(RuntimeError):
    """Tesseract or one of its language packs is missing."""

    reason = "ocr_unavailable"


def check_tesseract(langs: str = "rus+bel") -> str:
    """The tesseract executable, or an error that says exactly what to install."""
    exe = shutil.which("tesseract")
    if not exe:
        raise OcrUnavailable(INSTALL_HINT)
    have = set(subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split())
    missing = [lang for lang in langs.split("+") if lang not in have]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{m}" for m in missing)
        raise OcrUnavailable(f"Tesseract has no language data for {', '.join(missing)}: run `apt-get install {pkgs}`")
    return exe


def fix_word(word: str) -> str:
    """Latin look-alikes inside a Cyrillic word become Cyrillic (`кластeр` → `кластер`)."""
    if _CYR.search(word) and _LAT.search(word):
        cyr, lat = len(_CYR.findall(word)), len(_LAT.findall(word))
        if cyr >= lat:
            return word.translate(LOOKALIKES)
    return word


def fix_line(text: str, prev_marker: str | None) -> str:
    """Repairs of OCR confusions in numbering at the start of a line, and look-alikes in words."""
    text = _WORD.sub(lambda m: fix_word(m.group()), text)
    # `З.` / `З)` at a line start is a misread `3.` / `3)`
    text = re.sub(r"^З(?=[.)]\s)", "3", text)
    # `6)` right after an `а)` item is a misread `б)`
    if prev_marker == "а":
        text = re.sub(r"^6\)", "б)", text)
    return text


def _marker(text: str) -> str | None:
    m = re.match(r"^([а-я])\)\s", text)
    return m.group(1) if m else None


def parse_tsv(tsv: str, page_no: int, scale: float) -> list[Line]:
    """Tesseract TSV → our lines (words grouped by block, paragraph and line), boxes in PDF points."""
    rows = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if not header:
        return []
    idx = {k: i for i, k in enumerate(header)}
    groups: dict[tuple[int, int, int], list[tuple[float, float, float, float, str]]] = {}
    for r in rows:
        if len(r) < len(header) or r[idx["level"]] != "5":
            continue
        word = r[idx["text"]].strip()
        if not word or float(r[idx["conf"]]) < 0:
            continue
        left, top = int(r[idx["left"]]), int(r[idx["top"]])
        w, h = int(r[idx["width"]]), int(r[idx["height"]])
        key = (int(r[idx["block_num"]]), int(r[idx["par_num"]]), int(r[idx["line_num"]]))
        groups.setdefault(key, []).append((left * scale, top * scale, (left + w) * scale, (top + h) * scale, word))
    lines = []
    for words in groups.values():
        words.sort()
        text = " ".join(w[4] for w in words)
        bbox = (min(w[0] for w in words), min(w[1] for w in words), max(w[2] for w in words),
                max(w[3] for w in words))
        size = sorted(w[3] - w[1] for w in words)[len(words) // 2]
        lines.append(Line(page=page_no, text=text, bbox=tuple(round(v, 1) for v in bbox), size=round(size, 1)))
    lines.sort(key=lambda ln: (round(ln.bbox[1] / 4), ln.bbox[0]))
    return lines


def detect_langs(text: str) -> str:
    """`bel+rus` when Belarusian letters are frequent in a first read, else `rus`."""
    letters = sum(ch.isalpha() for ch in text) or 1
    bel = sum(text.count(ch) for ch in "іІўЎ")
    return "bel+rus" if bel / letters > 0.005 else "rus"


def ocr_image(png: Path, langs: str) -> str:
    exe = check_tesseract(langs)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # documents run in parallel already
    res = subprocess.run([exe, str(png), "-", "-l", langs, "--psm", "3", "tsv"], capture_output=True, text=True,
                         env=env)
    if res.returncode != 0:
        raise RuntimeError(f"tesseract failed: {res.stderr.strip()[:300]}")
    return res.stdout


def ocr_page(pdf_path: Path, index: int, langs: str = "rus+bel", dpi: int = DPI) -> Page:
    """Render page `index` (0-based) and read it; the page record is marked `ocr=True`."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=dpi / 72).to_pil()
        page.close()
    finally:
        pdf.close()
    with tempfile.TemporaryDirectory(prefix="clusterlex-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.convert("L").save(png)
        tsv = ocr_image(png, langs)
    lines = parse_tsv(tsv, index + 1, 72 / dpi)
    fixed, prev = [], None
    for ln in lines:
        text = fix_line(ln.text, prev)
        prev = _marker(text) or prev
        fixed.append(Line(page=ln.page, text=text, bbox=ln.bbox, size=ln.size, bold=ln.bold))
    return Page(number=index + 1, width=width, height=height, lines=tuple(fixed), ocr=True)
