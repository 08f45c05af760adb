"""The indexed lexicon matcher finds exactly what trying every term at every word finds."""
from importlib import resources

import pytest

from extractors.lexicon import Tok, load_lexicon, tokenize, word_tuple
from extractors.mentions import find_mentions
from tests.test_mechanisms import _every_position

LEXICONS = sorted(p.name[:-4] for p in resources.files("extractors").joinpath("data/lexicons").iterdir()
                  if p.name.endswith(".txt"))

TEXTS = [
    "Министерство в течение 30 рабочих дней рассматривает заявление управляющей компании технопарка.",
    "Субсидии предоставляются участникам промышленного кластера на конкурсной основе ежегодно.",
    "Рэзідэнты парка вызваляюцца ад падатку на прыбытак і прадстаўляюць у ДКНТ справаздачу.",
    "Специализированная организация может быть создана в форме автономной некоммерческой организации.",
    "Получатель субсидии представляет отчет о достижении значений результатов (далее — отчет).",
    "Дзяржаўны камітэт па навуцы і тэхналогіях праводзіць конкурсны адбор навукова-тэхналагічных паркаў.",
]


def _masked(toks):
    """Words with every third one blanked, as the type rules blank addressee names."""
    return [Tok(t.text, "", "", t.start, t.end, t.punct_before) if k % 3 == 0 else t for k, t in enumerate(toks)]


@pytest.mark.parametrize("name", LEXICONS)
def test_lexicon_speed_equiv_indexed_matches_every_position(name):
    lex = load_lexicon(name)
    for text in TEXTS:
        words = tokenize(text)
        for toks in (words, word_tuple(words), list(words), _masked(words), words[2:7], [words[0]]):
            for section in lex.sections:
                assert lex.find_all(toks, section) == _every_position(lex, toks, section), (text, section)
                assert lex.find(toks, section) == _every_position(lex, toks, section, first_only=True)


@pytest.mark.parametrize("text", TEXTS)
def test_lexicon_speed_equiv_mentions_same_for_words_tuple_and_list(text):
    words = tokenize(text)
    assert find_mentions(words) == find_mentions(word_tuple(words)) == find_mentions(list(words))


def test_lexicon_speed_equiv_word_tuple_is_shared_by_words():
    words = tokenize("Участники кластера представляют отчет.")
    assert word_tuple(words) is word_tuple(words)
    assert word_tuple(list(words)) == word_tuple(words)


NER_TEXTS = [
    "Министерство промышленности и торговли Российской Федерации и АО «Технопарк Санкт-Петербурга» в Москве.",
    "Дзяржаўны камітэт па навуцы і тэхналогіях Рэспублікі Беларусь, Іван Пятровіч Сідарэнка, г. Мінск.",
]


def test_lexicon_speed_equiv_ner_reads_the_same_with_the_lookup_embedding():
    from natasha import NewsEmbedding, NewsNERTagger

    from extractors.nlp import _news_embedding

    full, lean = NewsNERTagger(NewsEmbedding()), NewsNERTagger(_news_embedding())
    for text in NER_TEXTS:
        assert [(s.start, s.stop, s.type) for s in lean(text).spans] == \
            [(s.start, s.stop, s.type) for s in full(text).spans]
        assert lean(text).spans


@pytest.mark.parametrize("text", TEXTS + NER_TEXTS + ["", "  ", "Шкале средств, «ё» — 5 %."])
def test_lexicon_speed_equiv_memo_lemmatizer_gives_each_word_its_own_lemma(text):
    from extractors.nlp import get_nlp

    nlp = get_nlp()
    lemmatizer = nlp.get_pipe("lemmatizer")
    with nlp.select_pipes(enable=["lemmatizer"]):
        doc, again = nlp(text), nlp(text)  # the second run reads the memo
    expected = [lemmatizer._lemma(t) for t in nlp.make_doc(text)]
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in again] == expected
