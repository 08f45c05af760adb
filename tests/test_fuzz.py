"""Hostile text: the string-level extractors never raise, and what they return keeps its invariants."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.entities import entities_from_text
from extractors.metadata import extract_act
from extractors.records import DocumentText
from extractors.structure import parse_clauses

CURRENCIES = {"RUB", "BYN", "USD", "EUR"}
COMPARATORS = {">=", "<=", ">", "<", "="}

# Pieces of legal text that steer the parsers into their branches, and pieces that upset them.
PIECES = [
    "1.", "2.", "12.", "1.1.", "3.2.1.", "а)", "б)", "в)", "1)", "2)", "6)", "З.", "I.", "II.", "IV.",
    "Статья 5.", "Статья 12. Требования", "Артыкул 3.", "ГЛАВА", "ГЛАВА 2", "Глава 1. Общие положения",
    "РАЗДЕЛ I", "УТВЕРЖДЕНО", "УТВЕРЖДЕНЫ", "ЗАЦВЕРДЖАНА", "ПОСТАНОВЛЕНИЕ", "ПАСТАНОВА", "ПРИКАЗ", "УКАЗ",
    "Правительство Российской Федерации", "Совет Министров Республики Беларусь", "постановляет:",
    "от 27 декабря 2019 г. № 1863", "от 16.01.2024 № 30-р", "№ 216-ФЗ", "N 41", "г. Москва", "г. Минск",
    "Приложение № 1", "к постановлению", "Председатель Правительства", "М. Мишустин",
    "не менее 5 гектаров", "не более 50 процентов", "до 100 млн рублей", "1,5 млрд рублей", "5 000 тыс. рублей",
    "10 базовых величин", "100 000 долларов США", "50 %", "свыше", "менее", "не позднее 1 марта",
    "в течение 30 рабочих дней", "кластер", "технопарк", "субсидия", "участники кластера", "—", "-", "«", "»",
    "(", ")", ":", ";", ",", ".", "…", "\u00ad", "\t", "|", "№", "§", "²", "0", "00000000000000000000",
    "999999999999999999999999", "-1", "1e309", "٣", "Ⅻ", "ё", "Ё", "і", "ў", "\u200b", "\ufeff", "\r",
]

_piece = st.one_of(st.sampled_from(PIECES), st.text(alphabet=st.characters(
    whitelist_categories=("Lu", "Ll", "Nd", "Po", "Pd", "Zs", "Sm", "Sc"), max_codepoint=0x4FF), max_size=12))
_line = st.lists(_piece, max_size=12).map(" ".join)
_long_line = st.tuples(st.sampled_from(PIECES), st.integers(200, 2000)).map(lambda t: (t[0] + " ") * t[1])
TEXT = st.lists(st.one_of(_line, _line, _line, _long_line, st.just("")), max_size=30).map("\n".join)

# derandomized: every run tries the same examples, so a failure is the code's and not the draw's
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(TEXT)
def test_fuzz_clauses_lie_inside_the_text_in_order(text):
    doc = DocumentText.from_string(text)
    clauses = parse_clauses(doc)
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    end = 0
    for c in clauses:
        assert 0 <= c.char_start <= c.char_end <= len(text), (c.id, c.char_start, c.char_end, len(text))
        assert c.char_start >= end, f"{c.id} starts at {c.char_start}, inside the clause before (ends {end})"
        end = c.char_end


@FUZZ
@given(TEXT)
def test_fuzz_act_metadata_never_raises(text):
    act = extract_act(DocumentText.from_string(text))
    assert act.country in (None, "RU", "BY")
    if act.date is not None:
        y, m, d = act.date.split("-")
        assert len(y) == 4 and 1 <= int(m) <= 12 and 1 <= int(d) <= 31


def _check_entities(text, ents):
    for a in ents.amounts:
        assert a.value >= 0 and a.currency in CURRENCIES, a
        assert 0 <= a.start <= a.end <= len(text), a
    for t in ents.thresholds:
        assert t.comparator in COMPARATORS, t
        assert 0 <= t.start <= t.end <= len(text), t
    for d in ents.deadlines:
        assert 0 <= d.start <= d.end <= len(text), d
        assert d.days is None or d.days >= 0, d


@FUZZ
@given(TEXT)
def test_fuzz_string_entity_finders(text):
    _check_entities(text, entities_from_text(text))
    _check_entities(text, entities_from_text(text, country="BY"))


@pytest.fixture(scope="module")
def nlp():
    from extractors.nlp import get_nlp

    return get_nlp()


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(_line, max_size=4).map("\n".join))
def test_fuzz_entity_pipeline(nlp, text):
    from extractors.entities import extract_entities

    _check_entities(text, extract_entities(text, nlp=nlp))


@pytest.mark.parametrize("text", ["1. A-\nß", "1. кластер-\nétude"])
def test_fuzz_hyphen_before_a_foreign_lower_case_letter(text):
    clauses = parse_clauses(DocumentText.from_string(text))
    assert clauses and clauses[0].text.endswith(text.split("\n")[1])
