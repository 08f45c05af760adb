"""Category classifier: rules, trained model and their combinations, measured on held-out documents.

    PYTHONPATH=. .venv/bin/python scripts/cv_categories.py [corpora/devset corpora/own] [--outer loo|5]
        [--inner 5] [--variants bow:lemma:2,bow:lower:2] [--save extractors/data/models/categories] [--json out.json]

Every gold mechanism is one example (gold quote, type and subject; categories are scored over matched
pairs, so gold type and subject are what a matched mechanism carries). Folds group mechanisms by
document. For each outer fold the model's thresholds, and the thresholds of each combination with the
rules, are chosen on out-of-fold scores inside the training documents (inner folds), then applied to the
held-out document. The rules are not trained, but they were written while reading these acts, so their
figures here are not held-out figures.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from extractors import catmodel as cm
from extractors.taxonomy import CATEGORIES

SHORT = {"NETWORK_ECOSYSTEM": "NETWORK", "TRANSNATIONAL": "TRANSNAT", "KNOWLEDGE_EXCHANGE": "KNOWLEDGE",
         "CLUSTER_GRANTS": "GRANTS", "SME_STARTUPS": "SME", "SUPRANATIONAL_COORDINATION": "SUPRANAT",
         "EXPORT_ORIENTATION": "EXPORT", "INNOVATION_INFRASTRUCTURE": "INFRA"}


def parse_variant(spec: str) -> dict:
    """`arch:features:ngram[:epochs]` → a training config."""
    parts = spec.split(":")
    cfg = {"arch": parts[0], "features": parts[1], "ngram": int(parts[2])}
    if len(parts) > 3:
        cfg["epochs"] = int(parts[3])
    return cfg


def table(summary: dict) -> str:
    """Modes as rows: overall P/R/F1, then F1 per category."""
    head = f"{'mode':16} {'P':>6} {'R':>6} {'F1':>6} " + " ".join(f"{SHORT[c]:>9}" for c in CATEGORIES)
    rows = [head]
    for mode, s in summary.items():
        a = s["all"]
        rows.append(f"{mode:16} {a['p']:6.3f} {a['r']:6.3f} {a['f1']:6.3f} "
                    + " ".join(f"{s[c]['f1']:9.3f}" for c in CATEGORIES))
    return "\n".join(rows)


def per_category(summary: dict, mode: str) -> str:
    """P/R/F1 and counts per category of one mode."""
    rows = [f"{'category':28} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for c in ["all", *CATEGORIES]:
        s = summary[mode][c]
        rows.append(f"{c:28} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f} {s['tp']:4} {s['fp']:4} {s['fn']:4}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path, default=[Path("corpora/devset"), Path("corpora/own")])
    ap.add_argument("--outer", default="loo", help="'loo' (one document per fold) or a number of folds")
    ap.add_argument("--inner", type=int, default=5, help="folds inside each training part, for thresholds")
    ap.add_argument("--variants", default="bow:lemma:2", help="comma-separated arch:features:ngram[:epochs]")
    ap.add_argument("--save", type=Path, help="train the best variant on everything and save it here")
    ap.add_argument("--json", type=Path, help="write every variant's figures here")
    args = ap.parse_args(argv)
    outer = None if args.outer == "loo" else int(args.outer)
    label = "leave-one-document-out" if outer is None else f"{outer}-fold by document"

    examples, sources = cm.read_gold(args.corpora)
    rules = cm.rule_labels_for(examples)
    print(f"{len(examples)} gold mechanisms in {len(sources)} documents; folds: {label}, inner {args.inner}; "
          f"rules {'available' if rules is not None else 'not available'}")
    results = {}
    for spec in args.variants.split(","):
        cfg = cm.DEFAULT_CONFIG | parse_variant(spec)
        t0 = time.perf_counter()
        cv = cm.nested_cv(examples, rules, outer=outer, inner=args.inner, **cfg)
        seconds = time.perf_counter() - t0
        for per_cat in (False, True):
            run = cm.held_out(cv, per_cat)
            summary = cm.summarize(run)
            key = spec + (" per-category" if per_cat else "")
            thresholds = sorted({json.dumps(p["model"]["threshold"]) for p in run["fold_params"]})
            results[key] = {"config": cfg, "seconds": round(seconds, 1), "summary": summary, "cv": run,
                            "fold_thresholds": thresholds if not per_cat else len(thresholds)}
            print(f"\n== {key}  ({seconds:.0f} s; model thresholds chosen in folds: "
                  f"{', '.join(thresholds) if not per_cat else str(len(thresholds)) + ' distinct sets'})")
            print(table(summary))
        sys.stdout.flush()

    # the variant whose best combination (what would ship) has the best held-out F1; the first wins ties
    shipped = {k: v["summary"][cm.best_mode(v["summary"])]["all"]["f1"] for k, v in results.items()}
    best = max(results, key=lambda k: (shipped[k], -list(results).index(k)))
    summary = results[best]["summary"]
    print("\nheld-out F1, model alone / best combination: "
          + "; ".join(f"{k} {v['summary']['model']['all']['f1']:.3f} / {shipped[k]:.3f}" for k, v in results.items()))
    if rules is not None:
        print(f"\n{best}: F1 gain over the rules, bootstrap over documents (95% interval, share of resamples better)")
        for m in results[best]["cv"]["modes"]:
            if m != "rules":
                g = cm.gain_over_rules(results[best]["cv"], m)
                print(f"  {m:16} {g['gain']:+.4f}  [{g['ci95'][0]:+.4f}, {g['ci95'][1]:+.4f}]  {g['p_better']:.3f}")
    mode = cm.best_mode(summary, results[best]["cv"])
    print(f"best variant: {best}; best combination: {cm.best_mode(summary)} by F1, {mode} after the bootstrap")
    for m in summary:
        print(f"\n-- {best} / {m}\n{per_category(summary, m)}")
    if args.json:
        args.json.write_text(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "cv"}
                                         for k, v in results.items()}, ensure_ascii=False, indent=1))
        args.json.with_suffix(".oof.json").write_text(json.dumps(
            {k.split()[0]: v["cv"]["scores"] for k, v in results.items()}, indent=0))
    if args.save:
        r = results[best]
        meta = cm.finish(examples, sources, r["cv"], args.save, cv_label=label, inner=args.inner,
                         cv_seconds=r["seconds"], **r["config"])
        meta["cv"]["variants"] = {k: {"model": v["summary"]["model"]["all"], "best_combination": shipped[k]}
                                  for k, v in results.items()}
        cm.save_meta(args.save, meta)
        params = meta["params"].get(meta["combine"], {})
        print(f"\nsaved {args.save}: combine={meta['combine']} params={params} "
              f"train {meta['train_seconds']} s, {meta['size_bytes'] / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
