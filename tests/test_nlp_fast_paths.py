"""The pipeline's shortcuts give what the plain path gives: docs left untagged by the NER lose no body."""
import pytest

from extractors.bodies import _ner_candidates, find_bodies, org_spans_may_count
from extractors.nlp import build_nlp, doc_entities, get_nlp

SENTENCES = [
    "Субсидии предоставляются Министерством промышленности и торговли Российской Федерации.",
    "Минпромторг России ежегодно проводит мониторинг деятельности промышленных кластеров.",
    "Заявка направляется в акционерное общество «Российская венчурная компания» в течение 10 дней.",
    "Участники кластера обязаны представлять отчеты не реже одного раза в год.",
    "Размер гранта не может превышать 5 млн рублей на одного получателя.",
    "Проект реализуется на территории Калужской области и Республики Татарстан.",
    "Документы подписывает Иванов И.И., решение принимается большинством голосов.",
    "Совет Министров Республики Беларусь утверждает перечень научно-технологических парков.",
    "Дзяржаўны камітэт па навуцы і тэхналогіях праводзіць конкурсны адбор.",
    "Рэзідэнты парку штогод прадстаўляюць справаздачу аб сваёй дзейнасці.",
    "Контроль за соблюдением условий возлагается на ГКНТ.",
    "ВЕДОМОСТЬ ЗАЯВОК ПО ТЕХНОПАРКАМ УРАЛА",
    "Получатель субсидии обеспечивает достижение значений показателей результативности.",
    "Грант выдает Газпром нефть ежегодно.",
    "Резиденты Сколково освобождаются от налога.",
]


@pytest.fixture(scope="module")
def plain():
    return build_nlp(shortcuts=False)


@pytest.mark.parametrize("text", SENTENCES)
def test_nlp_fast_paths_bodies_equal_the_plain_pipeline(plain, text):
    assert doc_entities(get_nlp()(text)) == doc_entities(plain(text))


@pytest.mark.parametrize("text", SENTENCES)
def test_nlp_fast_paths_untagged_docs_have_no_org_span_a_body_rule_keeps(plain, text):
    doc = plain(text)
    if not org_spans_may_count(doc):
        assert _ner_candidates(doc, False) == [] and _ner_candidates(doc, True) == []


@pytest.mark.parametrize("text, tagged", [
    ("Субсидии предоставляются Министерством финансов.", True),  # an organisation noun
    ("Заявку подает акционерное общество «Технопарк».", True),  # a quoted name
    ("Отчет направляется в Минфин России.", True),  # a short name
    ("Участники кластера обязаны представлять отчеты ежегодно.", False),
    ("Проект реализуется на территории Калужской области.", False),  # a place, no body
])
def test_nlp_fast_paths_ner_tags_only_docs_that_may_name_a_body(plain, text, tagged):
    assert org_spans_may_count(plain(text)) is tagged
    if not tagged:
        assert list(get_nlp()(text).spans["ner"]) == []


def test_nlp_fast_paths_pipe_equals_plain_pipe(plain):
    fast = [doc_entities(d) for d in get_nlp().pipe(SENTENCES)]
    assert fast == [doc_entities(d) for d in plain.pipe(SENTENCES)]


def test_nlp_fast_paths_find_bodies_reads_the_remembered_text(plain):
    doc = plain(SENTENCES[0])
    assert [b.text for b in find_bodies(doc)] == ["Министерством промышленности и торговли Российской Федерации"]


@pytest.mark.parametrize("text", ["Грант выдает Газпром нефть ежегодно.", "Резиденты Сколково освобождаются от налога."])
def test_nlp_fast_paths_an_org_without_organisation_noun_is_no_body(plain, text):
    doc = plain(text)
    assert any(s.label_ == "ORG" for s in doc.spans["ner"]) and not org_spans_may_count(doc)
    assert find_bodies(doc) == find_bodies(get_nlp()(text))


def test_nlp_fast_paths_warm_loads_every_pattern_lexicon():
    from extractors.annotate import warm
    from extractors.lexicon import _INDEX, lexicon_names, load_lexicon

    warm()
    sections = _INDEX.count
    for name in lexicon_names():
        load_lexicon(name)
    assert _INDEX.count == sections and "mech_gate" in lexicon_names() and "units" not in lexicon_names()
