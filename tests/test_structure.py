"""Clause structure rules on short act-like texts: one table of (text, expected clauses) per phenomenon."""
from pathlib import Path

import pytest

from extractors.records import AnchoredTable, DocumentText, Table, TextLine
from extractors.structure import link_tables, parse_clauses

DEVSET = Path(__file__).resolve().parent.parent / "corpora" / "devset"


def clauses(text: str) -> list[tuple[str, str]]:
    return [(c.id, c.text) for c in parse_clauses(DocumentText.from_string(text))]


RU_POINTS = [
    ("1. Утвердить прилагаемый Порядок.\n2. Контроль возложить на министра.",
     [("p1", "Утвердить прилагаемый Порядок."), ("p2", "Контроль возложить на министра.")]),
    ("4. Кластер должен соответствовать следующим требованиям:\nа) участниками являются не менее 25 организаций;\n"
     "б) выручка составляет не менее 20 млрд рублей.\n5. Программа разрабатывается на 5 лет.",
     [("p4", "Кластер должен соответствовать следующим требованиям:"),
      ("p4.a", "участниками являются не менее 25 организаций;"),
      ("p4.b", "выручка составляет не менее 20 млрд рублей."),
      ("p5", "Программа разрабатывается на 5 лет.")]),
    ("1. Заявка включает:\n1) программу развития;\n2) копию соглашения.\n2. Заявки рассматриваются.",
     [("p1", "Заявка включает:"), ("p1.i1", "программу развития;"), ("p1.i2", "копию соглашения."),
      ("p2", "Заявки рассматриваются.")]),
    # letters of the Belarusian alphabet and a letter list nested in an item list
    ("1. Министерству:\n1) обеспечить:\nа) мониторинг;\nб) отчетность;\n2) утвердить план.",
     [("p1", "Министерству:"), ("p1.i1", "обеспечить:"), ("p1.i1.a", "мониторинг;"),
      ("p1.i1.b", "отчетность;"), ("p1.i2", "утвердить план.")]),
]


@pytest.mark.parametrize("text,expected", RU_POINTS)
def test_structure_points_and_subpoints(text, expected):
    assert clauses(text) == expected


ARTICLES = [
    ("Статья 19. Индустриальные парки\n1. Меры применяются к паркам.\n2. Требования должны предусматривать:\n"
     "1) площадь не менее 8 гектаров;\n2) наличие управляющей компании.\nСтатья 19.1. Технопарки\n"
     "1. Меры применяются к технопаркам.",
     [("art19.p1", "Меры применяются к паркам."), ("art19.p2", "Требования должны предусматривать:"),
      ("art19.p2.i1", "площадь не менее 8 гектаров;"), ("art19.p2.i2", "наличие управляющей компании."),
      ("art19.1.p1", "Меры применяются к технопаркам.")]),
    # an article without numbered parts is one clause
    ("Статья 13. Финансовое обеспечение\nФинансирование осуществляется за счет областного бюджета.\n"
     "Статья 14. Вступление в силу\nНастоящий Закон вступает в силу через десять дней.",
     [("art13", "Финансирование осуществляется за счет областного бюджета."),
      ("art14", "Настоящий Закон вступает в силу через десять дней.")]),
    # a title that wraps onto a second line stays out of the clause text
    ("Статья 4. Основные принципы осуществления обязательного медицинского страхования в\n"
     "субъектах Российской Федерации\n1. Принципами являются гарантии.",
     [("art4.p1", "Принципами являются гарантии.")]),
    ("Статья 3. Понятия\nДля целей закона используются понятия:\n1) кластер - объединение;\n2) участник - лицо.",
     [("art3", "Для целей закона используются понятия:"), ("art3.i1", "кластер - объединение;"),
      ("art3.i2", "участник - лицо.")]),
]


@pytest.mark.parametrize("text,expected", ARTICLES)
def test_structure_articles_parts_items(text, expected):
    assert clauses(text) == expected


