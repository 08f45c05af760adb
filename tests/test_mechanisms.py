"""Mechanism rules: type, subject, the "not a mechanism" gate, lead-ins, sub-points and two-instrument clauses."""
from dataclasses import dataclass

import pytest
import spacy

from extractors.mechanisms import ClauseView, detect_mechanisms, find_mentions, load_lexicon, tokenize
from extractors.mentions import act_context


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("ru")
    nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    nlp.initialize()
    return nlp


def view(text, lead_in=None, headings=(), language="ru", kind="point"):
    return ClauseView(text=text, lead_in=lead_in, headings=tuple(headings),
                      is_lead_in=text.rstrip().endswith(":") and lead_in is None and kind == "lead",
                      language=language, kind="point" if kind == "lead" else kind)


def types_subjects(v, nlp):
    return [(h.type, h.subject) for h in detect_mechanisms(v, nlp(v.text))]


TYPE_ROWS = [
    # GRANT
    ("Участникам территориального кластера из областного бюджета предоставляются субсидии на возмещение "
     "части затрат на уплату процентов по кредитам.", "GRANT", "PARTICIPANT"),
    ("Специализированной организации кластера предоставляется грант в размере до 10 млн рублей на "
     "реализацию программы развития кластера.", "GRANT", "CLUSTER_ORGANIZATION"),
    ("Управляющей компании технопарка возмещаются затраты на создание объектов инженерной инфраструктуры "
     "в размере не более 70 процентов понесенных затрат.", "GRANT", "MANAGEMENT_COMPANY"),
    ("Инвестиционные проекты участников кластера могут финансироваться за счет средств фонда развития "
     "промышленности.", "GRANT", "PROJECT"),
    # budget allocations named after the recipient: still the grant itself
    ("Субсидия предоставляется управляющей компании технопарка в размере до 50 млн рублей в пределах "
     "бюджетных ассигнований, предусмотренных законом области об областном бюджете.", "GRANT", "MANAGEMENT_COMPANY"),
    ("Гранты выдзяляюцца стартапам на рэалізацыю інавацыйных праектаў у сферы інфармацыйных тэхналогій.",
     "GRANT", "OTHER"),
    # INCENTIVE
    ("Резиденты технопарка освобождаются от уплаты налога на имущество организаций на срок 5 лет.",
     "INCENTIVE", "PARTICIPANT"),
    ("Управляющей компании индустриального парка земельный участок предоставляется в аренду без проведения "
     "торгов.", "INCENTIVE", "MANAGEMENT_COMPANY"),
    ("Для участников кластера устанавливается пониженная ставка налога на прибыль организаций.",
     "INCENTIVE", "PARTICIPANT"),
    ("Рэзідэнты парка вызваляюцца ад падатку на прыбытак.", "INCENTIVE", "PARTICIPANT"),
    ("Технопарк функционирует в специальном правовом режиме до 2040 года.", "INCENTIVE", "TECHNOPARK"),
    # REQUIREMENT
    ("Управляющая компания технопарка должна иметь на праве собственности или аренды земельный участок "
     "площадью не менее 5 гектаров.", "REQUIREMENT", "MANAGEMENT_COMPANY"),
    ("Промышленный кластер должен включать не менее 15 промышленных предприятий.", "REQUIREMENT", "CLUSTER"),
    ("Участники кластера обязаны ежегодно уплачивать членские взносы.", "REQUIREMENT", "PARTICIPANT"),
    ("Требования к технопаркам устанавливаются Правительством области и должны предусматривать наличие "
     "офисных помещений.", "REQUIREMENT", "TECHNOPARK"),
    ("Кластар павінен уключаць не менш за 10 удзельнікаў.", "REQUIREMENT", "CLUSTER"),
    # the recipient's own share and forbidden uses of the money are conditions, not the grant
    ("Удзельнік кластара забяспечвае сафінансаванне праекта за кошт уласных або пазыковых сродкаў у аб'ёме не "
     "менш за 25 працэнтаў ад сумы гранта.", "REQUIREMENT", "PARTICIPANT"),
    ("Специализированная организация кластера обеспечивает привлечение средств участников кластера на "
     "финансирование мероприятий в объеме не менее 20 процентов их стоимости.", "REQUIREMENT", "CLUSTER_ORGANIZATION"),
    ("Удзельнік кластара не мае права накіроўваць сродкі гранта на набыццё легкавых аўтамабіляў.",
     "REQUIREMENT", "PARTICIPANT"),
    ("Специализированная организация кластера обеспечивает привлечение средств участников кластера на "
     "финансирование мероприятий в объеме не менее 15 процентов от размера субсидии.",
     "REQUIREMENT", "CLUSTER_ORGANIZATION"),
    # SELECTION
    ("Заявка на включение технопарка в реестр подается управляющей компанией в министерство.",
     "SELECTION", "TECHNOPARK"),
    ("Министерство в течение 20 рабочих дней рассматривает заявление управляющей компании и принимает "
     "решение о включении технопарка в реестр или об отказе.", "SELECTION", "MANAGEMENT_COMPANY"),
    ("Для оценки заявок создается конкурсная комиссия в составе не менее 7 человек.", "SELECTION", "AUTHORITY"),
    ("Основаниями для отказа во включении кластера в перечень являются недостоверность сведений и "
     "несоответствие кластера требованиям.", "SELECTION", "CLUSTER"),
    ("Заяўкі ацэньваюцца конкурснай камісіяй па бальнай сістэме.", "SELECTION", "AUTHORITY"),
    # COORDINATION
    ("При Правительстве области образуется совет по кластерной политике.", "COORDINATION", "AUTHORITY"),
    # a cluster's own organization acts for itself; a regional support institution acts for those it serves
    ("Специализированная организация кластера оказывает консультационную помощь участникам кластера.",
     "COORDINATION", "CLUSTER_ORGANIZATION"),
    ("Центр кластерного развития оказывает консультационную помощь участникам кластеров.",
     "COORDINATION", "PARTICIPANT"),
    ("Министерство координирует деятельность органов исполнительной власти по развитию технопарков.",
     "COORDINATION", "AUTHORITY"),
    ("Министерство содействует участию кластеров в межрегиональных выставках.", "COORDINATION", "CLUSTER"),
    ("Уполномоченный орган ведет информационный портал кластеров региона.", "COORDINATION", "AUTHORITY"),
    ("Министерство ежеквартально обменивается с органами исполнительной власти субъектов Российской Федерации "
     "сведениями о результатах мониторинга.", "COORDINATION", "AUTHORITY"),
    ("Министерство обеспечивает ведение государственной информационной системы промышленности.",
     "COORDINATION", "AUTHORITY"),
    ("Арганізацыя развіцця кластара садзейнічае ўзаемадзеянню ўдзельнікаў.",
     "COORDINATION", "CLUSTER_ORGANIZATION"),
    # MONITORING
    ("Управляющая компания ежегодно до 1 марта представляет в министерство отчет о деятельности технопарка.",
     "MONITORING", "MANAGEMENT_COMPANY"),
    ("Министерство осуществляет мониторинг достижения показателей результативности программ развития "
     "кластеров.", "MONITORING", "CLUSTER"),
    ("Технопарк исключается из реестра в случае несоответствия требованиям.", "MONITORING", "TECHNOPARK"),
    ("В случае нецелевого использования субсидия подлежит возврату в областной бюджет.", "MONITORING", "OTHER"),
    ("Рэзідэнт парка штогод прадстаўляе справаздачу аб выкананні бізнес-праекта.", "MONITORING", "PARTICIPANT"),
    ("Кіруючая кампанія парка штогод да 1 лютага прадстаўляе ў ДКНТ звесткі аб колькасці рэзідэнтаў.",
     "MONITORING", "MANAGEMENT_COMPANY"),
    # an information system named only as the channel of a report
    ("Управляющая компания технопарка ежеквартально направляет в министерство отчет по форме, размещенной в "
     "государственной информационной системе промышленности.", "MONITORING", "MANAGEMENT_COMPANY"),
    ("Сведения, указанные в пунктах 4 и 6 настоящего Порядка, направляются управляющей компанией в электронной "
     "форме.", "MONITORING", "MANAGEMENT_COMPANY"),
    ("При установлении факта нарушения условий предоставления субсидии участник кластера возвращает "
     "полученную субсидию в областной бюджет в течение 30 календарных дней.", "MONITORING", "PARTICIPANT"),
    ("Удзельнік кластара вяртае сродкі гранта ў рэспубліканскі бюджэт у выпадку іх нямэтавага выкарыстання.",
     "MONITORING", "PARTICIPANT"),
]


