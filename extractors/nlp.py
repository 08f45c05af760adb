"""The spaCy pipeline: blank "ru" + pymorphy3 lemmas + natasha NER + our entity components.

Components write spans into `doc.spans[key]` (label = record kind) and keep the parsed record of each
span in `doc.user_data[("clusterlex", label, start_char, end_char)]`; `span._.record` reads it back.
The full list per kind is also kept in `doc.user_data[("clusterlex", label)]`, so records whose text
does not align with tokens are not lost. Records are plain dataclasses: such docs are not for DocBin.
Belarusian text goes through the same pipeline (its lemmas are junk; the entity rules read surface forms).
"""
from __future__ import annotations

import ctypes
import glob
import os
from functools import lru_cache

# The NER is a small numpy model: a multi-threaded BLAS makes its tiny matrix products spin and wait
# (3-10x slower on a busy machine), and workers are already one process per core.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy  # noqa: E402
import spacy  # noqa: E402
from spacy.attrs import LEMMA, ORTH, POS  # noqa: E402
from spacy.lang.ru import Russian  # noqa: E402
from spacy.lang.ru.lemmatizer import RussianLemmatizer  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc, Span  # noqa: E402

from . import bodies as _bodies  # noqa: E402
from . import entities as _ent  # noqa: E402
from .lexicon import doc_text  # noqa: E402
from .records import Entities  # noqa: E402

KEY = "clusterlex"
LABELS = {"amounts": "AMOUNT", "thresholds": "THRESHOLD", "deadlines": "DEADLINE", "references": "REFERENCE",
          "bodies": "BODY"}


def _span_record(span: Span):
    return span.doc.user_data.get((KEY, span.label_, span.start_char, span.end_char))


if not Span.has_extension("record"):
    Span.set_extension("record", getter=_span_record)
if not Doc.has_extension("country"):
    Doc.set_extension("country", default=None)


def put_records(doc: Doc, spans_key: str, label: str, records) -> None:
    """Store records as spans of `doc.spans[spans_key]` plus the side dict of parsed values."""
    spans = []
    for r in records:
        span = doc.char_span(r.start, r.end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
            doc.user_data[(KEY, label, span.start_char, span.end_char)] = r
    doc.spans[spans_key] = spans
    doc.user_data[(KEY, label)] = list(records)


def records(doc: Doc, label: str) -> list:
    """The records a component stored under `label` ("AMOUNT", "THRESHOLD", …), in text order."""
    return list(doc.user_data.get((KEY, label), []))


@lru_cache(maxsize=200_000)
def _top_lemma(word: str) -> str | None:
    """pymorphy3's most likely normal form of a known word, else None."""
    from .entities import _morph

    p = _morph().parse(word)[0]
    return p.normal_form if p.is_known else None


class _SharedAnalyzerLemmatizer(RussianLemmatizer):
    """spaCy's pymorphy3 lemmatizer on the process's one analyzer and its memo of parses, shared with our
    rules (spaCy builds an analyzer of its own unless one is set before it starts)."""

    def __init__(self, vocab, name: str):
        self._morph = _ent._morph()
        super().__init__(vocab, None, name=name, mode="pymorphy3")


@Language.factory("memo_lemmatizer", assigns=["token.lemma"], default_config={"fallback": True})
class MemoLemmatizer:
    """spaCy's pymorphy3 lemmatizer, asked once per word form.

    Without a tagger spaCy's Russian lemmatizer reads only the word itself (its lookup mode), so a
    word form always gets the same lemma: remembering it is exact and saves most of the pipeline's
    time. With `fallback`, a word left as printed because its readings have different lemmas
    ("шкале", "средств") gets pymorphy3's most likely reading instead.
    """

    def __init__(self, nlp: Language, name: str, *, fallback: bool = True):
        self.name, self.fallback = name, fallback
        self.inner = _SharedAnalyzerLemmatizer(nlp.vocab, name)
        self.memo: dict[tuple[int, int], int] = {}  # (word id, POS) -> lemma id

    def _lemma(self, token) -> str:
        lemma = self.inner.lemmatize(token)[0]
        if self.fallback and lemma == token.text and token.is_alpha:
            lemma = _top_lemma(token.lower_) or lemma
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        # words and lemmas go in and out as arrays of string ids: no Token object is made for a known word
        memo, strings = self.memo, doc.vocab.strings
        lemmas = []
        for i, key in enumerate(map(tuple, doc.to_array([ORTH, POS]).tolist())):
            lemma = memo.get(key)  # no tagger: pos is 0 and the lemma depends on the word alone
            if lemma is None:
                lemma = memo[key] = strings.add(self._lemma(doc[i]))
            lemmas.append(lemma)
        if lemmas:
            doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64))
        return doc

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        self.inner.initialize(get_examples, nlp=nlp)


