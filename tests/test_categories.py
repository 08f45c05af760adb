"""Category rules: the substance of a clause, not a keyword alone, with the type and subject taking part."""
import pytest

from extractors.categories import CATEGORY_RULES, classify_categories
from extractors.mechanisms import ClauseView, MechanismHit, detect_mechanisms
from extractors.taxonomy import CATEGORIES, ORIGINS


def codes(text, lead_in=None, headings=(), kind="point"):
    lang = "be" if any(ch in text for ch in "іў") else "ru"
    v = ClauseView(text, lead_in, tuple(headings), False, lang, kind)
    hits = detect_mechanisms(v)
    assert hits, f"no mechanism in {text!r}"
    return {c.code for c in classify_categories(v, hits[0])}


ROWS = [
    # (clause, expected categories) — whole sets, so extra labels fail too
    ("Участникам кластера предоставляются субсидии на реализацию совместных проектов.",
     {"CLUSTER_GRANTS", "NETWORK_ECOSYSTEM"}),
    ("Субсидия предоставляется управляющей компании технопарка на возмещение затрат на создание объектов "
     "инфраструктуры.", {"CLUSTER_GRANTS", "INNOVATION_INFRASTRUCTURE"}),
    ("Резидентам технопарка предоставляется пониженная ставка арендной платы.", {"INNOVATION_INFRASTRUCTURE"}),
    ("Кластер должен включать не менее 2 образовательных организаций высшего образования.",
     {"KNOWLEDGE_EXCHANGE"}),
    ("Доля субъектов малого и среднего предпринимательства в числе участников кластера должна составлять "
     "не менее 50 процентов.", {"SME_STARTUPS"}),
    ("Доля экспортной продукции участников кластера должна составлять не менее 20 процентов.",
     {"EXPORT_ORIENTATION"}),
    ("Участниками кластера могут быть иностранные организации.", {"TRANSNATIONAL"}),
    # a foreign entity excluded is not foreign participation
    ("Управляющая компания технопарка должна быть зарегистрирована на территории Российской Федерации и не "
     "является иностранным юридическим лицом.", {"INNOVATION_INFRASTRUCTURE"}),
    ("Министерство промышленности ведет реестр промышленных кластеров.", {"SUPRANATIONAL_COORDINATION"}),
    ("Министерство экономики области ведет реестр кластеров Тульской области.", set()),
    ("Межведомственный совет координирует работу органов власти субъектов по развитию кластеров.",
     {"SUPRANATIONAL_COORDINATION"}),
    ("Специализированная организация кластера организует стажировки и повышение квалификации работников "
     "участников.", {"KNOWLEDGE_EXCHANGE"}),
    ("Управляющая компания технопарка представляет отчет о деятельности технопарка.",
     {"INNOVATION_INFRASTRUCTURE"}),
    ("Получатель субсидии ежегодно представляет отчет об использовании средств субсидии.", {"CLUSTER_GRANTS"}),
    ("Уполномоченный орган содействует участию кластеров в международных выставках.", {"EXPORT_ORIENTATION"}),
    ("Уполномоченный орган содействует сотрудничеству кластеров с кластерами государств — членов ЕАЭС.",
     {"TRANSNATIONAL"}),
    ("Участникам кластера, являющимся стартапами, предоставляются гранты на акселерацию.",
     {"CLUSTER_GRANTS", "SME_STARTUPS"}),
    ("Рэзідэнтам навукова-тэхналагічнага парка прадастаўляецца права арэнды памяшканняў па льготнай стаўцы.",
     {"INNOVATION_INFRASTRUCTURE"}),
    ("Арганізацыя развіцця кластара садзейнічае выхаду ўдзельнікаў на знешнія рынкі.", {"EXPORT_ORIENTATION"}),
    # a body that merely includes scientists or exporters gets nothing
    ("Конкурсная комиссия образуется в составе не менее 9 человек и включает представителей научных "
     "организаций и Российского экспортного центра.", set()),
    ("Координационный совет при губернаторе области образуется в составе представителей органов власти, "
     "научных и образовательных организаций.", set()),
    # non-cash preferences are not grants; money for education alone is not cluster funding
    ("Получателям гранта предоставляется право бесплатного размещения в бизнес-инкубаторе.",
     {"INNOVATION_INFRASTRUCTURE", "SME_STARTUPS"}),
    ("Кластер исключается из реестра по заявлению специализированной организации.", set()),
    # a joint project is a network where the clause says whose it is, not where it states its term
    ("Совместные проекты участников кластера финансируются за счет средств областного бюджета.",
     {"CLUSTER_GRANTS", "NETWORK_ECOSYSTEM"}),
    ("Срок реализации совместного проекта должен составлять не более 5 лет.", set()),
    ("Участники кластера должны приобретать не менее 20 процентов комплектующих у других участников кластера.",
     {"NETWORK_ECOSYSTEM"}),
    # an information system used to report through is a channel; research on its own is not exchange
    ("Управляющая компания ежеквартально представляет в министерство через государственную информационную "
     "систему отчет о деятельности технопарка.", {"INNOVATION_INFRASTRUCTURE"}),
    ("Участник проекта ежегодно представляет отчет об осуществлении научно-технической деятельности.", set()),
    ("Кластер должен включать не менее 1 организации, осуществляющей научную деятельность.",
     {"KNOWLEDGE_EXCHANGE"}),
    # interstate programmes and bodies are supranational as well as transnational (SPEC §5)
    ("Уполномоченный орган содействует участию кластеров в программах Евразийского экономического союза.",
     {"SUPRANATIONAL_COORDINATION", "TRANSNATIONAL"}),
    ("Міністэрства эканомікі ўзаемадзейнічае з Еўразійскай эканамічнай камісіяй па пытаннях развіцця "
     "кластараў.", {"SUPRANATIONAL_COORDINATION", "TRANSNATIONAL"}),
    # a register a federal ministry keeps is national even when the clause names a region; a centre's
    # register of its own participants is not
    ("Совет согласовывает предложения о включении кластеров Тульской области в реестр промышленных кластеров, "
     "который ведет Министерство промышленности и торговли Российской Федерации.",
     {"SUPRANATIONAL_COORDINATION"}),
    ("Фонд ведет реестр участников проекта.", set()),
    # foreign markets are export, not transnational cooperation; loans are money
    ("Уполномоченный орган содействует выходу участников кластера на рынки иностранных государств.",
     {"EXPORT_ORIENTATION"}),
    ("Участники кластера имеют право на получение льготных займов фонда развития промышленности.",
     {"CLUSTER_GRANTS"}),
    # cooperation between the entities themselves
    ("Уполномоченный орган организует взаимодействие кластеров области с кластерами других субъектов Российской "
     "Федерации.", {"NETWORK_ECOSYSTEM"}),
    # coordinating the regions' programmes, working with other states' bodies; a regional register is not national
    ("Министерство экономического развития Российской Федерации координирует реализацию программ развития "
     "кластеров в субъектах Российской Федерации и обеспечивает единство методических подходов к их разработке.",
     {"SUPRANATIONAL_COORDINATION"}),
    ("ГКНТ обеспечивает взаимодействие с уполномоченными органами государств — членов Евразийского "
     "экономического союза по вопросам взаимного признания статуса центров трансфера технологий.",
     {"SUPRANATIONAL_COORDINATION", "TRANSNATIONAL"}),
    ("Уполномоченный орган вносит сведения о кластере в реестр региональных промышленных кластеров.", set()),
]