@pytest.mark.parametrize("text,type_,subject", TYPE_ROWS)
def test_mechanisms_type_and_subject(text, type_, subject, nlp):
    lang = "be" if any(ch in text for ch in "іў") else "ru"
    hits = types_subjects(view(text, language=lang), nlp)
    assert hits and hits[0] == (type_, subject)


DISTRACTOR_ROWS = [
    # who carries out the act with what staff, and budget planning, are boilerplate of an enacting act
    ("Реализация полномочий, предусмотренных настоящим постановлением, осуществляется Министерством "
     "экономического развития Российской Федерации в пределах установленной предельной численности его работников, "
     "а также бюджетных ассигнований, предусмотренных на руководство и управление.", None),
    ("Министерству финансов области при формировании проекта областного бюджета на очередной финансовый год "
     "предусматривать бюджетные ассигнования на реализацию мероприятий подпрограммы «Развитие индустриальных "
     "парков».", None),
    # what a park is set up for
    ("Тэхнапарк ствараецца ў мэтах фарміравання спрыяльных умоў для развіцця інавацыйнай дзейнасці.", None),
    ("Технопарк создается в целях формирования благоприятных условий для развития инновационной деятельности.",
     None),
    # what a document is written for, a long definition, the principles of a policy
    ("Настоящие методические рекомендации разработаны в целях оказания содействия органам исполнительной власти "
     "субъектов Российской Федерации в формировании региональной кластерной политики.", None),
    ("Под региональной кластерной политикой в настоящих методических рекомендациях понимается комплекс мер, "
     "осуществляемых органами государственной власти по поддержке кластеров.", None),
    ("Основными принципами региональной кластерной политики являются открытость, равный доступ участников "
     "кластеров к мерам поддержки и софинансирование.", None),
    ("технопарк — имущественный комплекс, предназначенный для размещения малых инновационных компаний",
     "Для целей настоящего Порядка используются следующие понятия:"),
    ("Для целей настоящего Положения используются следующие термины: кластер — объединение организаций; "
     "участник — юридическое лицо, присоединившееся к соглашению.", None),
    ("Настоящий Порядок определяет правила предоставления субсидий участникам кластеров.", None),
    ("Настоящее постановление вступает в силу со дня его официального опубликования.", None),
    ("Признать утратившим силу постановление Правительства области от 1 марта 2015 г. № 45.", None),
    ("Утвердить прилагаемое Положение о реестре технопарков.", None),
    ("Контроль за исполнением настоящего приказа возложить на заместителя министра.", None),
    ("Финансирование мероприятий осуществляется за счет средств областного бюджета в пределах бюджетных "
     "ассигнований, предусмотренных на эти цели.", None),
    ("Субсидии предоставляются в пределах бюджетных ассигнований, предусмотренных законом области об "
     "областном бюджете на текущий финансовый год и плановый период.", None),
    ("Утвердить: Порядок мониторинга деятельности промышленных технопарков (приложение № 1); Положение о "
     "Координационном совете по развитию промышленных кластеров (приложение № 2).", None),
    ("Зацвердзіць Палажэнне аб каардынацыйным савеце па развіцці кластараў (дадатак 1).", None),
    ("Губернатор области И.И. Иванов", None),
    ("Гэтая пастанова ўступае ў сілу праз 10 дзён пасля яе афіцыйнага апублікавання.", None),
    ("Правительству области привести свои нормативные правовые акты в соответствие с настоящим законом.",
     None),
    ("Внести в постановление Правительства области от 5 мая 2016 г. № 12 следующие изменения.", None),
]


@pytest.mark.parametrize("text,lead_in", DISTRACTOR_ROWS)
def test_mechanisms_distractors_are_not_mechanisms(text, lead_in, nlp):
    lang = "be" if any(ch in text for ch in "іў") else "ru"
    kind = "subpoint" if lead_in else "point"
    assert types_subjects(view(text, lead_in=lead_in, language=lang, kind=kind), nlp) == []


def test_mechanisms_preamble_and_goal_headings_are_not_mechanisms(nlp):
    pre = ClauseView("В целях развития кластеров Правительство области постановляет:", None, (), True, "ru",
                     "preamble")
    goals = view("Государственная поддержка кластеров оказывается в целях развития экспорта и кооперации.",
                 headings=("Закон о кластерах", "Статья 3. Цели государственной поддержки"))
    assert types_subjects(pre, nlp) == [] and types_subjects(goals, nlp) == []


LEAD_IN_ROWS = [
    # a lead-in that only names its list is no mechanism; one with its own norm is
    ("Технопарк должен соответствовать следующим требованиям:", []),
    ("Заявки оцениваются по следующим критериям:", []),
    ("Резиденты технопарка:", []),
    ("Для включения в реестр управляющая компания направляет в министерство заявление, к которому "
     "прилагаются:", [("SELECTION", "MANAGEMENT_COMPANY")]),
    ("Участник кластера исключается из реестра по решению министерства в случае:",
     [("MONITORING", "PARTICIPANT")]),
    ("Рэзідэнт губляе статус рэзідэнта тэхнапарка па рашэнні экспертнага савета ў выпадках:",
     [("MONITORING", "PARTICIPANT")]),
    # a calendar deadline, or the body that draws up the list, is a norm of its own
    ("Ежегодно, до 1 июля, формируется перечень опорных технопарков, в который включаются технопарки, "
     "отвечающие следующим требованиям:", [("SELECTION", "TECHNOPARK")]),
    ("Министерство формирует перечень опорных технопарков, в который включаются технопарки, отвечающие "
     "следующим требованиям:", [("SELECTION", "TECHNOPARK")]),
    ("В перечень опорных технопарков включаются технопарки, отвечающие следующим требованиям:", []),
]


