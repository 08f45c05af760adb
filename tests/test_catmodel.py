"""Trained category classifier: learning, determinism, save/load, folds, thresholds and the combination modes."""
import json
from pathlib import Path

import pytest

from extractors import catmodel as cm
from extractors.records import CategoryLabel
from extractors.taxonomy import CATEGORIES, ORIGINS

INFRA, EXPORT, GRANTS = "INNOVATION_INFRASTRUCTURE", "EXPORT_ORIENTATION", "CLUSTER_GRANTS"


def ex(text, labels=(), type="REQUIREMENT", subject="OTHER", doc="d1"):
    return cm.CatExample(text, type, subject, frozenset(labels), "ru", doc)


TINY = [
    ex("Технопарк размещается на земельном участке площадью не менее 5 гектаров.", [INFRA], doc="a"),
    ex("Управляющая компания технопарка обеспечивает работу инженерной инфраструктуры.", [INFRA], doc="a"),
    ex("Резиденты технопарка пользуются офисными помещениями.", [INFRA], doc="b"),
    ex("В технопарке создается центр коллективного пользования оборудованием.", [INFRA], doc="b"),
    ex("Технопарк включается в реестр по заявлению управляющей компании.", [INFRA], doc="c"),
    ex("Министерство ведет перечень технопарков области.", [INFRA], doc="c"),
    ex("Участники кластера осуществляют экспорт продукции на внешние рынки.", [EXPORT], doc="d"),
    ex("Доля экспорта в выручке участников составляет не менее 10 процентов.", [EXPORT], doc="d"),
    ex("Организация содействует продвижению экспорта продукции кластера.", [EXPORT], doc="e"),
    ex("Заявка подписывается руководителем и направляется в министерство.", [], doc="e"),
    ex("Комиссия принимает решение большинством голосов присутствующих членов.", [], doc="f"),
    ex("Решение комиссии оформляется протоколом в течение 5 рабочих дней.", [], doc="f"),
]


@pytest.fixture(scope="module")
def tiny_model():
    return cm.train(TINY, seed=0)


@pytest.mark.parametrize("text, expected", [
    ("Оператор технопарка предоставляет резидентам лаборатории.", INFRA),
    ("Программа предусматривает рост экспорта продукции участников.", EXPORT),
])
def test_catmodel_learns_obvious_label(tiny_model, text, expected):
    scores = cm.predict(tiny_model, text, "REQUIREMENT", "OTHER")
    assert set(scores) == set(CATEGORIES)
    assert scores[expected] > 0.5
    assert scores[expected] == max(scores.values())


def test_catmodel_unseen_plain_text_gets_no_label(tiny_model):
    scores = cm.predict(tiny_model, "Протокол подписывается председателем комиссии.", "SELECTION", "AUTHORITY")
    assert max(scores.values()) < 0.5


def test_catmodel_training_is_deterministic(tiny_model):
    again = cm.train(TINY, seed=0)
    items = [(e.text, e.type, e.subject) for e in TINY]
    assert cm.predict_many(again, items) == cm.predict_many(tiny_model, items)


def test_catmodel_save_load_roundtrip(tiny_model, tmp_path):
    cm.save(tiny_model, tmp_path / "m", {"combine": "union", "params": {"union": {"threshold": 0.4}}})
    loaded = cm.load(tmp_path / "m")
    assert loaded is cm.load(tmp_path / "m")  # read once per process
    items = [(e.text, e.type, e.subject) for e in TINY] + [("Новый текст о технопарке.", "GRANT", "TECHNOPARK")]
    assert cm.predict_many(loaded, items) == cm.predict_many(tiny_model, items)
    assert cm.load_meta(tmp_path / "m")["combine"] == "union"


@pytest.mark.parametrize("kind, expected", [
    ("lemma", ["__GRANT__", "__CLUSTER__", "субсидия", "предоставляться", "кластер"]),
    ("lower", ["__GRANT__", "__CLUSTER__", "субсидии", "предоставляются", "кластерам"]),
    ("stem", ["__GRANT__", "__CLUSTER__", "субсид", "предос", "класте"]),
])
def test_catmodel_features_put_type_and_subject_first(kind, expected):
    assert cm.features("Субсидии предоставляются кластерам.", "GRANT", "CLUSTER", kind) == expected


