"""The taxonomy data file: every code loads, every category has its fixed origin."""
import json

import pytest

from extractors import taxonomy
from extractors.taxonomy import CATEGORIES, ORIGINS, SUBJECTS, TYPES, describe, load_taxonomy


def test_taxonomy_has_the_spec_codes():
    assert TYPES == ("GRANT", "INCENTIVE", "REQUIREMENT", "SELECTION", "COORDINATION", "MONITORING")
    assert SUBJECTS == ("TECHNOPARK", "MANAGEMENT_COMPANY", "CLUSTER", "CLUSTER_ORGANIZATION", "PARTICIPANT",
                        "PROJECT", "AUTHORITY", "OTHER")
    assert len(CATEGORIES) == 8


@pytest.mark.parametrize("code,origin", [
    ("NETWORK_ECOSYSTEM", ("EU",)), ("TRANSNATIONAL", ("EU", "US")), ("KNOWLEDGE_EXCHANGE", ("EU", "JP")),
    ("CLUSTER_GRANTS", ("US", "EU")), ("SME_STARTUPS", ("US",)), ("SUPRANATIONAL_COORDINATION", ("EU",)),
    ("EXPORT_ORIENTATION", ("US", "EU")), ("INNOVATION_INFRASTRUCTURE", ("US", "JP")),
])
def test_taxonomy_every_category_has_its_origin(code, origin):
    assert ORIGINS[code] == origin


@pytest.mark.parametrize("code", TYPES + SUBJECTS + CATEGORIES)
def test_taxonomy_every_code_has_a_description(code):
    assert describe(code)


def test_taxonomy_origins_are_known_and_read_only():
    data = load_taxonomy()
    assert all(set(o) <= set(data["origins"]) for o in ORIGINS.values())
    with pytest.raises(TypeError):
        ORIGINS["NEW"] = ("EU",)  # type: ignore[index]


def test_taxonomy_rejects_an_unknown_origin(monkeypatch):
    bad = load_taxonomy().copy()
    bad["categories"] = [dict(bad["categories"][0], origin=["XX"])]
    monkeypatch.setattr(taxonomy.resources, "files", lambda _pkg: _Fake(json.dumps(bad)))
    taxonomy.load_taxonomy.cache_clear()
    try:
        with pytest.raises(taxonomy.TaxonomyError):
            taxonomy.load_taxonomy()
    finally:
        monkeypatch.undo()
        taxonomy.load_taxonomy.cache_clear()
        load_taxonomy()


class _Fake:
    def __init__(self, text):
        self.text = text

    def joinpath(self, _):
        return self

    def read_text(self, encoding="utf-8"):
        return self.text
