"""Text normalization: page noise, hyphen repair, spaced letters, layout hints, tables, the devset quotes."""
import json
from collections import Counter
from pathlib import Path

import pytest

from extractors.records import Line, Page, Table
from pipeline.errors import IngestError
from pipeline.evaluate import norm
from pipeline.text import (build_document, hyphen_decision, join_spaced_letters, line_align, load_document,
                           normalize_line, repair_hyphens, strip_noise)

DEVSET = Path(__file__).resolve().parent.parent / "corpora" / "devset"
H = 842.0


def page(number: int, *rows: tuple[str, float], x0: float = 70.0, x1: float = 520.0) -> Page:
    """A page of lines given as (text, top); every line spans [x0, x1] unless the text says otherwise."""
    lines = tuple(Line(number, text, (x0, top, x1, top + 12), 12.0) for text, top in rows)
    return Page(number=number, width=595.0, height=H, lines=lines)


BODY = [("Текст пункта первого.", 300), ("Продолжение текста.", 320), ("Еще одна строка.", 340)]


def kept_texts(pages):
    clean, _ = strip_noise(pages)
    return [[ln.text for ln in p.lines] for p in clean]


@pytest.mark.parametrize("top,bottom", [
    # running header repeated with the page number in it: digits are ignored
    ([("Об утверждении декларации Страница {n}", 20)], []),
    # two-line running header and a portal footer (docs.cntd.ru)
    ([("Указ Главы от 21 ноября 2022 г. № 236", 20), ("Об утверждении декларации", 34)],
     [("Документ сохранен с портала docs.cntd.ru — электронного фонда", 800)]),
    # lone page numbers in several styles
    ([("{n}", 30)], []),
    ([], [("- {n} -", 800)]),
    ([], [("{n} из 5", 800)]),
    ([], [("Страница {n} из 5", 800)]),
    # portal and database stamps
    ([("Документ предоставлен КонсультантПлюс", 20)], [("www.consultant.ru Страница {n} из 5", 800)]),
    ([("Национальный правовой Интернет-портал Республики Беларусь, 04.05.2016, 8/30892", 20)], [("{n}", 800)]),
    ([("Официальное опубликование правовых актов", 20)], [("{n}", 800)]),
    ([("Приказ Минэкономразвития России от 29.11.2019 N 773 Документ предоставлен КонсультантПлюс", 20),
      ("Дата сохранения: 13.04.2021", 32)],
     [("КонсультантПлюс надежная правовая поддержка www.consultant.ru Страница {n} из 5", 800)]),
])
def test_text_headers_footers_and_page_numbers_removed(top, bottom):
    pages = [page(n, *[(t.format(n=n), y) for t, y in top], *BODY, *[(t.format(n=n), y) for t, y in bottom])
             for n in range(1, 6)]
    assert kept_texts(pages) == [[t for t, _ in BODY]] * 5


@pytest.mark.parametrize("rows,kept", [
    # placeholders stay even when every page repeats them
    ([("[REGDATESTAMP] Черкесск № [REGNUMSTAMP]", 20)], ["[REGDATESTAMP] Черкесск № [REGNUMSTAMP]"]),
    # a number inside the body is not a page number
    ([("2020", 400)], ["2020"]),
    # a portal name inside a citation is text
    ([("(Национальный правовой Интернет-портал Республики Беларусь, 20.09.2014, 8/29126)", 400)],
     ["(Национальный правовой Интернет-портал Республики Беларусь, 20.09.2014, 8/29126)"]),
])
def test_text_body_lines_kept(rows, kept):
    pages = [page(n, *BODY, *rows) for n in range(1, 4)]
    assert [t for t in kept_texts(pages)[0] if t not in {b for b, _ in BODY}] == kept


def test_text_stamps_removed_from_a_one_page_document():
    pages = [page(1, ("Документ предоставлен КонсультантПлюс", 20), *BODY, ("www.consultant.ru", 800))]
    assert kept_texts(pages) == [[t for t, _ in BODY]]