R, S = {INFRA}, {INFRA: 0.2, EXPORT: 0.9, GRANTS: 0.5}
COMBINE_ROWS = [
    ("rules", R, S, {}, {INFRA}),
    ("model", R, S, {"threshold": 0.5}, {EXPORT, GRANTS}),
    ("model", R, S, {"threshold": 0.6}, {EXPORT}),
    ("union", R, S, {"threshold": 0.5}, {INFRA, EXPORT, GRANTS}),
    ("rules_add", R, S, {"high": 0.8}, {INFRA, EXPORT}),
    ("rules_add", R, S, {"high": 0.95}, {INFRA}),
    ("rules_veto", R, S, {"low": 0.1}, {INFRA}),
    ("rules_veto", R, S, {"low": 0.2}, set()),  # a rule label at or under the veto bound is dropped
    ("rules_add_veto", R, S, {"low": 0.3, "high": 0.8}, {EXPORT}),
    ("rules_add_veto", {GRANTS}, S, {"low": 0.3, "high": 0.95}, {GRANTS}),
    # one threshold per category
    ("model", R, S, {"threshold": {**dict.fromkeys(CATEGORIES, 0.95), GRANTS: 0.4}}, {GRANTS}),
    ("rules_veto", R, S, {"low": {**dict.fromkeys(CATEGORIES, 0.5), INFRA: 0.1}}, {INFRA}),
]


@pytest.mark.parametrize("mode, rules, scores, params, expected", COMBINE_ROWS)
def test_catmodel_decide_modes(mode, rules, scores, params, expected):
    assert cm.decide(mode, rules, scores, params) == expected


def test_catmodel_decide_rejects_unknown_mode():
    with pytest.raises(ValueError, match="expected a mode"):
        cm.decide("vote", set(), {}, {})


def test_catmodel_combine_labels_carry_origin_and_evidence():
    rule = CategoryLabel(code=INFRA, score=0.8, origin=ORIGINS[INFRA], evidence=("технопарк", "category.x"))
    meta = {"combine": "union", "params": {"union": {"threshold": 0.5}}}
    out = cm.combine([rule], {INFRA: 0.1, EXPORT: 0.834, GRANTS: 0.2}, meta)
    assert [lab.code for lab in out] == [EXPORT, INFRA]  # taxonomy order
    assert out[1] is rule
    assert out[0] == CategoryLabel(code=EXPORT, score=0.83, origin=ORIGINS[EXPORT],
                                   evidence=("model:textcat 0.83",))


@pytest.mark.parametrize("meta, scores", [
    ({}, {EXPORT: 0.99}),  # no choice recorded: the rules
    ({"combine": "model", "params": {"model": {"threshold": 0.5}}}, None),  # no model: the rules
])
def test_catmodel_combine_falls_back_to_rules(meta, scores):
    rule = CategoryLabel(code=INFRA, score=0.8, origin=ORIGINS[INFRA], evidence=("технопарк",))
    assert cm.combine([rule], scores, meta) == [rule]


@pytest.mark.parametrize("mode, expected", [
    ("rules", [GRANTS]),
    ("union", [GRANTS, INFRA]),
    ("model", [INFRA]),
])
def test_catmodel_refine_uses_the_trained_choice(tiny_model, mode, expected):
    rule = CategoryLabel(code=GRANTS, score=0.9, origin=ORIGINS[GRANTS], evidence=("субсидия",))
    meta = {"combine": mode, "params": {m: {"threshold": 0.5} for m in ("union", "model")}}
    out = cm.refine([rule], "Резидентам технопарка предоставляются помещения.", "INCENTIVE", "PARTICIPANT",
                    model=(tiny_model, meta))
    assert [lab.code for lab in out] == expected


def test_catmodel_doc_folds_keep_documents_whole():
    loo = cm.doc_folds(TINY)
    assert len(loo) == 6
    five = cm.doc_folds(TINY, 4)
    for folds in (loo, five):
        assert sorted(i for f in folds for i in f) == list(range(len(TINY)))
        for f in folds:
            for g in folds:
                if f is not g:
                    assert not {TINY[i].doc_id for i in f} & {TINY[i].doc_id for i in g}


def test_catmodel_choose_params_finds_the_separating_threshold():
    gold = [frozenset({INFRA}), frozenset(), frozenset({INFRA})]
    scores = [{INFRA: 0.7}, {INFRA: 0.4}, {INFRA: 0.9}]
    params, f1 = cm.choose_params("model", [set(), set(), set()], scores, gold)
    assert 0.4 < params["threshold"] <= 0.7 and f1 == 1.0
    params, f1 = cm.choose_params("rules_veto", [{INFRA}, {INFRA}, {INFRA}], scores, gold)
    assert 0.4 <= params["low"] < 0.7 and f1 == 1.0