BY_NUMBERING = [
    ("3. Кластер должен соответствовать требованиям:\n3.1. в состав входят не менее 7 участников;\n"
     "3.2. не менее 60 процентов участников зарегистрированы в области.\n4. Организация создается участниками.",
     [("p3", "Кластер должен соответствовать требованиям:"), ("p3.1", "в состав входят не менее 7 участников;"),
      ("p3.2", "не менее 60 процентов участников зарегистрированы в области."),
      ("p4", "Организация создается участниками.")]),
    ("12. Заявкі ацэньваюцца па наступных крытэрыях:\n12.1. навізна праекта;\n12.2. кваліфікацыя каманды.",
     [("p12", "Заявкі ацэньваюцца па наступных крытэрыях:"), ("p12.1", "навізна праекта;"),
      ("p12.2", "кваліфікацыя каманды.")]),
    ("9. Средства используются на:\n9.1. создание инфраструктуры;\n9.1.1. строительство зданий;\n"
     "9.1.2. инженерные сети;\n9.2. гранты.",
     [("p9", "Средства используются на:"), ("p9.1", "создание инфраструктуры;"),
      ("p9.1.1", "строительство зданий;"), ("p9.1.2", "инженерные сети;"), ("p9.2", "гранты.")]),
]


@pytest.mark.parametrize("text,expected", BY_NUMBERING)
def test_structure_belarusian_dotted_numbering(text, expected):
    assert clauses(text) == expected


SECTIONS = [
    ("I. Общие положения\n1. Порядок определяет правила.\nII. Требования к кластерам\n2. Кластер соответствует.",
     [("I.p1", ["I", "1"]), ("II.p2", ["II", "2"])]),
    ("ГЛАВА 1\nОБЩИЕ ПОЛОЖЕНИЯ\n1. Положение устанавливает порядок.\nГЛАВА 2\nОРГАНИЗАЦИЯ РАЗВИТИЯ КЛАСТЕРА\n"
     "2. Организация создается.",
     [("ch1.p1", ["Глава 1", "1"]), ("ch2.p2", ["Глава 2", "2"])]),
    ("Глава 3. Субъекты страхования\nСтатья 9. Субъекты\n1. Субъектами являются лица.",
     [("art9.p1", ["Глава 3", "Статья 9", "1"])]),
    # an all-caps numbered line is a section heading, its `1.1.` points belong to it
    ("1. ОБЩИЕ ПОЛОЖЕНИЯ\n1.1. Декларация устанавливает принципы.\n2. ЦЕЛИ\n2.1. Целью является рост.",
     [("s1.p1.1", ["1", "1.1"]), ("s2.p2.1", ["2", "2.1"])]),
    # a short unpunctuated numbered line without a verb, over plain text, is a heading too
    ("1. Общие положения\nНастоящая Концепция определяет цели развития кластеров в республике.\n"
     "2. Цели и задачи\n2.1. Целью является рост экспорта продукции участников кластеров.",
     [("s1.par1", ["1"]), ("s2.p2.1", ["2", "2.1"])]),
]


@pytest.mark.parametrize("text,expected", SECTIONS)
def test_structure_sections_and_chapters(text, expected):
    got = [(c.id, list(c.path)) for c in parse_clauses(DocumentText.from_string(text))]
    assert got == expected


def test_structure_section_titles_go_to_headings_not_clauses():
    cl = parse_clauses(DocumentText.from_string(
        "ГЛАВА 4\nВКЛЮЧЕНИЕ КЛАСТЕРА В РЕЕСТР\n10. Реестр ведется Министерством."))
    assert [(c.text, c.headings) for c in cl] == [("Реестр ведется Министерством.", ("ВКЛЮЧЕНИЕ КЛАСТЕРА В РЕЕСТР",))]


ANNEX = ("ПРИКАЗ\nот 27 марта 2016 г. № 400\nО проекте\nВ целях развития приказываю:\n"
         "1. Утвердить прилагаемый Порядок.\nМинистр А.В. Улюкаев\nУТВЕРЖДЕН\nприказом Минэкономразвития России\n"
         "от 27 марта 2016 г. № 400\nПОРЯДОК\nпроведения конкурсного отбора\nI. Общие положения\n"
         "1. Порядок определяет правила.\nII. Требования\n2. Кластер должен соответствовать требованиям:\n"
         "а) не менее 25 участников;\nб) выручка не менее 20 млрд рублей.")


