"""OCR: repairs of typical confusions, TSV parsing, and a real page read by Tesseract."""
import shutil
from pathlib import Path

import pytest

from extractors.records import Line
from pipeline.ocr import (detect_langs, dictionary_word, fix_line, fix_word, load_repairs, ocr_page, parse_tsv,
                          repair_lines, split_word)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def _lines(*texts: str, centred: bool = False) -> list[Line]:
    box = (200.0, 100.0, 395.0, 112.0) if centred else (85.0, 100.0, 520.0, 112.0)
    return [Line(page=1, text=t, bbox=(box[0], box[1] + 14 * i, box[2], box[3] + 14 * i)) for i, t in enumerate(texts)]


def _repaired(*texts: str, lang: str = "ru", centred: bool = False) -> list[str]:
    lines, _ = repair_lines(_lines(*texts, centred=centred), 595.0, lang)
    return [ln.text for ln in lines]


@pytest.mark.parametrize("word,expected", [
    ("кластeр", "кластер"),        # Latin e inside a Cyrillic word
    ("Mинистерство", "Министерство"),
    ("Prefect", "Prefect"),         # a Latin word stays Latin
    ("ИКТ-кластер", "ИКТ-кластер"),
    ("pdf", "pdf"),
])
def test_ocr_lookalikes_repaired_inside_cyrillic_words(word, expected):
    assert fix_word(word) == expected


@pytest.mark.parametrize("line,expected,rule", [
    ("в течение 1О дней", "в течение 10 дней", "digit_lookalike"),
    ("не менее З0 процентов", "не менее 30 процентов", "digit_lookalike"),
    ("Статья З. Цели", "Статья 3. Цели", "numbering_word_3"),
    ("ГЛАВА З", "ГЛАВА 3", "numbering_word_3"),
    ("состоят не менее З работников", "состоят не менее 3 работников", "standalone_3_ru"),
    ("от 29 июля 2017 г. М 216-ФЗ", "от 29 июля 2017 г. № 216-ФЗ", "numero_misread"),
    ("от 10 июля 2012 г. Ме 425-3 «О", "от 10 июля 2012 г. № 425-З «О", "law_suffix_z"),
    ("Закон от 5 мая 2015 г. № 132-03", "Закон от 5 мая 2015 г. № 132-ОЗ", "law_suffix_oz"),
    ("от 12 июня 2014 г. №571", "от 12 июня 2014 г. № 571", "numero_glued"),
    ("на 2020-2022 годы", "на 2020–2022 годы", "year_range"),
    ("пунктами 7-9 настоящей", "пунктами 7–9 настоящей", "numbered_range"),
    ("кластер -- объединение", "кластер — объединение", "dash_double"),
    ("РАЗДЕЛ Ш. ОТЧЕТНОСТЬ", "РАЗДЕЛ III. ОТЧЕТНОСТЬ", "roman_after_word"),
    ("требованиям раздела ІІ! настоящего", "требованиям раздела II настоящего", "roman_after_word"),
    ("обьектов и субьектов", "объектов и субъектов", "hard_sign"),
    ("управляюіцая компания", "управляющая компания", "ru_shcha"),
    ("о.его деятельности", "о его деятельности", "glued_dot"),
    ("представляют в. Совет", "представляют в Совет", "preposition_dot_inside"),
    ("сведения о составе участников. ежегодно", "сведения о составе участников ежегодно", "stray_stop"),
    ("10 тыс. рублей", "10 тыс. рублей", None),                       # an abbreviation keeps its stop
    ("в соответствии с п, 5 Правил", "в соответствии с п. 5 Правил", "abbrev_comma"),
    ("лет ;", "лет;", "space_before_punct"),
    ("с пунктом 7 части І статьи 79", "с пунктом 7 части 1 статьи 79", "numbering_word_1"),
    ("Приложение | к распоряжению", "Приложение 1 к распоряжению", "numbering_word_1"),
    ("1.Во исполнение Указа", "1. Во исполнение Указа", "marker_glued"),
    ("и медицинских организаций В информационно-", "и медицинских организаций в информационно-", "preposition_case"),
    ("Иванов И. И. и С. Петров", "Иванов И. И. и С. Петров", None),
    ("Раздел 2. Общие положения", "Раздел 2. Общие положения", None),
    ("I. Общие положения", "I. Общие положения", None),              # a Roman numeral stays
])
def test_ocr_line_repairs_russian(line, expected, rule):
    fixed, fired = fix_line(line, "ru")
    assert fixed == expected
    assert (rule in fired) if rule else not fired


@pytest.mark.parametrize("line,expected", [
    ("Еуразійскага эканамічнага саюза", "Еўразійскага эканамічнага саюза"),   # у after a vowel
    ("прадпрымальнщтва", "прадпрымальніцтва"),
    ("на З гады", "на 3 гады"),
    ("З мэтай развіцця кааперацыі", "З мэтай развіцця кааперацыі"),            # the preposition stays
    ("арганізацыямі | ўстановамі", "арганізацыямі і ўстановамі"),
    ("страус і вакуум", "страус і вакуум"),                                    # syllabic у of loans
    ("Российской Федерации", "Российской Федерации"),                          # a Russian word stays
])
def test_ocr_line_repairs_belarusian(line, expected):
    assert fix_line(line, "be")[0] == expected