@pytest.mark.parametrize("text,expected", LEAD_IN_ROWS)
def test_mechanisms_lead_in_needs_its_own_norm(text, expected, nlp):
    assert types_subjects(view(text, kind="lead"), nlp) == expected


SUBPOINT_ROWS = [
    # (lead-in, sub-point, expected type and subject): sub-points take the frame and subject of the lead-in
    ("Кластер должен соответствовать следующим требованиям:",
     "доля субъектов малого и среднего предпринимательства среди участников составляет не менее 40 процентов",
     ("REQUIREMENT", "CLUSTER")),
    ("Кластер должен соответствовать следующим требованиям:",
     "наличие специализированной организации, созданной в форме автономной некоммерческой организации",
     ("REQUIREMENT", "CLUSTER_ORGANIZATION")),
    ("К заявлению прилагаются следующие документы:", "копия программы развития кластера",
     ("SELECTION", "CLUSTER")),
    ("Средства субсидии используются на:", "приобретение оборудования для центра коллективного пользования",
     ("GRANT", "OTHER")),
    ("Кластер, включаемый в реестр, рекомендуется формировать с соблюдением следующих условий:",
     "не менее 50 процентов участников кластера относятся к субъектам малого и среднего предпринимательства",
     ("REQUIREMENT", "CLUSTER")),
    # what the money may be spent on, and by whom: the spender named in the instrumental is the recipient
    ("Средства субсидии могут быть направлены специализированной организацией кластера на:",
     "организацию участия не менее 3 участников кластера в выставочно-ярмарочных мероприятиях",
     ("GRANT", "CLUSTER_ORGANIZATION")),
    # the items of "… обязана:" are duties, whatever words they use
    ("Кіруючая кампанія абавязана:", "весці асобны ўлік даходаў ад здачы ў арэнду памяшканняў тэхнапарка",
     ("REQUIREMENT", "MANAGEMENT_COMPANY")),
    # conditions of a subsidy are conditions, though the lead-in is about the money
    ("Субсидия предоставляется при соблюдении управляющей компанией следующих условий:",
     "отсутствие у получателя просроченной задолженности по налогам и сборам", ("REQUIREMENT", "MANAGEMENT_COMPANY")),
    ("Резиденты технопарка обязаны:", "ежеквартально представлять управляющей компании отчет о деятельности",
     ("MONITORING", "PARTICIPANT")),
    ("Специализированная организация кластера:", "организует участие участников кластера в выставках",
     ("COORDINATION", "CLUSTER_ORGANIZATION")),
    ("Заяўкі ацэньваюцца па наступных крытэрыях:", "эканамічная эфектыўнасць праекта", ("SELECTION", "PROJECT")),
    # the conditions an eligible recipient meets, even where an item mentions the application
    ("Право на получение субсидии имеет участник кластера, соответствующий одновременно следующим условиям:",
     "участник кластера зарегистрирован и ведет деятельность на территории области не менее 3 лет до дня "
     "подачи заявки", ("REQUIREMENT", "PARTICIPANT")),
]


@pytest.mark.parametrize("lead_in,text,expected", SUBPOINT_ROWS)
def test_mechanisms_subpoints_read_their_lead_in(lead_in, text, expected, nlp):
    lang = "be" if any(ch in text for ch in "іў") else "ru"
    hits = types_subjects(view(text, lead_in=lead_in, kind="subpoint", language=lang), nlp)
    assert hits == [expected]


TWO_ROWS = [
    ("Субсидия предоставляется в размере не более 5 млн рублей при условии софинансирования затрат "
     "участниками кластера в объеме не менее 20 процентов.", {"GRANT", "REQUIREMENT"}),
    ("Резиденты парка ежемесячно уплачивают отчисления в размере 1 процента выручки и в тот же срок "
     "представляют в администрацию расчет отчислений.", {"REQUIREMENT", "MONITORING"}),
    ("Координационный совет координирует работу органов власти по развитию кластеров и утверждает перечень "
     "приоритетных кластеров.", {"COORDINATION", "SELECTION"}),
    ("Субсидия предоставляется управляющим компаниям технопарков на возмещение затрат.", {"GRANT"}),
    ("Кластер исключается из реестра при непредставлении отчета.", {"MONITORING"}),
    # a cap on the grant and, joined by ", а", a co-financing share or how long the project may last (SPEC §4)
    ("Размер субсидии бюджету одного субъекта Российской Федерации не может превышать 100 млн рублей в год, а "
     "уровень софинансирования из бюджета субъекта составляет не менее 5 процентов.", {"GRANT", "REQUIREMENT"}),
    ("Общий объем субсидий на один проект не может превышать 20 млн рублей, а срок реализации проекта не может "
     "превышать 2 лет.", {"GRANT", "REQUIREMENT"}),
]


@pytest.mark.parametrize("text,expected", TWO_ROWS)
def test_mechanisms_two_instruments_only_for_known_shapes(text, expected, nlp):
    hits = detect_mechanisms(view(text), nlp(text))
    assert {h.type for h in hits} == expected and len(hits) == len(expected)


def test_mechanisms_hits_carry_rule_and_words(nlp):
    text = "Участникам кластера предоставляются субсидии на возмещение затрат."
    hit = detect_mechanisms(view(text), nlp(text))[0]
    assert hit.rule.startswith("type.grant") and "subject." in hit.rule and hit.triggers
    assert 0.5 <= hit.confidence <= 0.95


def test_mechanisms_work_without_a_doc():
    assert detect_mechanisms(view("Участникам кластера предоставляются субсидии."))[0].type == "GRANT"


def test_mechanisms_lexicon_patterns_match_lemmas_stems_and_gaps():
    lex = load_lexicon("mech_grant")
    toks = tokenize("Субсидии бюджету одного субъекта Российской Федерации предоставляются ежегодно")
    assert "субсиди* ...6 предоставля*" in lex.hits(toks)


def test_mechanisms_short_name_of_an_organization_named_in_a_heading():
    heads = ("Положение об организации развития кластера «Агропром»",)
    top = ClauseView("Организация оказывает консультационные услуги участникам кластера.", None, heads, False, "ru")
    item = ClauseView("организация выставок и деловых миссий", "Организация осуществляет следующие функции:", heads,
                      False, "ru", "subpoint")
    assert [(h.type, h.subject) for h in detect_mechanisms(top)] == [("COORDINATION", "CLUSTER_ORGANIZATION")]
    assert [(h.type, h.subject) for h in detect_mechanisms(item)] == [("COORDINATION", "CLUSTER_ORGANIZATION")]


