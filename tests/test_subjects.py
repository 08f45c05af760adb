"""Subject rules on sentences of kinds unseen acts share: designated bodies, passives, composition rules, aliases."""

import pytest

from extractors.mechanisms import ClauseView, detect_mechanisms
from extractors.mentions import act_context, find_mentions
from extractors.lexicon import tokenize
from tests.test_mechanisms import _Clause  # the clause stand-in act_context reads


def hits(text, lead_in=None, headings=(), ctx=None):
    lang = "be" if any(ch in text + (lead_in or "") for ch in "іў") else "ru"
    v = ClauseView(text, lead_in, tuple(headings), False, lang, "subpoint" if lead_in else "point", act_context=ctx)
    return [(h.type, h.subject) for h in detect_mechanisms(v)]


DESIGNATED_BODY_ROWS = [
    ("Правительство области определяет исполнительный орган области, уполномоченный в сфере государственной "
     "поддержки кластеров и технопарков.", ("COORDINATION", "AUTHORITY")),
    # a body designated or set up by the act is the state's own arrangement, whatever it is put in charge of
    ("Определить департамент экономического развития области исполнительным органом, уполномоченным на "
     "предоставление грантов и координацию поддержки инновационных кластеров.", ("COORDINATION", "AUTHORITY")),
    ("Вызначыць упраўленне эканомікі гарвыканкама структурным падраздзяленнем, якое каардынуе развіццё "
     "кластараў горада.", ("COORDINATION", "AUTHORITY")),
    ("Галоўным распарадчыкам сродкаў, прадугледжаных на выдзяленне субсідый, з'яўляецца камітэт па эканоміцы.",
     ("COORDINATION", "AUTHORITY")),
    ("Главным распорядителем бюджетных средств, направляемых на предоставление грантов технопаркам, является "
     "департамент инвестиций области.", ("COORDINATION", "AUTHORITY")),
    ("Гарадскі савет па кластарным развіцці з'яўляецца кансультатыўным органам, які ўтвараецца для ўзгаднення "
     "дзеянняў арганізацый развіцця кластараў.", ("COORDINATION", "AUTHORITY")),
    # the members a state council is made of are not its subject, however long the list
    ("В состав Совета включаются представители Министерства, Министерства экономического развития Российской "
     "Федерации и Ассоциации кластеров, технопарков и ОЭЗ России.", ("COORDINATION", "AUTHORITY")),
]


@pytest.mark.parametrize("text,expected", DESIGNATED_BODY_ROWS)
def test_subjects_designated_body_is_authority(text, expected):
    assert hits(text)[:1] == [expected]


def test_subjects_belarusian_cluster_policy_adjective_names_no_cluster():
    assert [m.code for m in find_mentions(tokenize("рэалізацыя кластарнай палітыкі ў рэгіёне"))] == []
    assert [m.code for m in find_mentions(tokenize("праграма развіцця кластара"))] == ["CLUSTER"]


ITEM_ROWS = [
    # (lead-in, item, expected): composition rules concern the cluster, a cluster's own organization the
    # organization, whatever entity the lead-in names
    ("К заявителю предъявляются следующие требования:",
     "в состав кластера входят не менее 12 участников, из которых не менее 3 являются малыми предприятиями",
     ("REQUIREMENT", "CLUSTER")),
    ("Да атрымальніка субсідыі прад'яўляюцца наступныя патрабаванні:",
     "у склад кластара ўваходзяць не менш за 7 удзельнікаў", ("REQUIREMENT", "CLUSTER")),
    ("Кластер включается в перечень при соблюдении следующих требований:",
     "кластер имеет специализированную организацию, созданную в форме автономной некоммерческой организации",
     ("REQUIREMENT", "CLUSTER_ORGANIZATION")),
    ("Кластар уключаецца ў пералік, калі ён адпавядае наступным патрабаванням:",
     "кластар мае арганізацыю развіцця кластара ў форме асацыяцыі", ("REQUIREMENT", "CLUSTER_ORGANIZATION")),
    # otherwise an item keeps its lead-in's entity
    ("Кластер должен соответствовать следующим требованиям:",
     "участники кластера заключили соглашение о взаимодействии", ("REQUIREMENT", "CLUSTER")),
    # criteria of an evaluation take the entity whose applications are evaluated; without one, what they measure
    ("Комиссия проводит оценку заявок специализированной организации кластера и участников кластера по "
     "следующим критериям:", "объем продукции участников кластера, отгруженной на экспорт",
     ("SELECTION", "CLUSTER_ORGANIZATION")),
    ("Заявки оцениваются по следующим критериям:", "объем продукции участников кластера, отгруженной на экспорт",
     ("SELECTION", "PARTICIPANT")),
    # the indicators a report lists belong to the reporter, not to whoever the indicator names
    ("Отчет управляющей компании технопарка включает следующие показатели:",
     "объем инвестиций, привлеченных резидентами, включая средства иностранных инвесторов",
     ("MONITORING", "MANAGEMENT_COMPANY")),
]


