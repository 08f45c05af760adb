"""A trained category classifier (spaCy `textcat_multilabel`) and how its scores combine with the rules.

The model reads a mechanism's words (lemmas by default) after two tokens for its type and subject
(`__GRANT__ __CLUSTER__ …`) and gives a score per category (SPEC §5). It is trained on the gold
mechanisms of annotated acts; thresholds and the way it is combined with the rules of
`categories.py` are chosen by cross-validation grouped by document, and saved with the model.
"""
from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .records import CategoryLabel
from .taxonomy import CATEGORIES, ORIGINS

__all__ = ["CatExample", "read_gold", "features", "train", "predict", "predict_many", "save", "load", "load_meta",
           "default_model", "combine", "refine", "refine_many", "decide", "choose_params", "choose_all", "doc_folds", "out_of_fold",
           "micro_prf", "rule_labels_for", "nested_cv", "held_out", "summarize", "gain_over_rules", "best_mode", "finish", "rules_digest", "train_main",
           "save_meta", "MODES", "DEFAULT_CONFIG", "MODEL_DIR"]

MODEL_DIR = "data/models/categories"  # inside the `extractors` package
META_FILE = "training.json"
PIPE = "textcat_multilabel"
DEFAULT_CONFIG = {"arch": "bow", "features": "lemma", "ngram": 1, "epochs": 20, "dropout": 0.2,
                  "length": 2 ** 15, "batch": 16}
# How rules and model scores make one answer; each mode names the thresholds it needs.
MODES = {"rules": (), "model": ("threshold",), "union": ("threshold",), "rules_add": ("high",),
         "rules_veto": ("low",), "rules_add_veto": ("low", "high")}
GRID = tuple(round(0.05 * k, 2) for k in range(1, 20))


@dataclass(frozen=True)
class CatExample:
    """One gold mechanism as the classifier sees it: text, type, subject and its categories."""

    text: str
    type: str
    subject: str
    labels: frozenset[str]
    language: str = "ru"
    doc_id: str = ""


def read_gold(paths: list[Path]) -> tuple[list[CatExample], list[dict]]:
    """Gold mechanisms of every `*.gold.json` in `paths` (files or folders), and the files read with sha256."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.glob("*.gold.json")) if p.is_dir() else [p]
    examples, sources = [], []
    for f in files:
        raw = f.read_bytes()
        gold = json.loads(raw)
        lang = gold.get("act", {}).get("language") or "ru"
        doc_id = f.name.removesuffix(".gold.json")
        for m in gold["mechanisms"]:
            unknown = set(m.get("categories", [])) - set(CATEGORIES)
            if unknown:
                raise ValueError(f"{f}: unknown categories {sorted(unknown)}, expected codes from {CATEGORIES}")
            examples.append(CatExample(m["quote"], m["type"], m["subject"], frozenset(m.get("categories", [])),
                                       lang, doc_id))
        sources.append({"file": f.as_posix(), "sha256": hashlib.sha256(raw).hexdigest(),
                        "mechanisms": len(gold["mechanisms"])})
    return examples, sources


# --- features and the spaCy model -----------------------------------------------------------------------

def features(text: str, type: str, subject: str, kind: str = "lemma") -> list[str]:
    """The words the model reads: type and subject tokens, then lemmas, lower-case words or 6-letter stems."""
    from .lexicon import tokenize

    toks = tokenize(text)
    if kind == "lemma":
        words = [t.lemma for t in toks]
    elif kind == "lower":
        words = [t.lower for t in toks]
    elif kind == "stem":  # crude but language-blind: Belarusian words get no real lemma from pymorphy3
        words = [t.lower[:6] for t in toks]
    else:
        raise ValueError(f"features: expected kind 'lemma', 'lower' or 'stem', got {kind!r}")
    return [f"__{type}__", f"__{subject}__"] + words


def _model_config(arch: str, ngram: int, length: int) -> dict:
    bow = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": ngram,
           "no_output_layer": False, "length": length}
    if arch == "bow":
        return bow
    if arch == "ensemble":
        tok2vec = {"@architectures": "spacy.Tok2Vec.v2",
                   "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64, "rows": [2000, 1000, 1000],
                             "attrs": ["ORTH", "PREFIX", "SUFFIX"], "include_static_vectors": False},
                   "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "window_size": 1,
                              "maxout_pieces": 3, "depth": 2}}
        return {"@architectures": "spacy.TextCatEnsemble.v2", "tok2vec": tok2vec, "linear_model": bow}
    raise ValueError(f"train: expected arch 'bow' or 'ensemble', got {arch!r}")


def _doc(nlp, words: list[str]):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=words)


def train(examples: list[CatExample], seed: int = 0, **config):
    """A blank-"ru" spaCy pipeline with a trained `textcat_multilabel`; the same examples and seed give
    the same model."""
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    cfg = {**DEFAULT_CONFIG, **config}
    fix_random_seed(seed)
    nlp = spacy.blank("ru")
    textcat = nlp.add_pipe(PIPE, config={"model": _model_config(cfg["arch"], cfg["ngram"], cfg["length"])})
    for code in CATEGORIES:
        textcat.add_label(code)
    data = [Example.from_dict(_doc(nlp, features(ex.text, ex.type, ex.subject, cfg["features"])),
                              {"cats": {c: float(c in ex.labels) for c in CATEGORIES}}) for ex in examples]
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(seed)
    for _ in range(cfg["epochs"]):
        order = data[:]
        rng.shuffle(order)
        for batch in minibatch(order, size=cfg["batch"]):
            nlp.update(batch, sgd=optimizer, drop=cfg["dropout"])
    nlp.meta["clusterlex"] = {"features": cfg["features"], "config": cfg, "seed": seed}
    return nlp


def predict_many(nlp, items: list[tuple[str, str, str]]) -> list[dict[str, float]]:
    """Category scores (0–1) for each (text, type, subject)."""
    kind = nlp.meta.get("clusterlex", {}).get("features", DEFAULT_CONFIG["features"])
    docs = [_doc(nlp, features(text, t, s, kind)) for text, t, s in items]
    textcat = nlp.get_pipe(PIPE)
    return [{c: float(doc.cats[c]) for c in CATEGORIES} for doc in textcat.pipe(docs)]


def predict(nlp, text: str, type: str, subject: str) -> dict[str, float]:
    """Category scores (0–1) for one mechanism's text, type and subject."""
    return predict_many(nlp, [(text, type, subject)])[0]


