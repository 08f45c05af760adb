"""Lexicons of lemma / stem patterns (`data/lexicons/*.txt`) and the words of a clause they are matched on.

A lexicon line is a sequence of word patterns (`word`, `stem*`, alternatives `a|b*`), gaps (`...`/`...N`
any words, `~` adjectives only), optionally anchored by `^` and weighted by `= w`; `[section]` lines open
a section. Each section is indexed by the first word pattern of its terms (exact words in a dict, stems
by their first three letters), and the terms a word can open are memoized per word, so a clause is
matched by looking its words up rather than by trying every term at every word.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Lexicon", "Term", "Tok", "Words", "doc_text", "word_tuple", "lexicon_names", "load_lexicon", "tokenize",
           "parses", "is_adjective", "is_noun", "known_word", "norm"]

PREFIX_KEY = 3  # stems are indexed by this many first letters; shorter stems are tried on every word


@dataclass(frozen=True)
class Tok:
    """A word of a clause: surface form, lemma, character span, and whether punctuation precedes it
    (`stop_before`: punctuation that ends a sentence or a list item, "." "!" "?" ";" ":")."""

    text: str
    lower: str
    lemma: str
    start: int
    end: int
    punct_before: bool = False
    stop_before: bool = False


@dataclass(frozen=True)
class Term:
    """One lexicon line: word patterns (`word`, `stem*`, alternatives `a|b*`), gaps (`...`/`...N` any words,
    `~` adjectives only), anchored by `^`."""

    text: str
    parts: tuple[tuple[str, object], ...]
    weight: float = 1.0
    anchored: bool = False


def norm(s: str) -> str:
    """Lower case, ё → е, one apostrophe; Belarusian "ў" after a vowel is the same word as "у"."""
    s = s.lower().replace("ё", "е").replace("’", "'")
    return "у" + s[1:] if s.startswith("ў") else s


def _parse_term(line: str) -> Term:
    weight = 1.0
    if " = " in line:
        line, w = line.rsplit(" = ", 1)
        weight = float(w)
    line = norm(line.strip())
    anchored = line.startswith("^")
    parts: list[tuple[str, object]] = []
    for piece in line.lstrip("^ ").split():
        if piece.startswith("..."):
            parts.append(("gap", int(piece[3:] or 5)))
        elif piece == "~":
            parts.append(("adj", 3))
        else:
            alts = tuple((norm(a[:-1]), True) if a.endswith("*") else (norm(a), False) for a in piece.split("|"))
            parts.append(("tok", alts))
    return Term(line.lstrip("^ "), tuple(parts), weight, anchored)


def _tok_ok(part: tuple[str, object], tok: Tok) -> bool:
    for value, prefix in part[1]:  # type: ignore[union-attr]
        if prefix:
            if tok.lower.startswith(value) or tok.lemma.startswith(value):
                return True
        elif tok.lower == value or tok.lemma == value:
            return True
    return False


def _match_at(parts, toks, k: int, i: int = 0) -> int | None:
    """End index (exclusive) of `parts[i:]` matched from token k, or None."""
    while i < len(parts):
        kind, arg = parts[i]
        if kind != "tok":
            for skip in range(arg + 1):
                if skip and kind == "adj" and (k + skip > len(toks) or not _adjective_at(toks, k + skip - 1)):
                    return None
                end = _match_at(parts, toks, k + skip, i + 1)
                if end is not None:
                    return end
            return None
        if k >= len(toks) or not _tok_ok(parts[i], toks[k]):
            return None
        i, k = i + 1, k + 1
    return k


class _Index:
    """Every loaded section's terms by the word they start with; what a word can open is memoized once
    for all sections, since a clause is matched against dozens of them."""

    def __init__(self):
        self.exact: dict[str, list[tuple[int, int]]] = {}  # word -> (section id, term number)
        self.stems: dict[str, list[tuple[str, int, int]]] = {}  # first letters -> (stem, section id, term)
        self.short: list[tuple[str, int, int]] = []  # stems shorter than PREFIX_KEY
        self.memo: dict[tuple[str, str], dict[int, tuple[int, ...]]] = {}
        self.count = 0

    def add(self, terms: tuple[Term, ...]) -> tuple[int, list[int]]:
        """Index a section; its id and the terms that open with a gap or with `*` (tried at every word)."""
        sid, self.count = self.count, self.count + 1
        always = []
        for n, term in enumerate(terms):
            kind, alts = term.parts[0] if term.parts else ("gap", 0)
            if kind != "tok" or ("", True) in alts:  # type: ignore[operator]
                always.append(n)
                continue
            for value, prefix in alts:  # type: ignore[union-attr]
                if not prefix:
                    self.exact.setdefault(value, []).append((sid, n))
                elif len(value) >= PREFIX_KEY:
                    self.stems.setdefault(value[:PREFIX_KEY], []).append((value, sid, n))
                else:
                    self.short.append((value, sid, n))
        self.memo.clear()
        _OPENS.clear()  # openings listed before this section was known lack it
        return sid, always

    def starts(self, key: tuple[str, str]) -> dict[int, tuple[int, ...]]:
        """Section id -> terms whose first word pattern accepts the word (lower form, lemma)."""
        found: dict[int, set[int]] = {}
        for w in key:
            for sid, n in self.exact.get(w, ()):
                found.setdefault(sid, set()).add(n)
            for value, sid, n in self.stems.get(w[:PREFIX_KEY], ()):
                if w.startswith(value):
                    found.setdefault(sid, set()).add(n)
            for value, sid, n in self.short:
                if w.startswith(value):
                    found.setdefault(sid, set()).add(n)
        out = self.memo[key] = {sid: tuple(sorted(ns)) for sid, ns in found.items()}
        return out


_INDEX = _Index()


def _opening_words(toks) -> dict[int, list[tuple[int, tuple[int, ...]]]]:
    """Section id -> (token position, terms the word there opens), for every word of `toks`: most sections
    open nowhere in a clause, and are then dismissed by one lookup."""
    by_sid: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    memo = _INDEX.memo  # looked up inline: this loop runs for every word of every clause
    for k, tok in enumerate(toks):
        key = (tok.lower, tok.lemma)
        found = memo.get(key)
        if found is None:
            found = _INDEX.starts(key)
        for sid, ns in found.items():
            by_sid.setdefault(sid, []).append((k, ns))
    return by_sid


class Words(list):
    """The words of one text (a plain list of `Tok`) that also knows which of its words open lexicon
    terms: a clause is matched against dozens of sections, the lookup is done once."""

    __slots__ = ("_source",)

    def opens(self) -> dict[int, list[tuple[int, tuple[int, ...]]]]:
        return _opens_of(self._source)


class _ByIdentity:
    """A bounded memo keyed by an object's identity (docs and word tuples are costly to hash); an entry
    keeps its object alive, so no other object can take its id while it is remembered."""

    def __init__(self, size: int):
        self.size = size
        self.items: dict[int, tuple[object, object]] = {}

    def get(self, obj, compute):
        entry = self.items.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        if len(self.items) > self.size:
            self.items.clear()
        value = compute(obj)
        self.items[id(obj)] = (obj, value)
        return value

    def clear(self) -> None:
        self.items.clear()


_OPENS = _ByIdentity(4096)  # word tuple -> its opening words; cleared when a lexicon section is added


def _opens_of(toks) -> dict[int, list[tuple[int, tuple[int, ...]]]]:
    """The opening words of `toks`, remembered for a word tuple (immutable: several lexicons read it)."""
    if isinstance(toks, tuple):
        return _OPENS.get(toks, _opening_words)
    return _opening_words(toks)


class Lexicon:
    """Sections of weighted terms read from `data/lexicons/<name>.txt` (`[section]` lines open a section)."""

    def __init__(self, name: str, sections: dict[str, tuple[Term, ...]]):
        self.name = name
        self.sections = sections
        self._ids = {k: _INDEX.add(v) for k, v in sections.items()}

    def _candidates(self, toks, section: str) -> list[tuple[int, list[int]]]:
        """(term number, token positions where its first word matches), in lexicon order."""
        if section not in self._ids or not toks:
            return []
        sid, always = self._ids[section]
        opens = toks.opens() if isinstance(toks, Words) else _opens_of(toks)
        found = opens.get(sid)
        if found is None and not always:
            return []  # most sections open nowhere in a clause
        at: dict[int, list[int]] = {}
        for k, ns in found or ():
            for n in ns:
                at.setdefault(n, []).append(k)
        if always:
            everywhere = list(range(len(toks)))
            for n in always:
                at[n] = everywhere
        terms = self.sections[section]
        out = []
        for n in sorted(at):
            if not terms[n].anchored:
                out.append((n, at[n]))
            elif at[n][0] == 0:
                out.append((n, [0]))
        return out

    def find(self, toks, section: str = "") -> list[tuple[Term, int, int]]:
        """Each term's first match as (term, first token, end token), in lexicon order."""
        return self._matches(toks, section, first_only=True)

    def find_all(self, toks, section: str = "") -> list[tuple[Term, int, int]]:
        """Every match of every term, not only the first."""
        return self._matches(toks, section, first_only=False)

    def _matches(self, toks, section: str, first_only: bool) -> list[tuple[Term, int, int]]:
        out = []
        terms = self.sections.get(section, ())
        for n, starts in self._candidates(toks, section):
            term = terms[n]
            # a term that opens with a word pattern starts where the index found that word: match the rest
            first = 1 if term.parts[0][0] == "tok" else 0
            for k in starts:
                end = _match_at(term.parts, toks, k + first, first)
                if end is not None and end > k:
                    out.append((term, k, end))
                    if first_only:
                        break
        return out

    def hits(self, toks, section: str = "") -> list[str]:
        return [t.text for t, _, _ in self.find(toks, section)]

    def score(self, toks, section: str = "") -> tuple[float, list[str]]:
        found = self.find(toks, section)
        return sum(t.weight for t, _, _ in found), [t.text for t, _, _ in found]

    def phrases(self, section: str) -> list[str]:
        return [t.text.replace("...", "").strip() for t in self.sections.get(section, ())]