@pytest.mark.parametrize("texts,expected", [
    # a point number read as a letter or with a letter inside, told by its neighbours
    (["5. Участники", "б. Кластер", "7. Орган"], ["5. Участники", "6. Кластер", "7. Орган"]),
    (["б. Кластер"], ["6. Кластер"]),
    (["1О. Отчет"], ["10. Отчет"]),
    (["4. Текст", "Э. Текст"], ["4. Текст", "5. Текст"]),
    (["8. Текст", "Э. Текст"], ["8. Текст", "9. Текст"]),
    (["Э. Текст"], ["Э. Текст"]),                              # 5 or 9: nothing to tell
    # sub-point letters read as digits, and digits kept among digits
    (["а) участники", "6) кластеры"], ["а) участники", "б) кластеры"]),
    (["6) кластеры", "в) проекты"], ["б) кластеры", "в) проекты"]),
    (["5) участники", "6) кластеры"], ["5) участники", "6) кластеры"]),
    (["ж) участники", "3) кластеры", "и) проекты"], ["ж) участники", "з) кластеры", "и) проекты"]),
    (["6) кластеры"], ["6) кластеры"]),
    # an article heading with an unreadable number
    (["Статья 10. Реестр", "Статья (ЁЮ Соглашение"], ["Статья 10. Реестр", "Статья 11. Соглашение"]),
    (["Статья ‚Ч Цели", "Статья 5. Задачи"], ["Статья 4. Цели", "Статья 5. Задачи"]),
    (["Статья (ЁЮ Соглашение"], ["Статья (ЁЮ Соглашение"]),
    # an item ending with `:` right before the next item of its list ended with `;`
    (["а) участников:", "б) проектов."], ["а) участников;", "б) проектов."]),
    (["1) следующие:", "а) проекты;"], ["1) следующие:", "а) проекты;"]),
])
def test_ocr_numbering_repaired_from_neighbours(texts, expected):
    assert _repaired(*texts) == expected


@pytest.mark.parametrize("texts,expected", [
    (["контроль осуществляет Счетная палата Российской Федера-", "ЦИИ."],
     ["контроль осуществляет Счетная палата Российской Федера-", "ции."]),
    (["с иностранными организация-", "МИ. Участники кластера"], ["с иностранными организация-", "ми. Участники кластера"]),
    (["до конца финан-", "СОВЫЙ ГОД."], ["до конца финан-", "совый год."]),
    (["передачи тэх-", "“налогій."], ["передачи тэх-", "налогій."]),
])
def test_ocr_hyphenated_rest_read_in_capitals(texts, expected):
    assert _repaired(*texts) == expected


@pytest.mark.parametrize("text,centred,expected", [
    ("П. ТРЕБОВАНИЯ К ТЕХНОПАРКАМ", True, "II. ТРЕБОВАНИЯ К ТЕХНОПАРКАМ"),
    ("Ш. Порядок отбора кластеров", True, "III. Порядок отбора кластеров"),
    ("ГУ. Заключительные положения", True, "IV. Заключительные положения"),
    ("І. Общие положения", True, "I. Общие положения"),
    ("П. Петров", True, "П. Петров"),                          # an initial and a surname
    ("П. ТРЕБОВАНИЯ К ТЕХНОПАРКАМ", False, "П. ТРЕБОВАНИЯ К ТЕХНОПАРКАМ"),  # not a centred heading
])
def test_ocr_roman_numerals_of_centred_headings(text, centred, expected):
    assert _repaired(text, centred=centred) == [expected]


@pytest.mark.parametrize("word,expected", [
    ("пройзведенных", "произведенных"),
    ("присвайвается", "присваивается"),
    ("Субьекта", "Субъекта"),
    ("плошадей", "площадей"),
    ("финансовыйй", "финансовый"),
    ("технопарк", None),               # known words stay
    ("кластерообразующий", None),      # an unknown word with no known neighbour stays
    ("ГКНТ", None),
])
def test_ocr_dictionary_repairs_unknown_words(word, expected):
    pytest.importorskip("pymorphy3")
    assert dictionary_word(word) == expected


@pytest.mark.parametrize("word,expected", [
    ("иу", "и у"),
    ("вкластере", "в кластере"),
    ("кластере", None),
    ("аренды", None),          # a known word that starts with a preposition stays
    ("ГКНТ", None),
])
def test_ocr_one_letter_word_glued_to_the_next(word, expected):
    pytest.importorskip("pymorphy3")
    assert split_word(word) == expected


def test_ocr_dictionary_repairs_a_word_hyphenated_at_a_line_end():
    pytest.importorskip("pymorphy3")
    assert _repaired("от продажи пройзве-", "денных ими товаров") == ["от продажи произве-", "денных ими товаров"]
    assert _repaired("субъекта Российской Федерации и об-", "ласти") == ["субъекта Российской Федерации и об-", "ласти"]
    assert _repaired("на территории технопарка иу которых") == ["на территории технопарка и у которых"]


def test_ocr_repairs_say_which_rule_fired():
    _, repairs = repair_lines(_lines("5. Участники", "б. Кластер"), 595.0, "ru")
    assert [(r.index, r.rule, r.before, r.after) for r in repairs] == [(1, "marker_sequence", "б. Кластер", "6. Кластер")]


def test_ocr_repair_rules_file_is_well_formed():
    rules = load_repairs()
    names = [r.name for r in rules.line]
    assert len(names) == len(set(names)) and "numero_misread" in names
    assert rules.digits["З"] == "3" and rules.digits["Э"] == "59" and rules.roman["П"] == "II"
    assert ("ь", "ъ") in rules.confusions and "тыс" in rules.abbreviations


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
    ("Правительство Российской Федерации постановляет: І. Общие положения", "rus"),  # one stray і
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