def test_text_heading_at_top_of_one_page_is_not_running():
    pages = [page(n, (f"Статья {n}. Предмет регулирования" if n == 2 else "Текст наверху", 60), *BODY)
             for n in range(1, 9)]
    assert kept_texts(pages)[1][0] == "Статья 2. Предмет регулирования"


def test_text_annex_stamps_of_two_annexes_are_not_running():
    # a five-page act whose annexes 1 and 2 each open a page with their own stamp
    stamp = [("Приложение № {a}", 20), ("к приказу Министерства промышленности", 34)]
    pages = [page(n, *([(t.format(a=n // 2), y) for t, y in stamp] if n in (2, 4) else [("Текст", 20)]), *BODY)
             for n in range(1, 6)]
    kept = kept_texts(pages)
    assert kept[1][:2] == ["Приложение № 1", "к приказу Министерства промышленности"]
    assert kept[3][:2] == ["Приложение № 2", "к приказу Министерства промышленности"]


def test_text_chapter_headings_opening_pages_are_not_running():
    # chapters 2 to 5 each open a page: "ГЛАВА #" repeats with digits ignored, but each heading is its own
    pages = [page(n, (f"ГЛАВА {n}", 20), *BODY) for n in range(1, 6)]
    assert [k[0] for k in kept_texts(pages)] == [f"ГЛАВА {n}" for n in range(1, 6)]


def test_text_annex_stamp_repeated_on_every_page_is_running():
    pages = [page(n, ("Приложение № 3 к постановлению Правительства", 20), *BODY) for n in range(1, 6)]
    assert kept_texts(pages) == [[t for t, _ in BODY]] * 5


def test_text_database_note_boxes_removed():
    # ГАРАНТ: a shaded box whose lines share the heading's left edge, amid body lines at 55 and 91
    lines = (Line(1, "Статья 1. Предмет регулирования", (91, 100, 480, 112)),
             Line(1, "ГАРАНТ:", (63.5, 120, 97, 128), 8.0),
             Line(1, "Об особенностях раскрытия информации", (63.5, 132, 555, 144)),
             Line(1, "См. комментарии к статье 1", (63.5, 148, 400, 160)),
             Line(1, "Настоящий Федеральный закон регулирует", (91, 170, 555, 182)),
             Line(1, "отношения в сфере страхования.", (55, 184, 300, 196)),
             Line(1, "КонсультантПлюс: примечание.", (112, 210, 260, 222)),
             Line(1, "После внесения изменений постановлением", (112, 224, 552, 236)),
             Line(1, "от 31.12.2006 нумерация пунктов изменена.", (85, 238, 314, 250)),
             Line(1, "8. Организация вправе приостановить", (112, 262, 553, 274)))
    clean, removed = strip_noise([Page(1, 595, 842, lines)])
    assert [ln.text for ln in clean[0].lines] == [
        "Статья 1. Предмет регулирования", "Настоящий Федеральный закон регулирует",
        "отношения в сфере страхования.", "8. Организация вправе приостановить"]
    assert {r.rule for r in removed} == {"database_note"}


@pytest.mark.parametrize("rows,kept", [
    ([("1. Утвердить прилагаемое Положение.", 0), ("(в ред. постановления Совмина от 12.06.2014 N 571)", 0)],
     ["1. Утвердить прилагаемое Положение."]),
    ([("(в ред. постановлений Совмина от 01.11.2006 N 1448,", 0), ("от 31.12.2006 N 1802)", 0),
      ("Совет Министров ПОСТАНОВЛЯЕТ:", 0)], ["Совет Министров ПОСТАНОВЛЯЕТ:"]),
    ([("(часть первая п. 2 в ред. постановления Совмина от 08.05.2013 N 356)", 0)], []),
    # a parenthesis that does not close on its own line(s), or text after it, is not a note
    ([("(в редакции, действующей на день подачи заявки) применяется порядок", 0)],
     ["(в редакции, действующей на день подачи заявки) применяется порядок"]),
])
def test_text_edition_notes_removed(rows, kept):
    lines = tuple(Line(1, t, (70, 300 + 14 * i, 520, 312 + 14 * i)) for i, (t, _) in enumerate(rows))
    clean, _ = strip_noise([Page(1, 595, 842, lines)])
    assert [ln.text for ln in clean[0].lines] == kept


@pytest.mark.parametrize("lines,expected", [
    (["министерство экономического развития Ка-", "лужской области"], ["министерство экономического развития Калужской", "области"]),
    (["на территории обла-", "сти;"], ["на территории области;", ""]),
    (["развития инноваци-", "онного кластера"], ["развития инновационного", "кластера"]),
    (["субъекты малого предприни-", "мательства и"], ["субъекты малого предпринимательства", "и"]),
    (["участни-", "ков кластера"], ["участников", "кластера"]),
    (["(далее — уполномо-", "ченный орган)"], ["(далее — уполномоченный", "орган)"]),
    (["грантаў з абласных інавацый-", "ных фондаў"], ["грантаў з абласных інавацыйных", "фондаў"]),  # Belarusian
    (["поддержки клас\u00ad", "теров"], ["поддержки кластеров", ""]),  # a soft hyphen always joins
])
def test_text_hyphen_joined(lines, expected):
    assert repair_hyphens(lines) == expected


@pytest.mark.parametrize("lines,expected", [
    (["научно-", "технический совет"], ["научно-технический", "совет"]),
    (["институционально-", "правовой механизм"], ["институционально-правовой", "механизм"]),
    (["на интернет-", "портале"], ["на интернет-портале", ""]),
    (["организаций жилищно-", "коммунального хозяйства"], ["организаций жилищно-коммунального", "хозяйства"]),
    (["участники ИКТ-", "кластера"], ["участники ИКТ-кластера", ""]),
    (["для детей-", "инвалидов"], ["для детей-инвалидов", ""]),
    (["информационно-", "телекоммуникационной сети"], ["информационно-телекоммуникационной", "сети"]),
    (["в Карачаево-", "Черкесской Республике"], ["в Карачаево-", "Черкесской Республике"]),  # capital: no join
    (["субъекты предпринимательства -", "индивидуальные предприниматели"],
     ["субъекты предпринимательства -", "индивидуальные предприниматели"]),  # a dash, not a hyphen
])
def test_text_hyphen_kept(lines, expected):
    assert repair_hyphens(lines) == expected


@pytest.mark.parametrize("left,right,forms,expected", [
    ("навукова", "тэхнічнай", Counter({"навукова-тэхнічнай": 2}), (False, "document_form")),
    ("навукова", "тэхнічнай", Counter({"навуковатэхнічнай": 1}), (True, "document_form")),
    ("Ка", "лужской", None, (True, "dict_joined")),
    ("научно", "технический", None, (False, "dict_hyphenated")),
    ("ИКТ", "кластер", None, (False, "abbreviation")),
    ("абласн", "ых", None, (True, "hyphenation")),
])
def test_text_hyphen_rule_named(left, right, forms, expected):
    assert hyphen_decision(left, right, forms) == expected


@pytest.mark.parametrize("text,expected", [
    ("Российской Федерации п о с т а н о в л я е т :", "Российской Федерации постановляет:"),
    ("П О С Т А Н О В Л Е Н И Е", "ПОСТАНОВЛЕНИЕ"),
    ("по принципу одного окна п р и к а з ы в а ю:", "по принципу одного окна приказываю:"),
    ("П Е Р Е Ч Е Н Ь видов помощи", "ПЕРЕЧЕНЬ видов помощи"),
    ("в с к у", "в с к у"),                      # four single letters: left alone
    ("а) б) в) г) д) е)", "а) б) в) г) д) е)"),
    ("1 2 3 4 5 6", "1 2 3 4 5 6"),
])
def test_text_spaced_letters_joined(text, expected):
    assert join_spaced_letters(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("не\u00a0менее\u202f10\u2009участников", "не менее 10 участников"),
    ("  Статья   5.  Требования  ", "Статья 5. Требования"),
    ("клас\u00adтер\u200b", "кластер"),
    ("«Об утверждении» — № 400", "«Об утверждении» — № 400"),
    ("П О С Т А Н О В Л Я Е Т :", "ПОСТАНОВЛЯЕТ:"),
])
def test_text_normalize_line(text, expected):
    assert normalize_line(text) == expected


@pytest.mark.parametrize("bbox,expected", [
    ((70, 0, 520, 12), "justify"),    # a full line
    ((106, 0, 520, 12), "justify"),   # a paragraph's first line, full to the right edge
    ((70, 0, 300, 12), "left"),       # a paragraph's last line
    ((106, 0, 400, 12), "left"),      # a short first line at the paragraph indent
    ((200, 0, 390, 12), "center"),    # a heading
    ((380, 0, 520, 12), "right"),     # an approval stamp
])
def test_text_line_align(bbox, expected):
    assert line_align(bbox, 70, 520, para_indent=36) == expected


def test_text_document_layout_hints_and_offsets():
    lines = (Line(1, "Статья 5. Требования", (200, 100, 390, 112), 12.0, True),
             Line(1, "1. Государственная поддержка оказы-", (106, 130, 520, 142)),
             Line(1, "вается кластеру, который", (70, 146, 520, 158)),
             Line(1, "соответствует требованиям:", (70, 162, 300, 174)),
             Line(1, "2. Участники кластера", (106, 178, 520, 190)),
             Line(1, "обязаны отчитываться.", (70, 194, 250, 206)))
    doc = build_document([Page(1, 595, 842, lines)])
    assert doc.text.split("\n") == ["Статья 5. Требования", "1. Государственная поддержка оказывается",
                                    "кластеру, который", "соответствует требованиям:", "2. Участники кластера",
                                    "обязаны отчитываться."]
    assert [(ln.align, ln.indent) for ln in doc.lines] == [
        ("center", 130.0), ("justify", 36.0), ("justify", 0.0), ("left", 0.0), ("justify", 36.0), ("left", 0.0)]
    assert [ln.gap_before for ln in doc.lines] == [0.0, 18.0, 4.0, 4.0, 4.0, 4.0]
    assert doc.lines[0].bold and doc.lines[0].size == 12.0
    assert all(doc.text[ln.start:ln.end] == t for ln, t in zip(doc.lines, doc.text.split("\n")))
    assert doc.provenance(doc.lines[1].start, doc.lines[2].end) == [(1, 70.0, 130.0, 520.0, 158.0)]


def test_text_tables_out_of_text_and_anchored():
    table = Table(1, (70, 200, 520, 260), (("Показатель", "2020 год"), ("Экспорт про-\nдукции", "100")))
    lines = (Line(1, "20. Целевые показатели:", (106, 170, 400, 182)),
             Line(1, "21. Отчет представляется ежегодно.", (106, 280, 520, 292)))
    doc = build_document([Page(1, 595, 842, lines, tables=(table,))])
    assert "Экспорт" not in doc.text and "Показатель" not in doc.text
    anchored = doc.tables[0]
    assert anchored.offset == doc.lines[0].end
    assert anchored.table.rows == (("Показатель", "2020 год"), ("Экспорт продукции", "100"))


def test_text_hyphen_joins_across_a_page_break_after_the_footer():
    pages = [page(1, ("первая строка закона о поддержке Ка-", 700), ("1", 800)),
             page(2, ("лужской области и далее", 60), ("2", 800))]
    assert build_document(pages).text == "первая строка закона о поддержке Калужской\nобласти и далее"


def test_text_load_document_raises_ingest_errors(tmp_path):
    bad = tmp_path / "act.pdf"
    bad.write_text("not a pdf", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        load_document(bad)
    assert err.value.reason == "not_pdf"


@pytest.mark.parametrize("name", sorted(p.stem for p in DEVSET.glob("*.pdf")))
def test_text_devset_gold_quotes_in_normalized_text(name):
    doc = load_document(DEVSET / f"{name}.pdf", ocr="never")
    text = norm(doc.text)
    quotes = [norm(m["quote"]) for m in json.loads((DEVSET / f"{name}.gold.json").read_text())["mechanisms"]]
    missing = [q for q in quotes if q not in text]
    assert len(missing) <= 0.03 * len(quotes), missing
    assert doc.engine == "pdfium" and doc.ocr_pages == []


def _pdf_with_scan(path: Path, text_page: bool = True) -> Path:
    """A PDF with a text page (optional), a blank page and an image-only page."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSerif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"))
    c = canvas.Canvas(str(path))
    if text_page:
        c.setFont("DejaVuSerif", 12)
        c.drawString(72, 700, "Статья 1. Настоящий Закон устанавливает формы поддержки кластеров.")
        c.showPage()
        c.showPage()  # blank
    c.drawImage(ImageReader(Image.new("L", (200, 100), 255)), 72, 500, 200, 100)
    c.showPage()
    c.save()
    return path


def test_text_scanned_pages_go_to_ocr_blank_pages_do_not(tmp_path, monkeypatch):
    import pipeline.ocr as ocr

    read = []

    def fake_ocr_page(pdf, index, *args, **kwargs):
        read.append(index)
        return Page(number=index + 1, width=595, height=842, ocr=True,
                    lines=(Line(index + 1, "Статья 2. Текст со скана", (70, 100, 300, 112)),))

    monkeypatch.setattr(ocr, "check_tesseract", lambda *a, **k: "tesseract")
    monkeypatch.setattr(ocr, "ocr_page", fake_ocr_page)
    doc = load_document(_pdf_with_scan(tmp_path / "act.pdf"))
    assert read == [2] and doc.ocr_pages == [3] and doc.pages == 3
    assert doc.text.endswith("Статья 2. Текст со скана")


def test_text_scan_without_tesseract_raises_what_to_install(tmp_path, monkeypatch):
    import pipeline.ocr as ocr

    def missing(*args, **kwargs):
        raise ocr.OcrUnavailable(ocr.INSTALL_HINT)

    monkeypatch.setattr(ocr, "check_tesseract", missing)
    with pytest.raises(ocr.OcrUnavailable):
        load_document(_pdf_with_scan(tmp_path / "scan.pdf", text_page=False))
    doc = load_document(_pdf_with_scan(tmp_path / "mixed.pdf"))  # text elsewhere: read what there is
    assert doc.text.startswith("Статья 1.") and doc.ocr_pages == []


def test_text_blank_document_is_an_error(tmp_path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "blank.pdf"))
    for _ in range(3):
        c.showPage()
    c.save()
    with pytest.raises(IngestError) as err:
        load_document(tmp_path / "blank.pdf")
    assert err.value.reason == "no_text" and "3 page" in str(err.value)


def test_text_provenance_is_the_union_of_the_lines_a_span_touches():
    # every clause of a real act: the per-page boxes equal a scan of all lines
    from pipeline import process

    doc = process.read_text(DEVSET / "ru-kaluga-it-cluster-law.pdf")
    clauses = process.structure(doc).clauses
    assert len(clauses) > 20 and doc.pages > 1

    def scan(start, end):
        boxes = {}
        for ln in doc.lines:
            if ln.end < start or ln.start >= end or ln.start == ln.end:
                continue
            b = boxes.setdefault(ln.page, list(ln.bbox))
            b[:] = [min(b[0], ln.bbox[0]), min(b[1], ln.bbox[1]), max(b[2], ln.bbox[2]), max(b[3], ln.bbox[3])]
        return [(p, *(round(v, 1) for v in b)) for p, b in sorted(boxes.items())]

    for c in clauses:
        assert doc.provenance(c.char_start, c.char_end) == scan(c.char_start, c.char_end), c.id
    assert any(len(doc.provenance(c.char_start, c.char_end)) == 2 for c in clauses), "no clause spans a page break"
