"""Mechanisms (SPEC §4): which instrument a clause establishes and whom it concerns, by ordered named rules.

A clause passes a "not a mechanism" gate first, then its type is scored from lemma lexicons
(`data/lexicons/mech_*.txt`), a second mechanism of another type is looked for in its other parts,
and each hit gets a subject from the entity lexicons (`subj_*.txt`) and the subject rules
(`subj_rules.txt`). Every decision names the rule that made it and the words that fired.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["ClauseView", "MechanismHit", "detect_mechanisms", "explain", "GATE_RULES", "Lexicon", "Tok",
           "load_lexicon", "tokenize", "find_mentions", "pick_subject"]

TYPE_FILES = {"GRANT": "mech_grant", "INCENTIVE": "mech_incentive", "REQUIREMENT": "mech_requirement",
              "SELECTION": "mech_selection", "COORDINATION": "mech_coordination", "MONITORING": "mech_monitoring"}
MIN_SCORE = 2.0  # below this a clause establishes nothing we can name
LEAD_WEIGHT = 1.0  # a sub-point is read together with its lead-in, which frames it
HEADING_WEIGHT = 0.5
SECOND_MIN = 2.0
# A clause yields two mechanisms only for these pairs (NOTES "Two mechanisms in one clause").
SECOND_PAIRS = {
    ("GRANT", "REQUIREMENT"): ("grant_plus_condition", "condition", True),
    ("REQUIREMENT", "GRANT"): ("requirement_plus_grant", "grant_substance", True),
    ("REQUIREMENT", "MONITORING"): ("requirement_plus_reporting", "report", True),
    ("COORDINATION", "SELECTION"): ("council_approves_list", "list_keeping", False),
    ("SELECTION", "COORDINATION"): ("register_keeper_coordinates", "coordinating", False),
}  # (primary, secondary) -> (rule, guard section in mech_second.txt, needs a separate part)


@dataclass(frozen=True)
class ClauseView:
    """A clause as the mechanism rules see it: its own text in the context of its lead-in and headings."""

    text: str  # clause text, marker removed, without the parent's lead-in
    lead_in: str | None  # the parent's lead-in text for sub-points / items, else None
    headings: tuple[str, ...]  # section / article / annex titles above it, outermost first
    is_lead_in: bool  # the text ends with ':' and sub-points follow
    language: str  # "ru" | "be"
    kind: str = "point"  # point | subpoint | item | part | preamble | paragraph


@dataclass(frozen=True)
class MechanismHit:
    """One mechanism found in a clause, with the rule and the words that decided it."""

    type: str
    subject: str
    confidence: float
    rule: str
    triggers: tuple[str, ...]
    part: str = ""  # the part of the clause the hit rests on ("" = the whole clause); categories read it


# --- lexicons: lemma / stem patterns from data files ----------------------------------------------------

@dataclass(frozen=True)
class Tok:
    """A word of a clause: surface form, lemma, character span, and whether punctuation precedes it."""

    text: str
    lower: str
    lemma: str
    start: int
    end: int
    punct_before: bool = False


@dataclass(frozen=True)
class Term:
    """One lexicon line: word patterns (`word`, `stem*`, alternatives `a|b*`), gaps (`...`/`...N` any words,
    `~` adjectives only), anchored by `^`."""

    text: str
    parts: tuple[tuple[str, object], ...]
    weight: float = 1.0
    anchored: bool = False


def _norm(s: str) -> str:
    s = s.lower().replace("ё", "е").replace("’", "'")
    return "у" + s[1:] if s.startswith("ў") else s  # Belarusian "ў" after a vowel is the same word as "у"


def _parse_term(line: str) -> Term:
    weight = 1.0
    if " = " in line:
        line, w = line.rsplit(" = ", 1)
        weight = float(w)
    line = _norm(line.strip())
    anchored = line.startswith("^")
    parts: list[tuple[str, object]] = []
    for piece in line.lstrip("^ ").split():
        if piece.startswith("..."):
            parts.append(("gap", int(piece[3:] or 5)))
        elif piece == "~":
            parts.append(("adj", 3))
        else:
            alts = tuple((_norm(a[:-1]), True) if a.endswith("*") else (_norm(a), False) for a in piece.split("|"))
            parts.append(("tok", alts))
    return Term(line.lstrip("^ "), tuple(parts), weight, anchored)


def _tok_ok(part: tuple[str, object], tok: Tok) -> bool:
    for value, prefix in part[1]:  # type: ignore[union-attr]
        if prefix and (tok.lower.startswith(value) or tok.lemma.startswith(value)):
            return True
        if not prefix and (tok.lower == value or tok.lemma == value):
            return True
    return False


def _match_at(parts, toks: list[Tok], k: int) -> int | None:
    """End index (exclusive) of `parts` matched from token k, or None."""
    if not parts:
        return k
    head, rest = parts[0], parts[1:]
    if head[0] in ("gap", "adj"):
        for skip in range(head[1] + 1):
            if skip and head[0] == "adj" and (k + skip > len(toks) or not _is_adjective(toks[k + skip - 1])):
                return None
            end = _match_at(rest, toks, k + skip)
            if end is not None:
                return end
        return None
    if k < len(toks) and _tok_ok(head, toks[k]):
        return _match_at(rest, toks, k + 1)
    return None


class Lexicon:
    """Sections of weighted terms read from `data/lexicons/<name>.txt` (`[section]` lines open a section)."""

    def __init__(self, name: str, sections: dict[str, tuple[Term, ...]]):
        self.name = name
        self.sections = sections

    def find(self, toks: list[Tok], section: str = "") -> list[tuple[Term, int, int]]:
        """Each term's first match as (term, first token, end token), in lexicon order."""
        out = []
        for term in self.sections.get(section, ()):
            starts = [0] if term.anchored else range(len(toks))
            for k in starts:
                end = _match_at(term.parts, toks, k)
                if end is not None and end > k:
                    out.append((term, k, end))
                    break
        return out

    def find_all(self, toks: list[Tok], section: str = "") -> list[tuple[Term, int, int]]:
        """Every match of every term, not only the first."""
        out = []
        for term in self.sections.get(section, ()):
            for k in ([0] if term.anchored else range(len(toks))):
                end = _match_at(term.parts, toks, k)
                if end is not None and end > k:
                    out.append((term, k, end))
        return out

    def hits(self, toks: list[Tok], section: str = "") -> list[str]:
        return [t.text for t, _, _ in self.find(toks, section)]

    def score(self, toks: list[Tok], section: str = "") -> tuple[float, list[str]]:
        found = self.find(toks, section)
        return sum(t.weight for t, _, _ in found), [t.text for t, _, _ in found]

    def phrases(self, section: str) -> list[str]:
        return [t.text.replace("...", "").strip() for t in self.sections.get(section, ())]


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


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    nlp = spacy.blank("ru")
    nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=50000)
