"""Errors of the review store; the web app and the CLI turn each into one clear message."""
from __future__ import annotations


class ReviewError(Exception):
    """Base class of every review error."""


class NotFound(ReviewError):
    """No such mechanism, act or reviewer."""


class Conflict(ReviewError):
    """The item changed since the reviewer loaded it (stale version); nothing was written."""

    def __init__(self, current_version: int):
        super().__init__(f"stale version: the item is now at version {current_version}; reload it and decide again")
        self.current_version = current_version


class InvalidDecision(ReviewError):
    """A decision or its changes do not fit the taxonomy or the attribute shapes."""


class ImportProblem(ReviewError):
    """A run output folder cannot be imported."""