BE_ROWS = [
    ("Субсідыя прадастаўляецца ўдзельнікам кластара на кампенсацыю выдаткаў.", "GRANT", "PARTICIPANT"),
    ("Рэзідэнтам тэхнапарка ўстанаўліваецца паніжаная стаўка арэнднай платы.", "INCENTIVE", "PARTICIPANT"),
    ("Рашэнне аб уключэнні кластара ў рэестр прымаецца Міністэрствам эканомікі.", "SELECTION", "CLUSTER"),
    ("Пры Міністэрстве эканомікі ствараецца міжведамасны савет па развіцці кластараў.", "COORDINATION",
     "AUTHORITY"),
    ("Тэхнапарк пазбаўляецца статусу ў выпадку невыканання патрабаванняў.", "MONITORING", "TECHNOPARK"),
    ("Выкананне рэзідэнтамі бізнес-праектаў правяраецца кіруючай кампаніяй не радзей за 1 раз у год.",
     "MONITORING", "PARTICIPANT"),
    ("Асоба, якая страціла статус рэзідэнта, абавязана вярнуць у бюджэт суму ільгот па арэнднай плаце.",
     "MONITORING", "PARTICIPANT"),
    ("Для адбору рэзідэнтаў пры кіруючай кампаніі ствараецца экспертны савет.", "SELECTION", "AUTHORITY"),
    ("Тэхнапарк развівае супрацоўніцтва з тэхнапаркамі рэгіёнаў Расійскай Федэрацыі.", "COORDINATION",
     "TECHNOPARK"),
    ("Тэхнапарк удзельнічае ў рабоце Беларускай асацыяцыі тэхнапаркаў.", "COORDINATION", "TECHNOPARK"),
    ("Для ўдзельнікаў кластара стаўка падатку на нерухомасць памяншаецца на 50 працэнтаў.", "INCENTIVE",
     "PARTICIPANT"),
]


@pytest.mark.parametrize("text,type_,subject", BE_ROWS)
def test_mechanisms_belarusian_by_stems(text, type_, subject):
    hits = detect_mechanisms(ClauseView(text, None, (), False, "be"))
    assert hits and (hits[0].type, hits[0].subject) == (type_, subject)


@pytest.mark.parametrize("text", [
    "Савет Міністраў Рэспублікі Беларусь ПАСТАНАЎЛЯЕ:",
    "Гэтае Палажэнне вызначае парадак стварэння кластараў.",
    "Кантроль за выкананнем гэтай пастановы ўскласці на Міністэрства эканомікі.",
])
def test_mechanisms_belarusian_distractors(text):
    assert detect_mechanisms(ClauseView(text, None, (), text.endswith(":"), "be")) == []


def test_mechanisms_members_of_a_body_are_not_mechanisms():
    lead = "В состав координационного совета входят:"
    for member in ("Председатель Правительства области (председатель совета);",
                   "руководитель Управления Федеральной службы государственной регистрации по области;"):
        assert detect_mechanisms(ClauseView(member, lead, (), False, "ru", "subpoint")) == []


@pytest.mark.parametrize("text,headings,expected", [
    ("Общая площадь территории составляет не менее 8 гектаров.",
     ("Требования к промышленным технопаркам",), ("REQUIREMENT", "TECHNOPARK")),
    ("Размер субсидии не может превышать 10 млн рублей в год.",
     ("Закон о кластерах", "Статья 8. Субсидии специализированным организациям кластеров"),
     ("GRANT", "CLUSTER_ORGANIZATION")),
])
def test_mechanisms_headings_inform_the_subject(text, headings, expected):
    hits = detect_mechanisms(ClauseView(text, None, headings, False, "ru"))
    assert [(h.type, h.subject) for h in hits] == [expected]