def save(nlp, folder: Path, meta: dict) -> None:
    """Write the pipeline to `folder` and its training metadata beside it, as `training.json`."""
    folder = Path(folder)
    nlp.to_disk(folder)
    save_meta(folder, meta)


def save_meta(folder: Path, meta: dict) -> None:
    """Write the training metadata of the model in `folder`."""
    text = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True)
    (Path(folder) / META_FILE).write_text(text + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def _load(folder: str):
    import spacy

    return spacy.load(folder)


def load(folder: Path):
    """The pipeline saved in `folder`, read once per process."""
    return _load(str(Path(folder).resolve()))


def load_meta(folder: Path) -> dict:
    """The training metadata saved beside a model ({} when absent)."""
    path = Path(folder) / META_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=1)
def default_model():
    """The bundled model and its metadata, or None when no model is bundled."""
    folder = Path(str(resources.files("extractors").joinpath(MODEL_DIR)))
    if not (folder / "config.cfg").exists():
        return None
    return load(folder), load_meta(folder)


# --- combining rules and model ------------------------------------------------------------------------

def decide(mode: str, rules: set[str] | frozenset[str], scores: dict[str, float], params: dict) -> set[str]:
    """The category codes a combination mode gives from the rules' codes and the model's scores."""
    if mode not in MODES:
        raise ValueError(f"decide: expected a mode from {sorted(MODES)}, got {mode!r}")
    rules = set(rules)

    def at(name: str, code: str) -> float:  # one threshold for all categories, or one per category
        v = params[name]
        return v[code] if isinstance(v, dict) else v

    if mode == "rules":
        return rules
    if mode == "model":
        return {c for c, s in scores.items() if s >= at("threshold", c)}
    if mode == "union":
        return rules | {c for c, s in scores.items() if s >= at("threshold", c)}
    out = rules
    if mode in ("rules_veto", "rules_add_veto"):  # a rule label the model finds very unlikely is dropped
        out = {c for c in out if c not in scores or scores[c] > at("low", c)}
    if mode in ("rules_add", "rules_add_veto"):  # the model adds only what it is sure of
        out |= {c for c, s in scores.items() if s >= at("high", c)}
    return out