@lru_cache(maxsize=1)
def natasha_tagger():
    """natasha's slovnet NER over the news embedding, loaded once per process (no download)."""
    from natasha import NewsNERTagger

    return NewsNERTagger(_news_embedding())


def _news_embedding():
    """natasha's news embedding as the NER reads it: its id and its quantized vectors. navec's own loader
    also unpacks the 250,000-word vocabulary and precomputes word-similarity tables, which the NER never
    reads (its words are numbered by its own vocabulary); they were a third of a worker's warm-up."""
    from natasha.data import NEWS_EMBEDDING
    from navec import Navec
    from navec.meta import Meta
    from navec.navec import META, PQ_
    from navec.pq import PQ
    from navec.tar import Tar

    class LookupPQ(PQ):
        """Quantized vectors for lookup only: no norms or dot products for similarity."""

        def precompute(self):
            self.qdims = numpy.arange(self.qdim)

    with Tar(NEWS_EMBEDDING) as tar:
        meta = Meta.from_file(tar.load(META))
        Meta.check_protocol(meta.protocol)
        pq = LookupPQ.from_file(tar.load(PQ_))
    return Navec(meta, None, pq)


@Language.factory("natasha_ner", assigns=["doc.spans"], default_config={"spans_key": "ner", "only_for_bodies": True})
class NatashaNER:
    """natasha NER spans (ORG, LOC, PER) adapted to spaCy spans by character offsets.

    The spans are read only by the body rules, which keep an ORG span only near an organisation noun or a
    known short name; with `only_for_bodies` a doc without one (`bodies.org_spans_may_count`) is not tagged
    and gets no spans: the tagger is the costliest step, and half the clauses of an act name no body.
    """

    def __init__(self, nlp: Language, name: str, *, spans_key: str = "ner", only_for_bodies: bool = True):
        self.name, self.spans_key, self.only_for_bodies = name, spans_key, only_for_bodies
        self.tagger = natasha_tagger()

    def _wanted(self, doc: Doc, text: str) -> bool:
        return bool(text.strip()) and (not self.only_for_bodies or _bodies.org_spans_may_count(doc))

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        markup = self.tagger(text) if self._wanted(doc, text) else None
        return self._adapt(doc, markup)

    def pipe(self, stream, batch_size: int = 64):
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        yield from self._run(batch)

    def _run(self, docs: list[Doc]):
        # slovnet pads each batch of 8 to its longest text: tag texts in order of length, then restore order
        texts = [doc_text(d) for d in docs]
        order = sorted((i for i, t in enumerate(texts) if self._wanted(docs[i], t)), key=lambda i: len(texts[i]))
        markups = dict(zip(order, self.tagger.map([texts[i] for i in order]))) if order else {}
        for i, d in enumerate(docs):
            yield self._adapt(d, markups.get(i))

    def _adapt(self, doc: Doc, markup) -> Doc:
        spans = []
        for s in (markup.spans if markup is not None else []):
            span = doc.char_span(s.start, s.stop, label=s.type, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


class _RecordComponent:
    """Shared shell: run one string finder and store its records as spans."""

    label = ""

    def __init__(self, nlp: Language, name: str, *, spans_key: str):
        self.name, self.spans_key = name, spans_key

    def __call__(self, doc: Doc) -> Doc:
        put_records(doc, self.spans_key, self.label, self.find(doc))
        return doc

    def find(self, doc: Doc) -> list:
        raise NotImplementedError


@Language.factory("amounts", assigns=["doc.spans"], default_config={"spans_key": "amounts"})
class Amounts(_RecordComponent):
    """Sums of money (`entities.find_amounts`); the act's country comes from `doc._.country`."""

    label = "AMOUNT"

    def find(self, doc):
        return _ent.find_amounts(doc_text(doc), doc._.country)


@Language.factory("deadlines", assigns=["doc.spans"], default_config={"spans_key": "deadlines"})
class Deadlines(_RecordComponent):
    """Time limits for actions (`entities.find_deadlines`)."""

    label = "DEADLINE"

    def find(self, doc):
        return _ent.find_deadlines(doc_text(doc))


@Language.factory("references", assigns=["doc.spans"], default_config={"spans_key": "references"})
class References(_RecordComponent):
    """Citations of other acts (`entities.find_references`)."""

    label = "REFERENCE"

    def find(self, doc):
        return _ent.find_references(doc_text(doc))


@Language.factory("thresholds", assigns=["doc.spans"], requires=["doc.spans"],
                  default_config={"spans_key": "thresholds"})
class Thresholds(_RecordComponent):
    """Quantitative conditions (`entities.find_thresholds`); numbers of amounts, deadlines and references
    found by the components before it are not quantities."""

    label = "THRESHOLD"

    def find(self, doc):
        covered = [(r.start, r.end) for label in ("DEADLINE", "REFERENCE") for r in records(doc, label)]
        return _ent.find_thresholds(doc_text(doc), records(doc, "AMOUNT"), covered)


@Language.factory("bodies", assigns=["doc.spans"], requires=["doc.spans"], default_config={"spans_key": "bodies"})
class Bodies(_RecordComponent):
    """Organizations named in the text, normalized to the nominative (`bodies.find_bodies`)."""

    label = "BODY"

    def __init__(self, nlp: Language, name: str, *, spans_key: str = "bodies"):
        super().__init__(nlp, name, spans_key=spans_key)
        self.matcher = _bodies.body_matcher(nlp.vocab)

    def find(self, doc):
        return _bodies.find_bodies(doc, self.matcher)


def single_thread_blas() -> bool:
    """Limit numpy's OpenBLAS to one thread even when numpy was imported before this module (the
    environment variables above only act before that); True when a BLAS library took the setting."""
    done = False
    libdir = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs")
    for path in glob.glob(os.path.join(libdir, "*openblas*")):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(1)
                done = True
                break
    return done


@lru_cache(maxsize=1)
def _tokenizer():
    """spaCy's Russian tokenizer, built once per process (building one compiles hundreds of special cases)."""
    return spacy.blank("ru").tokenizer


def blank_pipeline() -> Language:
    """An empty Russian pipeline on the process's one tokenizer and vocabulary: the main pipeline and the
    lexicons' words pipeline differ only in their components."""
    tokenizer = _tokenizer()
    return Russian(vocab=tokenizer.vocab, create_tokenizer=lambda _: tokenizer)


def build_nlp(shortcuts: bool = True) -> Language:
    """A fresh pipeline: tokenizer, pymorphy3 lemmatizer, NER and the entity components, in order;
    `shortcuts=False` tags every doc (the plain path the shortcuts must agree with)."""
    single_thread_blas()
    nlp = blank_pipeline()
    nlp.add_pipe("memo_lemmatizer", name="lemmatizer")
    nlp.add_pipe("natasha_ner", config={"only_for_bodies": shortcuts})
    for name in ("amounts", "deadlines", "references", "thresholds", "bodies"):
        nlp.add_pipe(name)
    nlp.initialize()
    return nlp


_NLP: Language | None = None


def get_nlp() -> Language:
    """The pipeline of this process, built on first use and reused for every document."""
    global _NLP
    if _NLP is None:
        _NLP = build_nlp()
    return _NLP


def lemmas(doc: Doc) -> list[str]:
    """Lower-case lemmas of the tokens (ё → е), for mechanism rules."""
    return [(t.lemma_ or t.text).lower().replace("ё", "е") for t in doc]


def doc_entities(doc: Doc, country: str | None = None) -> Entities:
    """Our records from a processed doc; bare rubles are settled for `country` (or `doc._.country`)."""
    country = country or doc._.country
    return Entities(
        amounts=tuple(_ent.with_country(a, country) for a in records(doc, "AMOUNT")),
        thresholds=tuple(records(doc, "THRESHOLD")),
        deadlines=tuple(records(doc, "DEADLINE")),
        references=tuple(records(doc, "REFERENCE")),
        bodies=tuple(records(doc, "BODY")),
    )


__all__ = ["blank_pipeline", "build_nlp", "get_nlp", "lemmas", "doc_entities", "records", "natasha_tagger", "put_records"]