def _parses(word: str) -> tuple[tuple[str, str], ...]:
    """(POS, case) of pymorphy3's parses of a word, most likely first."""
    return tuple((str(p.tag.POS or ""), str(p.tag.case or "")) for p in _morph().parse(word))


_BE_ADJ_ENDINGS = ("ага", "ых", "ых", "ай", "ым", "ыя", "ая", "ае", "ую", "ія", "ага", "ыі", "іх", "ім", "ой")


def _is_adjective(tok: Tok) -> bool:
    """An adjective or participle (Russian by pymorphy3, Belarusian by its endings)."""
    parses = _parses(tok.lower)
    if parses and parses[0][0] in ("ADJF", "PRTF", "NUMR"):
        return True
    return any(ch in tok.lower for ch in "іў") and tok.lower.endswith(_BE_ADJ_ENDINGS)


def _adapt(doc) -> tuple[Tok, ...]:
    out: list[Tok] = []
    punct = False
    for t in doc:
        if not any(ch.isalnum() for ch in t.text):
            punct = True
            continue
        lower = _norm(t.text)
        out.append(Tok(t.text, lower, _norm(t.lemma_ or t.text), t.idx, t.idx + len(t.text), punct))
        punct = False
    return tuple(out)


@lru_cache(maxsize=8192)
def _tokenize_cached(text: str) -> tuple[Tok, ...]:
    return _adapt(_nlp()(text))


def tokenize(text: str, doc=None) -> list[Tok]:
    """Words of `text` with lemmas: from `doc` when it is this text run through the pipeline, else built."""
    if doc is not None and getattr(doc, "text", None) == text:
        return list(_adapt(doc))
    return list(_tokenize_cached(text))