def combine(rule_labels: list[CategoryLabel], model_scores: dict[str, float] | None, meta: dict
            ) -> list[CategoryLabel]:
    """The labels of a mechanism by the combination chosen in training (`meta["combine"]`, default
    "rules"): rule labels keep their evidence, model-given ones say `model:textcat <score>`."""
    mode = meta.get("combine", "rules")
    if model_scores is None:
        mode = "rules"
    by_code = {lab.code: lab for lab in rule_labels}
    codes = decide(mode, set(by_code), model_scores or {}, meta.get("params", {}).get(mode, {}))
    out = []
    for code in CATEGORIES:
        if code not in codes:
            continue
        if code in by_code:
            out.append(by_code[code])
        else:
            s = model_scores[code]
            out.append(CategoryLabel(code=code, score=round(s, 2), origin=ORIGINS[code],
                                     evidence=(f"model:textcat {s:.2f}",)))
    return out


def refine(rule_labels: list[CategoryLabel], text: str, type: str, subject: str, model=None
           ) -> list[CategoryLabel]:
    """The rules' labels of one mechanism, combined with the bundled model (or `model` = (nlp, meta)) the
    way its training chose; unchanged when there is no model or the rules were chosen."""
    model = model if model is not None else default_model()
    if model is None or model[1].get("combine", "rules") == "rules":
        return list(rule_labels)
    nlp, meta = model
    return combine(rule_labels, predict(nlp, text, type, subject), meta)


def refine_many(items: list[tuple[list[CategoryLabel], str, str, str]], model=None) -> list[list[CategoryLabel]]:
    """`refine` for many mechanisms at once, (rule labels, text, type, subject) each: one batch through the
    model, the same labels as one call each."""
    model = model if model is not None else default_model()
    if model is None or model[1].get("combine", "rules") == "rules":
        return [list(labels) for labels, *_ in items]
    nlp, meta = model
    scores = predict_many(nlp, [(text, t, s) for _, text, t, s in items]) if items else []
    return [combine(labels, sc, meta) for (labels, *_), sc in zip(items, scores)]


# --- cross-validation by document ---------------------------------------------------------------------

def micro_prf(gold: list[frozenset[str]], pred: list[set[str]], code: str | None = None) -> dict:
    """Micro precision, recall and F1 over (mechanism, category) units, for one category or all."""
    tp = fp = fn = 0
    for g, p in zip(gold, pred):
        if code is not None:
            g, p = g & {code}, p & {code}
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def doc_folds(examples: list[CatExample], k: int | None = None) -> list[list[int]]:
    """Test index lists grouped by document: one per document (k=None) or k folds, documents in
    sorted order dealt round-robin so the split is the same every run."""
    docs = sorted({ex.doc_id for ex in examples})
    if k is None or k >= len(docs):
        groups = [[d] for d in docs]
    else:
        groups = [docs[i::k] for i in range(k)]
    return [[i for i, ex in enumerate(examples) if ex.doc_id in set(g)] for g in groups]


def out_of_fold(examples: list[CatExample], folds: list[list[int]], seed: int = 0, **config
                ) -> list[dict[str, float]]:
    """Each example's scores from a model trained without its fold."""
    scores: list[dict[str, float] | None] = [None] * len(examples)
    for test in folds:
        held = set(test)
        nlp = train([ex for i, ex in enumerate(examples) if i not in held], seed=seed, **config)
        for i, s in zip(test, predict_many(nlp, [(examples[i].text, examples[i].type, examples[i].subject)
                                                  for i in test])):
            scores[i] = s
    return scores  # type: ignore[return-value]


def choose_params(mode: str, rules: list[set[str]], scores: list[dict[str, float]],
                  gold: list[frozenset[str]], per_category: bool = False) -> tuple[dict, float]:
    """The thresholds of `mode` with the best micro-F1 on these predictions, one value each or (per_category)
    one per category; ties go to the fewest false positives, then to the first in grid order."""
    names = MODES[mode]
    grid: list[dict] = [{}]
    for name in names:
        grid = [{**g, name: v} for g in grid for v in GRID if name != "high" or v > g.get("low", 0)]

    def best_for(code: str | None) -> dict:
        best, key = grid[0], None
        if code is None:
            rs, ss, gs = rules, scores, gold
        else:  # the same decision on one category's inputs alone, 8 times cheaper
            rs = [set(r) & {code} for r in rules]
            ss = [{code: sc[code]} if code in sc else {} for sc in scores]
            gs = [g & {code} for g in gold]
        for params in grid:
            s = micro_prf(gs, [decide(mode, r, sc, params) for r, sc in zip(rs, ss)])
            if key is None or (s["f1"], -s["fp"]) > key:
                best, key = params, (s["f1"], -s["fp"])
        return best

    if not per_category or not names:
        best = best_for(None)
    else:  # a category's decision reads only its own rule label and score, so each is tuned alone
        chosen = {c: best_for(c) for c in CATEGORIES}
        best = {name: {c: chosen[c][name] for c in CATEGORIES} for name in names}
    f1 = micro_prf(gold, [decide(mode, r, sc, best) for r, sc in zip(rules, scores)])["f1"]
    return best, f1