@pytest.mark.parametrize("cid,path,text", [
    ("preamble", (), "В целях развития приказываю:"),
    ("p1", ("1",), "Утвердить прилагаемый Порядок."),
    ("annex1.I.1", ("Порядок проведения конкурсного отбора", "I", "1"), "Порядок определяет правила."),
    ("annex1.II.2", ("Порядок проведения конкурсного отбора", "II", "2"), "Кластер должен соответствовать требованиям:"),
    ("annex1.II.2.a", ("Порядок проведения конкурсного отбора", "II", "2", "а"), "не менее 25 участников;"),
    ("annex1.II.2.b", ("Порядок проведения конкурсного отбора", "II", "2", "б"), "выручка не менее 20 млрд рублей."),
])
def test_structure_annex_ids_paths(cid, path, text):
    got = {c.id: (c.path, c.text) for c in parse_clauses(DocumentText.from_string(ANNEX))}
    assert got[cid] == (path, text)


@pytest.mark.parametrize("stamp,title", [
    ("УТВЕРЖДЕНО\nПостановление\nСовета Министров\nРеспублики Беларусь\n14.10.2021 № 583\nПОЛОЖЕНИЕ\n"
     "о порядке взаимодействия участников кластера", "Положение о порядке взаимодействия участников кластера"),
    ("ЗАЦВЕРДЖАНА\nПастанова\nСавета Міністраў\nРэспублікі Беларусь\n12.04.2022 № 226\nПАЛАЖЭННЕ\n"
     "аб парадку выдзялення грантаў", "Палажэнне аб парадку выдзялення грантаў"),
    ("Приложение N 1\nк приказу Минэкономразвития России\nот 29 ноября 2019 г. N 773\nПОРЯДОК\n"
     "ПРИЗНАНИЯ СУБЪЕКТА СОЦИАЛЬНЫМ ПРЕДПРИЯТИЕМ", "Порядок признания субъекта социальным предприятием"),
    ("Правила\nпредоставления платных медицинских услуг\n(утв. постановлением Правительства РФ от 4 октября "
     "2012 г. N 1006)\nГАРАНТ:\nСм. справку о Правилах", "Правила предоставления платных медицинских услуг"),
])
def test_structure_annex_heading_and_title(stamp, title):
    text = ("1. Утвердить прилагаемое Положение.\nПремьер-министр Республики Беларусь Р.Головченко\nМосква\n"
            + stamp + "\n1. Настоящим Положением устанавливается порядок.")
    cl = parse_clauses(DocumentText.from_string(text))
    assert [(c.id, c.path, c.text) for c in cl] == [
        ("p1", ("1",), "Утвердить прилагаемое Положение."),
        ("annex1.1", (title, "1"), "Настоящим Положением устанавливается порядок.")]