@pytest.mark.parametrize("text,expected", ROWS)
def test_categories_follow_the_substance(text, expected):
    assert codes(text) == expected


def test_categories_grant_money_in_the_lead_in_counts_for_its_items():
    lead = "За счет средств субсидии финансируются следующие расходы:"
    assert "CLUSTER_GRANTS" in codes("оплата услуг по сертификации продукции", lead_in=lead, kind="subpoint")


def test_categories_an_act_about_grants_colours_its_selection_clauses():
    heads = ("Положение о порядке предоставления грантов", "Глава 3. Отбор")
    assert codes("Заявитель представляет в министерство заявку и бизнес-план.", headings=heads) == {"CLUSTER_GRANTS"}
    assert codes("Заявитель представляет в министерство заявку и бизнес-план.") == set()


def test_categories_carry_origin_score_and_evidence():
    v = ClauseView("Участникам кластера предоставляются субсидии на реализацию совместных проектов.", None, (),
                   False, "ru")
    hit = detect_mechanisms(v)[0]
    for label in classify_categories(v, hit):
        assert label.origin == ORIGINS[label.code] and 0 < label.score <= 1
        assert label.evidence and label.evidence[-1].startswith("category.")


def test_categories_rules_cover_every_code_in_taxonomy_order():
    assert [c for c, _, _ in CATEGORY_RULES] == list(CATEGORIES)


