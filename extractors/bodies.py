"""Bodies (organizations) named in a clause, normalized to the nominative.

Three named rules find them: `ner_org` (natasha ORG spans, joined to an adjacent LOC such as "Российской
Федерации", kept when the head noun is an organisation noun of `body_heads.txt`), `abbreviation`
(`lexicons/abbreviations.txt`: "Минпромторг России" → the full name) and the spaCy Matcher patterns of
`entities/body_patterns.jsonl` for bodies the tagger misses ("уполномоченный орган", "конкурсная
комиссия"); a pattern's id is the rule name. Normalization inflects the head noun phrase (the first noun
and its adjectives) to the nominative with pymorphy3 and keeps the dependent tail as printed.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from .entities import DATA, _looks_belarusian, _morph, fold, lexicon, read_terms
from .lexicon import doc_text
from .records import Body

_NOUNISH = ("NOUN",)
_ADJISH = ("ADJF", "PRTF")
_PO_HEADS = {"комитет", "совет", "комиссия", "служба", "агентство", "центр", "управление", "департамент"}


@lru_cache(maxsize=None)
def _word_list(name: str) -> frozenset[str]:
    lines = (DATA / "entities" / name).read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=None)
def _patterns() -> tuple[dict, ...]:
    lines = (DATA / "entities" / "body_patterns.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(ln) for ln in lines if ln.strip())


def body_matcher(vocab) -> Matcher:
    """A Matcher over `body_patterns.jsonl`; match ids are `<pattern id>#<line>`."""
    matcher = Matcher(vocab)
    for i, p in enumerate(_patterns()):
        matcher.add(f"{p['id']}#{i}", [p["pattern"]])
    return matcher


def expand_abbreviation(text: str) -> str | None:
    """The full name when the whole text is a known short or inflected name, else None."""
    t = fold(text.strip())
    m = lexicon("lexicons/abbreviations.txt").match(t, 0)
    return m[2] if m and m[1] == len(t) else None


def _match_case(word: str, like: str) -> str:
    if "ё" not in like.lower():
        word = word.replace("ё", "е")  # the dictionary writes ё; keep the act's spelling
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def inflect(parse, want: set[str]) -> str | None:
    """The form of the parse's lexeme with the wanted grammemes that shares the longest prefix with the
    printed word (so "высшим" gives "высший", not another degree of "высокий")."""
    forms = [f for f in parse.lexeme
             if want <= set(f.tag.grammemes) and ("Supr" in f.tag) == ("Supr" in parse.tag)]
    if not forms:
        return None

    def shared(f) -> int:
        n = 0
        for a, b in zip(f.word, parse.word):
            if a != b:
                break
            n += 1
        return n

    return max(forms, key=lambda f: (shared(f), -len(f.word))).word


def _noun_parse(word: str):
    """The noun reading of a word (singular preferred), or None."""
    parses = [p for p in _morph().parse(word) if p.tag.POS in _NOUNISH]
    if not parses:
        return None
    sing = [p for p in parses if "sing" in p.tag or "Sgtm" in p.tag]
    return (sing or parses)[0]


@lru_cache(maxsize=4096)  # a body is named again and again in an act, and inflecting it reads whole lexemes
def normalize_body(text: str) -> str:
    """Nominative name: "Министерством промышленности и торговли Российской Федерации" → "Министерство
    промышленности и торговли Российской Федерации". Belarusian names are kept as printed."""
    text = re.sub(r"\s+", " ", text.strip())
    full = expand_abbreviation(text)
    if full:
        return full
    if _looks_belarusian(text):
        return text
    words = text.split(" ")
    head = None
    for i, w in enumerate(words):
        if w.startswith("«"):
            break
        first = _morph().parse(w)[0]
        if first.tag.POS in _NOUNISH or (first.tag.POS not in _ADJISH and _noun_parse(w)):
            head = i
            break
    if head is None:
        return text
    noun = _noun_parse(words[head])
    if noun is None:
        return text
    case = noun.tag.case
    number = "plur" if "plur" in noun.tag and not ("sing" in noun.tag) else "sing"
    nom = inflect(noun, {"nomn", number}) or inflect(noun, {"nomn"})
    out = list(words)
    if nom is not None:
        out[head] = _match_case(nom, words[head])
    gender = noun.tag.gender or "masc"
    for i in range(head):
        adj = next((p for p in _morph().parse(words[i]) if p.tag.POS in _ADJISH and p.tag.case == case), None)
        if adj is None:
            continue
        want = {"nomn", "plur"} if number == "plur" else {"nomn", gender, "sing"}
        inflected = inflect(adj, want)
        if inflected is not None:
            out[i] = _match_case(inflected, words[i])
    return " ".join(out)


def _lemma(tok) -> str:
    return (tok.lemma_ or tok.text).lower()


_FUNCTION = {"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED"}


def _content(tok) -> list:
    """pymorphy parses of a content word; [] for function words, stop lemmas and non-words."""
    if not tok.is_alpha or len(tok.text) < 2:
        return []
    parses = _morph().parse(tok.text)
    if parses[0].tag.POS in _FUNCTION or any(p.normal_form in _word_list("body_tail_stop.txt") for p in parses):
        return []
    return [p for p in parses if "Abbr" not in p.tag]


