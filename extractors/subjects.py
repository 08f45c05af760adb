"""Subjects (SPEC §4, NOTES "Subject rules"): the entity of cluster policy a mechanism concerns.

An ordered list of named rules per mechanism type chooses among the entities a clause names
(`mentions.py`), reading the clause, its lead-in, its headings and what the act says about its entities.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexicon import Lexicon, Tok, is_adjective, load_lexicon, tokenize
from .mentions import FROM_PREPOSITIONS, Mention, entities_only, find_mentions, first_mention, mentions_in

if TYPE_CHECKING:
    from .mechanisms import ClauseView

__all__ = ["pick_subject", "entity_of_lead_in", "SUBJECT_RULES"]


def entity_of_lead_in(lead: list[Tok], view: ClauseView | None = None) -> str | None:
    """The entity a lead-in opens with ("Резиденты Парка:", "Фонд осуществляет:"), short names included."""
    ms = mentions_in(view, lead) if view is not None else find_mentions(lead)
    return ms[0].code if ms and ms[0].i == 0 else None


def _selected(toks: list[Tok], ms: list[Mention], rules: Lexicon) -> Mention | None:
    """The entity right after "отбор/адбор" ("отбор резидентов", "отбора субъектов Российской Федерации"),
    when the selection is named before any commission that performs it."""
    for _, i, j in rules.find_all(toks, "selection_of"):
        # the genitive right after it, past adjectives only ("адбору, які праводзіць орган" names no one)
        # ("отбора, проводимого Министерством": the instrumental is who selects, not who is selected)
        m = next((m for m in ms if j <= m.i <= j + 2 and not m.prep and not m.ins and not toks[m.i].punct_before
                  and all(is_adjective(t) for t in toks[j:m.i])), None)
        if m and not rules.find(toks[:i], "commission_word"):
            return m
    return None


def _lead_subject(view: ClauseView, recipient_only: bool = False) -> str | None:
    """The entity the parent lead-in names (only a recipient of money when `recipient_only`)."""
    if not view.lead_in:
        return None
    lead = tokenize(view.lead_in)
    ms = entities_only(mentions_in(view, lead))
    if recipient_only:
        rules = load_lexicon("subj_rules")
        giving = bool(rules.find(lead, "giving"))
        spent = bool(rules.find(lead, "spent_by"))
        for m in ms:
            if m.i == 0 or (m.i > 0 and rules.find(lead[m.i - 1:m.i], "recipient_cost")) or (m.dat and giving) \
                    or (m.ins and spent):  # "средства могут быть направлены организацией на:": who spends it
                return m.code
        # "Установить, что резиденты парков … вправе:": the holder of the rights listed
        m = first_mention(ms, lambda m: m.nom and not m.prep and not m.abstract)
        return m.code if m and rules.find(lead, "holder") else None
    m = first_mention(ms)
    return m.code if m else None


def _heading_mention(view: ClauseView, pred=lambda m: True) -> Mention | None:
    """The first entity named in the headings, innermost heading first."""
    for h in reversed(view.headings):
        m = first_mention(entities_only(mentions_in(view, tokenize(h))), pred)
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
    return _code(first_mention(c.own, lambda m: m.dat))


def _s_first_holder(c: _Ctx):
    # "На участках в границах парка резиденты не уплачивают налог": a park named as the place holds nothing
    return _code(first_mention(c.own, lambda m: not (m.i > 0 and c.rules.find(c.toks[m.i - 1:m.i], "place"))))


def _s_first_named(c: _Ctx):
    return _code(first_mention(c.own))


def _s_lead_in(c: _Ctx):
    return _lead_subject(c.view) if c.item else None


def _s_lead_or_heading(c: _Ctx):
    return (_lead_subject(c.view) or _code(_heading_mention(c.view))) if c.item else None


def _s_item_entity(c: _Ctx):
    return _s_first_named(c) if c.item else None


def _s_item_heading(c: _Ctx):
    return _code(_heading_mention(c.view)) if c.item else None


def _s_complying(section: str):
    def rule(c: _Ctx):
        for _, start, _ in c.rules.find(c.toks, section):
            # "при условии финансирования программы развития кластера участниками": not the programme's owner
            m = first_mention([x for x in c.own if x.i >= start and not x.abstract])
            if m:
                return m.code
        return None
    return rule


def _s_eligible(c: _Ctx):
    # "Резидентом парка может быть организация …": the conditions are those of the status named first
    if c.own and c.own[0].i == 0 and c.rules.find(c.toks, "eligibility"):
        return c.own[0].code
    return None


def _s_composition(c: _Ctx):
    # "в состав кластера входят не менее 10 участников": a composition rule concerns the whole, whatever the lead-in
    for _, _, j in c.rules.find(c.toks, "composition"):
        m = next((m for m in c.own if j <= m.i <= j + 2 and not m.prep), None)
        if m:
            return "CLUSTER" if m.code == "PARTICIPANT" else m.code
    return None


def _s_item_organization(c: _Ctx):
    # "наличие специализированной организации", "сопровождение осуществляет управляющая компания"
    if not c.item:
        return None
    for m in c.own:
        if m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY") and \
                (m.nom or (m.i > 0 and c.rules.find(c.toks[m.i - 1:m.i], "existence"))
                 or c.rules.find(c.toks[max(0, m.i - 2):m.i], "staff")):  # "в штате управляющей компании"
            return m.code
    return None


def _s_selected(c: _Ctx):
    # "Отбор резидентов … осуществляется комиссией", "Отбор субъектов Российской Федерации …": the one chosen;
    # an item reads its lead-in first, unless the lead-in only names who acts ("Фонд осуществляет:")
    if c.item:
        lead = tokenize(c.view.lead_in or "")
        lead_ms = mentions_in(c.view, lead)
        m = _selected(lead, lead_ms, c.rules)
        if m or any(not x.nom for x in entities_only(lead_ms)):
            return _code(m)
    return _code(_selected(c.toks, c.mentions, c.rules))


def _s_selecting_actor(c: _Ctx):
    # "Администрация парка регистрирует резидентов": a park's manager that registers someone is not the one registered
    if not c.own or not c.own[0].nom or c.own[0].i > 1 or c.own[0].code not in ("MANAGEMENT_COMPANY", "TECHNOPARK",
                                                                                 "CLUSTER_ORGANIZATION"):
        return None
    for _, start, end in c.rules.find(c.toks, "selects"):
        if start > c.own[0].i:
            return _code(next((m for m in c.own if m.i >= end - 1 and m.code != c.own[0].code and not m.prep), None))
    return None


def _s_selection_body(c: _Ctx):
    # "Для адбору рэзідэнтаў … ствараецца экспертны савет": a body set up to select is the state's arrangement
    return "AUTHORITY" if c.rules.find(c.toks, "body_setup") and c.rules.find(c.toks, "commission") else None


def _s_commission(c: _Ctx):
    return "AUTHORITY" if c.rules.find(c.toks, "commission") else None


def _s_money_recipient(c: _Ctx):
    # "Субсидии предоставляются по результатам отбора": the one selected is the money's recipient
    if c.rules.find(c.toks, "money_first"):
        return _code(first_mention(c.own, lambda m: m.dat) or _heading_mention(c.view, lambda m: m.dat))
    return None


def _with_lead_in(c: _Ctx) -> list[Tok]:
    return c.toks + (tokenize(c.view.lead_in) if c.view.lead_in else [])


def _s_grant_project(c: _Ctx):
    # "Рашэнне аб выдзяленні гранта прымаецца …", "Конкурс грантов проводится …", naming no entity: grants are
    # competed for by projects (NOTES: PROJECT for grant applications), whatever the section's heading names
    return "PROJECT" if not c.own and c.rules.find(_with_lead_in(c), "grant_word") else None


def _s_heading(c: _Ctx):
    return _code(_heading_mention(c.view))


def _s_heading_recipient(c: _Ctx):
    # "Статья 8. Субсидии специализированным организациям кластеров": the article's recipient
    return _code(_heading_mention(c.view, lambda m: m.dat))


def _s_heading_actor(c: _Ctx):
    # "Положение о специализированной организации": the organization the regulation is about acts
    # (not a heading that gives it money: "Порядок предоставления субсидий специализированным организациям")
    return _code(_heading_mention(c.view, lambda m: m.code in ("CLUSTER_ORGANIZATION", "MANAGEMENT_COMPANY")
                                  and not m.dat))


def _entity_actor(m: Mention) -> bool:
    # an entity of cluster policy acting for itself; a support institution (OTHER) acts for those it serves
    return m.nom and m.code != "OTHER"


def _s_lead_actor(c: _Ctx):
    # "Организация развития кластера осуществляет:", "Фонд осуществляет следующие полномочия:"
    if not c.item:
        return None
    lead = tokenize(c.view.lead_in or "")
    return _code(first_mention(entities_only(mentions_in(c.view, lead)), _entity_actor))


def _s_actor(c: _Ctx):
    # the grammatical subject opening the clause, or right after its verb ("Управление центром осуществляет фонд")
    return _code(first_mention(c.own, lambda m: _entity_actor(m) and (
        m.i <= 1 or bool(c.rules.find(c.toks[m.i - 1:m.i], "inverted_actor")))))


def _s_interagency(c: _Ctx):
    # "обеспечивает взаимодействие с федеральными органами …": cooperation between state bodies
    for _, _, j in c.rules.find_all(c.toks, "cooperation_with"):
        if any(m.code == "AUTHORITY" and j <= m.i <= j + 2 for m in c.mentions):
            return "AUTHORITY"
    return None


def _s_counterpart(c: _Ctx):
    return _code(first_mention(c.own, lambda m: m.prep in ("с", "со", "между", "з")))


def _s_body_setup(c: _Ctx):
    # a clause that sets up a body concerns the body: the state's, or a cluster's own council
    if not c.rules.find(c.toks, "body_setup"):
        return None
    own = first_mention(c.own, lambda m: m.code == "CLUSTER" and not m.prep and not m.abstract and (
        m.nom or (m.i > 0 and bool(c.rules.find(c.toks[m.i - 1:m.i], "council")))))  # "ствараецца савет кластара"
    return _code(own) or "AUTHORITY"


def _s_beneficiary(c: _Ctx):
    # the entity a body or support institution works for ("содействие участникам кластеров"), not the
    # institution itself, an owner of an abstract noun or a source of information ("у организаций")
    return _code(first_mention(c.own, lambda m: not m.abstract and m.prep not in FROM_PREPOSITIONS
                               and not (m.code == "OTHER" and m.nom)))


def _s_agent(c: _Ctx):
    # "при условии софинансирования проекта грантополучателем": the one who acts, not its object
    return _code(first_mention(c.own, lambda m: (m.nom or m.ins) and not m.prep and not m.abstract))


def _s_addressee(c: _Ctx):
    # "Рекомендовать специализированным организациям кластеров заключить …": the one told to act
    if c.rules.find(c.toks, "instruction"):
        return _code(first_mention(c.own, lambda m: m.dat and m.i <= 2))
    return None


def _s_report_item(c: _Ctx):
    # the items of "Отчет управляющей компании включает следующие показатели:" belong to the reporter
    if c.item and c.rules.find(tokenize(c.view.lead_in or ""), "report_contents"):
        return _lead_subject(c.view)
    return None


def _s_item_agent(c: _Ctx):
    return _code(first_mention(c.own, lambda m: (m.nom or m.ins) and m.code != "PROJECT")) if c.item else None


_POINT_REF = re.compile(r"пункт(?:ом|е|а|у)\s+(\d+(?:\.\d+)*)|пунктам\s+(\d+(?:\.\d+)*)")


def _s_referenced_reporter(c: _Ctx):
    # "непредставления отчета, предусмотренного пунктом 12": the entity point 12 obliges to report
    if c.view.act_context is None or c.own or not c.rules.find(c.toks, "report_reference"):
        return None
    m = _POINT_REF.search(c.view.text)
    return c.view.act_context.reporter(c.view.headings, m.group(1) or m.group(2)) if m else None


def _s_criterion(c: _Ctx):
    # the criteria of "оценку заявок специализированной организации кластера по критериям:" concern the
    # entity whose applications are evaluated (NOTES: items take their lead-in's subject); criteria with
    # no entity in the lead-in ("Заявки оцениваются по критериям: а) объем продукции проекта") what they measure
    if c.item and c.rules.find(tokenize(c.view.lead_in or ""), "criteria"):
        # what a criterion measures is the first entity it names, "в проекте" included
        return _lead_subject(c.view) or _code(c.own[0] if c.own else None)
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
    return _code(first_mention([m for m in c.mentions if not m.member], lambda m: m.nom and not m.prep))


def _s_reporter(c: _Ctx):
    return _code(first_mention(c.own, lambda m: m.nom))


def _s_money_results(c: _Ctx):
    # "Результатами предоставления субсидии являются …": the results the recipient must reach
    if c.rules.find(c.toks, "money_results") and c.view.act_context is not None:
        return c.view.act_context.recipient(c.view.headings)
    return None


SUBJECT_RULES: dict[str, list[tuple[str, object]]] = {
    # GRANT / INCENTIVE: the recipient (NOTES "Subject rules")
    "GRANT": [("lead_in_recipient", _s_lead_recipient), ("recipient_dative", _s_recipient_dative),
              ("first_named", _s_first_holder), ("lead_in", _s_lead_in), ("heading_recipient", _s_heading_recipient)],
    # REQUIREMENT: the entity that must comply
    "REQUIREMENT": [("eligible_status", _s_eligible), ("complying_entity", _s_complying("condition")),
                    ("requirements_to", _s_complying("requirements_to")),
                    ("item_organization", _s_item_organization), ("composition", _s_composition),
                    ("lead_in", _s_lead_or_heading),
                    ("agent", _s_agent), ("first_named", _s_first_named), ("heading", _s_heading)],
    # SELECTION: the entity selected or registered; commissions concern the state
    "SELECTION": [("money_recipient", _s_money_recipient), ("selection_body", _s_selection_body),
                  ("selected_entity", _s_selected),
                  ("selecting_actor", _s_selecting_actor),
                  ("commission", _s_commission), ("criterion", _s_criterion), ("lead_in", _s_lead_in),
                  ("item_heading", _s_item_heading), ("item_entity", _s_item_entity),
                  ("first_named", _s_first_named), ("grant_project", _s_grant_project), ("heading", _s_heading)],
    # COORDINATION: the actor, or the entity a body or support institution works with or for
    "COORDINATION": [("lead_in_actor", _s_lead_actor), ("actor", _s_actor), ("addressee", _s_addressee),
                     ("interagency", _s_interagency), ("counterpart", _s_counterpart), ("body_setup", _s_body_setup),
                     ("beneficiary", _s_beneficiary), ("heading_actor", _s_heading_actor)],
    # MONITORING: the entity whose activity is reported or checked
    "MONITORING": [("instructed_reporter", _s_instructed_reporter), ("referenced_reporter", _s_referenced_reporter),
                   ("report_item", _s_report_item), ("item_agent", _s_item_agent), ("lead_in", _s_lead_in),
                   ("returner", _s_returner), ("reporter", _s_reporter),
                   ("monitored_entity", _s_first_named), ("money_results", _s_money_results)],
}
SUBJECT_RULES["INCENTIVE"] = SUBJECT_RULES["GRANT"]


def _fallback(t: str, c: _Ctx) -> tuple[str, str]:
    """When no entity is named: grants go to projects, money to a region's budget to the state, and so on."""
    words = _with_lead_in(c)
    grant = bool(c.rules.find(words, "grant_money"))
    if grant and t in ("SELECTION", "GRANT") and c.rules.find(words, "grant_word"):
        return "PROJECT", "subject.grant_project.fallback"
    if any(m.code == "AUTHORITY" and m.dat for m in c.mentions):
        return "AUTHORITY", "subject.authority_recipient.fallback"
    if t == "MONITORING" and (c.rules.find(c.toks, "reports") or c.rules.find(c.toks, "owes_return")) and \
            any(m.code == "AUTHORITY" and (m.nom or m.ins) and not m.prep for m in c.mentions):
        # "Уполномоченный орган представляет в Министерство сводный отчет", "в случае недостижения субъектом
        # Российской Федерации значений … средства подлежат возврату": a body reports on or repays its own money
        return "AUTHORITY", "subject.reporting_body.fallback"
    if grant and t in ("MONITORING", "REQUIREMENT"):
        # the recipient of the money the act's title or heading names, else a recipient in general
        ctx = c.view.act_context
        recipient = (ctx.recipient(c.view.headings) or ctx.money_recipient) if ctx else None
        return recipient or "OTHER", "subject.grant_recipient.fallback"
    if any(m.code == "AUTHORITY" for m in c.mentions) or t == "COORDINATION":
        return "AUTHORITY", "subject.authority.fallback"
    return "OTHER", "subject.other.fallback"


def pick_subject(t: str, view: ClauseView, toks: list[Tok]) -> tuple[str, str]:
    """The subject of a mechanism of type `t` (SPEC §4, NOTES "Subject rules"), and the rule that chose it."""
    mentions = mentions_in(view, toks)
    own = entities_only(mentions)
    if t == "MONITORING":  # "представляет в уполномоченный орган": the addressee is not the one monitored
        own = [m for m in own if m.prep not in ("в", "во", "ва", "ў", "у")]
    c = _Ctx(view, toks, mentions, own, load_lexicon("subj_rules"))
    for name, rule in SUBJECT_RULES[t]:
        code = rule(c)  # type: ignore[operator]
        if code:
            return code, "subject." + name
    return _fallback(t, c)
