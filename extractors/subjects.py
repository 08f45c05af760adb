"""Subjects (SPEC §4, NOTES "Subject rules"): the entity of cluster policy a mechanism concerns.

Entities are found by the lexicons `data/lexicons/subj_*.txt`; an ordered list of named rules per
mechanism type chooses among them, reading the clause, its lead-in and its headings.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import Lexicon, Tok, is_noun, load_lexicon, parses, tokenize

if TYPE_CHECKING:
    from .mechanisms import ClauseView

__all__ = ["Mention", "find_mentions", "pick_subject", "entity_of_lead_in", "SUBJECT_RULES"]

SUBJECT_FILES = ("subj_none", "subj_cluster_organization", "subj_management_company", "subj_participant",
                 "subj_technopark", "subj_project", "subj_other", "subj_authority", "subj_cluster")
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
    dat = first == "datv" or ("datv" in cases and at_start and not nom)
    return nom, dat, first == "ablt"


def find_mentions(toks: list[Tok]) -> list[Mention]:
    """Non-overlapping entity mentions, longest first, in text order."""
    return list(_mentions(tuple(toks)))


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
        if code == "NONE":  # a draft, a state programme, a procedure's participant: not an entity
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


def entity_of_lead_in(lead: list[Tok]) -> str | None:
    """The entity a lead-in opens with ("Резиденты Парка:", "Организация развития кластера:"), if any."""
    ms = find_mentions(lead)
    return ms[0].code if ms and ms[0].i == 0 else None


def _lead_subject(view: ClauseView, recipient_only: bool = False) -> str | None:
    """The entity the parent lead-in names (only a recipient of money when `recipient_only`)."""
    if not view.lead_in:
        return None
    lead = tokenize(view.lead_in)
    ms = _nonauth(_aliases(view, lead, find_mentions(lead)))
    if recipient_only:
        rules = load_lexicon("subj_rules")
        giving = bool(rules.find(lead, "giving"))
        for m in ms:
            if m.i == 0 or (m.i > 0 and rules.find(lead[m.i - 1:m.i], "recipient_cost")) or (m.dat and giving):
                return m.code
        return None
    m = _first(ms)
    return m.code if m else None


def _heading_mention(view: ClauseView, pred=lambda m: True) -> Mention | None:
    """The first entity named in the headings, innermost heading first."""
    for h in reversed(view.headings):
        m = _first(_nonauth(find_mentions(tokenize(h))), pred)
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


def _s_complying(section: str):
    def rule(c: _Ctx):
        for _, start, _ in c.rules.find(c.toks, section):
            m = _first([x for x in c.own if x.i >= start])
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
    # "Положение о центре кластерного развития": the organization the regulation is about acts
    return _code(_heading_mention(c.view, lambda m: m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY")))


def _s_actor(c: _Ctx):
    return _code(_first(c.own, lambda m: m.nom and m.i <= 1))


def _s_counterpart(c: _Ctx):
    return _code(_first(c.own, lambda m: m.prep in ("с", "со", "между", "з")))


def _s_body_setup(c: _Ctx):
    # a clause that sets up a body concerns the body: the state's, or a cluster's own council
    if not c.rules.find(c.toks, "body_setup"):
        return None
    return _code(_first(c.own, lambda m: m.code == "CLUSTER" and m.nom)) or "AUTHORITY"


def _s_beneficiary(c: _Ctx):
    return _code(_first(c.own, lambda m: not m.abstract))


def _s_item_agent(c: _Ctx):
    return _code(_first(c.own, lambda m: (m.nom or m.ins) and m.code != "PROJECT")) if c.item else None


def _s_reporter(c: _Ctx):
    return _code(_first(c.own, lambda m: m.nom))


SUBJECT_RULES: dict[str, list[tuple[str, object]]] = {
    # GRANT / INCENTIVE: the recipient (NOTES "Subject rules")
    "GRANT": [("lead_in_recipient", _s_lead_recipient), ("recipient_dative", _s_recipient_dative),
              ("first_named", _s_first_named), ("lead_in", _s_lead_in), ("heading_recipient", _s_heading_recipient)],
    # REQUIREMENT: the entity that must comply
    "REQUIREMENT": [("complying_entity", _s_complying("condition")),
                    ("requirements_to", _s_complying("requirements_to")),
                    ("item_organization", _s_item_organization), ("lead_in", _s_lead_or_heading),
                    ("first_named", _s_first_named), ("heading", _s_heading)],
    # SELECTION: the entity selected or registered; commissions concern the state
    "SELECTION": [("commission", _s_commission), ("lead_in", _s_lead_or_heading),
                  ("money_recipient", _s_money_recipient), ("selected_entity", _s_first_named),
                  ("heading", _s_heading)],
    # COORDINATION: the actor, or the entity the body works with or for
    "COORDINATION": [("lead_in_actor", _s_lead_in), ("actor", _s_actor), ("counterpart", _s_counterpart),
                     ("body_setup", _s_body_setup), ("beneficiary", _s_beneficiary),
                     ("heading_actor", _s_heading_actor)],
    # MONITORING: the entity whose activity is reported or checked
    "MONITORING": [("item_agent", _s_item_agent), ("lead_in", _s_lead_in), ("reporter", _s_reporter),
                   ("monitored_entity", _s_first_named)],
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
        return "OTHER", "subject.grant_recipient.fallback"
    if any(m.code == "AUTHORITY" for m in c.mentions) or t == "COORDINATION":
        return "AUTHORITY", "subject.authority.fallback"
    return "OTHER", "subject.other.fallback"


def _aliases(view: ClauseView, toks: list[Tok], mentions: list[Mention]) -> list[Mention]:
    """Short names ("Центр", "Фонд") of an organization that a heading names in full ("Положение о центре
    кластерного развития"): a capitalized head word in the clause stands for that organization."""
    heads: dict[str, str] = {}
    for h in view.headings:
        htoks = tokenize(h)
        for m in find_mentions(htoks):
            if m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY", "TECHNOPARK"):
                noun = next((t for t in htoks[m.i:m.j] if is_noun(t)),
                            htoks[m.i])
                heads.setdefault(noun.lemma, m.code)
    taken = {k for m in mentions for k in range(m.i, m.j)}
    extra = []
    for k, t in enumerate(toks):
        if k not in taken and t.text[:1].isupper() and t.lemma in heads:
            nom, dat, ins = _case_flags(toks, k, k + 1)
            extra.append(Mention(heads[t.lemma], k, k + 1, t.text, "", nom, dat, ins))
    return sorted(mentions + extra, key=lambda m: m.i) if extra else mentions


def pick_subject(t: str, view: ClauseView, toks: list[Tok]) -> tuple[str, str]:
    """The subject of a mechanism of type `t` (SPEC §4, NOTES "Subject rules"), and the rule that chose it."""
    mentions = _aliases(view, toks, find_mentions(toks))
    own = _nonauth(mentions)
    if t == "MONITORING":  # "представляет в уполномоченный орган": the addressee is not the one monitored
        own = [m for m in own if m.prep not in ("в", "во", "ва", "ў", "у")]
    c = _Ctx(view, toks, mentions, own, load_lexicon("subj_rules"))
    for name, rule in SUBJECT_RULES[t]:
        code = rule(c)  # type: ignore[operator]
        if code:
            return code, "subject." + name
    return _fallback(t, c)