def _is_genitive(tok, be: bool) -> bool:
    """Can this word continue a name as a genitive dependent ("промышленности", "Калужской области",
    "Республики Беларусь")?"""
    if be:
        return tok.is_alpha and bool(re.search(r"(а|я|ы|і|ага|яга|ай|ой|аў|яў|ых|іх)$", tok.lower_))
    parses = _content(tok)
    if not parses or parses[0].tag.POS not in ("NOUN", "ADJF", "PRTF", "NUMR"):
        return False  # "вести", "является": a verb reading first
    if tok.text[:1].isupper() and any("Geox" in p.tag for p in parses):
        return True
    return any(p.tag.case == "gent" and p.tag.POS in ("NOUN", "ADJF", "PRTF", "NUMR") for p in parses)


def _has_case(tok, cases: set[str]) -> bool:
    return any(p.tag.case in cases and p.tag.POS in ("NOUN", "ADJF", "PRTF") for p in _content(tok))


def _hyphen_prefix(doc: Doc, j: int) -> bool:
    """Is token j the first part of a hyphenated word split by the tokenizer ("финансово", "-", …)?"""
    return (j + 2 < len(doc) and doc[j + 1].text == "-" and not doc[j].whitespace_
            and not doc[j + 1].whitespace_ and doc[j].is_alpha)


def _next_body(doc: Doc, i: int) -> bool:
    """Does another body start at token i ("… и акционерного общества …")? Then "и" joins two names."""
    for tok in doc[i:i + 3]:
        noun = _noun_parse(tok.text) if tok.is_alpha else None
        if noun is not None and noun.normal_form in _word_list("body_heads.txt"):
            return True
        if noun is not None and _morph().parse(tok.text)[0].tag.POS == "NOUN":
            return False
    return False


def extend_right(doc: Doc, end: int, head_lemma: str, be: bool = False, limit: int = 10) -> int:
    """End of the dependent tail after a body's head: genitives, "и" between genitives, "по …" after
    committees and councils, a quoted name right after the head."""
    j, taken, in_po, proper = end, 0, False, False
    while j < len(doc) and taken < limit:
        tok = doc[j]
        if tok.text == "«" and j == end:
            close = next((k for k in range(j + 1, min(len(doc), j + 20)) if doc[k].text == "»"), None)
            return close + 1 if close is not None else j
        nxt = doc[j + 1] if j + 1 < len(doc) else None
        if tok.lower_ in ("и", "і") and nxt is not None and not proper and not _next_body(doc, j + 1) and (
                _is_genitive(nxt, be) or (in_po and _has_case(nxt, {"datv", "loct"}))):
            j += 1
            continue
        if tok.lower_ in ("по", "па") and head_lemma in _PO_HEADS and nxt is not None and not be \
                and _has_case(nxt, {"datv", "loct"}):
            in_po = True
            j += 1
            continue
        if _hyphen_prefix(doc, j):  # "финансово-бюджетного": the case is on the last part
            j += 2
            continue
        if (in_po and _has_case(tok, {"datv", "loct"})) or _is_genitive(tok, be):
            proper = proper or tok.text[:1].isupper()  # after "… Российской Федерации", "и" starts a new member
            j += 1
            taken += 1
            continue
        break
    return j


def _extend_left(doc: Doc, start: int) -> int:
    """Start of the adjectives before a body's first word ("межведомственный координационный совет");
    participles are not taken ("установленным Правительством")."""
    first = _morph().parse(doc[start].text)[0]
    i = start
    while i > 0 and start - i < 2:
        parses = _morph().parse(doc[i - 1].text)
        if not doc[i - 1].is_alpha or any(p.tag.POS == "PRTF" for p in parses):
            break
        if not any(p.tag.POS == "ADJF" and p.tag.case == first.tag.case for p in parses):
            break
        i -= 1
    return i


