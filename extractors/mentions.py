"""Entities of cluster policy named in a text (`data/lexicons/subj_*.txt`), read in the context of the act.

`find_mentions` finds them by the lexicons alone; `act_context` reads once per act the short names it
introduces, whom its titles give money or a status, and which point obliges whom to report; `mentions_in`
reads a clause's words with that context and with the organizations its headings name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import Lexicon, Tok, is_noun, known_word, load_lexicon, parses, tokenize, word_tuple

if TYPE_CHECKING:
    from .mechanisms import ClauseView

__all__ = ["ActContext", "Mention", "act_context", "entities_only", "find_mentions", "first_mention", "mentions_in"]

SUBJECT_FILES = ("subj_none", "subj_cluster_organization", "subj_management_company", "subj_participant",
                 "subj_technopark", "subj_project", "subj_other", "subj_authority", "subj_cluster")
FROM_PREPOSITIONS = {"у", "от", "ад", "из"}  # "запрашивать у организаций": a source, not the one served
ADDRESSEE_PREPOSITIONS = {"в", "во", "ва", "ў", "у", "с", "со", "з", "между", "при", "пры"}  # to, with, at whom
PREPOSITIONS = {"в", "во", "ва", "ў", "у", "на", "с", "со", "з", "к", "ко", "от", "ад", "из", "при", "пры", "о",
                "об", "аб", "для", "між", "между", "за", "по", "па", "через", "до", "да", "у"}


@dataclass(frozen=True)
class Mention:
    """An entity of cluster policy named in a text."""

    code: str
    i: int
    j: int
    text: str
    prep: str = ""  # preposition right before it
    nom: bool = False  # looks like the grammatical subject
    dat: bool = False  # looks like an addressee (dative)
    ins: bool = False  # instrumental: an agent of a nominalized action
    member: bool = False  # named as a member of a body ("представители …")
    abstract: bool = False  # owner of an abstract noun ("программа развития кластеров")


# Belarusian plural endings of oblique cases ("удзельнікам", "удзельнікамі", "удзельнікаў", "кластарах")
_BE_OBLIQUE = ("ам", "ям", "амі", "ямі", "аў", "яў", "ах", "ях")


def _case_flags(toks: list[Tok], i: int, j: int) -> tuple[bool, bool, bool]:
    head = next((k for k in range(i, j) if is_noun(toks[k])), i)
    readings = parses(toks[head].lower)
    first = readings[0][1] if readings else ""
    cases = {c for _, c in readings}
    at_start = i == 0 or toks[i].punct_before
    nom = first == "nomn" or ("nomn" in cases and at_start)
    if i == 0 and any(ch in toks[head].lower for ch in "іў'") and not toks[head].lower.endswith(_BE_OBLIQUE):
        nom = True  # a Belarusian noun pymorphy3 cannot read, opening the clause: its grammatical subject
    if toks[head].lower.endswith(("ыя", "ія")) and not known_word(toks[head].lower):
        nom = True  # Belarusian "арганізацыя", "кампанія": only a nominative ends so (genitive "-і", accusative "-ю")
    dat = first == "datv" or ("datv" in cases and at_start and not nom)
    return nom, dat, first == "ablt"


def _may_be_dative(toks: list[Tok], i: int, j: int) -> bool:
    """pymorphy3 reads a dative among the head noun's cases, or cannot read the (Belarusian) word at all."""
    head = next((k for k in range(i, j) if is_noun(toks[k])), None)
    if head is None:  # no word pymorphy3 reads as a noun: a Belarusian phrase ("кіруючай кампаніі")
        return any(ch in toks[k].lower for k in range(i, j) for ch in "іў'")
    return any(c == "datv" for _, c in parses(toks[head].lower))


def find_mentions(toks: list[Tok]) -> list[Mention]:
    """Non-overlapping entity mentions, longest first, in text order."""
    return [m for m in _mentions(word_tuple(toks)) if m.code != "NONE"]