def lexicon_names() -> list[str]:
    """Names of the lemma-pattern lexicons (`mech_*`, `subj_*`, `cat_*`): the ones `load_lexicon` reads."""
    folder = resources.files("extractors").joinpath("data/lexicons")
    return sorted(p.name[:-4] for p in folder.iterdir()
                  if p.name.endswith(".txt") and p.name.startswith(("mech_", "subj_", "cat_")))


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> Lexicon:
    """Read `data/lexicons/<name>.txt`: one lemma, stem* or phrase per line, `#` comments, `= weight`."""
    raw = resources.files("extractors").joinpath(f"data/lexicons/{name}.txt").read_text(encoding="utf-8")
    sections: dict[str, list[Term]] = {"": []}
    current = ""
    for line in raw.splitlines():
        line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
            continue
        sections[current].append(_parse_term(line))
    return Lexicon(name, {k: tuple(v) for k, v in sections.items()})


# --- words of a text: tokens, lemmas and their grammar --------------------------------------------------

def _morph():
    """The process's one pymorphy3 analyzer with its memo of parses (shared with the entity rules)."""
    from .entities import _morph as shared

    return shared()


@lru_cache(maxsize=1)
def _nlp():
    """The words pipeline of texts `tokenize` gets without a processed doc: the process's tokenizer and the
    lemmatizer without its fallback."""
    from .nlp import blank_pipeline  # also registers the memo_lemmatizer factory

    nlp = blank_pipeline()
    nlp.add_pipe("memo_lemmatizer", name="lemmatizer", config={"fallback": False})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=50000)