# --- subjects: entity mentions and the rules that choose among them -------------------------------------

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
    head = next((k for k in range(i, j) if _parses(toks[k].lower)[:1] and _parses(toks[k].lower)[0][0] == "NOUN"), i)
    parses = _parses(toks[head].lower)
    first = parses[0][1] if parses else ""
    cases = {c for _, c in parses}
    at_start = i == 0 or toks[i].punct_before
    nom = first == "nomn" or ("nomn" in cases and at_start)
    dat = first == "datv" or ("datv" in cases and at_start and not nom)
    return nom, dat, first == "ablt"


def find_mentions(toks: list[Tok]) -> list[Mention]:
    """Non-overlapping entity mentions, longest first, in text order."""
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
    return out


def _sentence_break(toks: list[Tok], a: int, b: int) -> bool:
    return any(toks[k].text[:1].isupper() and toks[k].punct_before for k in range(a + 1, b + 1) if k < len(toks))


def _abstract(toks: list[Tok], i: int, rules: Lexicon) -> bool:
    k = i - 1
    while k >= 0 and (toks[k].lower in PREPOSITIONS or (_parses(toks[k].lower)[:1] and
                                                         _parses(toks[k].lower)[0][0] in ("ADJF", "PRTF"))):
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
                noun = next((t for t in htoks[m.i:m.j] if _parses(t.lower)[:1] and _parses(t.lower)[0][0] == "NOUN"),
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


# --- the gate -------------------------------------------------------------------------------------

_SIGNATURE = re.compile(r"^[^.;:]{0,80}\b[А-ЯЁІЎ]\.\s?(?:[А-ЯЁІЎ]\.\s?)?[А-ЯЁІЎ][а-яёіў'’-]+$")
_PLACE_DATE = re.compile(r"^(?:г\.\s*\S+|[А-ЯЁІЎ][а-яёіў]+(?:, Кремль)?|\d{1,2} [а-яёіў]+ \d{4} (?:г\.|года)|[№N] ?\S+)$")


def _gate_signature(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    text = view.text.strip()
    if len(text) <= 90 and (_SIGNATURE.match(text) or _PLACE_DATE.match(text)):
        return [text]
    return None


def _gate_preamble(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    if view.kind == "preamble":
        return ["preamble"]
    return lex.hits(toks, "preamble") or None


def _gate_definition(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    if view.lead_in is not None:
        found = lex.hits(tokenize(view.lead_in), "definition")
        if found:
            return ["lead-in: " + found[0]]
    return lex.hits(toks, "definition") or None


def _gate_member_list(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # the items of "В состав совета входят:" name members; the body itself is the mechanism, not each member
    if view.lead_in is not None:
        found = lex.hits(tokenize(view.lead_in), "member_list")
        return ["lead-in: " + found[0]] if found else None
    return None


def _gate_heading(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # goals, principles, scope, definitions: the innermost heading names what the article is about
    if view.headings:
        return lex.hits(tokenize(view.headings[-1]), "heading") or None
    return None


def _gate_section(section: str):
    def rule(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
        return lex.hits(toks, section) or None
    rule.__name__ = f"_gate_{section}"
    return rule


def _gate_funding_source(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # "financing is within budget allocations" names a source of money, not an instrument
    found = lex.hits(toks, "funding_source")
    return found if len(found) >= 2 else None


def _gate_lead_in(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # a lead-in is a mechanism only with a norm of its own: a body, deadline, form, amount or condition
    if not view.is_lead_in:
        return None
    if load_lexicon("mech_leadin").hits(toks, "own_norm"):
        return None
    return ["lead-in without its own norm"]


GATE_RULES = [
    ("not.preamble", _gate_preamble),
    ("not.signature", _gate_signature),
    ("not.definition", _gate_definition),
    ("not.member_list", _gate_member_list),
    ("not.goals_scope_heading", _gate_heading),
    ("not.scope", _gate_section("scope")),
    ("not.goals", _gate_section("goals")),
    ("not.entry_into_force", _gate_section("entry_into_force")),
    ("not.repeal", _gate_section("repeal")),
    ("not.amendment", _gate_section("amendment")),
    ("not.approve_annex", _gate_section("approve_annex")),
    ("not.control", _gate_section("control")),
    ("not.implementation_order", _gate_section("implementation")),
    ("not.funding_source", _gate_funding_source),
    ("not.lead_in", _gate_lead_in),
]


def gate(view: ClauseView, toks: list[Tok]) -> tuple[str, list[str]] | None:
    """The first "not a mechanism" rule that fires, with its words, or None."""
    lex = load_lexicon("mech_gate")
    for name, rule in GATE_RULES:
        found = rule(view, toks, lex)
        if found:
            return name, found
    return None


# --- type scores ----------------------------------------------------------------------------------

@dataclass
class Scores:
    """Per-type score and the words behind it."""

    value: dict[str, float]
    words: dict[str, list[str]]
    own: dict[str, float] | None = None  # the clause's own part of the score, before context is added

    def best(self) -> tuple[str | None, float]:
        """The top type; on a tie the clause's own words decide, then the order of TYPE_FILES."""
        if not self.value:
            return None, 0.0
        own = self.own or {}
        t = max(self.value, key=lambda k: (self.value[k], own.get(k, 0.0), -list(TYPE_FILES).index(k)))
        return (t, self.value[t]) if self.value[t] > 0 else (None, 0.0)

    def add(self, other: "Scores", weight: float, tag: str = "") -> None:
        for t, v in other.value.items():
            if v:
                self.value[t] = self.value.get(t, 0.0) + weight * v
                self.words.setdefault(t, []).extend(tag + w for w in other.words.get(t, []))


def _mask_names(toks: list[Tok]) -> list[Tok]:
    """Blank the words of addressee names ("получатель гранта", "заявитель"): they name someone, not an act."""
    masked = {k for m in find_mentions(toks) if m.code == "OTHER" for k in range(m.i, m.j)}
    if not masked:
        return toks
    return [Tok(t.text, "", "", t.start, t.end, t.punct_before) if k in masked else t for k, t in enumerate(toks)]


def type_scores(toks: list[Tok]) -> Scores:
    """Sum of lexicon weights per type over the tokens."""
    s = Scores({}, {})
    toks = _mask_names(toks)
    for t, name in TYPE_FILES.items():
        value, words = load_lexicon(name).score(toks)
        s.value[t], s.words[t] = value, words
    return s


def frame_scores(lead_toks: list[Tok]) -> Scores:
    """What kind of list a lead-in opens (documents, criteria, requirements, uses of money, functions)."""
    lex = load_lexicon("mech_frames")
    s = Scores({}, {})
    for t in TYPE_FILES:
        value, words = lex.score(lead_toks, t)
        s.value[t], s.words[t] = value, words
    return s


def _context_scores(view: ClauseView, toks: list[Tok]) -> Scores:
    s = type_scores(toks)
    s.own = dict(s.value)
    if view.lead_in:
        lead = tokenize(view.lead_in)
        s.add(type_scores(lead), LEAD_WEIGHT, "lead-in: ")
        s.add(frame_scores(lead), 1.0, "frame: ")
        actor = entity_of_lead_in(lead)
        frames = load_lexicon("mech_frames")
        if actor in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY", "AUTHORITY") and \
                (frames.hits(lead, "functions") or frames.hits(lead, "body_rights")):
            s.add(Scores({"COORDINATION": 3.0}, {"COORDINATION": ["functions of " + actor]}), 1.0, "frame: ")
    if view.headings:
        h = type_scores(tokenize(view.headings[-1]))
        capped = Scores({t: min(v, 2.0) for t, v in h.value.items()}, h.words)
        s.add(capped, HEADING_WEIGHT, "heading: ")
    return s


# --- parts and second mechanisms ---------------------------------------------------------------------

def split_parts(text: str) -> list[tuple[int, int]]:
    """Character spans of the clause's parts: sentences and clauses joined by "а также", "при условии"…"""
    lex = load_lexicon("mech_second")
    cuts = {0, len(text)}
    for m in re.finditer(r"[.;]\s+(?=[А-ЯЁІЎA-Z])", text):
        cuts.add(m.end())
    for phrase in lex.phrases("split"):
        for m in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE):
            cuts.add(m.start())
    spans = sorted(cuts)
    return [(a, b) for a, b in zip(spans, spans[1:]) if text[a:b].strip(" ,;.")]


def _slice(toks: list[Tok], a: int, b: int) -> list[Tok]:
    return [t for t in toks if t.start >= a and t.end <= b]


def _second(view: ClauseView, toks: list[Tok], primary: str, scores: Scores):
    """The second mechanism of another type, when the clause is one of the known two-instrument shapes."""
    lex = load_lexicon("mech_second")
    parts = split_parts(view.text)
    for (p, sec), (rule, guard, separate) in SECOND_PAIRS.items():
        if p != primary:
            continue
        if separate:
            if len(parts) < 2:
                continue
            scored = [(a, b, _slice(toks, a, b)) for a, b in parts]
            for a, b, ptoks in scored:
                ps = type_scores(ptoks)
                t, v = ps.best()
                if t == sec and v >= SECOND_MIN and lex.hits(ptoks, guard):
                    # the primary rests on the other part where its own words weigh most
                    rest = max((x for x in scored if x[0] != a), key=lambda x: type_scores(x[2]).value[primary])
                    return (sec, "second." + rule, ps.words[sec] + lex.hits(ptoks, guard), view.text[a:b].strip(),
                            rest[2])
        elif scores.value.get(sec, 0) >= SECOND_MIN and lex.hits(toks, guard):
            return sec, "second." + rule, scores.words[sec] + lex.hits(toks, guard), "", toks
    return None


# --- the public function -----------------------------------------------------------------------------

def _confidence(scores: Scores, t: str) -> float:
    """Grows with the type's score and its lead over the runner-up; rules never claim more than 0.95."""
    top = scores.value.get(t, 0.0)
    runner = max((v for k, v in scores.value.items() if k != t), default=0.0)
    return round(min(0.95, 0.5 + 0.05 * top + 0.05 * max(top - runner, 0.0)), 3)


def _retype(view: ClauseView, toks: list[Tok], t: str, scores: Scores) -> tuple[str, str]:
    """Type corrections that depend on who acts or on the shape of the clause."""
    lex = load_lexicon("mech_second")
    if t == "COORDINATION" and view.lead_in is None:
        mentions = find_mentions(toks)
        first = mentions[0] if mentions else None
        # a duty that a park, resident, participant or cluster performs is a requirement on it
        if first is not None and first.i == 0 and first.code in ("TECHNOPARK", "PARTICIPANT", "CLUSTER"):
            return "REQUIREMENT", "type.duty_of_regulated_entity"
    if t in ("GRANT", "INCENTIVE") and lex.hits(toks, "condition") and not lex.hits(toks, "grant_substance"):
        # "the grant is given on condition that…" with no size, recipient or transfer: the condition is the norm
        return "REQUIREMENT", "type.condition_of_support"
    return t, "type." + t.lower()


def detect_mechanisms(view: ClauseView, doc=None) -> list[MechanismHit]:
    """Zero, one or two mechanisms (of different types) that the clause establishes."""
    toks = tokenize(view.text, doc)
    if gate(view, toks):
        return []
    scores = _context_scores(view, toks)
    t, value = scores.best()
    if t is None or value < MIN_SCORE:
        return []
    t, rule = _retype(view, toks, t, scores)
    subject, srule = pick_subject(t, view, toks)
    second = _second(view, toks, t, scores) if view.lead_in is None else None
    primary_part = ""
    if second and second[3]:
        # two instruments in two parts: each takes its subject from its own part when that part names one
        ptoks = second[4]
        own_subject, own_rule = pick_subject(t, view, ptoks)
        if not own_rule.endswith(".fallback"):
            subject, srule = own_subject, own_rule
        primary_part = view.text[ptoks[0].start:ptoks[-1].end] if ptoks else ""
    hits = [MechanismHit(t, subject, _confidence(scores, t), f"{rule}+{srule}",
                         tuple(dict.fromkeys(scores.words.get(t, []) or [rule])), primary_part)]
    if second:
        sec, rule2, words, part, _ = second
        ptoks = _slice(toks, view.text.find(part), view.text.find(part) + len(part)) if part else toks
        subj2, srule2 = pick_subject(sec, view, ptoks)
        if srule2.endswith(".fallback") and part:
            subj2 = subject
        hits.append(MechanismHit(sec, subj2, 0.6, f"{rule2}+{srule2}", tuple(dict.fromkeys(words)), part))
    return hits


def explain(view: ClauseView, doc=None) -> dict:
    """Debug view: the gate decision, per-type scores and words, and the hits."""
    toks = tokenize(view.text, doc)
    g = gate(view, toks)
    scores = _context_scores(view, toks)
    return {"gate": g, "scores": {k: round(v, 2) for k, v in scores.value.items() if v},
            "words": {k: v for k, v in scores.words.items() if v},
            "hits": detect_mechanisms(view, doc)}