def choose_all(modes: list[str], rules: list[set[str]], scores: list[dict[str, float]],
               gold: list[frozenset[str]], per_category: bool = False) -> dict[str, dict]:
    """The thresholds of every mode; the union takes the model's own threshold, while `rules_add` tunes its
    bound for the combined answer."""
    params = {m: choose_params(m, rules, scores, gold, per_category)[0] for m in modes if m != "union"}
    if "union" in modes:
        params["union"] = dict(params["model"])
    return params


def rule_labels_for(examples: list[CatExample]) -> list[set[str]] | None:
    """The rules' category codes for each gold mechanism (gold type and subject, quote alone), or None
    when the rule module is not available."""
    try:
        from .categories import classify_categories
        from .mechanisms import ClauseView, MechanismHit
    except ImportError:
        return None
    out = []
    for ex in examples:
        view = ClauseView(text=ex.text, lead_in=None, headings=(), is_lead_in=False, language=ex.language)
        hit = MechanismHit(type=ex.type, subject=ex.subject, confidence=1.0, rule="gold", triggers=())
        out.append({lab.code for lab in classify_categories(view, hit)})
    return out


def nested_cv(examples: list[CatExample], rules: list[set[str]] | None, outer: int | None = None,
              inner: int = 5, seed: int = 0, per_category: bool = False, **config) -> dict:
    """Held-out scores and predictions of every combination mode: for each outer fold (by document) the
    thresholds are chosen on out-of-fold scores inside its training part, then applied to the held-out
    documents."""
    rules = rules if rules is not None else [set() for _ in examples]
    scores: list[dict[str, float] | None] = [None] * len(examples)
    folds = []
    for test in doc_folds(examples, outer):
        held = set(test)
        tr = [i for i in range(len(examples)) if i not in held]
        tr_ex = [examples[i] for i in tr]
        tr_scores = out_of_fold(tr_ex, doc_folds(tr_ex, inner), seed=seed, **config)
        nlp = train(tr_ex, seed=seed, **config)
        for i, s in zip(test, predict_many(nlp, [(examples[i].text, examples[i].type, examples[i].subject)
                                                  for i in test])):
            scores[i] = s
        folds.append({"test": test, "train": tr, "train_scores": tr_scores})
    modes = [m for m in MODES if any(rules) or m == "model"]
    cv = {"scores": scores, "gold": [ex.labels for ex in examples], "rules": rules, "folds": folds,
          "modes": modes, "doc_ids": [ex.doc_id for ex in examples]}
    return held_out(cv, per_category)


def held_out(cv: dict, per_category: bool = False) -> dict:
    """The held-out predictions of a cross-validation's scores when each fold's thresholds are chosen on
    its training part (one threshold for all categories, or one per category)."""
    gold, rules, scores = cv["gold"], cv["rules"], cv["scores"]
    preds = {m: [set() for _ in gold] for m in cv["modes"]}
    fold_params = []
    for fold in cv["folds"]:
        tr = fold["train"]
        params = choose_all(cv["modes"], [rules[i] for i in tr], fold["train_scores"], [gold[i] for i in tr],
                            per_category)
        fold_params.append(params)
        for i in fold["test"]:
            for m in cv["modes"]:
                preds[m][i] = decide(m, rules[i], scores[i], params[m])
    return {**cv, "preds": preds, "fold_params": fold_params, "per_category": per_category}


def summarize(cv: dict) -> dict:
    """Held-out micro P/R/F1 of every mode, overall and per category."""
    out = {}
    for mode, pred in cv["preds"].items():
        out[mode] = {"all": micro_prf(cv["gold"], pred),
                     **{c: micro_prf(cv["gold"], pred, c) for c in CATEGORIES}}
    return out


def gain_over_rules(cv: dict, mode: str, rounds: int = 2000, seed: int = 0) -> dict:
    """Held-out F1 of `mode` minus that of the rules, with a 95% interval and the share of resamples in
    which `mode` is better, from a bootstrap over documents (mechanisms of one act are not independent)."""
    gold, rules, pred = cv["gold"], cv["preds"]["rules"], cv["preds"][mode]
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(cv["doc_ids"]):
        by_doc.setdefault(d, []).append(i)
    docs = sorted(by_doc)

    def diff(idx: list[int]) -> float:
        g = [gold[i] for i in idx]
        return micro_prf(g, [pred[i] for i in idx])["f1"] - micro_prf(g, [rules[i] for i in idx])["f1"]

    rng = random.Random(seed)
    diffs = sorted(diff([i for d in rng.choices(docs, k=len(docs)) for i in by_doc[d]]) for _ in range(rounds))
    return {"gain": round(diff(list(range(len(gold)))), 4),
            "ci95": [round(diffs[int(0.025 * rounds)], 4), round(diffs[int(0.975 * rounds) - 1], 4)],
            "p_better": round(sum(d > 0 for d in diffs) / rounds, 3)}


