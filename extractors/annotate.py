"""Clauses → mechanisms: the clause in context, its mechanisms, attributes and categories."""
from __future__ import annotations

import functools
import gc
import re
from pathlib import Path

from .records import ActMeta, Clause, Entities, Mechanism


def clause_view(clause: Clause, by_id: dict[str, Clause], language: str, context=None, country: str = ""):
    """The clause as mechanism rules see it: its text, its parent's lead-in, the headings above, what the
    act says about its entities (`context`, from `subjects.act_context`) and the act's country."""
    from .mechanisms import ClauseView

    lead_in = None
    parent = by_id.get(clause.parent_id) if clause.parent_id else None
    if parent is not None and parent.text.rstrip().endswith(":"):
        lead_in = parent.text
    return ClauseView(text=clause.text, lead_in=lead_in, headings=tuple(clause.headings),
                      is_lead_in=clause.lead_in, language=language or "ru", kind=clause.kind, act_context=context,
                      country=country or "")


LEMMA_PIPES = ("lemmatizer",)


@functools.cache
def category_model():
    """The trained category model when its training chose to combine it with the rules, else None.

    `clusterlex train` compares rules, model and their combinations on held-out acts and records the
    winner in the model's metadata; while the rules win, the model is not even loaded.
    """
    from importlib import resources

    from .catmodel import MODEL_DIR, default_model, load_meta

    folder = Path(str(resources.files("extractors").joinpath(MODEL_DIR)))
    if not (folder / "training.json").exists() or load_meta(folder).get("combine", "rules") == "rules":
        return None
    return default_model()


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def annotate(clauses: list[Clause], act: ActMeta, nlp) -> list[Mechanism]:
    """Find the mechanisms of every clause, with their attributes and categories, in document order."""
    from .catmodel import refine_many
    from .categories import classify_categories
    from .entities import entities_in_part, extract_entities
    from .mechanisms import detect_mechanisms
    from .mentions import act_context

    by_id = {c.id: c for c in clauses}
    out: list[Mechanism] = []
    texts = [c.text for c in clauses]
    # Lemmas are all the mechanism rules need; NER and the attribute components run only on the
    # clauses that establish something (most clauses of a long act do not).
    light = [name for name in LEMMA_PIPES if name in nlp.pipe_names]
    with nlp.select_pipes(enable=light):
        docs = list(nlp.pipe(texts)) if texts else []
    rest = [(name, proc) for name, proc in nlp.pipeline if name not in light]
    context = act_context(clauses, act.title, docs)  # what the act says about its entities, read once
    model = category_model()
    found = []
    for clause, doc in zip(clauses, docs):
        view = clause_view(clause, by_id, act.language or "ru", context, act.country or "")
        hits = detect_mechanisms(view, doc)
        if hits:
            doc._.country = act.country or "RU"
            found.append((clause, view, hits, doc))
    # the remaining components in batches over the clauses that have mechanisms (NER batches well)
    full = [doc for *_, doc in found]
    for _, proc in rest:
        full = list(proc.pipe(full)) if hasattr(proc, "pipe") else [proc(d) for d in full]
    rows = []
    for (clause, view, hits, _), doc in zip(found, full):
        entities: Entities = extract_entities(clause.text, nlp=nlp, country=act.country or "RU", doc=doc)
        for hit in hits:
            # a clause with two instruments: each gets the attributes of the part it rests on
            own = entities_in_part(entities, clause.text, hit.part) if len(hits) > 1 else entities
            rows.append((clause, hit, own, classify_categories(view, hit, doc)))
    if model is not None:  # the model reads every mechanism of the act in one batch
        refined = refine_many([(cats, hit.part or clause.text, hit.type, hit.subject)
                               for clause, hit, _, cats in rows], model=model)
        rows = [(clause, hit, own, cats) for (clause, hit, own, _), cats in zip(rows, refined)]
    for clause, hit, own, cats in rows:
        out.append(Mechanism(
            id=f"{clause.id}.{_slug(hit.type)}", clause_id=clause.id, type=hit.type, subject=hit.subject,
            text=clause.text, entities=own, categories=tuple(cats), confidence=hit.confidence,
            method="rules", rule=hit.rule, triggers=tuple(hit.triggers)))
    return out


_WARM_TEXTS = (
    ("ru", "RU", "Министерство промышленности и торговли Российской Федерации предоставляет субсидии "
     "управляющим компаниям промышленных кластеров в размере не более 100 млн рублей в течение 30 дней."),
    ("be", "BY", "Дзяржаўны камітэт па навуцы і тэхналогіях праводзіць конкурсны адбор навукова-тэхналагічных "
     "паркаў і штогод ажыццяўляе маніторынг іх дзейнасці."),
    # a unit, a month-named date and an act reference: their lexicons are compiled on first use
    ("ru", "RU", "Площадь технопарка составляет не менее 5 гектаров, заявки принимаются до 1 марта 2025 года "
     "в соответствии с постановлением Правительства Российской Федерации от 30 октября 2014 г. № 1119."),
)


def warm(nlp=None) -> None:
    """Load what the first document would otherwise load: the pipeline, lexicons, rules and the
    analyzer's first words (run once per worker before any document, so no document pays for it)."""
    from .lexicon import lexicon_names, load_lexicon
    from .nlp import get_nlp

    nlp = nlp or get_nlp()
    for name in lexicon_names():  # each lexicon loaded later would also reset the index's memo of words
        load_lexicon(name)
    for language, country, text in _WARM_TEXTS:
        clause = Clause(id="1", path=("1",), text=text, char_start=0, char_end=len(text), kind="point",
                        label="1", headings=("Положение о порядке",))
        annotate([clause], ActMeta(country=country, type="постановление", title="О поддержке кластеров",
                                   language=language), nlp)
    # What is loaded now lives as long as the process: moved out of the collector's sight, the many small
    # objects of the analyzer, lexicons and vocabulary are not traversed again by every full collection
    # while documents are processed.
    gc.collect()
    gc.freeze()
