"""Ingestion: glyphs to lines, ruled tables, both engines alike, clear errors on bad files, OCR marks."""
from pathlib import Path

import pytest

from extractors.records import Line, Page, Table
from pipeline.errors import IngestError
from pipeline.ingest import (Glyph, PdfiumAdapter, PdfplumberAdapter, assemble_lines, build_page, check_pdf,
                             open_pages, page_needs_ocr)

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "corpora" / "devset"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def glyphs(text: str, x: float = 50.0, top: float = 100.0, size: float = 10.0, advance: float = 6.0,
           space: float = 3.0, bold: bool = False) -> list[Glyph]:
    """Glyphs of one printed line: letters `advance` wide, a space char adds `space` points."""
    out = []
    for ch in text:
        width = space if ch == " " else advance
        out.append(Glyph(ch, x, top, x + width, top + size, size, bold))
        x += width
    return out


@pytest.mark.parametrize("gs,expected", [
    (glyphs("Статья 1."), ["Статья 1."]),
    (glyphs("п о с т а н о в л я е т"), ["п о с т а н о в л я е т"]),   # letters stay; text.py joins them
    (glyphs("Статья") + glyphs("5.", x=50 + 6 * 6 + 4), ["Статья 5."]),  # a gap without a space char
    (glyphs("Статья") + glyphs("5.", x=50 + 6 * 6 + 0.5), ["Статья5."]),  # kerning-size gap: same word
    (glyphs("один") + glyphs("два", top=114), ["один", "два"]),           # next line 1.4 em down
    (glyphs("ВМП") + [Glyph("1", 68, 99.8, 72, 105.8, 6.0)], ["ВМП1"]),  # superscript stays on its line
    (glyphs("ab") + [Glyph("a", 50.2, 100, 56.2, 110, 10.0)], ["ab"]),    # overprint (fake bold) dropped
    ([Glyph("1", 50, 100, 56, 110, 10), Glyph(" ", 56, 100, 59, 110, 10), Glyph("0", 56, 100, 62, 110, 10)],
     ["10"]),                                                              # a space drawn under the next digit
])
def test_ingest_assemble_lines(gs, expected):
    assert [ln.text for ln in assemble_lines(gs, 1)] == expected


def test_ingest_line_records_carry_box_size_and_bold():
    lines = assemble_lines(glyphs("Глава 1", size=14.0, bold=True) + glyphs("текст", top=130), 3)
    head, body = lines
    assert (head.page, head.bold, head.size, body.bold) == (3, True, 14.0, False)
    assert head.bbox == (50.0, 100.0, 50 + 5 * 6 + 3 + 6, 114.0)


