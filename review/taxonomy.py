"""The codes a reviewer may choose: read from extractors/data/taxonomy.json, else from the output models."""
from __future__ import annotations

import json
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

TAXONOMY_FILE = Path(__file__).resolve().parent.parent / "extractors" / "data" / "taxonomy.json"


@dataclass(frozen=True)
class Taxonomy:
    """Mechanism types, subjects and categories (code → origins), in their published order."""

    types: tuple[str, ...]
    subjects: tuple[str, ...]
    categories: tuple[str, ...]
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def title(self, code: str) -> str:
        """"CODE — label" for a select option, or the bare code."""
        return f"{code} — {self.labels[code]}" if self.labels.get(code) else code


def _codes(section) -> list[tuple[str, dict]]:
    """Accept a list of codes, a list of {code, …} objects or a {code: {…}} mapping."""
    if isinstance(section, dict):
        return [(str(k), v if isinstance(v, dict) else {}) for k, v in section.items()]
    out = []
    for item in section or []:
        if isinstance(item, str):
            out.append((item, {}))
        elif isinstance(item, dict) and item.get("code"):
            out.append((str(item["code"]), item))
    return out


def _from_models() -> Taxonomy:
    from pipeline.models import CategoryCode, MechanismType, Subject

    return Taxonomy(typing.get_args(MechanismType), typing.get_args(Subject), typing.get_args(CategoryCode))


def _label(info: dict) -> str:
    for key in ("label", "name", "title", "en", "ru"):
        if isinstance(info.get(key), str):
            return info[key]
    return ""


def parse_taxonomy(data: dict) -> Taxonomy:
    """Build a Taxonomy from the JSON data file; sections it lacks come from the output models."""
    base = _from_models()
    sections = {}
    for key in ("types", "subjects", "categories"):
        found = _codes(data.get(key) or data.get(key.rstrip("s")) or [])
        sections[key] = found
    origins = {code: tuple(info.get("origin") or info.get("origins") or ())
               for code, info in sections["categories"]}
    labels = {code: _label(info) for key in sections for code, info in sections[key] if _label(info)}
    descriptions = {code: str(info["description"]) for key in sections for code, info in sections[key]
                    if isinstance(info.get("description"), str)}
    return Taxonomy(
        types=tuple(c for c, _ in sections["types"]) or base.types,
        subjects=tuple(c for c, _ in sections["subjects"]) or base.subjects,
        categories=tuple(c for c, _ in sections["categories"]) or base.categories,
        origins=origins,
        labels=labels,
        descriptions=descriptions,
    )


@lru_cache(maxsize=1)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy the review app offers; falls back to the models' Literal codes when the file is absent."""
    path = Path(path) if path else TAXONOMY_FILE
    if path.is_file():
        try:
            return parse_taxonomy(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # a half-written file must not take the review app down
    return _from_models()