def parses(word: str) -> tuple[tuple[str, str], ...]:
    """(POS, case) of pymorphy3's parses of a word, most likely first."""
    return tuple((str(p.tag.POS or ""), str(p.tag.case or "")) for p in _morph().parse(word))


_BE_ADJ_ENDINGS = ("ага", "ых", "ай", "ым", "ыя", "ая", "ае", "ую", "ія", "ыі", "іх", "ім", "ой")


@lru_cache(maxsize=50000)
def _adjective(lower: str) -> bool:
    p = parses(lower)
    if p and p[0][0] in ("ADJF", "PRTF", "NUMR"):
        return True
    if lower.endswith("ага") and not known_word(lower):
        return True  # Belarusian genitive "прамысловага": no Russian adjective ends so
    return any(ch in lower for ch in "іў") and lower.endswith(_BE_ADJ_ENDINGS)


@lru_cache(maxsize=50000)
def known_word(lower: str) -> bool:
    """pymorphy3's dictionary has the word (a Belarusian word mostly has no entry: its readings are guesses)."""
    return _morph().word_is_known(lower)


def _adjective_at(toks: list[Tok], k: int) -> bool:
    """An adjective, or the first half of a hyphenated one ("инновационно-промышленного", "навукова-тэхналагічнага")."""
    if is_adjective(toks[k]):
        return True
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    return bool(nxt and nxt.punct_before and nxt.start == toks[k].end + 1 and is_adjective(nxt))