@lru_cache(maxsize=4096)
def _mentions(toks: tuple[Tok, ...]) -> tuple[Mention, ...]:
    """find_mentions, memoized: several rules ask for the mentions of the same words."""
    found = []
    for order, name in enumerate(SUBJECT_FILES):
        code = name[len("subj_"):].upper()
        for term, i, j in load_lexicon(name).find_all(toks):
            found.append((-(j - i), order, i, j, code))
    taken: set[int] = set()
    chosen = []
    for _, _, i, j, code in sorted(found):
        if taken & set(range(i, j)):
            continue
        taken |= set(range(i, j))
        chosen.append((i, j, code))
    rules = load_lexicon("subj_rules")
    members_at = [i for _, i, _ in rules.find_all(toks, "members")]
    out = []
    for i, j, code in sorted(chosen):
        if code == "NONE":  # a draft, a state programme, a procedure's participant: not an entity, kept
            out.append(Mention(code, i, j, ""))  # only so that short names do not claim its words
            continue
        before = toks[max(0, i - 2):i]
        if code == "PARTICIPANT" and (rules.find(before, "aggregate") or rules.find(toks[i - 1:i], "aggregate_next")):
            # "число участников кластера", "количество резидентов парка": a figure of the whole they belong to
            code = "TECHNOPARK" if toks[i].lower.startswith(("резидент", "рэзідэнт")) else "CLUSTER"
        prep = toks[i - 1].lower if i > 0 and toks[i - 1].lower in PREPOSITIONS and not toks[i].punct_before else ""
        nom, dat, ins = _case_flags(toks, i, j)
        if prep:
            nom = dat = ins = False
        elif not nom and not dat and i > 0 and not toks[i].punct_before and rules.find(toks[i - 1:i], "giving") \
                and _may_be_dative(toks, i, j):
            dat = True  # "предоставляются управляющей компании": right after the giving verb, its recipient
        member = any(k < i and not _sentence_break(toks, k, i) for k in members_at)
        out.append(Mention(code, i, j, " ".join(t.text for t in toks[i:j]), prep, nom, dat, ins, member,
                           _abstract(toks, i, rules)))
    return tuple(out)


def entities_only(ms: list[Mention]) -> list[Mention]:
    """Mentions of entities other than state bodies, members of a body excluded."""
    return [m for m in ms if m.code != "AUTHORITY" and not m.member]


def first_mention(ms: list[Mention], pred=lambda m: True) -> Mention | None:
    """The first mention that satisfies `pred`, preferring ones not addressed "в/с/при …"."""
    ms = [m for m in ms if pred(m)]
    plain = [m for m in ms if m.prep not in ADDRESSEE_PREPOSITIONS]
    return (plain or ms or [None])[0]


def _heading_short_names(view: ClauseView) -> dict[str, str]:
    """Head nouns of organizations a heading names in full ("Положение о специализированной организации")."""
    heads: dict[str, str] = {}
    for h in view.headings:
        htoks = tokenize(h)
        for m in find_mentions(htoks):
            if m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY", "TECHNOPARK"):
                noun = next((t for t in htoks[m.i:m.j] if is_noun(t)), htoks[m.i])
                heads.setdefault(noun.lemma, m.code)
    return heads


def mentions_in(view: ClauseView, toks: list[Tok]) -> list[Mention]:
    """Mentions of `toks` read in the clause's context: short names from the headings ("Центр", "Фонд") and
    from the act ("(далее — центр)"), and a generic recipient ("получатель субсидии", "заявитель") resolved
    to the recipient the act's title or heading names."""
    spans = list(_mentions(word_tuple(toks)))
    taken = {k for m in spans for k in range(m.i, m.j)}
    extra = []
    heads = _heading_short_names(view)
    aliases = view.act_context.aliases if view.act_context else ()
    for k, t in enumerate(toks):
        if k in taken:
            continue
        hit = next(((len(a), code, reg) for a, code, reg in aliases if tuple(x.lemma for x in toks[k:k + len(a)]) == a
                    and not taken & set(range(k, k + len(a)))), None)
        if hit is None and t.text[:1].isupper() and t.lemma in heads:
            hit = (1, heads[t.lemma], False)
        if hit is not None:
            n, code, register = hit
            nom, dat, ins = _case_flags(toks, k, k + n)
            prep = toks[k - 1].lower if k > 0 and toks[k - 1].lower in PREPOSITIONS else ""
            if prep:
                nom = dat = ins = False
            # "реестр" stands for the entities it holds, as "реестр кластеров" would: an abstract owner
            extra.append(Mention(code, k, k + n, " ".join(x.text for x in toks[k:k + n]), prep, nom, dat, ins,
                                 abstract=register))
            taken |= set(range(k, k + n))
    out = sorted((m for m in spans + extra if m.code != "NONE"), key=lambda m: m.i)
    # "начинающим инновационным компаниям — резидентам бизнес-инкубаторов": the apposition says who they are
    out = [replace(m, code="PARTICIPANT") if m.code == "OTHER" and nxt.code == "PARTICIPANT" and nxt.i == m.j
           and toks[m.j].punct_before else m for m, nxt in zip(out, out[1:] + out[-1:])]
    recipient = view.act_context.recipient(view.headings) if view.act_context else None
    if recipient:
        rules = load_lexicon("subj_rules")
        out = [replace(m, code=recipient) if m.code == "OTHER" and rules.find(toks[m.i:m.j], "recipient_words")
               else m for m in out]
    return sorted(out, key=lambda m: m.i)