def test_categories_read_the_part_of_a_two_instrument_clause():
    v = ClauseView("Регионы вправе устанавливать к кластерам дополнительные требования, а также предоставлять "
                   "специализированным организациям кластеров субсидии.", None, (), False, "ru")
    hits = {h.type: h for h in detect_mechanisms(v)}
    assert "CLUSTER_GRANTS" not in {c.code for c in classify_categories(v, hits["REQUIREMENT"])}
    assert "CLUSTER_GRANTS" in {c.code for c in classify_categories(v, hits["GRANT"])}


def test_categories_none_for_a_plain_hit():
    v = ClauseView("Заявка подается в министерство.", None, (), False, "ru")
    assert classify_categories(v, MechanismHit("SELECTION", "OTHER", 0.7, "test", ())) == []


@pytest.mark.parametrize("lead", [
    "Средства инновационного фонда области направляются на:",
    "Сродкі абласнога інавацыйнага фонду накіроўваюцца на:",
])
def test_categories_fund_money_in_the_lead_in_counts_for_its_items(lead):
    assert "CLUSTER_GRANTS" in codes("приобретение оборудования для центра коллективного пользования", lead_in=lead,
                                     kind="subpoint")


@pytest.mark.parametrize("heads,text", [
    (("Положение о порядке оказания поддержки технопаркам за счет средств инновационного фонда",),
     "Заявитель представляет в министерство заявку и бизнес-план."),
    (("Палажэнне аб парадку аказання падтрымкі тэхнапаркам за кошт сродкаў інавацыйнага фонду",),
     "Заяўнік прадстаўляе ў камітэт заяўку і бізнес-план."),
])
def test_categories_an_act_about_fund_money_colours_its_selection_clauses(heads, text):
    assert "CLUSTER_GRANTS" in codes(text, headings=heads)
    assert "CLUSTER_GRANTS" not in codes(text)


@pytest.mark.parametrize("text,country,transnational", [
    # cooperation with Russia in a Belarusian act, with Belarus in a Russian one; a country's own name is not foreign
    ("Арганізацыя развіцця кластара арганізуе сумесна з кластарамі Смаленскай вобласці Расійскай Федэрацыі "
     "правядзенне кааперацыйных біржаў.", "BY", True),
    ("Уполномоченный орган содействует кооперации участников кластеров с организациями Республики Беларусь.",
     "RU", True),
    ("Министерство промышленности и торговли Российской Федерации координирует работу по развитию кластеров.",
     "RU", False),
])
def test_categories_the_other_country_is_a_foreign_partner(text, country, transnational):
    lang = "be" if any(ch in text for ch in "іў") else "ru"
    v = ClauseView(text, None, (), False, lang, "point", country=country)
    hit = detect_mechanisms(v)[0]
    assert ("TRANSNATIONAL" in {c.code for c in classify_categories(v, hit)}) is transnational