WRAPPED = [
    # a wrapped line beginning with a year or a count is not a marker
    ("д) организация, созданная не позднее 1 января\n2016 г. в форме некоммерческой организации.",
     [("d", "организация, созданная не позднее 1 января 2016 г. в форме некоммерческой организации.")]),
    ("1) участниками являются не менее 10 лиц и не менее\n1 образовательной организации;\n2) соглашение заключено.",
     [("i1", "участниками являются не менее 10 лиц и не менее 1 образовательной организации;"),
      ("i2", "соглашение заключено.")]),
    # marker-shaped wrap after a reference word: the expected next label, but the sentence goes on
    ("1. Заявка подается в срок, установленный в соответствии с пунктом\n2. настоящего Порядка.\n"
     "2. Заявки рассматриваются.",
     [("p1", "Заявка подается в срок, установленный в соответствии с пунктом 2. настоящего Порядка."),
      ("p2", "Заявки рассматриваются.")]),
    # an item-shaped wrap after an abbreviation, far from the expected label
    ("2. Признать утратившим силу постановление (Собрание указов, 1995 г., N 32, ст.\n788).\n"
     "3. Настоящее постановление вступает в силу.",
     [("p2", "Признать утратившим силу постановление (Собрание указов, 1995 г., N 32, ст. 788)."),
      ("p3", "Настоящее постановление вступает в силу.")]),
    # the same physical wrap without any marker shape, and a hyphen repaired across lines
    ("1. Программа развития инновационного кластера разрабатывается на 2016–2020 годы и должна предусмат-\n"
     "ривать рост экспорта.",
     [("p1", "Программа развития инновационного кластера разрабатывается на 2016–2020 годы и должна "
             "предусматривать рост экспорта.")]),
    # a short first line that wraps onto a capitalized word is still a point: it has a verb
    ("3. Рекомендовать органам государственной власти субъектов\nРоссийской Федерации утвердить программы до 30 "
     "декабря 2018 г. и представить их в Министерство здравоохранения Российской Федерации.",
     [("p3", "Рекомендовать органам государственной власти субъектов Российской Федерации утвердить программы "
             "до 30 декабря 2018 г. и представить их в Министерство здравоохранения Российской Федерации.")]),
    # short, unpunctuated, over a capitalized line, but not a nominative noun phrase: still a point
    ("4. Ответственным заказчиком\nГосударственной программы является Государственный комитет по науке и "
     "технологиям Республики Беларусь.",
     [("p4", "Ответственным заказчиком Государственной программы является Государственный комитет по науке и "
             "технологиям Республики Беларусь.")]),
    # consolidated texts insert 12¹, 12² after 12; flattened superscripts read "121", "122", and 13 follows
    ("12. Плата вносится ежемесячно.\n121. Плата за лифт вносится отдельно.\n122. Исключен.\n13. Задолженность взыскивается.",
     [("p12", "Плата вносится ежемесячно."), ("p12-1", "Плата за лифт вносится отдельно."), ("p12-2", "Исключен."),
      ("p13", "Задолженность взыскивается.")]),
    # an excerpt skips labels: a forward jump after a finished item still opens a clause
    ("1. Понятия:\n1) кластер - объединение;\n2) участник - лицо;\n12) парк - комплекс.",
     [("p1", "Понятия:"), ("p1.i1", "кластер - объединение;"), ("p1.i2", "участник - лицо;"),
      ("p1.i12", "парк - комплекс.")]),
]


@pytest.mark.parametrize("text,expected", WRAPPED)
def test_structure_wrapped_line_is_not_a_marker(text, expected):
    assert clauses(text) == expected


UNNUMBERED = [
    ("2. В Порядке используются понятия:\nкластер — совокупность организаций;\nучастник — юридическое лицо.\n"
     "3. В перечень включается не более 12 кластеров.",
     [("p2", "В Порядке используются понятия: кластер — совокупность организаций; участник — юридическое лицо."),
      ("p3", "В перечень включается не более 12 кластеров.")]),
    ("а) внести в Правительство:\nдо 1 июля - доклад;\nдо 1 октября - проект;\nб) давать разъяснения.",
     [("a", "внести в Правительство: до 1 июля - доклад; до 1 октября - проект;"), ("b", "давать разъяснения.")]),
]


@pytest.mark.parametrize("text,expected", UNNUMBERED)
def test_structure_unnumbered_paragraphs_join_clause_above(text, expected):
    assert clauses(text) == expected


@pytest.mark.parametrize("text,lead_ins", [
    ("4. Кластер должен соответствовать требованиям:\nа) не менее 25 участников;\nб) выручка.", {"p4"}),
    ("2. Используются понятия:\nкластер — объединение.", set()),
    ("5. Порядок определяется так:\n6. Следующий пункт.", set()),
])
def test_structure_lead_in_flag(text, lead_ins):
    cl = parse_clauses(DocumentText.from_string(text))
    assert {c.id for c in cl if c.lead_in} == lead_ins
    assert all(c.parent_id in {p.id for p in cl} for c in cl if c.parent_id)


