"""The values a reviewer judges: taken from a prediction, changed by an edit, validated against the taxonomy."""
from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.models import Comparator, Currency, DeadlineOut, ReferenceOut

from .errors import InvalidDecision
from .taxonomy import Taxonomy

ATTRIBUTES = ("amounts", "thresholds", "deadlines", "bodies", "references")
FIELDS = ("type", "subject", "categories") + ATTRIBUTES


def reviewed_values(prediction: dict) -> dict:
    """The judged part of a mechanism: type, subject, category codes and attributes."""
    cats = [c["code"] if isinstance(c, dict) else str(c) for c in prediction.get("categories", [])]
    out = {"type": prediction.get("type"), "subject": prediction.get("subject"), "categories": cats}
    for key in ATTRIBUTES:
        out[key] = list(prediction.get(key) or [])
    return out


def prediction_hash(prediction: dict) -> str:
    """Fingerprint of what a reviewer judged; confidence or evidence changes alone do not count."""
    key = {**reviewed_values(prediction), "text": prediction.get("text", ""),
           "clause_id": prediction.get("clause_id", "")}
    key["categories"] = sorted(key["categories"])
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def category_column(values: dict) -> str:
    """`|A|B|` form of the category codes, so a filter is one LIKE in SQL."""
    return "|" + "".join(f"{c}|" for c in sorted(values.get("categories", [])))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AmountIn(_In):
    value: float = Field(ge=0)
    currency: Currency
    text: str = Field("", max_length=500)


class ThresholdIn(_In):
    comparator: Comparator
    value: float
    unit: str = Field("", max_length=100)
    text: str = Field("", max_length=500)


class Changes(_In):
    """What an edit may change; absent fields keep their current value."""

    type: str | None = None
    subject: str | None = None
    categories: list[str] | None = Field(None, max_length=20)
    amounts: list[AmountIn] | None = Field(None, max_length=50)
    thresholds: list[ThresholdIn] | None = Field(None, max_length=50)
    deadlines: list[DeadlineOut] | None = Field(None, max_length=50)
    bodies: list[str] | None = Field(None, max_length=50)
    references: list[ReferenceOut] | None = Field(None, max_length=50)


class DecisionIn(_In):
    """Body of `POST /api/items/{id}/decision`."""

    action: Literal["accept", "reject", "edit"]
    version: int
    changes: dict = Field(default_factory=dict)
    comment: str = Field("", max_length=4000)


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def apply_changes(current: dict, changes: dict | None, taxonomy: Taxonomy) -> dict:
    """`current` with `changes` applied; raises InvalidDecision naming each bad field."""
    try:
        parsed = Changes.model_validate(changes or {})
    except ValidationError as exc:
        raise InvalidDecision(_errors(exc)) from None
    new = dict(current)
    data = parsed.model_dump(exclude_none=True, mode="json")
    problems = []
    if "type" in data and data["type"] not in taxonomy.types:
        problems.append(f"type: unknown code {data['type']!r}")
    if "subject" in data and data["subject"] not in taxonomy.subjects:
        problems.append(f"subject: unknown code {data['subject']!r}")
    for code in data.get("categories", []):
        if code not in taxonomy.categories:
            problems.append(f"categories: unknown code {code!r}")
    if problems:
        raise InvalidDecision("; ".join(problems))
    if "categories" in data:
        data["categories"] = list(dict.fromkeys(data["categories"]))  # keep order, drop repeats
    new.update(data)
    return new
