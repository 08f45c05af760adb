"""Published schemas equal the models; writes are atomic."""
import json
from pathlib import Path

import pytest

from pipeline.models import ActDocument, ErrorRow
from pipeline.outputs import atomic_write_text, model_json, schema_texts, write_jsonl

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "outputs" / "schema"


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_outputs_published_schema_equals_model(name):
    published = SCHEMA_DIR / name
    assert published.exists(), f"{name} not published: run `make schema`"
    assert json.loads(published.read_text(encoding="utf-8")) == json.loads(schema_texts()[name]), (
        f"{name} differs from the models: run `make schema` and review the change")


def test_outputs_act_schema_keeps_contract_fields():
    props = ActDocument.model_json_schema()["properties"]
    for field in ("schema_version", "doc_id", "source", "act", "clauses", "tables", "mechanisms", "pipeline"):
        assert field in props


def test_outputs_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    atomic_write_text(target, "old\n")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left behind


def test_outputs_jsonl_one_row_per_line(tmp_path):
    rows = [ErrorRow(file=f"{i}.pdf", reason="not_pdf", message="не PDF") for i in range(3)]
    n = write_jsonl(tmp_path / "errors.jsonl", rows)
    lines = (tmp_path / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert n == 3 and [json.loads(x)["file"] for x in lines] == ["0.pdf", "1.pdf", "2.pdf"]
    assert "не PDF" in lines[0]  # UTF-8 kept readable


def test_outputs_act_json_is_the_plain_json_text(tmp_path):
    # the act files keep the format json.dumps gives them (UTF-8 kept, two-space indent, field order),
    # on a real act with clauses, mechanisms, amounts and bboxes
    from extractors.nlp import get_nlp
    from pipeline import process

    pdf = Path(__file__).resolve().parent.parent / "corpora" / "devset" / "ru-400-innovation-clusters-selection.pdf"
    doc = process.read_text(pdf)
    structured = process.structure(doc)
    act = process.assemble(pdf, "0" * 64, doc, structured, process.extract(structured, get_nlp()), "run")
    assert act.mechanisms and any(m.amounts or m.thresholds for m in act.mechanisms)
    text = model_json(act)
    assert text == json.dumps(act.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    assert "кластер" in text and "\\u04" not in text  # Cyrillic kept as it is, not escaped
