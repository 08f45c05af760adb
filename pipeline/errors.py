"""Errors the pipeline raises on bad input; each carries a reason code and a message a person can act on."""
from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None, path: str | None = None):
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.path = path

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{self.path}: {msg}" if self.path else msg


class IngestError(PipelineError):
    """A PDF could not be read: reason is one of not_found, empty, not_pdf, truncated, encrypted, damaged, no_text."""

    reason = "damaged"
