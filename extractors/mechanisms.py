"""Mechanisms (SPEC §4): which instrument a clause establishes and whom it concerns, by ordered named rules.

A clause passes a "not a mechanism" gate first, then its type is scored from lemma lexicons
(`data/lexicons/mech_*.txt`, matched by `lexicon.py`), a second mechanism of another type is looked for
in its other parts, and each hit gets a subject from `subjects.py` (entities found by `mentions.py`).
Every decision names the rule that made it and the words that fired.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon, Tok, load_lexicon, tokenize
from .mentions import ActContext, find_mentions
from .subjects import entity_of_lead_in, pick_subject

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
    act_context: ActContext | None = None  # short names and money recipients of the whole act
    country: str = ""  # the act's country ("RU" | "BY"): the other one is a foreign partner


@dataclass(frozen=True)
class MechanismHit:
    """One mechanism found in a clause, with the rule and the words that decided it."""

    type: str
    subject: str
    confidence: float
    rule: str
    triggers: tuple[str, ...]
    part: str = ""  # the part of the clause the hit rests on ("" = the whole clause); categories read it


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


def _gate_amended_item(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # the items of "Внести в постановление … следующие изменения:" amend another act
    if view.lead_in is not None:
        found = lex.hits(tokenize(view.lead_in), "amendment")
        return ["lead-in: " + found[0]] if found else None
    return None


def _gate_approved_item(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # the items of "Утвердить:" name the documents approved ("Положение о совете (прилагается)")
    if view.lead_in is not None and lex.hits(tokenize(view.lead_in), "approve_lead"):
        return lex.hits(toks, "approved_item") or None
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


_BLANK = re.compile(r"_{3,}")


def _gate_form_blank(view: ClauseView, toks: list[Tok], lex: Lexicon) -> list[str] | None:
    # a line of an annexed form with blanks to fill in ("«___» ______ 20__ г.") establishes nothing
    return ["form with blanks"] if _BLANK.search(view.text) else None


GATE_RULES = [
    ("not.preamble", _gate_preamble),
    ("not.signature", _gate_signature),
    ("not.definition", _gate_definition),
    ("not.member_list", _gate_member_list),
    ("not.amended_item", _gate_amended_item),
    ("not.approved_item", _gate_approved_item),
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
    ("not.form_blank", _gate_form_blank),
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
    return [Tok(t.text, "", "", t.start, t.end, t.punct_before, t.stop_before) if k in masked else t for k, t in enumerate(toks)]


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
        frame = frame_scores(lead)
        # a lead-in that opens a list of conditions ("при соблюдении следующих условий:") frames its items more
        # than the instrument it is about ("Субсидия предоставляется …")
        kind, weight = frame.best()
        conditions = kind == "REQUIREMENT" and weight > 0
        s.add(type_scores(lead), LEAD_WEIGHT * (0.5 if conditions else 1.0), "lead-in: ")
        s.add(frame, 1.0, "frame: ")
        actor = entity_of_lead_in(lead, view)
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
        # a duty that a park, resident, participant or cluster performs is a requirement on it (a right it
        # holds, "пользуются приоритетным доступом", is not)
        # (cooperation with others is coordination whoever carries it out: "Тэхнапарк развівае супрацоўніцтва з …")
        if first is not None and first.i == 0 and first.code in ("TECHNOPARK", "PARTICIPANT", "CLUSTER") \
                and not load_lexicon("subj_rules").find(toks, "holder") and not lex.hits(toks, "cooperation"):
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