def is_adjective(tok: Tok) -> bool:
    """An adjective or participle (Russian by pymorphy3, Belarusian by its endings)."""
    return _adjective(tok.lower)


def is_noun(tok: Tok) -> bool:
    """pymorphy3's most likely reading is a noun."""
    p = parses(tok.lower)
    return bool(p) and p[0][0] == "NOUN"


@lru_cache(maxsize=100_000)
def _word_forms(text: str, lemma: str) -> tuple[str, str] | None:
    """(normalized surface, normalized lemma) of a token, or None when it has no letter or digit."""
    if not any(ch.isalnum() for ch in text):
        return None
    return norm(text), norm(lemma or text)


def _adapt(doc) -> tuple[Tok, ...]:
    out: list[Tok] = []
    punct = stop = False
    for t in doc:
        text = t.text
        forms = _word_forms(text, t.lemma_)
        if forms is None:
            punct = True
            stop = stop or text in _STOPS
            continue
        idx = t.idx
        out.append(Tok(text, forms[0], forms[1], idx, idx + len(text), punct, stop))
        punct = stop = False
    return tuple(out)


_STOPS = frozenset(".!?;:…")


@lru_cache(maxsize=8192)
def _tokenize_cached(text: str) -> tuple[Tok, ...]:
    return _adapt(_nlp()(text))


@lru_cache(maxsize=512)
def _adapt_doc(doc) -> tuple[Tok, ...]:
    # the words of one processed clause are read by the gate, the type, subject and category rules alike
    return _adapt(doc)


_DOC_TEXTS = _ByIdentity(2048)


def word_tuple(toks) -> tuple[Tok, ...]:
    """`toks` as a tuple: for words from `tokenize`, the tuple whose lexicon lookups are remembered."""
    return toks._source if isinstance(toks, Words) else tuple(toks)


def doc_text(doc) -> str:
    """`doc.text`, remembered: spaCy rebuilds it from the tokens on every access."""
    return _DOC_TEXTS.get(doc, lambda d: d.text)


def tokenize(text: str, doc=None) -> list[Tok]:
    """Words of `text` with lemmas: from `doc` when it is this text run through the pipeline, else built."""
    source = _adapt_doc(doc) if doc is not None and doc_text(doc) == text else _tokenize_cached(text)
    words = Words(source)
    words._source = source
    return words
