"""Review workflow: reviewers check extracted mechanisms in the browser; their decisions flow back as gold."""
from __future__ import annotations

from importlib import import_module

DEFAULT_DB = "sqlite:///outputs/review.db"

__all__ = ["Store", "Filters", "ImportResult", "create_app", "load_taxonomy", "Taxonomy", "ReviewError",
           "NotFound", "Conflict", "InvalidDecision", "ImportProblem", "DEFAULT_DB"]

_WHERE = {"Store": "store", "Filters": "store", "ImportResult": "store", "create_app": "app",
          "load_taxonomy": "taxonomy", "Taxonomy": "taxonomy", "ReviewError": "errors", "NotFound": "errors",
          "Conflict": "errors", "InvalidDecision": "errors", "ImportProblem": "errors"}


def __getattr__(name: str):
    # Lazy, so mounting the CLI does not import the web stack for every clusterlex command.
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'review' has no attribute {name!r}")
