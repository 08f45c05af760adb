"""The taxonomy (SPEC §4–§5): mechanism types, subjects, foreign-experience categories and their origins.

One data file, `data/taxonomy.json`, is the single source: the rules, the JSON Schema and the review app
all read it through `load_taxonomy()`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["load_taxonomy", "TYPES", "SUBJECTS", "CATEGORIES", "ORIGINS", "ORIGIN_NAMES", "describe"]


class TaxonomyError(ValueError):
    """The taxonomy data file is malformed."""


@lru_cache(maxsize=1)
def load_taxonomy() -> dict[str, Any]:
    """The parsed `taxonomy.json`, checked: unique codes and known origins for every category."""
    raw = resources.files("extractors").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    origins = set(data.get("origins", {}))
    for section in ("types", "subjects", "categories"):
        codes = [item["code"] for item in data.get(section, [])]
        if not codes or len(codes) != len(set(codes)):
            raise TaxonomyError(f"taxonomy.json: expected unique, non-empty codes in {section!r}, got {codes}")
    for cat in data["categories"]:
        if not cat.get("origin") or not set(cat["origin"]) <= origins:
            raise TaxonomyError(f"taxonomy.json: category {cat['code']} has origin {cat.get('origin')}, "
                                f"expected a non-empty subset of {sorted(origins)}")
    return data


def describe(code: str) -> str:
    """The short description of a type, subject or category code ("" when unknown)."""
    data = load_taxonomy()
    for section in ("types", "subjects", "categories"):
        for item in data[section]:
            if item["code"] == code:
                return item.get("description", "")
    return ""


TYPES: tuple[str, ...] = tuple(t["code"] for t in load_taxonomy()["types"])
SUBJECTS: tuple[str, ...] = tuple(s["code"] for s in load_taxonomy()["subjects"])
CATEGORIES: tuple[str, ...] = tuple(c["code"] for c in load_taxonomy()["categories"])
# category code -> its fixed origin, e.g. ORIGINS["CLUSTER_GRANTS"] == ("US", "EU")
ORIGINS = MappingProxyType({c["code"]: tuple(c["origin"]) for c in load_taxonomy()["categories"]})
ORIGIN_NAMES = MappingProxyType(dict(load_taxonomy()["origins"]))