def _sentence_break(toks: list[Tok], a: int, b: int) -> bool:
    # a new sentence, not a comma before a capitalised name in a list ("представители Министерства,
    # Министерства экономического развития, … Ассоциации кластеров")
    return any(toks[k].text[:1].isupper() and toks[k].stop_before for k in range(a + 1, b + 1) if k < len(toks))


def _abstract(toks: list[Tok], i: int, rules: Lexicon) -> bool:
    k = i - 1
    while k >= 0 and (toks[k].lower in PREPOSITIONS or (parses(toks[k].lower)[:1] and
                                                         parses(toks[k].lower)[0][0] in ("ADJF", "PRTF"))):
        k -= 1
    return k >= 0 and bool(rules.find([toks[k]], "abstract_owner"))


ENTITY_CODES = ("TECHNOPARK", "MANAGEMENT_COMPANY", "CLUSTER", "CLUSTER_ORGANIZATION", "PARTICIPANT", "PROJECT",
                "AUTHORITY")


@dataclass(frozen=True)
class ActContext:
    """What the act as a whole says about its entities: the short names it introduces ("(далее — центр)",
    "фонд — организация, созданная для управления центром") and whom its titles give money or a status."""

    aliases: tuple[tuple[tuple[str, ...], str, bool], ...] = ()  # (lemmas of a short name, code, a register?)
    recipients: tuple[tuple[str, str], ...] = ()  # (title or heading, whom it gives money or a status); "" = act
    reporters: tuple[tuple[str, str, str], ...] = ()  # (annex title or "", point number, the entity that reports)
    money_recipient: str = ""  # the dative of the act's first clause that gives money ("" = none)

    def recipient(self, headings: tuple[str, ...] = ()) -> str | None:
        """The recipient named by the innermost heading that names one, else by the act's title."""
        by = dict(self.recipients)
        return next((by[h] for h in reversed(headings) if h in by), by.get(""))

    def reporter(self, headings: tuple[str, ...], point: str) -> str | None:
        """The entity point `point` of the same annex (or body) obliges to report."""
        annex = headings[0] if headings else ""
        return next((code for a, p, code in self.reporters if a == annex and p == point), None)


def _title_recipient(title: str) -> str | None:
    """"Правила предоставления субсидий … участникам промышленных кластеров": the dative after the money;
    "Положение о порядке присвоения статуса научно-технологического парка": the entity right after the status."""
    toks = tokenize(title)
    rules = load_lexicon("subj_rules")
    ms = [m for m in find_mentions(toks) if m.code in ENTITY_CODES]
    money = rules.find(toks, "money_title")
    if money:
        start = min(i for _, i, _ in money)
        m = next((m for m in ms if m.i > start and m.dat and not m.prep), None)
        if m:
            return m.code
    for _, _, j in rules.find(toks, "status_title"):
        m = next((m for m in ms if j <= m.i <= j + 2 and not m.prep), None)
        if m:
            return m.code
    return None


_MONEY_WORD = re.compile(r"субсид|субсід|грант", re.IGNORECASE)


def _money_recipient(text: str, doc=None) -> str | None:
    """"Арганізацыям развіцця кластараў прадастаўляецца субсідыя": the entity in the dative of a clause that gives
    money (a region's budget is not an entity of cluster policy)."""
    if not _MONEY_WORD.search(text):
        return None
    toks = tokenize(text, doc)
    rules = load_lexicon("subj_rules")
    if not (rules.find(toks, "money_title") and rules.find(toks, "giving")):
        return None
    m = next((m for m in find_mentions(toks) if m.code in ENTITY_CODES and m.code != "AUTHORITY" and m.dat
              and not m.prep), None)
    return m.code if m else None


_SHORT_NAME = re.compile(r"\((?:далее|далей)(?: также| таксама)?\s*[—–-]\s*([^()—–;,]{1,40})\)")
_MANAGES = re.compile(r"управл|кіраван", re.IGNORECASE)
_DEFINED = re.compile(r"^([^—–:;,()]{2,40}?)\s+[—–]\s+(.+)$")