@pytest.mark.parametrize("text,noise", [
    # a signature whose name wraps after the initials
    ("14. Контроль возложить на министерство.\nПредседатель Правительства Самарской области В.П.\nЛебедев\n"
     "УТВЕРЖДЕН\nраспоряжением Правительства\nот 09.03.2022 № 112-р\nПЛАН\nмероприятий\n1. Провести форум.", "Лебедев"),
    ("1. Утвердить Порядок.\nМинистр А.В. Улюкаев\n", "Улюкаев"),
    ("Статья 1. Предмет\nНастоящий закон регулирует отношения.\nГАРАНТ:\nСм. комментарии к статье 1\n"
     "Статья 2. Основы\n1. Законодательство основывается на Конституции.", "комментарии"),
    ("1. Утвердить Положение.\n(в ред. постановления Совмина от 12.06.2014 N 571)\n2. Признать утратившими силу.",
     "в ред."),
    ("4. Настоящий Закон вступает в силу.\nПрезидент Российской Федерации В. Путин\nМосква, Кремль\n"
     "31 декабря 2014 года\n№ 488-ФЗ", "Кремль"),
])
def test_structure_signatures_and_notes_stay_out_of_clauses(text, noise):
    assert all(noise not in c.text for c in parse_clauses(DocumentText.from_string(text)))


def test_structure_preamble_with_enacting_formula():
    text = ("ПОСТАНОВЛЕНИЕ\nот 1 марта 2020 г. № 5\nО кластерах\nВ целях развития кластеров Совет Министров "
            "Республики Беларусь ПОСТАНОВЛЯЕТ:\n1. Утвердить Положение.")
    cl = parse_clauses(DocumentText.from_string(text))
    assert [(c.id, c.kind, c.text) for c in cl] == [
        ("preamble", "preamble", "В целях развития кластеров Совет Министров Республики Беларусь ПОСТАНОВЛЯЕТ:"),
        ("p1", "point", "Утвердить Положение.")]


def test_structure_preamble_takes_the_subject_line_of_the_enacting_formula():
    text = ("ПОСТАНОВЛЕНИЕ\nот 28 января 2016 г. N 41\nОб утверждении Правил предоставления субсидий\n"
            "Правительство Российской Федерации\nпостановляет:\n1. Утвердить Правила.")
    cl = parse_clauses(DocumentText.from_string(text))
    assert [(c.id, c.text) for c in cl] == [("preamble", "Правительство Российской Федерации постановляет:"),
                                            ("p1", "Утвердить Правила.")]


def test_structure_duplicate_labels_get_a_suffix():
    text = "Статья 5. Первая редакция\n1. Первый.\nСтатья 5. Вторая редакция\n1. Снова первый."
    assert [c.id for c in parse_clauses(DocumentText.from_string(text))] == ["art5.p1", "art5.p1_2"]


def _devset_docs() -> list[DocumentText]:
    docs = []
    for path in sorted(DEVSET.glob("*.txt")):
        lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if not ln.startswith(("|", "@"))]
        docs.append(DocumentText.from_string("\n".join(ln[2:] if ln[:2] in ("^ ", "> ") else ln for ln in lines)))
    return docs


@pytest.mark.parametrize("doc", _devset_docs() + [DocumentText.from_string(ANNEX)])
def test_structure_spans_ordered_inside_text_and_ids_stable(doc):
    first, second = parse_clauses(doc), parse_clauses(doc)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    prev_end = 0
    for c in first:
        assert prev_end <= c.char_start < c.char_end <= len(doc.text)
        assert c.text and c.id.isascii() and c.rule
        prev_end = c.char_end


def test_structure_layout_hints_decide_a_wrapped_marker():
    """With layout hints, a marker-shaped line flush with the margin continues the paragraph above it."""
    lines = ["1. Срок устанавливается в соответствии с пунктом", "2. настоящего Порядка.", "2. Заявки рассматриваются."]
    text = "\n".join(lines)
    pos, tls = 0, []
    for s, indent in zip(lines, (20.0, 0.0, 20.0)):
        tls.append(TextLine(start=pos, end=pos + len(s), page=1, indent=indent, align="justify"))
        pos += len(s) + 1
    cl = parse_clauses(DocumentText(text=text, lines=tls, pages=1))
    assert [c.id for c in cl] == ["p1", "p2"]


def test_structure_tables_link_to_the_clause_they_follow():
    text = "1. Первый пункт.\n2. Показатели:\n3. Третий пункт."
    doc = DocumentText.from_string(text)
    table = Table(page=1, bbox=(0, 0, 1, 1), rows=(("Показатель", "2020"),))
    doc.tables = [AnchoredTable(table, offset=text.index("\n3.")), AnchoredTable(table, offset=0)]
    assert [cid for _, cid in link_tables(doc, parse_clauses(doc))] == ["p2", "p1"]