def _grid(xs, ys):
    """Cell boxes of a fully ruled grid with column edges xs and row edges ys."""
    return [(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(len(ys) - 1) for i in range(len(xs) - 1)]


@pytest.mark.parametrize("cells,rows,kept", [
    # a 2x2 ruled table: its text leaves the page lines
    (_grid([40, 150, 300], [200, 220, 240]), (("Показатель", "2020"), ("Экспорт", "100")), ["Текст до", "Текст после"]),
    # a one-cell frame is not a table: its text stays
    (_grid([40, 300], [200, 240]), None, ["Текст до", "Показатель 2020", "Экспорт 100", "Текст после"]),
])
def test_ingest_ruled_tables_out_of_lines(cells, rows, kept):
    gs = (glyphs("Текст до", top=170) + glyphs("Показатель", x=45, top=205) + glyphs("2020", x=155, top=205)
          + glyphs("Экспорт", x=45, top=225) + glyphs("100", x=155, top=225) + glyphs("Текст после", top=260))
    page = build_page(1, 595, 842, gs, [cells])
    assert [ln.text for ln in page.lines] == kept
    assert (page.tables[0].rows if page.tables else None) == rows


HEADER = _grid([40, 120, 220, 320], [100, 120])  # only the header row is ruled, three columns
ROWS = (glyphs("№", x=45, top=105) + glyphs("Вид", x=125, top=105) + glyphs("Сумма", x=225, top=105)
        + glyphs("1", x=45, top=125) + glyphs("Грант", x=125, top=125) + glyphs("300", x=225, top=125)
        + glyphs("на", x=125, top=137))


@pytest.mark.parametrize("below,rows,kept", [
    # body text runs across the column lines: the table ends above it
    (glyphs("Настоящий текст идет поперек колонок", x=40, top=165)
     + glyphs("и продолжается дальше по всей ширине", x=40, top=177),
     (("№", "Вид", "Сумма"), ("1", "Грант на", "300")),
     ["Настоящий текст идет поперек колонок", "и продолжается дальше по всей ширине"]),
    # a heading across the columns followed by fitting rows is a row of the table
    (glyphs("Инновационные кластеры", x=110, top=165)
     + glyphs("2", x=45, top=185) + glyphs("Субсидия", x=125, top=185) + glyphs("50", x=225, top=185),
     (("№", "Вид", "Сумма"), ("1", "Грант на", "300"), ("", "Инновационные кластеры", ""), ("2", "Субсидия", "50")),
     []),
])
def test_ingest_header_band_heads_an_unruled_body(below, rows, kept):
    page = build_page(1, 595, 842, ROWS + below, [HEADER])
    assert tuple(tuple(c.replace("\n", " ") for c in r) for r in page.tables[0].rows) == rows
    assert [ln.text for ln in page.lines] == kept


def test_ingest_engines_give_the_same_lines_and_tables():
    pdf = DEVSET / "ru-400-innovation-clusters-selection.pdf"
    plumber = list(PdfplumberAdapter().pages(pdf))
    pdfium = list(PdfiumAdapter().pages(pdf))
    assert [[ln.text for ln in p.lines] for p in plumber] == [[ln.text for ln in p.lines] for p in pdfium]
    assert [t.rows for p in plumber for t in p.tables] == [t.rows for p in pdfium for t in p.tables]
    table = [t for p in pdfium for t in p.tables][0]
    assert table.rows[0] == ("Показатель", "2018 год", "2020 год") and len(table.rows) == 4
    assert not any("Экспорт продукции участников кластера" in ln.text for p in pdfium for ln in p.lines)


def _open_tables_pdf(path: Path) -> Path:
    """Two tables ruled by rows and one inner column line only (no outer borders), text between them."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSerif", str(FONT)))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("DejaVuSerif", 11)
    for top, rows in ((700, [("Показатель", "2021"), ("Экспорт", "100")]),
                      (500, [("Источник", "Сумма"), ("Бюджет", "412,3")])):
        for k in range(len(rows) + 1):
            c.line(72, top - 20 * k, 400, top - 20 * k)
        c.line(250, top, 250, top - 20 * len(rows))
        for k, (a, b) in enumerate(rows):
            c.drawString(76, top - 20 * k - 15, a)
            c.drawString(254, top - 20 * k - 15, b)
    c.drawString(72, 600, "20. Текст между таблицами остается текстом.")
    c.save()
    return path


@pytest.mark.parametrize("adapter", [PdfiumAdapter(), PdfplumberAdapter()], ids=lambda a: a.name)
def test_ingest_open_tables_one_above_another(tmp_path, adapter):
    page = next(adapter.pages(_open_tables_pdf(tmp_path / "tables.pdf")))
    assert [t.rows for t in page.tables] == [(("Показатель", "2021"), ("Экспорт", "100")),
                                              (("Источник", "Сумма"), ("Бюджет", "412,3"))]
    assert [ln.text for ln in page.lines] == ["20. Текст между таблицами остается текстом."]


def test_ingest_open_pages_streams_numbered_pages():
    pages = open_pages(DEVSET / "by-decree-8-htp-excerpt.pdf", engine="pdfplumber")
    first = next(pages)
    assert first.number == 1 and first.width > 500 and first.lines[0].page == 1
    assert [p.number for p in pages] == [2, 3]


def _pdf(path: Path, text: str = "Статья 1. Настоящий закон", encrypt: str | None = None) -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSerif", str(FONT)))
    c = canvas.Canvas(str(path), encrypt=StandardEncryption(encrypt, canPrint=1) if encrypt else None)
    c.setFont("DejaVuSerif", 12)
    c.drawString(72, 700, text)
    c.save()
    return path


def _missing(path: Path) -> Path:
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _text(path: Path) -> Path:
    path.write_text("Постановление Правительства № 779\n", encoding="utf-8")
    return path


def _html(path: Path) -> Path:
    path.write_text("<!DOCTYPE html><html>Страница не найдена</html>", encoding="utf-8")
    return path


def _truncated(path: Path) -> Path:
    data = _pdf(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _damaged(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage " * 200 + b"\n%%EOF\n")
    return path


def _encrypted(path: Path) -> Path:
    return _pdf(path, encrypt="secret")


@pytest.mark.parametrize("make,reason", [
    (_missing, "not_found"),
    (_empty, "empty"),
    (_text, "not_pdf"),
    (_html, "not_pdf"),
    (_truncated, "truncated"),
    (_damaged, "damaged"),
    (_encrypted, "encrypted"),
])
@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_ingest_errors_have_reasons(tmp_path, make, reason, engine):
    path = make(tmp_path / "act.pdf")
    with pytest.raises(IngestError) as err:
        open_pages(path, engine=engine)  # raises before any page is consumed
    assert err.value.reason == reason
    assert str(path) in str(err.value) and len(str(err.value)) > len(str(path)) + 20


def test_ingest_password_opens_encrypted_pdf(tmp_path):
    path = _pdf(tmp_path / "act.pdf", encrypt="secret")
    page = next(open_pages(path, password="secret"))
    assert page.lines[0].text == "Статья 1. Настоящий закон"


def test_ingest_check_pdf_accepts_a_pdf(tmp_path):
    assert check_pdf(_pdf(tmp_path / "ok.pdf")) == tmp_path / "ok.pdf"


def _page(*texts: str, tables=()) -> Page:
    return Page(number=1, width=595, height=842, lines=tuple(Line(1, t) for t in texts), tables=tables)


@pytest.mark.parametrize("page,needs", [
    (_page(), True),                                                   # no text layer at all
    (_page("12"), True),                                               # a page number over a scan
    (_page("\ue001\ue002\ue003 \ue004\ue005 \ue006\ue007\ue008\ue009\ue00a\ue00b\ue00c\ue00d\ue00e\ue00f\ue010\ue011"
           "\ue012\ue013\ue014"), True),                                # broken font encoding
    (_page("!#$%&*+,-./:;<=>?@[]^_`{|}~ 1234567890 #$%&"), True),         # symbols, no letters
    (_page("Ñòàòüÿ 1. Íàñòîÿùèé Çàêîí óñòàíàâëèâàåò"), True),            # cp1251 read as Latin-1
    (_page("2019 2020 2021 100,5 200,7 300,1 400 500"), False),          # a table of figures
    (_page("Статья 1. Настоящий Закон устанавливает цели"), False),
    (_page("Артыкул 1. Гэты Закон вызначае мэты і формы"), False),        # Belarusian
    (_page("Annex 1. Technology park requirements"), False),
    (_page(tables=(Table(1, (0, 0, 1, 1), (("Показатель", "Значение"), ("Экспорт продукции", "100"))),)), False),
])
def test_ingest_page_needs_ocr(page, needs):
    assert page_needs_ocr(page) is needs