SUBJECT_RULE_ROWS = [
    # (text, lead-in, expected type and subject): one row per general subject rule, Russian and Belarusian
    # the entity right after "отбор/адбор" is the one chosen, unless a commission is named first
    ("Отбор резидентов бизнес-инкубатора осуществляется конкурсной комиссией на основании бизнес-планов.", None,
     ("SELECTION", "PARTICIPANT")),
    ("Адбор праектаў праводзіць конкурсная камісія штогод.", None, ("SELECTION", "PROJECT")),
    ("Конкурсная комиссия по отбору резидентов образуется управляющей компанией.", None, ("SELECTION", "AUTHORITY")),
    # cooperation with state bodies is the state's own business
    ("Уполномоченный орган обеспечивает взаимодействие с федеральными органами исполнительной власти по вопросам "
     "развития технопарков.", None, ("COORDINATION", "AUTHORITY")),
    # the addressee of a recommendation acts
    ("Рекомендовать специализированным организациям кластеров заключить соглашения о взаимодействии с центром "
     "поддержки экспорта.", None, ("COORDINATION", "CLUSTER_ORGANIZATION")),
    # the one who returns the money is the one monitored, a region included
    ("Субъект Российской Федерации возвращает в федеральный бюджет средства субсидии в случае недостижения "
     "показателей результативности.", None, ("MONITORING", "AUTHORITY")),
    # an apposition says who the addressees are
    ("Гранты предоставляются начинающим инновационным компаниям — резидентам технопарков.", None,
     ("GRANT", "PARTICIPANT")),
    ("Гранты предоставляются начинающим инновационным компаниям.", None, ("GRANT", "OTHER")),
    ("Гранты выдзяляюцца стартапам — рэзідэнтам тэхнапаркаў.", None, ("GRANT", "PARTICIPANT")),
    # a Belarusian noun opening the clause is its grammatical subject
    ("Тэхнапаркі штогод прадстаўляюць у ДКНТ справаздачу аб сваёй дзейнасці.", None, ("MONITORING", "TECHNOPARK")),
    # technology transfer centres and regional centres belong to no cluster or park; incubators are parks
    ("Центр трансфера технологий ежегодно представляет в министерство отчет о своей деятельности.", None,
     ("MONITORING", "OTHER")),
    ("Цэнтр трансферу тэхналогій штогод прадстаўляе ў ДКНТ справаздачу аб сваёй дзейнасці.", None,
     ("MONITORING", "OTHER")),
    ("Субсидия на развитие бизнес-инкубатора предоставляется в размере не более 20 млн рублей в год.", None,
     ("GRANT", "TECHNOPARK")),
    # support given "in the following forms": each form concerns the entity it serves
    ("содействие участникам кластеров в продвижении продукции на внешние рынки",
     "Государственная поддержка технопаркам и кластерам оказывается в следующих формах:",
     ("COORDINATION", "PARTICIPANT")),
    ("садзейнічанне ўдзельнікам кластара ў выхадзе на знешнія рынкі",
     "Дзяржаўная падтрымка кластараў ажыццяўляецца ў наступных формах:", ("COORDINATION", "PARTICIPANT")),
    # functions of a support institution concern those it serves; of a cluster's organization, the organization
    ("организация участия участников кластеров в выставках",
     "Центр кластерного развития осуществляет следующие функции:", ("COORDINATION", "PARTICIPANT")),
    ("подготовка совместных проектов участников кластера",
     "Организация развития кластера осуществляет следующие функции:", ("COORDINATION", "CLUSTER_ORGANIZATION")),
    # a lead-in listing rights: its grammatical subject holds them
    ("применять пониженную ставку налога на имущество организаций в отношении имущества, расположенного на "
     "территории парка", "Установить, что резиденты индустриальных парков, сведения о которых внесены в реестр, "
     "вправе:", ("INCENTIVE", "PARTICIPANT")),
    ("карыстацца льготнай стаўкай арэнднай платы за памяшканні парка", "Рэзідэнты парка маюць права:",
     ("INCENTIVE", "PARTICIPANT")),
    # those who may take part in a cluster are its participants
    ("Арганізацыі іншых дзяржаў могуць удзельнічаць у кластары на падставе пагаднення аб супрацоўніцтве.", None,
     ("REQUIREMENT", "PARTICIPANT")),
    ("Организации других государств могут участвовать в кластере на основании соглашения о сотрудничестве.", None,
     ("REQUIREMENT", "PARTICIPANT")),
    # each criterion names what it measures
    ("объем продукции, произведенной в рамках совместного проекта",
     "Заявки оцениваются комиссией по следующим критериям:", ("SELECTION", "PROJECT")),
    # a condition is met by its agent, not by the owner of what it finances
    ("Субсидия специализированной организации кластера предоставляется при условии финансирования программы "
     "развития кластера участниками кластера в объеме не менее 20 процентов.", None, ("REQUIREMENT", "PARTICIPANT")),
    # a special or free economic zone is a park; its administration or development company manages it; a body
    # set up by the act is the state's; foreign founders are OTHER; the body governing a zone acts on residents;
    # a park named as the place of a benefit does not hold it
    ("Свободная экономическая зона ежегодно представляет в министерство отчет о своей деятельности.", None, ("MONITORING", "TECHNOPARK")),
    ("Свабодная эканамічная зона штогод прадстаўляе ў міністэрства справаздачу аб сваёй дзейнасці.", None, ("MONITORING", "TECHNOPARK")),
    ("оказывает резидентам консультационную помощь по выходу на внешние рынки", "Администрация технологического парка:", ("COORDINATION", "MANAGEMENT_COMPANY")),
    ("аказвае рэзідэнтам кансультацыйную дапамогу па выхадзе на знешнія рынкі", "Адміністрацыя навукова-тэхналагічнага парка:", ("COORDINATION", "MANAGEMENT_COMPANY")),
    ("Стварыць пры міністэрстве савет па развіцці тэхнапаркаў.", None, ("COORDINATION", "AUTHORITY")),
    ("Образовать при министерстве совет по развитию технопарков.", None, ("COORDINATION", "AUTHORITY")),
    ("Доходы, выплачиваемые резидентами парка иностранным учредителям, освобождаются от налога на доходы.", None, ("INCENTIVE", "OTHER")),
    ("Орган управления свободной экономической зоной проверяет выполнение резидентами условий договоров не реже одного раза в год.", None, ("MONITORING", "PARTICIPANT")),
    ("Компания по развитию технологического парка ежегодно представляет в министерство отчет о своей деятельности.", None, ("MONITORING", "MANAGEMENT_COMPANY")),
    ("На земельных участках в границах технопарка резиденты не уплачивают земельный налог в течение 5 лет.", None, ("INCENTIVE", "PARTICIPANT")),
    ("На зямельных участках у межах тэхнапарка рэзідэнты не сплачваюць зямельны падатак на працягу 5 гадоў.", None, ("INCENTIVE", "PARTICIPANT")),
]


@pytest.mark.parametrize("text,lead_in,expected", SUBJECT_RULE_ROWS)
def test_mechanisms_subject_rules(text, lead_in, expected):
    lang = "be" if any(ch in text + (lead_in or "") for ch in "іў") else "ru"
    hits = detect_mechanisms(ClauseView(text, lead_in, (), False, lang, "subpoint" if lead_in else "point"))
    assert [(h.type, h.subject) for h in hits][:1] == [expected]


def test_mechanisms_organization_of_development_is_not_organizational_development():
    toks = tokenize("уровень организационного развития кластера")
    assert [m.code for m in find_mentions(toks)] == ["CLUSTER"]


@dataclass
class _Clause:
    text: str
    headings: tuple = ()
    label: str = ""


ACT = [
    _Clause("инновационный научно-технологический центр (далее также — центр) — комплекс имущества"),
    _Clause("фонд — некоммерческая организация, созданная для управления центром"),
    _Clause("Министерство формирует реестр технопарков и кластеров области (далее — реестр)."),
    _Clause("Специализированная организация кластера ежегодно представляет в министерство отчет о реализации "
            "программы развития кластера.", ("Правила подтверждения соответствия",), "12"),
]


def test_mechanisms_act_context_reads_short_names_definitions_titles_and_reporters():
    ctx = act_context(ACT, "Об утверждении Правил предоставления субсидий участникам промышленных кластеров")
    assert {a: code for a, code, _ in ctx.aliases} == {("центр",): "TECHNOPARK", ("фонд",): "MANAGEMENT_COMPANY",
                                                       ("реестр",): "TECHNOPARK"}
    assert ctx.recipient(()) == "PARTICIPANT"
    assert ctx.reporter(("Правила подтверждения соответствия", "IV"), "12") == "CLUSTER_ORGANIZATION"
    status = act_context([], "Положение о порядке присвоения статуса научно-технологического парка")
    assert status.recipient(()) == "TECHNOPARK"
    assert act_context([], "Аб парадку прадастаўлення субсідый удзельнікам кластараў").recipient(()) == "PARTICIPANT"


CONTEXT_ROWS = [
    # (text, lead-in, expected): short names, generic recipients and references resolved through the act
    ("Фонду предоставляются субсидии на создание объектов инфраструктуры центра.", None, ("GRANT", "MANAGEMENT_COMPANY")),
    ("Правительство в течение 90 календарных дней со дня поступления предложения принимает решение о создании "
     "центра или об отказе в его создании.", None, ("SELECTION", "TECHNOPARK")),
    ("Получатель субсидии ежегодно представляет в министерство отчет о достижении результата предоставления "
     "субсидии.", None, ("MONITORING", "PARTICIPANT")),
    ("непредставления отчета, предусмотренного пунктом 12 настоящих Правил",
     "Сведения о кластере исключаются из реестра в случае:", ("MONITORING", "CLUSTER_ORGANIZATION")),
]


@pytest.mark.parametrize("text,lead_in,expected", CONTEXT_ROWS)
def test_mechanisms_act_context_resolves_names(text, lead_in, expected):
    ctx = act_context(ACT, "Об утверждении Правил предоставления субсидий участникам промышленных кластеров")
    heads = ("Правила подтверждения соответствия",)
    v = ClauseView(text, lead_in, heads, False, "ru", "subpoint" if lead_in else "point", act_context=ctx)
    assert [(h.type, h.subject) for h in detect_mechanisms(v)][:1] == [expected]


