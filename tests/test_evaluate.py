"""The scorer against a small example computed by hand (SPEC §7)."""
import json

import pytest

from pipeline.evaluate import evaluate, norm, score_document, text_matches

Q1 = "Субсидия предоставляется управляющей компании кластера в размере не более 300 млн рублей."
Q2 = "участниками кластера являются не менее 10 организаций"
Q3 = "Министерство ведет реестр кластеров."

GOLD = {
    "act": {"country": "RU", "type": "приказ", "number": "400", "date": "2016-03-27", "language": "ru"},
    "mechanisms": [
        {"quote": Q1, "type": "GRANT", "subject": "MANAGEMENT_COMPANY", "categories": ["CLUSTER_GRANTS"],
         "amounts": [{"value": 300000000, "currency": "RUB"}], "thresholds": []},
        {"quote": Q2, "type": "REQUIREMENT", "subject": "CLUSTER", "categories": [],
         "amounts": [], "thresholds": [{"comparator": ">=", "value": 10, "unit": "организация"}]},
        {"quote": Q3, "type": "SELECTION", "subject": "CLUSTER", "categories": ["SUPRANATIONAL_COORDINATION"],
         "amounts": [], "thresholds": []},
    ],
}

PRED = {
    "act": {"country": "RU", "type": "приказ", "number": "400", "date": "2016-03-28"},
    "clauses": [{"text": Q1}, {"text": "2. Требования: " + Q2}, {"text": "Министерство"}],
    "mechanisms": [
        # matches gold 1, right subject, categories right plus one extra, amount right (within 0.5 %)
        {"text": Q1.upper(), "type": "GRANT", "subject": "MANAGEMENT_COMPANY",
         "categories": [{"code": "CLUSTER_GRANTS"}, {"code": "SME_STARTUPS"}],
         "amounts": [{"value": 301000000, "currency": "RUB"}], "thresholds": []},
        # lead-in comes along: still a match; wrong subject; threshold comparator wrong
        {"text": "Требования: " + Q2, "type": "REQUIREMENT", "subject": "PARTICIPANT", "categories": [],
         "amounts": [], "thresholds": [{"comparator": ">", "value": 10}]},
        # right text, wrong type: a false positive, and gold 3 stays a false negative
        {"text": Q3, "type": "MONITORING", "subject": "CLUSTER", "categories": [], "amounts": [], "thresholds": []},
    ],
}


def test_evaluate_hand_computed_example():
    ds = score_document("x", GOLD, PRED)
    assert (ds.mechanisms.tp, ds.mechanisms.fp, ds.mechanisms.fn) == (2, 1, 1)
    assert ds.mechanisms.precision == pytest.approx(2 / 3)
    assert ds.mechanisms.f1 == pytest.approx(2 / 3)
    assert (ds.subject.right, ds.subject.total) == (1, 2)
    cats = ds.per_category
    assert (cats["CLUSTER_GRANTS"].tp, cats["SME_STARTUPS"].fp) == (1, 1)
    assert "SUPRANATIONAL_COORDINATION" not in cats  # only matched pairs count
    assert (ds.amounts.right, ds.amounts.total) == (1, 1)
    assert (ds.thresholds.right, ds.thresholds.total) == (0, 1)
    assert ds.act == {"country": True, "type": True, "number": True, "date": False}
    # clause recall: Q1 exact, Q2 with a short lead-in, Q3's clause covers less than half the quote → 2/3
    assert (ds.clause_recall.right, ds.clause_recall.total) == (2, 3)
    kinds = sorted(e["kind"] for e in ds.errors)
    assert kinds == ["FN", "FP", "mismatch", "mismatch"]


@pytest.mark.parametrize("quote,text,expected", [
    ("абв где", "абв где", True),
    ("абв где", "1. абв где; жзи", True),                      # a lead-in may come along
    ("абвгд", "x" * 200 + "абвгд", False),                     # but not a whole page
    ("абвгдежзик", "абвгде", True),                            # prediction covers more than half the quote
    ("абвгдежзик", "абвг", False),                             # less than half
    ("", "абв", False),
])
def test_evaluate_text_matches_bounds(quote, text, expected):
    assert text_matches(norm(quote), norm(text)) is expected


@pytest.mark.parametrize("raw,expected", [
    ("Ёлка  И\tпалка", "елка и палка"),
    ("институционально-пра-\nвовых", "институционально-правовых"),
    ("мяг\u00adкий", "мягкий"),
])
def test_evaluate_normalization(raw, expected):
    assert norm(raw) == expected


def test_evaluate_each_side_matches_once(tmp_path):
    gold = {"act": {}, "mechanisms": [{"quote": Q3, "type": "SELECTION", "subject": "CLUSTER"}] * 2}
    pred = {"act": {}, "clauses": [], "mechanisms": [{"text": Q3, "type": "SELECTION", "subject": "CLUSTER"}]}
    ds = score_document("d", gold, pred)
    assert (ds.mechanisms.tp, ds.mechanisms.fp, ds.mechanisms.fn) == (1, 0, 1)


def test_evaluate_reads_folders_and_reports_missing(tmp_path):
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "out"
    (pred_dir / "acts").mkdir(parents=True)
    gold_dir.mkdir()
    (gold_dir / "a.gold.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    (gold_dir / "b.gold.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    doc = dict(PRED, source={"file": "a.pdf"})
    (pred_dir / "acts" / "a.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    report = evaluate(gold_dir, pred_dir).as_dict()
    assert report["missing_predictions"] == ["b"]
    assert report["mechanisms"]["tp"] == 2 and report["mechanisms"]["fn"] == 4
