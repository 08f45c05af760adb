"""Foreign-experience categories (SPEC §5): which practice of EU, US or Japanese cluster policy a mechanism
matches, by named rules over the lexicons `data/lexicons/cat_*.txt`.

A category is given when the clause's own text names the practice as its object or purpose (NOTES
"Category rules"): cues inside [exclude] spans do not count, members of a body are not its substance,
and the mechanism's type and subject take part in the decision.
"""
from __future__ import annotations

from .lexicon import Lexicon, Tok, load_lexicon, tokenize
from .mechanisms import ClauseView, MechanismHit
from .records import CategoryLabel
from .taxonomy import CATEGORIES, ORIGINS

__all__ = ["classify_categories", "CATEGORY_RULES"]


def _cues(code: str, toks: list[Tok], section: str = "cue") -> list[str]:
    """Cue words of a category that lie outside its [exclude] spans."""
    lex: Lexicon = load_lexicon("cat_" + code.lower())
    blocked: set[int] = set()
    for _, i, j in lex.find_all(toks, "exclude"):
        blocked |= set(range(i, j))
    return [t.text for t, i, j in lex.find_all(toks, section) if not blocked & set(range(i, j))]


def _unique(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


def _keyword_rule(code: str, score: float = 0.8):
    def rule(hit: MechanismHit, toks: list[Tok], ctx: dict):
        found = _cues(code, toks)
        return (score, found) if found else None
    rule.__name__ = f"rule_{code.lower()}"
    return rule


def rule_network_ecosystem(hit: MechanismHit, toks: list[Tok], ctx: dict):
    found = _cues("NETWORK_ECOSYSTEM", toks)
    lex = load_lexicon("cat_network_ecosystem")
    if lex.find(toks, "members"):
        found += _cues("NETWORK_ECOSYSTEM", toks, "joint")
    return (0.8, found) if found else None


def rule_knowledge_exchange(hit: MechanismHit, toks: list[Tok], ctx: dict):
    # a body's composition (scientists among its members) is not knowledge exchange
    if hit.subject == "AUTHORITY":
        return None
    found = _cues("KNOWLEDGE_EXCHANGE", toks)
    return (0.8, found) if found else None


def rule_cluster_grants(hit: MechanismHit, toks: list[Tok], ctx: dict):
    # non-cash preferences are not grants, even for grant recipients
    if hit.type == "INCENTIVE":
        return None
    lex = load_lexicon("cat_cluster_grants")
    if lex.find(toks, "exclude"):
        return None
    own = lex.hits(toks, "money")
    if own:
        return (0.9 if hit.type == "GRANT" else 0.75), own
    if ctx["lead"] is not None and hit.type in ("GRANT", "SELECTION", "REQUIREMENT", "MONITORING"):
        lead = lex.hits(ctx["lead"], "money")
        if lead:
            return 0.7, ["lead-in: " + w for w in lead]
    if hit.type in ("SELECTION", "REQUIREMENT", "MONITORING", "COORDINATION"):
        for h in ctx["headings"][:2]:  # the act's or annex's own title: the whole text concerns the money
            found = lex.hits(h, "heading")
            if found:
                return 0.6, ["heading: " + w for w in found]
    return None


def rule_supranational(hit: MechanismHit, toks: list[Tok], ctx: dict):
    lex = load_lexicon("cat_supranational_coordination")
    interstate = lex.hits(toks, "interstate")
    if interstate:
        return 0.8, ["interstate: " + w for w in interstate]
    if lex.find(toks, "regional_register") or (lex.find(toks, "regional") and not lex.find(toks, "federal")):
        return None
    if hit.type in ("SELECTION", "COORDINATION"):
        reg = lex.hits(toks, "register")
        if reg:
            return 0.75, ["register: " + w for w in reg]
    if hit.type == "COORDINATION" and hit.subject == "AUTHORITY":
        found = lex.hits(toks, "coordination")
        if found:
            return 0.7, found
    return None


def rule_innovation_infrastructure(hit: MechanismHit, toks: list[Tok], ctx: dict):
    found = _cues("INNOVATION_INFRASTRUCTURE", toks)
    if hit.subject == "TECHNOPARK":
        return 0.9, ["subject: TECHNOPARK"] + found
    # a park's management company, not the administration of a special-regime park acting as a body
    if hit.subject == "MANAGEMENT_COMPANY" and any(t.lower.startswith(("управляющ", "кіруюч")) for t in toks):
        return 0.85, ["subject: park management company"] + found
    return (0.8, found) if found else None


def rule_transnational(hit: MechanismHit, toks: list[Tok], ctx: dict):
    found = _cues("TRANSNATIONAL", toks)
    if ctx["country"] in ("RU", "BY"):
        # cooperation with Russia in a Belarusian act, with Belarus in a Russian one (NOTES)
        found += _cues("TRANSNATIONAL", toks, "partner_of_" + ctx["country"])
    return (0.8, found) if found else None


CATEGORY_RULES = [
    ("NETWORK_ECOSYSTEM", "category.network_ecosystem", rule_network_ecosystem),
    ("TRANSNATIONAL", "category.transnational", rule_transnational),
    ("KNOWLEDGE_EXCHANGE", "category.knowledge_exchange", rule_knowledge_exchange),
    ("CLUSTER_GRANTS", "category.cluster_grants", rule_cluster_grants),
    ("SME_STARTUPS", "category.sme_startups", _keyword_rule("SME_STARTUPS")),
    ("SUPRANATIONAL_COORDINATION", "category.supranational", rule_supranational),
    ("EXPORT_ORIENTATION", "category.export_orientation", _keyword_rule("EXPORT_ORIENTATION")),
    ("INNOVATION_INFRASTRUCTURE", "category.innovation_infrastructure", rule_innovation_infrastructure),
]
assert [c for c, _, _ in CATEGORY_RULES] == list(CATEGORIES), "CATEGORY_RULES must follow taxonomy.json"


def classify_categories(view: ClauseView, hit: MechanismHit, doc=None) -> list[CategoryLabel]:
    """Zero or more categories for one mechanism, each with score, origin and evidence (words and rule)."""
    text = hit.part or view.text
    toks = tokenize(text, doc if not hit.part else None)
    ctx = {"lead": tokenize(view.lead_in) if view.lead_in else None,
           "headings": [tokenize(h) for h in view.headings], "country": view.country}
    out = []
    for code, name, rule in CATEGORY_RULES:
        decided = rule(hit, toks, ctx)
        if decided:
            score, words = decided
            out.append(CategoryLabel(code=code, score=score, origin=ORIGINS[code],
                                     evidence=_unique(list(words)) + (name,)))
    return out