@pytest.mark.parametrize("lead_in,text,expected", ITEM_ROWS)
def test_subjects_items_composition_and_organization(lead_in, text, expected):
    assert hits(text, lead_in)[:1] == [expected]


PASSIVE_ROWS = [
    # the instrumental after a selection is who selects, not who is selected
    ("Управляющие компании индустриальных парков определяются по результатам отбора, проводимого министерством "
     "ежегодно.", ("SELECTION", "MANAGEMENT_COMPANY")),
]


@pytest.mark.parametrize("text,expected", PASSIVE_ROWS)
def test_subjects_passive_agent_is_not_the_subject(text, expected):
    assert hits(text)[:1] == [expected]


@pytest.mark.parametrize("text,nom", [
    # a Belarusian plural in an oblique case opening a clause is not its grammatical subject
    ("Удзельнікамі кластара заключаецца пагадненне", False),
    ("Удзельнікаў кластара павінна быць не менш за 5", False),
    ("Удзельнікі кластара заключаюць пагадненне", True),
])
def test_subjects_belarusian_opening_noun_case(text, nom):
    assert find_mentions(tokenize(text))[0].nom is nom


@pytest.mark.parametrize("text,nom", [
    # a Belarusian "-ыя/-ія" noun pymorphy3 has no entry for is a nominative wherever it stands
    ("дзейнасць кластара забяспечвае арганізацыя развіцця кластара", True),
    ("пагадненне з арганізацыяй развіцця кластара", False),
    ("справаздача арганізацыі развіцця кластара", False),
])
def test_subjects_belarusian_nominative_after_the_verb(text, nom):
    assert [m.nom for m in find_mentions(tokenize(text)) if m.code == "CLUSTER_ORGANIZATION"] == [nom]


MONEY_ACT = [
    _Clause("Гэта Палажэнне вызначае парадак падтрымкі тэхнапаркаў вобласці."),
    _Clause("Кіруючым кампаніям тэхнапаркаў з абласнога бюджэту прадастаўляецца субсідыя на кампенсацыю выдаткаў."),
]


@pytest.mark.parametrize("clauses,title,expected", [
    (MONEY_ACT, "Палажэнне аб парадку падтрымкі тэхнапаркаў", "MANAGEMENT_COMPANY"),
    ([_Clause("Специализированным организациям кластеров предоставляются субсидии на оплату услуг.")],
     "Порядок поддержки кластеров", "CLUSTER_ORGANIZATION"),
    # a region's budget is not a recipient of cluster policy
    ([_Clause("Бюджетам муниципальных образований предоставляются субсидии на создание технопарков.")],
     "Порядок поддержки технопарков", ""),
])
def test_subjects_money_recipient_read_from_the_act(clauses, title, expected):
    assert act_context(clauses, title).money_recipient == expected


def test_subjects_return_of_money_concerns_the_acts_recipient():
    ctx = act_context(MONEY_ACT, "Палажэнне аб парадку падтрымкі тэхнапаркаў")
    assert hits("Субсідыя падлягае вяртанню ў абласны бюджэт у выпадку яе нямэтавага выкарыстання.", ctx=ctx) == \
        [("MONITORING", "MANAGEMENT_COMPANY")]


@pytest.mark.parametrize("text,code", [
    # a hyphenated adjective between "организация развития" and the cluster, Russian and Belarusian
    ("организация развития инновационно-промышленного кластера", "CLUSTER_ORGANIZATION"),
    ("з арганізацыяй развіцця інавацыйна-прамысловага кластара", "CLUSTER_ORGANIZATION"),
    ("арганізацыя развіцця рэгіянальнага прамысловага кластара", "CLUSTER_ORGANIZATION"),
    # a noun in between is not an adjective: the cluster is named, not its organization
    ("организация развития производства кластера", "CLUSTER"),
    # a figure of the participants is the cluster's, a figure of the residents the park's
    ("число участников кластера составляет не менее 10", "CLUSTER"),
    ("количество резидентов технопарка составляет не менее 10", "TECHNOPARK"),
    # innovative companies in general are OTHER, in Belarusian too
    ("Маладым інавацыйным кампаніям прадастаўляюцца рабочыя месцы", "OTHER"),
    # a park's "управляющая организация" is its management company; a cluster's is the cluster organization
    ("Управляющая организация научно-технологического парка обязана", "MANAGEMENT_COMPANY"),
    ("кіруючая арганізацыя тэхнапарка", "MANAGEMENT_COMPANY"),
    ("управляющая организация кластера", "CLUSTER_ORGANIZATION"),
])
def test_subjects_mention_across_compound_adjectives(text, code):
    assert find_mentions(tokenize(text))[0].code == code