def test_mechanisms_act_context_be_recipient():
    ctx = act_context([], "Аб парадку прадастаўлення субсідый удзельнікам кластараў")
    v = ClauseView("Атрымальнік субсідыі штогод прадстаўляе справаздачу аб выкарыстанні сродкаў.", None, (), False,
                   "be", act_context=ctx)
    assert [(h.type, h.subject) for h in detect_mechanisms(v)] == [("MONITORING", "PARTICIPANT")]


TYPE_RULE_ROWS = [
    # (text, lead-in, expected (type, subject) or None): type cues and gates, one row per general rule
    # carrying out monitoring outweighs the list its results feed
    ("Министерство обеспечивает проведение ежегодного мониторинга деятельности кластеров области и подготовку "
     "предложений о включении кластеров в перечень кластеров области.", None, ("MONITORING", "CLUSTER")),
    # bringing participants to exhibitions abroad is export facilitation by a body
    ("организация участия участников кластеров в международных выставках и бизнес-миссиях",
     "Министерство осуществляет:", ("COORDINATION", "PARTICIPANT")),
    # the body the budget limits are brought to holds and gives the money; a recipient named makes it a grant
    ("Субсидии предоставляются Министерством промышленности и торговли Российской Федерации, до которого как до "
     "получателя средств федерального бюджета доведены лимиты бюджетных обязательств.", None,
     ("COORDINATION", "AUTHORITY")),
    ("Субсидия предоставляется специализированной организации кластера в пределах лимитов бюджетных "
     "обязательств, доведенных до Министерства.", None, ("GRANT", "CLUSTER_ORGANIZATION")),
    # a rating by the results of an assessment evaluates; methodological help supports
    ("По результатам оценки Министерство формирует рейтинг субъектов Российской Федерации по уровню развития "
     "кластерной политики.", None, ("MONITORING", "AUTHORITY")),
    ("Министерство оказывает специализированным организациям кластеров методическую помощь по вопросам "
     "заполнения форм мониторинга.", None, ("COORDINATION", "CLUSTER_ORGANIZATION")),
    # taking part in a network or in joint projects with partners abroad is cooperation, whoever finances them
    ("Научно-технологические парки вправе участвовать в евразийской сети трансфера технологий и в совместных "
     "проектах с организациями государств — членов ЕАЭС, в том числе финансируемых в рамках межгосударственных "
     "программ.", None, ("COORDINATION", "TECHNOPARK")),
    # a list named before its inclusion verb, and a list kept up to date
    ("В перечень включаются кластеры, в состав которых входят не менее 10 участников.", None,
     ("SELECTION", "CLUSTER")),
    ("Министерство ежегодно актуализирует перечень кластеров области.", None, ("SELECTION", "CLUSTER")),
    # designating the body in charge, said in the present, and a designated body's powers
    ("Губернатор области определяет орган исполнительной власти области, уполномоченный в сфере промышленной "
     "политики.", None, ("COORDINATION", "AUTHORITY")),
    ("Уполномоченный орган осуществляет функции и полномочия учредителя Фонда.", None, ("COORDINATION", "AUTHORITY")),
    # the legal form an organization is set up in, whatever purpose is named before it
    ("Для координации деятельности участников кластера ими создается организация развития кластера в форме "
     "некоммерческой организации.", None, ("REQUIREMENT", "CLUSTER_ORGANIZATION")),
    # the forbidden uses of grant money are a requirement, under a heading about grants too
    ("Удзельнік кластара не мае права накіроўваць сродкі гранта на набыццё легкавых аўтамабіляў і выплату "
     "дывідэндаў.", None, ("REQUIREMENT", "PARTICIPANT")),
    ("Министерству экономики ежегодно информировать Совет Министров о ходе реализации программы развития "
     "кластеров.", None, ("MONITORING", "AUTHORITY")),
    ("Міністэрству эканомікі штогод інфармаваць Савет Міністраў аб ходзе рэалізацыі праграмы развіцця кластараў.",
     None, ("MONITORING", "AUTHORITY")),
    ("Уполномоченный орган субъекта ежеквартально представляет в министерство отчет о реализации мероприятий "
     "через информационную систему.", None, ("MONITORING", "AUTHORITY")),
    ("Совет заслушивает отчеты специализированных организаций кластеров о выполнении программ развития.", None,
     ("MONITORING", "CLUSTER_ORGANIZATION")),
    ("Участники кластера имеют право на получение займов фонда по ставке 1 процент годовых.", None,
     ("GRANT", "PARTICIPANT")),
    ("Управляющие компании технопарков уплачивают налог на имущество организаций по ставке 0 процентов.", None,
     ("INCENTIVE", "MANAGEMENT_COMPANY")),
    ("Услуги центра предоставляются резидентам технопарка на безвозмездной основе.", None,
     ("INCENTIVE", "PARTICIPANT")),
    ("Управление технопарком осуществляет управляющая компания.", None, ("COORDINATION", "MANAGEMENT_COMPANY")),
    ("Совет вырабатывает предложения по развитию технопарков и рассматривает вопросы создания инжиниринговых "
     "центров.", None, ("COORDINATION", "AUTHORITY")),
    ("Для получения субсидии участник кластера представляет в министерство заявку.", None,
     ("SELECTION", "PARTICIPANT")),
    ("Министерству вести реестр технопарков области.", None, ("SELECTION", "TECHNOPARK")),
    ("Пры роўнай ацэнцы заявак перавага аддаецца кластарам з большай колькасцю ўдзельнікаў.", None,
     ("SELECTION", "CLUSTER")),
    ("Министерство в течение 5 рабочих дней проверяет полноту документов и в случае их представления не в полном "
     "объеме возвращает заявление.", None, ("SELECTION", "AUTHORITY")),
    ("Участником кластера не может являться организация, находящаяся в стадии ликвидации.", None,
     ("REQUIREMENT", "PARTICIPANT")),
    # lead-ins that frame their items
    ("количество резидентов технопарка — не менее 20",
     "Установить следующие значения показателей результативности деятельности технопарка:",
     ("MONITORING", "TECHNOPARK")),
    ("софинансирование мероприятий за счет средств бюджета области в объеме не менее 25 процентов",
     "Условиями предоставления субсидии являются:", ("REQUIREMENT", "OTHER")),
    # not mechanisms: target values, definitions, scope, amendments, approved documents, tasks, purposes
    ("К 2030 году доля инновационной продукции должна возрасти до 20 процентов.", None, None),
    ("Для целей настоящих требований под управляющей компанией понимается юридическое лицо.", None, None),
    ("Настоящие требования применяются к технопаркам, создаваемым с использованием субсидий.", None, None),
    ("пункт 3 дополнить словами «и технопарков»", "Внести в постановление Правительства области от 1 марта "
     "2015 г. № 45 «О кластерах» следующие изменения:", None),
    ("Положение о совете по кластерной политике (прилагается)", "Утвердить:", None),
    ("Основными задачами Совета являются содействие развитию кооперации предприятий области.", None, None),
    ("Маніторынг праводзіцца ў мэтах ацэнкі ўкладу тэхнапаркаў у развіццё эканомікі.", None, None),
    # who may be a resident and the legal form of a management company are conditions; a refusal of registration
    # is a selection rule; "должен предусматривать:" opens conditions; naming a zone grants no regime
    ("Резидентом технопарка может быть коммерческая организация, зарегистрированная на территории области.", None, ("REQUIREMENT", "PARTICIPANT")),
    ("Рэзідэнтам тэхнапарка можа быць камерцыйная арганізацыя, зарэгістраваная на тэрыторыі вобласці.", None, ("REQUIREMENT", "PARTICIPANT")),
    ("Управляющей компанией технопарка является хозяйственное общество, более половины акций которого принадлежат области.", None, ("REQUIREMENT", "MANAGEMENT_COMPANY")),
    ("Кіруючай кампаніяй тэхнапарка з'яўляецца гаспадарчае таварыства, якое створана аблвыканкамам.", None, ("REQUIREMENT", "MANAGEMENT_COMPANY")),
    ("В регистрации резидента отказывается при представлении неполного комплекта документов.", None, ("SELECTION", "PARTICIPANT")),
    ("У рэгістрацыі рэзідэнта адмаўляецца пры прадстаўленні няпоўнага камплекта дакументаў.", None, ("SELECTION", "PARTICIPANT")),
    ("создание не менее 20 рабочих мест в течение 2 лет", "Бизнес-план резидента должен предусматривать:", ("REQUIREMENT", "PARTICIPANT")),
    ("стварэнне не менш за 20 працоўных месцаў на працягу 2 гадоў", "Бізнес-план рэзідэнта павінен прадугледжваць:", ("REQUIREMENT", "PARTICIPANT")),
    ("Свободная экономическая зона создается решением областного исполнительного комитета на срок 30 лет.", None, None),
    # a council or commission examining applications is the state's; "Утвердить: … согласно приложению" and
    # form lines with blanks establish nothing
    ("Заявки рассматривает конкурсная комиссия по отбору резидентов в течение 20 рабочих дней.", None, ("SELECTION", "AUTHORITY")),
    ("Заяўкі разглядае экспертны савет па адборы рэзідэнтаў на працягу 20 працоўных дзён.", None, ("SELECTION", "AUTHORITY")),
    ("Утвердить: положение о технопарке согласно приложению 1; форму заявки согласно приложению 2.", None, None),
    ("Зацвердзіць: палажэнне аб тэхнапарку згодна з дадаткам 1.", None, None),
    ("Заявление принято «___» __________ 20__ г. в реестре технопарков", None, None),
    ("Заява прынята «___» __________ 20__ г. у рэестры тэхнапаркаў", None, None),
]


