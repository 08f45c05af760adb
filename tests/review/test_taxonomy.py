"""The review app reads the codes from the taxonomy data file, tolerating its shapes, else from the models."""
import typing

import pytest

from pipeline.models import CategoryCode, MechanismType, Subject
from review.taxonomy import load_taxonomy, parse_taxonomy


def test_taxonomy_codes_agree_with_output_models():
    tx = load_taxonomy()
    assert set(tx.types) == set(typing.get_args(MechanismType))
    assert set(tx.subjects) == set(typing.get_args(Subject))
    assert set(tx.categories) == set(typing.get_args(CategoryCode))


@pytest.mark.parametrize("data,types,origin", [
    ({"types": ["GRANT", "INCENTIVE"]}, ("GRANT", "INCENTIVE"), ()),
    ({"types": [{"code": "GRANT", "name": "Grant"}], "categories": [{"code": "SME_STARTUPS", "origin": ["US"]}]},
     ("GRANT",), ("US",)),
    ({"types": {"GRANT": {"label": "Grant"}}, "categories": {"SME_STARTUPS": {"origins": ["US"]}}},
     ("GRANT",), ("US",)),
    ({}, typing.get_args(MechanismType), ()),
])
def test_taxonomy_parses_every_shape(data, types, origin):
    tx = parse_taxonomy(data)
    assert tx.types == types
    assert tx.origins.get("SME_STARTUPS", ()) == origin
    assert tx.subjects  # missing sections fall back to the models


def test_taxonomy_missing_or_broken_file_falls_back(tmp_path):
    broken = tmp_path / "taxonomy.json"
    broken.write_text("{half", encoding="utf-8")
    for path in (broken, tmp_path / "absent.json"):
        load_taxonomy.cache_clear()
        assert load_taxonomy(path).types == typing.get_args(MechanismType)
    load_taxonomy.cache_clear()


def test_taxonomy_title_uses_label():
    tx = parse_taxonomy({"types": [{"code": "GRANT", "name": "Grant"}]})
    assert tx.title("GRANT") == "GRANT — Grant" and tx.title("OTHER") == "OTHER"