# (clause, lead-in, headings, expected hits): subject rules on clause shapes unseen acts share
SHAPE_ROWS = [
    # SPEC: the first entity named; the act's recipient only when a subsidy's results name none
    ("Результатом предоставления субсидии является объем произведенной промышленной продукции в рамках "
     "совместного проекта, значение которого устанавливается соглашением.", None, (), [("MONITORING", "PROJECT")]),
    # a cluster's own council concerns the cluster (NOTES) ...
    ("Для координации деятельности участников кластера создается совет кластера, заседания которого проводятся "
     "не реже 2 раз в год.", None, (), [("COORDINATION", "CLUSTER")]),
    ("Для каардынацыі дзейнасці ўдзельнікаў кластара ствараецца савет кластара.", None, (),
     [("COORDINATION", "CLUSTER")]),
    # ... a state council on clusters is the state's
    ("Создать координационный совет по развитию кластеров при Министерстве экономики.", None, (),
     [("COORDINATION", "AUTHORITY")]),
    # clusters named only as the owners of a programme a ministry coordinates: the state's own work
    ("Министерство экономики во взаимодействии с ГКНТ и облисполкомами координирует разработку программ "
     "развития кластеров.", None, (), [("COORDINATION", "AUTHORITY")]),
    ("Міністэрства эканомікі ва ўзаемадзеянні з ДКНТ і аблвыканкамамі каардынуе распрацоўку праграм развіцця "
     "кластараў.", None, (), [("COORDINATION", "AUTHORITY")]),
    # a criterion measures the first entity it names, also when it is named "в проекте" / "ў праекце"
    ("использование в проекте инфраструктуры технопарков и центров коллективного пользования (максимально 10 "
     "баллов)", "Заявки оцениваются по следующим критериям:", (), [("SELECTION", "PROJECT")]),
    ("выкарыстанне ў праекце абсталявання цэнтра калектыўнага карыстання парка",
     "Заяўкі ацэньваюцца па наступных крытэрыях:", (), [("SELECTION", "PROJECT")]),
    # the entity right after the giving verb is its recipient, though "компании" also reads as a genitive
    ("Земельные участки для строительства объектов парка предоставляются управляющей компании парка без "
     "проведения торгов.", None, (), [("INCENTIVE", "MANAGEMENT_COMPANY")]),
    ("Зямельныя ўчасткі для будаўніцтва аб'ектаў парка прадастаўляюцца кіруючай кампаніі парка без "
     "правядзення аўкцыёну.", None, (), [("INCENTIVE", "MANAGEMENT_COMPANY")]),
    # a grant decision naming no entity concerns the projects competing, not what the act's title is about
    ("Рашэнне аб выдзяленні гранта прымаецца аблвыканкамам на падставе пратакола конкурснай камісіі ў месячны "
     "тэрмін з дня заканчэння прыёму заявак.", None, ("Положение о технопарке области",),
     [("SELECTION", "PROJECT")]),
    ("Решение о предоставлении гранта принимается министерством на основании протокола конкурсной комиссии в "
     "течение 30 дней со дня окончания приема заявок.", None, ("Положение о технопарке области",),
     [("SELECTION", "PROJECT")]),
    # a body that reports on, or repays, money it received itself, with no entity of cluster policy named
    ("Уполномоченный орган не позднее 1 марта года, следующего за отчетным, представляет в Министерство "
     "сводный отчет о реализации мероприятий.", None, ("Правила предоставления субсидий",),
     [("MONITORING", "AUTHORITY")]),
    ("В случае недостижения субъектом Российской Федерации значений результатов использования субсидии "
     "средства подлежат возврату в федеральный бюджет.", None, ("Правила предоставления субсидий",),
     [("MONITORING", "AUTHORITY")]),
    # the staff of an organization is a condition on that organization, whatever the lead-in names
    ("в штате управляющей компании состоят не менее 7 работников", "Технопарк соответствует следующим "
     "требованиям:", (), [("REQUIREMENT", "MANAGEMENT_COMPANY")]),
    ("штатная численность работников специализированной организации кластера составляет не менее 5 человек",
     "Технопарк соответствует следующим требованиям:", (), [("REQUIREMENT", "CLUSTER_ORGANIZATION")]),
    # the pool recipients are chosen from is the entity selected, though a commission is named after it
    ("Получатели субсидий из числа специализированных организаций кластеров определяются по результатам "
     "конкурсного отбора, который проводит конкурсная комиссия.", None, (),
     [("SELECTION", "CLUSTER_ORGANIZATION")]),
]


@pytest.mark.parametrize("text,lead_in,headings,expected", SHAPE_ROWS)
def test_subjects_clause_shapes(text, lead_in, headings, expected):
    assert hits(text, lead_in, headings) == expected