@pytest.mark.parametrize("text,lead_in,expected", TYPE_RULE_ROWS)
def test_mechanisms_type_rules(text, lead_in, expected):
    lang = "be" if any(ch in text + (lead_in or "") for ch in "іў") else "ru"
    hits = detect_mechanisms(ClauseView(text, lead_in, (), False, lang, "subpoint" if lead_in else "point"))
    assert [(h.type, h.subject) for h in hits][:1] == ([expected] if expected else [])


def test_mechanisms_lead_in_decided_by_a_body_has_its_own_norm():
    lead = "ГКНТ принимает решение о лишении технопарка статуса субъекта инновационной инфраструктуры в случае:"
    assert [(h.type, h.subject) for h in detect_mechanisms(ClauseView(lead, None, (), True, "ru"))] == \
        [("MONITORING", "TECHNOPARK")]


def _every_position(lex, toks, section="", first_only=False):
    """The matcher without its index: every term tried at every word (anchored ones at the first);
    with `first_only`, each term's first match only."""
    from extractors.lexicon import _match_at

    out = []
    for term in lex.sections.get(section, ()):
        for k in ([0] if term.anchored else range(len(toks))):
            end = _match_at(term.parts, toks, k)
            if end is not None and end > k:
                out.append((term, k, end))
                if first_only:
                    break
    return out


@pytest.mark.parametrize("text", [
    "Министерство в течение 30 рабочих дней рассматривает заявление управляющей компании технопарка.",
    "Субсидии бюджету одного субъекта Российской Федерации предоставляются ежегодно на конкурсной основе.",
    "Рэзідэнты парка вызваляюцца ад падатку на прыбытак і прадстаўляюць у ДКНТ справаздачу.",
    "Внести в постановление Правительства области от 1 марта 2015 г. № 45 следующие изменения:",
])
def test_mechanisms_indexed_matcher_finds_what_every_position_finds(text):
    toks = tokenize(text)
    for name in ("mech_grant", "mech_selection", "mech_monitoring", "mech_gate", "subj_rules", "subj_other",
                 "cat_supranational_coordination"):
        lex = load_lexicon(name)
        for section in lex.sections:
            assert lex.find_all(toks, section) == _every_position(lex, toks, section), (name, section)


def test_mechanisms_memoized_mentions_are_not_shared():
    toks = tokenize("Участники кластера представляют отчет.")
    first = find_mentions(toks)
    first.clear()
    assert [m.code for m in find_mentions(toks)] == ["PARTICIPANT"]


UNSEEN_KIND_ROWS = [
    # (text, expected first (type, subject)): phrasings of kinds of act the corpora hold few of
    # a body designated in charge, and the body that gives the money
    ("Определить комитет по промышленности области органом, уполномоченным на предоставление субсидий "
     "управляющим компаниям технопарков.", ("COORDINATION", "AUTHORITY")),
    ("Главным распорядителем средств областного бюджета на предоставление грантов является департамент экономики.",
     ("COORDINATION", "AUTHORITY")),
    # a body's work: proposals, cooperation, networks, participation
    ("Совет программы рассматривает ход выполнения мероприятий и вносит предложения по их корректировке.",
     ("COORDINATION", "AUTHORITY")),
    ("Создается сеть сотрудничества кластеров государств — членов Евразийского экономического союза.",
     ("COORDINATION", "CLUSTER")),
    # a council that recommends whom to support or whom to include in a list selects
    ("Абласны савет разглядае заявы тэхнапаркаў і дае рэкамендацыі аб прадастаўленні падтрымкі.",
     ("SELECTION", "TECHNOPARK")),
    ("Сфарміраваць абласны пералік тэхнапаркаў, якія атрымліваюць падтрымку з інавацыйнага фонду.",
     ("SELECTION", "TECHNOPARK")),
    ("Исполнители мероприятий программы отбираются на конкурсной основе.", ("SELECTION", "PARTICIPANT")),
    ("Научно-технологический парк аккредитуется сроком на пять лет.", ("SELECTION", "TECHNOPARK")),
    # money of a fund directed to support, and its size
    ("Накіроўваць штогод не менш за 15 працэнтаў сродкаў інавацыйнага фонду на падтрымку тэхнапаркаў.",
     ("GRANT", "TECHNOPARK")),
    # exemptions from fees and permits
    ("Резиденты технопарка освобождаются от платы за подключение к сетям инженерно-технического обеспечения.",
     ("INCENTIVE", "PARTICIPANT")),
    ("Удзельнікі кластара вызваляюцца ад платы за размяшчэнне звестак у інфармацыйнай сістэме.",
     ("INCENTIVE", "PARTICIPANT")),
    # conditions stated as present-tense quantities, co-financing levels, who may hold a role
    ("Площадь территории технопарка составляет не менее 3 гектаров.", ("REQUIREMENT", "TECHNOPARK")),
    ("Уровень софинансирования из областного бюджета не может превышать 90 процентов.", ("REQUIREMENT", "OTHER")),
    ("Управляющей компанией технопарка может быть только хозяйственное общество, зарегистрированное в области.",
     ("REQUIREMENT", "MANAGEMENT_COMPANY")),
]