def best_mode(summary: dict, cv: dict | None = None, confidence: float = 0.95) -> str:
    """The mode with the best held-out F1. The rules win ties, and with `cv` also any gain that a bootstrap
    over documents does not find in at least `confidence` of its resamples: they explain themselves."""
    order = ["rules"] + [m for m in MODES if m != "rules"]
    ranked = [m for m in order if m in summary]
    best = max(ranked, key=lambda m: (summary[m]["all"]["f1"], -ranked.index(m)))
    if cv is not None and best != "rules" and "rules" in summary:
        if gain_over_rules(cv, best)["p_better"] < confidence:
            return "rules"
    return best


def rules_digest() -> str:
    """sha256 over the category rules and their lexicons, naming the rules a comparison was made against."""
    root = resources.files("extractors")
    h = hashlib.sha256()
    names = ["categories.py"] + sorted(f"data/lexicons/{p.name}" for p in root.joinpath("data/lexicons").iterdir()
                                       if p.name.startswith("cat_"))
    for name in names:
        path = root.joinpath(name)
        if path.is_file():
            h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def finish(examples: list[CatExample], sources: list[dict], cv: dict, out: Path, *, seed: int = 0,
           cv_label: str = "", inner: int = 5, cv_seconds: float = 0.0, **config) -> dict:
    """Choose the combination by held-out F1, train on every example and save model and metadata to `out`."""
    import spacy

    cfg = {**DEFAULT_CONFIG, **config}
    summary = summarize(cv)
    mode = best_mode(summary, cv)
    gains = {m: gain_over_rules(cv, m) for m in cv["modes"] if m != "rules" and "rules" in cv["modes"]}
    # final thresholds: chosen on the held-out scores of all documents, for the model trained on all of them
    params = choose_all(cv["modes"], cv["rules"], cv["scores"], cv["gold"], cv["per_category"])
    t0 = time.perf_counter()
    nlp = train(examples, seed=seed, **cfg)
    meta = {"date": date.today().isoformat(), "spacy_version": spacy.__version__, "seed": seed, "config": cfg,
            "corpus": sources, "examples": len(examples), "documents": len({e.doc_id for e in examples}),
            "labels": {c: sum(c in e.labels for e in examples) for c in CATEGORIES},
            "cv": {"folds": cv_label, "inner_folds": inner, "per_category_thresholds": cv["per_category"],
                   "seconds": round(cv_seconds, 1), "scores": summary, "gain_over_rules": gains,
                   "rules_sha256": rules_digest(),
                   "note": "the rules were written while reading these acts, so their figures are not held-out; "
                           "rules and model see the quote alone (no lead-in, no headings)"},
            "combine": mode, "params": params, "threshold": params.get("model", {}).get("threshold"),
            "train_seconds": round(time.perf_counter() - t0, 2)}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save(nlp, out, meta)
    meta["size_bytes"] = sum(f.stat().st_size for f in out.rglob("*") if f.is_file() and f.name != META_FILE)
    save_meta(out, meta)
    return meta


def train_main(corpora: list[Path], out: Path, *, outer: int | None = 5, inner: int = 5, seed: int = 0,
               per_category: bool = False, **config) -> dict:
    """`clusterlex train`: cross-validate by document (`outer` folds, None = one per document), choose
    thresholds and the combination with the rules, train on everything and save to `out`.

    Returns the metadata written beside the model (`training.json`)."""
    cfg = {**DEFAULT_CONFIG, **config}
    examples, sources = read_gold(corpora)
    if not examples:
        raise ValueError(f"train: no gold mechanisms in {[str(c) for c in corpora]}, expected *.gold.json files")
    t0 = time.perf_counter()
    cv = nested_cv(examples, rule_labels_for(examples), outer=outer, inner=inner, seed=seed,
                   per_category=per_category, **cfg)
    label = "leave-one-document-out" if outer is None else f"{outer}-fold by document"
    return finish(examples, sources, cv, out, seed=seed, cv_label=label, inner=inner,
                  cv_seconds=time.perf_counter() - t0, **cfg)