def test_catmodel_choose_params_per_category():
    gold = [frozenset({INFRA}), frozenset({EXPORT}), frozenset({INFRA, EXPORT})]
    scores = [{INFRA: 0.7, EXPORT: 0.1}, {INFRA: 0.6, EXPORT: 0.3}, {INFRA: 0.9, EXPORT: 0.35}]
    params, f1 = cm.choose_params("model", [set()] * 3, scores, gold, per_category=True)
    assert 0.6 < params["threshold"][INFRA] <= 0.7
    assert 0.1 < params["threshold"][EXPORT] <= 0.3
    assert f1 == 1.0
    assert cm.choose_params("model", [set()] * 3, scores, gold)[1] < 1.0  # no single threshold does it


def _cv(rules_right: int, union_right: int, docs: int = 10) -> dict:
    gold = [frozenset({INFRA})] * docs
    return {"gold": gold, "doc_ids": [f"d{i}" for i in range(docs)], "modes": ["rules", "union"],
            "preds": {"rules": [{INFRA} if i < rules_right else set() for i in range(docs)],
                      "union": [{INFRA} if i < union_right else set() for i in range(docs)]}}


@pytest.mark.parametrize("rules_right, union_right, expected", [
    (0, 10, "union"),  # better on every document
    (10, 10, "rules"),  # a tie goes to the rules
    (9, 10, "rules"),  # better on one act of ten: a bootstrap over documents cannot tell
    (3, 10, "union"),
])
def test_catmodel_best_mode_needs_a_gain_the_documents_confirm(rules_right, union_right, expected):
    cv = _cv(rules_right, union_right)
    summary = {m: {"all": cm.micro_prf(cv["gold"], cv["preds"][m])} for m in cv["modes"]}
    assert cm.best_mode(summary, cv) == expected
    assert cm.best_mode(summary) == ("rules" if rules_right == union_right else "union")


@pytest.mark.parametrize("gold, pred, code, expected", [
    ([{INFRA}, {EXPORT}], [{INFRA}, set()], None, (1.0, 0.5)),
    ([{INFRA}, {EXPORT}], [{INFRA, EXPORT}, {EXPORT}], None, (2 / 3, 1.0)),
    ([{INFRA}, {EXPORT}], [{INFRA, EXPORT}, {EXPORT}], INFRA, (1.0, 1.0)),
])
def test_catmodel_micro_prf(gold, pred, code, expected):
    s = cm.micro_prf([frozenset(g) for g in gold], pred, code)
    assert (s["p"], s["r"]) == pytest.approx(expected, abs=1e-4)


def test_catmodel_read_gold(tmp_path):
    gold = {"act": {"language": "be"}, "mechanisms": [
        {"quote": "Тэхнапарк …", "type": "REQUIREMENT", "subject": "TECHNOPARK", "categories": [INFRA]},
        {"quote": "Заяўка …", "type": "SELECTION", "subject": "OTHER", "categories": []}]}
    (tmp_path / "x.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    examples, sources = cm.read_gold([tmp_path])
    assert [(e.doc_id, e.language, e.labels) for e in examples] == [("x", "be", {INFRA}), ("x", "be", set())]
    assert sources[0]["mechanisms"] == 2 and len(sources[0]["sha256"]) == 64
    gold["mechanisms"][0]["categories"] = ["ROBOTICS"]
    (tmp_path / "x.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown categories"):
        cm.read_gold([tmp_path])


def test_catmodel_bundled_model_is_small_and_says_how_to_combine():
    bundled = cm.default_model()
    if bundled is None:
        pytest.skip("no bundled model")
    nlp, meta = bundled
    assert cm.default_model() is bundled
    assert meta["combine"] in cm.MODES
    assert meta["size_bytes"] < 5_000_000
    folder = Path(str(nlp.path)) if nlp.path else None
    scores = cm.predict(nlp, "Управляющая компания технопарка обеспечивает резидентов помещениями.",
                        "REQUIREMENT", "MANAGEMENT_COMPANY")
    assert scores[INFRA] > 0.5, folder


def test_catmodel_refine_many_equals_one_call_each():
    from extractors.catmodel import default_model, refine, refine_many
    from extractors.records import CategoryLabel

    model = default_model()
    if model is None:
        pytest.skip("no bundled category model")
    items = [
        ([CategoryLabel("CLUSTER_GRANTS", 0.9, ("EU",), ("субсиди*",))],
         "Субсидия предоставляется специализированной организации кластера на реализацию совместных проектов.",
         "GRANT", "CLUSTER_ORGANIZATION"),
        ([], "Резидентам технопарка предоставляется пониженная ставка арендной платы.", "INCENTIVE", "PARTICIPANT"),
        ([], "Удзельнікі кластара штогод прадстаўляюць справаздачу аб экспарце прадукцыі.", "MONITORING",
         "PARTICIPANT"),
    ]
    assert refine_many(items, model=model) == [refine(l, t, ty, s, model=model) for l, t, ty, s in items]