def _short_names(text: str) -> list[tuple[tuple[str, ...], str, bool]]:
    """"инновационный научно-технологический центр (далее также — центр)": the short name stands for the
    entity named right before it; "реестр технопарков … (далее — реестр)" for the entity it registers."""
    out = []
    rules = load_lexicon("subj_rules")
    for m in _SHORT_NAME.finditer(text):
        short = tuple(t.lemma for t in tokenize(m.group(1)))
        before = tokenize(text[max(0, m.start() - 300):m.start()])
        if not short or not before:
            continue
        ms = find_mentions(before)
        register = bool(rules.find(before[-8:], "register") and rules.find([tokenize(m.group(1))[0]], "register"))
        if register:
            k = max(i for _, i, _ in rules.find_all(before[-8:], "register")) + len(before) - min(8, len(before))
            hit = next((x for x in ms if k < x.i <= k + 3), None)
        else:
            hit = next((x for x in ms if x.j == len(before) and short[-1] in {t.lemma for t in before[x.i:x.j]}), None)
        if hit is not None and hit.code in ENTITY_CODES:
            out.append((short, hit.code, register))
    return out


def _defined_manager(text: str, parks: set[tuple[str, ...]]) -> list[tuple[tuple[str, ...], str, bool]]:
    """"фонд — некоммерческая организация, созданная для управления центром": the body that runs a park
    (`parks`: the act's short names of parks, "центр")."""
    m = _DEFINED.match(text) if _MANAGES.search(text) else None
    if not m:
        return []
    term, body = tokenize(m.group(1)), tokenize(m.group(2))
    if not term or find_mentions(term):
        return []
    rules = load_lexicon("subj_rules")
    starts = {x.i for x in find_mentions(body) if x.code == "TECHNOPARK"}
    starts |= {k for k in range(len(body)) for a in parks if tuple(t.lemma for t in body[k:k + len(a)]) == a}
    for _, _, j in rules.find_all(body, "manages"):
        if any(j <= k <= j + 1 for k in starts):
            return [(tuple(t.lemma for t in term), "MANAGEMENT_COMPANY", False)]
    return []


def act_context(clauses, title: str | None = None, docs=None) -> ActContext:
    """Short names, recipients and reporters of one act, read once from its clauses, headings and title
    (`docs`: the clauses run through the pipeline, in the same order, when the caller has them)."""
    aliases: dict[tuple[str, ...], tuple[str, bool]] = {}
    for c in clauses:
        for short, code, register in _short_names(c.text):
            aliases.setdefault(short, (code, register))
    parks = {a for a, (code, _) in aliases.items() if code == "TECHNOPARK"}
    for c in clauses:
        for short, code, register in _defined_manager(c.text, parks):
            aliases.setdefault(short, (code, register))
    recipients = []
    heads = dict.fromkeys(h for c in clauses for h in c.headings)
    for h in heads:
        code = _title_recipient(h)
        if code:
            recipients.append((h, code))
    code = _title_recipient(title) if title else None
    if code:
        recipients.append(("", code))
    # whom the act's first clause that gives money names: the recipient of last resort ("Субсидия подлежит
    # возврату" in an act whose title names no recipient)
    money = next((r for r in (_money_recipient(c.text, doc) for c, doc in zip(clauses, docs or [None] * len(clauses)))
                  if r), "")
    return ActContext(tuple((k, code, reg) for k, (code, reg) in aliases.items()), tuple(recipients),
                      tuple(_reporters(clauses, docs or [None] * len(clauses))), money)


_REPORT_WORD = re.compile(r"отч[её]т|доклад|сведени|информаци|справаздач|даклад|звестк|інфармацы", re.IGNORECASE)


def _reporters(clauses, docs) -> list[tuple[str, str, str]]:
    """Numbered points that oblige an entity to report ("Специализированная организация … представляет отчет")."""
    rules = load_lexicon("subj_rules")
    out = []
    for c, doc in zip(clauses, docs):
        label = getattr(c, "label", "")
        if not label or not label[0].isdigit() or not _REPORT_WORD.search(c.text):
            continue
        toks = tokenize(c.text, doc)
        if not rules.find(toks, "reports"):
            continue
        m = first_mention(entities_only(find_mentions(toks)), lambda m: m.nom and not m.prep)
        if m:
            out.append((c.headings[0] if c.headings else "", label.rstrip("."), m.code))
    return out
