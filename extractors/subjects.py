"""Subjects (SPEC §4, NOTES "Subject rules"): the entity of cluster policy a mechanism concerns.

Entities are found by the lexicons `data/lexicons/subj_*.txt`; an ordered list of named rules per
mechanism type chooses among them, reading the clause, its lead-in and its headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import Lexicon, Tok, is_adjective, is_noun, load_lexicon, parses, tokenize

if TYPE_CHECKING:
    from .mechanisms import ClauseView

__all__ = ["ActContext", "Mention", "act_context", "find_mentions", "mentions_in", "pick_subject", "entity_of_lead_in",
           "SUBJECT_RULES"]

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


def _case_flags(toks: list[Tok], i: int, j: int) -> tuple[bool, bool, bool]:
    head = next((k for k in range(i, j) if is_noun(toks[k])), i)
    readings = parses(toks[head].lower)
    first = readings[0][1] if readings else ""
    cases = {c for _, c in readings}
    at_start = i == 0 or toks[i].punct_before
    nom = first == "nomn" or ("nomn" in cases and at_start)
    if i == 0 and any(ch in toks[head].lower for ch in "іў'") and not toks[head].lower.endswith(("ам", "ям")):
        nom = True  # a Belarusian noun pymorphy3 cannot read, opening the clause: its grammatical subject
    dat = first == "datv" or ("datv" in cases and at_start and not nom)
    return nom, dat, first == "ablt"


def find_mentions(toks: list[Tok]) -> list[Mention]:
    """Non-overlapping entity mentions, longest first, in text order."""
    return [m for m in _mentions(tuple(toks)) if m.code != "NONE"]


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
        if code == "PARTICIPANT" and rules.find(before, "aggregate"):
            code = "CLUSTER"  # "число участников кластера": a figure of the cluster as a whole
        prep = toks[i - 1].lower if i > 0 and toks[i - 1].lower in PREPOSITIONS and not toks[i].punct_before else ""
        nom, dat, ins = _case_flags(toks, i, j)
        if prep:
            nom = dat = ins = False
        member = any(k < i and not _sentence_break(toks, k, i) for k in members_at)
        out.append(Mention(code, i, j, " ".join(t.text for t in toks[i:j]), prep, nom, dat, ins, member,
                           _abstract(toks, i, rules)))
    return tuple(out)


ENTITY_CODES = ("TECHNOPARK", "MANAGEMENT_COMPANY", "CLUSTER", "CLUSTER_ORGANIZATION", "PARTICIPANT", "PROJECT",
                "AUTHORITY")


@dataclass(frozen=True)
class ActContext:
    """What the act as a whole says about its entities: the short names it introduces ("(далее — центр)",
    "фонд — организация, созданная для управления центром") and whom its titles give money or a status."""

    aliases: tuple[tuple[tuple[str, ...], str, bool], ...] = ()  # (lemmas of a short name, code, a register?)
    recipients: tuple[tuple[str, str], ...] = ()  # (title or heading, whom it gives money or a status); "" = act
    reporters: tuple[tuple[str, str, str], ...] = ()  # (annex title or "", point number, the entity that reports)

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


_SHORT_NAME = re.compile(r"\((?:далее|далей)(?: также| таксама)?\s*[—–-]\s*([^()—–;,]{1,40})\)")
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
    m = _DEFINED.match(text)
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


def act_context(clauses, title: str | None = None) -> ActContext:
    """Short names and money recipients of one act, read once from all its clauses, headings and title."""
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
    return ActContext(tuple((k, code, reg) for k, (code, reg) in aliases.items()), tuple(recipients),
                      tuple(_reporters(clauses)))


def _reporters(clauses) -> list[tuple[str, str, str]]:
    """Numbered points that oblige an entity to report ("Специализированная организация … представляет отчет")."""
    rules = load_lexicon("subj_rules")
    out = []
    for c in clauses:
        label = getattr(c, "label", "")
        if not label or not label[0].isdigit():
            continue
        toks = tokenize(c.text)
        if not rules.find(toks, "reports"):
            continue
        m = _first(_nonauth(find_mentions(toks)), lambda m: m.nom and not m.prep)
        if m:
            out.append((c.headings[0] if c.headings else "", label.rstrip("."), m.code))
    return out


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
    spans = list(_mentions(tuple(toks)))
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
    return any(toks[k].text[:1].isupper() and toks[k].punct_before for k in range(a + 1, b + 1) if k < len(toks))


def _abstract(toks: list[Tok], i: int, rules: Lexicon) -> bool:
    k = i - 1
    while k >= 0 and (toks[k].lower in PREPOSITIONS or (parses(toks[k].lower)[:1] and
                                                         parses(toks[k].lower)[0][0] in ("ADJF", "PRTF"))):
        k -= 1
    return k >= 0 and bool(rules.find([toks[k]], "abstract_owner"))


def _nonauth(ms: list[Mention]) -> list[Mention]:
    return [m for m in ms if m.code != "AUTHORITY" and not m.member]


def _first(ms: list[Mention], pred=lambda m: True) -> Mention | None:
    """The first mention that satisfies `pred`, preferring ones not addressed "в/с/при …"."""
    ms = [m for m in ms if pred(m)]
    plain = [m for m in ms if m.prep not in ADDRESSEE_PREPOSITIONS]
    return (plain or ms or [None])[0]


def entity_of_lead_in(lead: list[Tok], view: ClauseView | None = None) -> str | None:
    """The entity a lead-in opens with ("Резиденты Парка:", "Фонд осуществляет:"), short names included."""
    ms = mentions_in(view, lead) if view is not None else find_mentions(lead)
    return ms[0].code if ms and ms[0].i == 0 else None


def _selected(toks: list[Tok], ms: list[Mention], rules: Lexicon) -> Mention | None:
    """The entity right after "отбор/адбор" ("отбор резидентов", "отбора субъектов Российской Федерации"),
    when the selection is named before any commission that performs it."""
    for _, i, j in rules.find_all(toks, "selection_of"):
        # the genitive right after it, past adjectives only ("адбору, які праводзіць орган" names no one)
        m = next((m for m in ms if j <= m.i <= j + 2 and not m.prep and not toks[m.i].punct_before
                  and all(is_adjective(t) for t in toks[j:m.i])), None)
        if m and not rules.find(toks[:i], "commission_word"):
            return m
    return None


def _lead_subject(view: ClauseView, recipient_only: bool = False) -> str | None:
    """The entity the parent lead-in names (only a recipient of money when `recipient_only`)."""
    if not view.lead_in:
        return None
    lead = tokenize(view.lead_in)
    ms = _nonauth(mentions_in(view, lead))
    if recipient_only:
        rules = load_lexicon("subj_rules")
        giving = bool(rules.find(lead, "giving"))
        for m in ms:
            if m.i == 0 or (m.i > 0 and rules.find(lead[m.i - 1:m.i], "recipient_cost")) or (m.dat and giving):
                return m.code
        # "Установить, что резиденты парков … вправе:": the holder of the rights listed
        m = _first(ms, lambda m: m.nom and not m.prep and not m.abstract)
        return m.code if m and rules.find(lead, "holder") else None
    m = _first(ms)
    return m.code if m else None


def _heading_mention(view: ClauseView, pred=lambda m: True) -> Mention | None:
    """The first entity named in the headings, innermost heading first."""
    for h in reversed(view.headings):
        m = _first(_nonauth(mentions_in(view, tokenize(h))), pred)
        if m:
            return m
    return None


@dataclass
class _Ctx:
    """What the subject rules read: the clause (or part), its mentions, the lead-in and the headings."""

    view: ClauseView
    toks: list[Tok]
    mentions: list[Mention]
    own: list[Mention]  # non-authority, non-member mentions
    rules: Lexicon

    @property
    def item(self) -> bool:
        return self.view.lead_in is not None


def _code(m: Mention | None) -> str | None:
    return m.code if m else None


def _s_lead_recipient(c: _Ctx):
    return _lead_subject(c.view, recipient_only=True) if c.item else None


def _s_recipient_dative(c: _Ctx):
    return _code(_first(c.own, lambda m: m.dat))


def _s_first_named(c: _Ctx):
    return _code(_first(c.own))


def _s_lead_in(c: _Ctx):
    return _lead_subject(c.view) if c.item else None


def _s_lead_or_heading(c: _Ctx):
    return (_lead_subject(c.view) or _code(_heading_mention(c.view))) if c.item else None


def _s_item_heading(c: _Ctx):
    return _code(_heading_mention(c.view)) if c.item else None


def _s_complying(section: str):
    def rule(c: _Ctx):
        for _, start, _ in c.rules.find(c.toks, section):
            # "при условии финансирования программы развития кластера участниками": not the programme's owner
            m = _first([x for x in c.own if x.i >= start and not x.abstract])
            if m:
                return m.code
        return None
    return rule


def _s_item_organization(c: _Ctx):
    # "наличие специализированной организации", "сопровождение осуществляет управляющая компания"
    if not c.item:
        return None
    for m in c.own:
        if m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY") and \
                (m.nom or (m.i > 0 and c.rules.find(c.toks[m.i - 1:m.i], "existence"))):
            return m.code
    return None


def _s_selected(c: _Ctx):
    # "Отбор резидентов … осуществляется комиссией", "Отбор субъектов Российской Федерации …": the one chosen;
    # an item reads its lead-in first, unless the lead-in only names who acts ("Фонд осуществляет:")
    if c.item:
        lead = tokenize(c.view.lead_in or "")
        lead_ms = mentions_in(c.view, lead)
        m = _selected(lead, lead_ms, c.rules)
        if m or any(not x.nom for x in _nonauth(lead_ms)):
            return _code(m)
    return _code(_selected(c.toks, c.mentions, c.rules))


def _s_commission(c: _Ctx):
    return "AUTHORITY" if c.rules.find(c.toks, "commission") else None


def _s_money_recipient(c: _Ctx):
    # "Субсидии предоставляются по результатам отбора": the one selected is the money's recipient
    if c.rules.find(c.toks, "money_first"):
        return _code(_first(c.own, lambda m: m.dat) or _heading_mention(c.view, lambda m: m.dat))
    return None


def _s_heading(c: _Ctx):
    return _code(_heading_mention(c.view))


def _s_heading_recipient(c: _Ctx):
    # "Статья 8. Субсидии специализированным организациям кластеров": the article's recipient
    return _code(_heading_mention(c.view, lambda m: m.dat))


def _s_heading_actor(c: _Ctx):
    # "Положение о специализированной организации": the organization the regulation is about acts
    return _code(_heading_mention(c.view, lambda m: m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY")))


def _entity_actor(m: Mention) -> bool:
    # an entity of cluster policy acting for itself; a support institution (OTHER) acts for those it serves
    return m.nom and m.code != "OTHER"


def _s_lead_actor(c: _Ctx):
    # "Организация развития кластера осуществляет:", "Фонд осуществляет следующие полномочия:"
    if not c.item:
        return None
    lead = tokenize(c.view.lead_in or "")
    return _code(_first(_nonauth(mentions_in(c.view, lead)), _entity_actor))


def _s_actor(c: _Ctx):
    # the grammatical subject opening the clause, or right after its verb ("Управление центром осуществляет фонд")
    return _code(_first(c.own, lambda m: _entity_actor(m) and (
        m.i <= 1 or bool(c.rules.find(c.toks[m.i - 1:m.i], "inverted_actor")))))


def _s_interagency(c: _Ctx):
    # "обеспечивает взаимодействие с федеральными органами …": cooperation between state bodies
    for _, _, j in c.rules.find_all(c.toks, "cooperation_with"):
        if any(m.code == "AUTHORITY" and j <= m.i <= j + 2 for m in c.mentions):
            return "AUTHORITY"
    return None


def _s_counterpart(c: _Ctx):
    return _code(_first(c.own, lambda m: m.prep in ("с", "со", "между", "з")))


def _s_body_setup(c: _Ctx):
    # a clause that sets up a body concerns the body: the state's, or a cluster's own council
    if not c.rules.find(c.toks, "body_setup"):
        return None
    return _code(_first(c.own, lambda m: m.code == "CLUSTER" and m.nom and not m.abstract)) or "AUTHORITY"


def _s_beneficiary(c: _Ctx):
    # the entity a body or support institution works for ("содействие участникам кластеров"), not the
    # institution itself, an owner of an abstract noun or a source of information ("у организаций")
    return _code(_first(c.own, lambda m: not m.abstract and m.prep not in FROM_PREPOSITIONS
                        and not (m.code == "OTHER" and m.nom)))


def _s_agent(c: _Ctx):
    # "при условии софинансирования проекта грантополучателем": the one who acts, not its object
    return _code(_first(c.own, lambda m: (m.nom or m.ins) and not m.prep and not m.abstract))


def _s_addressee(c: _Ctx):
    # "Рекомендовать специализированным организациям кластеров заключить …": the one told to act
    if c.rules.find(c.toks, "instruction"):
        return _code(_first(c.own, lambda m: m.dat and m.i <= 2))
    return None


def _s_item_agent(c: _Ctx):
    return _code(_first(c.own, lambda m: (m.nom or m.ins) and m.code != "PROJECT")) if c.item else None


_POINT_REF = re.compile(r"пункт(?:ом|е|а|у)\s+(\d+(?:\.\d+)*)|пунктам\s+(\d+(?:\.\d+)*)")


def _s_referenced_reporter(c: _Ctx):
    # "непредставления отчета, предусмотренного пунктом 12": the entity point 12 obliges to report
    if c.view.act_context is None or c.own or not c.rules.find(c.toks, "report_reference"):
        return None
    m = _POINT_REF.search(c.view.text)
    return c.view.act_context.reporter(c.view.headings, m.group(1) or m.group(2)) if m else None


def _s_criterion(c: _Ctx):
    # "Заявки оцениваются по следующим критериям: а) объем продукции совместного проекта": what it measures
    if c.item and c.rules.find(tokenize(c.view.lead_in or ""), "criteria"):
        return _code(_first(c.own))
    return None


def _s_instructed_reporter(c: _Ctx):
    # "Министерству … представлять в Правительство доклад": a body told to report reports on its own work
    first = c.mentions[0] if c.mentions else None
    if first and first.code == "AUTHORITY" and first.i == 0 and first.dat and c.rules.find(c.toks, "reports"):
        return "AUTHORITY"
    return None


def _s_returner(c: _Ctx):
    # "субъект Российской Федерации возвращает средства субсидии": the one who returns the money
    if not c.rules.find(c.toks, "returns"):
        return None
    return _code(_first([m for m in c.mentions if not m.member], lambda m: m.nom and not m.prep))


def _s_reporter(c: _Ctx):
    return _code(_first(c.own, lambda m: m.nom))


def _s_money_results(c: _Ctx):
    # "Результатами предоставления субсидии являются …": the results the recipient must reach
    if c.rules.find(c.toks, "money_results") and c.view.act_context is not None:
        return c.view.act_context.recipient(c.view.headings)
    return None


SUBJECT_RULES: dict[str, list[tuple[str, object]]] = {
    # GRANT / INCENTIVE: the recipient (NOTES "Subject rules")
    "GRANT": [("lead_in_recipient", _s_lead_recipient), ("recipient_dative", _s_recipient_dative),
              ("first_named", _s_first_named), ("lead_in", _s_lead_in), ("heading_recipient", _s_heading_recipient)],
    # REQUIREMENT: the entity that must comply
    "REQUIREMENT": [("complying_entity", _s_complying("condition")),
                    ("requirements_to", _s_complying("requirements_to")),
                    ("item_organization", _s_item_organization), ("lead_in", _s_lead_or_heading),
                    ("agent", _s_agent), ("first_named", _s_first_named), ("heading", _s_heading)],
    # SELECTION: the entity selected or registered; commissions concern the state
    "SELECTION": [("money_recipient", _s_money_recipient), ("selected_entity", _s_selected),
                  ("commission", _s_commission), ("criterion", _s_criterion), ("lead_in", _s_lead_in),
                  ("item_heading", _s_item_heading),
                  ("item_entity", lambda c: _s_first_named(c) if c.item else None),
                  ("first_named", _s_first_named), ("heading", _s_heading)],
    # COORDINATION: the actor, or the entity a body or support institution works with or for
    "COORDINATION": [("lead_in_actor", _s_lead_actor), ("actor", _s_actor), ("addressee", _s_addressee),
                     ("interagency", _s_interagency), ("counterpart", _s_counterpart), ("body_setup", _s_body_setup), ("beneficiary", _s_beneficiary),
                     ("heading_actor", _s_heading_actor)],
    # MONITORING: the entity whose activity is reported or checked
    "MONITORING": [("instructed_reporter", _s_instructed_reporter), ("referenced_reporter", _s_referenced_reporter),
                   ("item_agent", _s_item_agent),
                   ("lead_in", _s_lead_in), ("returner", _s_returner), ("reporter", _s_reporter),
                   ("money_results", _s_money_results), ("monitored_entity", _s_first_named)],
}
SUBJECT_RULES["INCENTIVE"] = SUBJECT_RULES["GRANT"]


def _fallback(t: str, c: _Ctx) -> tuple[str, str]:
    """When no entity is named: grants go to projects, money to a region's budget to the state, and so on."""
    words = c.toks + (tokenize(c.view.lead_in) if c.view.lead_in else [])
    grant = bool(c.rules.find(words, "grant_money"))
    if grant and t in ("SELECTION", "GRANT") and c.rules.find(words, "grant_word"):
        return "PROJECT", "subject.grant_project.fallback"
    if any(m.code == "AUTHORITY" and m.dat for m in c.mentions):
        return "AUTHORITY", "subject.authority_recipient.fallback"
    if grant and t in ("MONITORING", "REQUIREMENT"):
        # the recipient of the money the act's title or heading names, else a recipient in general
        recipient = c.view.act_context.recipient(c.view.headings) if c.view.act_context else None
        return recipient or "OTHER", "subject.grant_recipient.fallback"
    if any(m.code == "AUTHORITY" for m in c.mentions) or t == "COORDINATION":
        return "AUTHORITY", "subject.authority.fallback"
    return "OTHER", "subject.other.fallback"


def pick_subject(t: str, view: ClauseView, toks: list[Tok]) -> tuple[str, str]:
    """The subject of a mechanism of type `t` (SPEC §4, NOTES "Subject rules"), and the rule that chose it."""
    mentions = mentions_in(view, toks)
    own = _nonauth(mentions)
    if t == "MONITORING":  # "представляет в уполномоченный орган": the addressee is not the one monitored
        own = [m for m in own if m.prep not in ("в", "во", "ва", "ў", "у")]
    c = _Ctx(view, toks, mentions, own, load_lexicon("subj_rules"))
    for name, rule in SUBJECT_RULES[t]:
        code = rule(c)  # type: ignore[operator]
        if code:
            return code, "subject." + name
    return _fallback(t, c)