def _quoted_name(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A tagged name in quotes grows to its quotes and the organisation noun before them
    ("акционерного общества «Российская венчурная компания»")."""
    if start == 0 or doc[start - 1].text != "«":
        return start, end
    close = next((k for k in range(end, min(len(doc), end + 25)) if doc[k].text in ("»", "«")), None)
    close = close if close is not None and doc[close].text == "»" else None
    if close is None:
        return start, end
    k = start - 2
    if k >= 0 and _noun_parse(doc[k].text) and _noun_parse(doc[k].text).normal_form in _word_list("body_heads.txt"):
        return _extend_left(doc, k), close + 1
    return start, end


@lru_cache(maxsize=100_000)
def _may_head(word: str) -> bool:
    """Can this word be the organisation noun `_ner_candidates` asks for (as printed for Belarusian, by its
    noun reading for Russian)?"""
    heads = _word_list("body_heads.txt")
    if word.lower() in heads:
        return True
    noun = _noun_parse(word)
    return noun is not None and noun.normal_form in heads


@lru_cache(maxsize=1)
def _short_name_starts() -> re.Pattern:
    """The first word of every short name of `abbreviations.txt` as it is matched (folded, any case)."""
    firsts = {f.split()[0].rstrip("*") for _, f in read_terms("lexicons/abbreviations.txt")}
    return re.compile("|".join(re.escape(fold(w)) for w in sorted(firsts, key=len, reverse=True)), re.I)


def org_spans_may_count(doc: Doc) -> bool:
    """Can a tagger ORG span of this doc become a body? `_ner_candidates` keeps one only when an organisation
    noun of `body_heads.txt` heads it or stands before its quotes, or when it is a whole short name of
    `abbreviations.txt`; a doc without such a word, a "«" or a short name's first word needs no tagging."""
    text = doc_text(doc)
    if "«" in text or _short_name_starts().search(fold(text)):
        return True
    return any(_may_head(w) for w in {t.text for t in doc})


def _ner_candidates(doc: Doc, be: bool) -> list[tuple[int, int, str]]:
    ents = sorted(doc.spans.get("ner", []), key=lambda s: s.start)
    out = []
    for k, s in enumerate(ents):
        if s.label_ != "ORG":
            continue
        start, end = s.start, s.end
        nxt = ents[k + 1] if k + 1 < len(ents) else None
        if nxt is not None and nxt.label_ == "LOC" and nxt.start == end:
            end = nxt.end
        qs, qe = _quoted_name(doc, start, end)
        if (qs, qe) != (start, end):
            out.append((qs, qe, "ner_org"))
            continue
        span = doc[start:end]
        head = _head_lemma(span, be)
        if expand_abbreviation(span.text) is None and (head is None or head not in _word_list("body_heads.txt")):
            continue
        out.append((start, _trim(doc, start, end, be), "ner_org"))
    return out


def _head_lemma(span: Span, be: bool) -> str | None:
    for tok in span:
        if be:
            return tok.lower_
        noun = _noun_parse(tok.text)
        if noun is not None and _morph().parse(tok.text)[0].tag.POS not in _ADJISH:
            return noun.normal_form
    return None


def _trim(doc: Doc, start: int, end: int, be: bool) -> int:
    """Cut a tagged span at the first word that cannot belong to a name ("Министерство экономики
    государственным органом" → "Министерство экономики")."""
    in_po = False
    head = next((j for j in range(start, end) if not be and _noun_parse(doc[j].text) is not None
                 and _morph().parse(doc[j].text)[0].tag.POS not in _ADJISH), start)
    for j in range(head + 1, end):
        tok = doc[j]
        if tok.is_punct or tok.lower_ in ("и", "і") or tok.text[:1].isupper() or _hyphen_prefix(doc, j):
            continue
        if tok.lower_ in ("по", "па"):
            in_po = True
            continue
        if not (_is_genitive(tok, be) or (in_po and _has_case(tok, {"datv", "loct"}))):
            return j
    return end


def find_bodies(doc: Doc, matcher: Matcher | None = None) -> list[Body]:
    """Bodies of a processed doc (needs lemmas and `doc.spans["ner"]`), one per name, in text order."""
    text = doc_text(doc)  # Doc.text is rebuilt from the tokens on every access; the rules read it once
    be = _looks_belarusian(text)
    cands: list[tuple[int, int, str, str | None]] = []  # char start, end, rule, fixed name
    for start, end, rule in _ner_candidates(doc, be):
        span = doc[start:end]
        cands.append((span.start_char, span.end_char, rule, None))
    t = fold(text)
    for s, e, full in lexicon("lexicons/abbreviations.txt").finditer(t):
        cands.append((s, e, "abbreviation", full))
    if matcher is not None:
        patterns = _patterns()
        for match_id, start, end in matcher(doc):
            key = doc.vocab.strings[match_id]
            p = patterns[int(key.rsplit("#", 1)[1])]
            name, head_end = p.get("name"), doc[end - 1].idx + len(doc[end - 1].text)
            if p.get("extend"):
                end = extend_right(doc, end, _lemma(doc[end - 1]), be)
            left = _extend_left(doc, start) if name is None and not be else start
            span = doc[left:end]
            fixed = name + text[head_end:span.end_char] if name else None  # a Belarusian head, tail as printed
            cands.append((span.start_char, span.end_char, p["id"], fixed))
    rank = {"abbreviation": 0, "ner_org": 1}
    kept: list[tuple[int, int, str, str | None]] = []
    for c in sorted(cands, key=lambda c: (-(c[1] - c[0]), rank.get(c[2], 2), c[0])):
        if any(c[0] < k[1] and k[0] < c[1] for k in kept):
            continue
        if c[2] != "abbreviation" and " " in text[c[0]:c[1]] and text[c[0]:c[1]].isupper():
            continue  # a heading in capitals, not a name in running text
        kept.append(c)
    out, seen = [], set()
    for s, e, rule, fixed in sorted(kept):
        name = fixed or normalize_body(text[s:e])
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        out.append(Body(name=name, text=text[s:e], start=s, end=e, rule=rule))
    return out


__all__ = ["find_bodies", "normalize_body", "expand_abbreviation", "body_matcher", "extend_right",
           "org_spans_may_count"]
