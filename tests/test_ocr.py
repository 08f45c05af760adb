"""OCR: repairs of typical confusions, TSV parsing, and a real page read by Tesseract."""
import shutil
from pathlib import Path

import pytest

from pipeline.ocr import detect_langs, fix_line, fix_word, ocr_page, parse_tsv

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


@pytest.mark.parametrize("word,expected", [
    ("кластeр", "кластер"),        # Latin e inside a Cyrillic word
    ("Mинистерство", "Министерство"),
    ("Prefect", "Prefect"),         # a Latin word stays Latin
    ("ИКТ-кластер", "ИКТ-кластер"),
    ("pdf", "pdf"),
])
def test_ocr_lookalikes_repaired_inside_cyrillic_words(word, expected):
    assert fix_word(word) == expected


@pytest.mark.parametrize("line,prev,expected", [
    ("6) участники кластера", "а", "б) участники кластера"),
    ("6) участники кластера", None, "6) участники кластера"),   # a real item 6) stays
    ("З. Уполномоченный орган", None, "3. Уполномоченный орган"),
    ("Здание технопарка", None, "Здание технопарка"),
])
def test_ocr_numbering_confusions_repaired(line, prev, expected):
    assert fix_line(line, prev) == expected


def test_ocr_tsv_groups_words_into_lines_in_points():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t300\t300\t100\t30\t95\tСтатья\n"
           "5\t1\t1\t1\t1\t2\t420\t300\t30\t30\t95\t1.\n"
           "5\t1\t1\t1\t2\t1\t300\t360\t200\t30\t91\tкластер\n"
           "4\t1\t1\t1\t2\t0\t300\t360\t200\t30\t-1\t\n")
    lines = parse_tsv(tsv, 3, 72 / 300)
    assert [ln.text for ln in lines] == ["Статья 1.", "кластер"]
    assert lines[0].page == 3 and lines[0].bbox == (72.0, 72.0, 108.0, 79.2)


@pytest.mark.parametrize("text,expected", [
    ("Савет Міністраў Рэспублікі Беларусь пастанаўляе", "bel+rus"),
    ("Правительство Российской Федерации постановляет", "rus"),
])
def test_ocr_language_detection(text, expected):
    assert detect_langs(text) == expected


@pytest.mark.skipif(not shutil.which("tesseract") or not FONT.exists(), reason="needs tesseract and DejaVu fonts")
def test_ocr_reads_an_image_only_page(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 50)
    for i, text in enumerate(["Статья 5. Требования к кластерам", "1. Государственная поддержка оказывается",
                              "кластеру, участниками которого являются"]):
        draw.text((300, 400 + i * 90), text, font=font, fill=0)
    pdf = tmp_path / "scan.pdf"
    img.save(pdf, "PDF", resolution=300)
    page = ocr_page(pdf, 0)
    text = " ".join(ln.text for ln in page.lines)
    assert page.ocr and "Требования к кластерам" in text and "Государственная поддержка" in text
    first = page.lines[0]
    assert 60 < first.bbox[0] < 90 and 80 < first.bbox[1] < 110  # 300 px at 300 dpi = 72 pt
