"""The spaCy pipeline: components, spans with their records, reuse and the clause-level API."""
import pytest

from extractors.entities import extract_entities
from extractors.nlp import build_nlp, doc_entities, get_nlp, lemmas
from extractors.records import Amount, Entities, Threshold


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def test_nlp_pipeline_components_in_order(nlp):
    assert nlp.pipe_names == ["lemmatizer", "natasha_ner", "amounts", "deadlines",
                              "references", "thresholds", "bodies"]


def test_nlp_remembered_lemmas_equal_spacys_lemmatizer():
    import spacy

    plain = spacy.blank("ru")
    plain.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    plain.initialize()
    memo = spacy.blank("ru")
    memo.add_pipe("memo_lemmatizer", name="lemmatizer", config={"fallback": False})
    memo.initialize()
    text = ("Управляющая компания технопарка представляет отчёт; отчёты технопарков рассматриваются "
            "Министерством, а компании получают субсидии на создание и развитие кластеров.")
    for _ in range(2):  # the second pass reads the memo
        assert [t.lemma_ for t in memo(text)] == [t.lemma_ for t in plain(text)]


def test_nlp_get_nlp_is_built_once():
    assert get_nlp() is get_nlp()


@pytest.mark.parametrize("text, expected", [
    ("Субсидии предоставляются Министерством", ["субсидия", "предоставляться", "министерство"]),
    ("по шкале средств гранта", ["по", "шкала", "средство", "грант"]),
])
def test_nlp_lemmas(nlp, text, expected):
    assert lemmas(nlp(text)) == expected


def test_nlp_natasha_spans_are_spacy_spans(nlp):
    doc = nlp("Приказ Министерства промышленности и торговли Российской Федерации.")
    assert [(s.text, s.label_) for s in doc.spans["ner"]] == [
        ("Министерства промышленности и торговли", "ORG"), ("Российской Федерации", "LOC")]


@pytest.mark.parametrize("key, label, text, record_type", [
    ("amounts", "AMOUNT", "не более 300 млн рублей", Amount),
    ("thresholds", "THRESHOLD", "не менее 10 участников", Threshold),
])
def test_nlp_spans_carry_their_record(nlp, key, label, text, record_type):
    doc = nlp(text)
    (span,) = doc.spans[key]
    assert span.label_ == label and isinstance(span._.record, record_type)


def test_nlp_thresholds_skip_numbers_of_deadlines_and_references(nlp):
    doc = nlp("в течение не более 30 рабочих дней по постановлению от 5 июня 2008 г. № 437 и не менее 5 участников")
    assert [(t.comparator, t.value) for t in doc_entities(doc).thresholds] == [(">=", 5)]


@pytest.mark.parametrize("country, currency", [("RU", "RUB"), ("BY", "BYN")])
def test_nlp_extract_entities_settles_rubles_by_country(country, currency):
    e = extract_entities("Грант не может превышать 50 000 рублей.", country=country)
    assert isinstance(e, Entities) and [(a.value, a.currency) for a in e.amounts] == [(50_000, currency)]


def test_nlp_extract_entities_reuses_a_piped_doc(nlp):
    texts = ["Грант до 20 тыс. рублей.", "не менее 7 участников"]
    docs = list(nlp.pipe(texts))
    e = extract_entities(texts[0], nlp=nlp, country="BY", doc=docs[0])
    assert [(a.value, a.currency) for a in e.amounts] == [(20_000, "BYN")]
    assert doc_entities(docs[1]).thresholds == extract_entities(texts[1]).thresholds


def test_nlp_pipe_equals_single_calls(nlp):
    texts = ["Министерством экономики Республики Беларусь", "", "не менее 5 лет"]
    assert [doc_entities(d) for d in nlp.pipe(texts)] == [doc_entities(nlp(t)) for t in texts]


def test_nlp_build_nlp_gives_a_fresh_pipeline():
    assert build_nlp() is not get_nlp()


def test_nlp_warm_compiles_the_lexicons_a_first_document_would():
    import subprocess
    import sys

    code = ("from extractors.annotate import warm; from extractors import entities as e; warm(); "
            "n = e.lexicon.cache_info().currsize; e.lexicon('lexicons/units.txt'); "
            "e.lexicon('entities/months.txt'); print(n, e.lexicon.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == out[1]  # the unit and month lexicons were already compiled by warm()