@pytest.mark.parametrize("text,expected", UNSEEN_KIND_ROWS)
def test_mechanisms_unseen_kinds_of_act(text, expected):
    lang = "be" if any(ch in text for ch in "іў") else "ru"
    hits = detect_mechanisms(ClauseView(text, None, (), False, lang))
    assert [(h.type, h.subject) for h in hits][:1] == [expected]


def test_mechanisms_target_in_future_tense_is_not_a_condition():
    # "составит" names a goal; only the present tense states a condition
    hits = detect_mechanisms(ClauseView("Доля инновационной продукции составит не менее 20 процентов.", None, (),
                                        False, "ru"))
    assert hits == []


@pytest.mark.parametrize("text,expected", [
    # management functions, working bodies, responsibility for a programme, networks of clusters, legal form
    ("Функции по управлению технопарками области осуществляет департамент инвестиций.", ("COORDINATION", "TECHNOPARK")),
    ("Рабочим органом совета является управление промышленности администрации области.",
     ("COORDINATION", "AUTHORITY")),
    ("Министерство экономики является ответственным за реализацию подпрограммы в республике.",
     ("COORDINATION", "AUTHORITY")),
    ("Министерство содействует вхождению кластеров области в сеть кластеров Евразийского экономического союза.",
     ("COORDINATION", "CLUSTER")),
    ("Управляющая компания индустриального парка создается в форме акционерного общества.",
     ("REQUIREMENT", "MANAGEMENT_COMPANY")),
])
def test_mechanisms_bodies_networks_and_legal_form(text, expected):
    hits = detect_mechanisms(ClauseView(text, None, (), False, "ru"))
    assert [(h.type, h.subject) for h in hits][:1] == [expected]


GRANT_PHRASING_ROWS = [
    # money named first and the giving after it, co-financing, allocations, eligible uses, the transfer
    ("Средства областного бюджета направляются на софинансирование проектов участников инновационного кластера.", "ru"),
    ("Специализированной организации кластера ежегодно выделяются бюджетные ассигнования на обеспечение ее "
     "деятельности.", "ru"),
    ("Средства субсидии могут быть использованы на оплату труда работников центра кластерного развития.", "ru"),
    ("Министерство перечисляет субсидию на расчетный счет получателя не позднее 10 рабочего дня.", "ru"),
    ("Сродкі інавацыйнага фонду накіроўваюцца на фінансаванне праектаў рэзідэнтаў тэхналагічнага парка.", "be"),
    ("Удзельнікам кластара кампенсуецца частка выдаткаў на ўдзел у выставах.", "be"),
    ("Грант прадастаўляецца на бязвыплатнай аснове ў памеры да 100 базавых велічынь.", "be"),
]


@pytest.mark.parametrize("text,language", GRANT_PHRASING_ROWS)
def test_mechanisms_money_phrasings_are_grants(text, language, nlp):
    assert "GRANT" in [t for t, _ in types_subjects(view(text, language=language), nlp)]


@pytest.mark.parametrize("text,language", [
    ("Часть средств субсидии, не использованная в отчетном году, подлежит возврату в областной бюджет.", "ru"),
    ("Вяртанню ў фонд падлягае частка сродкаў гранта, не выкарыстаная на дзень спынення праекта.", "be"),
])
def test_mechanisms_return_of_unused_money_is_not_a_grant(text, language, nlp):
    assert "GRANT" not in [t for t, _ in types_subjects(view(text, language=language), nlp)]


@pytest.mark.parametrize("text,language,type_", [
    ("Методическое обеспечение деятельности кластеров возлагается на центр кластерного развития.", "ru",
     "COORDINATION"),
    ("Министерство обеспечивает согласованность мер поддержки технопарков с мероприятиями государственных "
     "программ.", "ru", "COORDINATION"),
    ("Управляющая компания ежегодно до 1 марта направляет в уполномоченный орган информацию о деятельности "
     "резидентов.", "ru", "MONITORING"),
    ("В состав кластера входит не менее 10 субъектов малого и среднего предпринимательства.", "ru", "REQUIREMENT"),
])
def test_mechanisms_assigned_functions_reports_and_membership(text, language, type_, nlp):
    assert type_ in [t for t, _ in types_subjects(view(text, language=language), nlp)]


@pytest.mark.parametrize("text,language", [
    ("Уполномоченный орган заключает соглашения о сотрудничестве с институтами развития.", "ru"),
    ("Совет по кластерной политике утверждает план мероприятий по развитию кластеров на очередной год.", "ru"),
    ("Министерство разрабатывает методические рекомендации по формированию программ развития кластеров.", "ru"),
    ("Уполномоченный орган обеспечивает информирование субъектов предпринимательства о мерах поддержки.", "ru"),
    ("Абласны выканаўчы камітэт зацвярджае план мерапрыемстваў па развіцці кластараў.", "be"),
])
def test_mechanisms_agreements_plans_guidance_and_informing_are_coordination(text, language, nlp):
    assert "COORDINATION" in [t for t, _ in types_subjects(view(text, language=language), nlp)]


@pytest.mark.parametrize("text,language,type_", [
    ("Участник кластера не вправе одновременно являться участником другого кластера той же специализации.", "ru",
     "REQUIREMENT"),
    ("Технопарк располагается на земельном участке площадью не менее 2 гектаров.", "ru", "REQUIREMENT"),
    ("Сведения о ходе реализации проекта направляются получателем гранта в Министерство ежеквартально.", "ru",
     "MONITORING"),
    ("Звесткі аб ходзе рэалізацыі праекта штоквартальна накіроўваюцца ў Міністэрства эканомікі.", "be",
     "MONITORING"),
])
def test_mechanisms_prohibitions_location_and_information_sent(text, language, type_, nlp):
    assert type_ in [t for t, _ in types_subjects(view(text, language=language), nlp)]
