"""Pydantic models of every file clusterlex writes; their JSON Schemas are published in outputs/schema/."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

MechanismType = Literal["GRANT", "INCENTIVE", "REQUIREMENT", "SELECTION", "COORDINATION", "MONITORING"]
Subject = Literal["TECHNOPARK", "MANAGEMENT_COMPANY", "CLUSTER", "CLUSTER_ORGANIZATION", "PARTICIPANT",
                  "PROJECT", "AUTHORITY", "OTHER"]
CategoryCode = Literal["NETWORK_ECOSYSTEM", "TRANSNATIONAL", "KNOWLEDGE_EXCHANGE", "CLUSTER_GRANTS",
                       "SME_STARTUPS", "SUPRANATIONAL_COORDINATION", "EXPORT_ORIENTATION",
                       "INNOVATION_INFRASTRUCTURE"]
Comparator = Literal[">=", "<=", ">", "<", "="]
Currency = Literal["RUB", "BYN", "USD", "EUR"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """The input file."""

    file: str
    sha256: str
    pages: int
    ocr: bool = False
    ocr_pages: list[int] = Field(default_factory=list, description="1-based pages read by OCR")
    engine: str = Field("", description="PDF engine that produced the text")


class Act(_Model):
    """Act metadata (SPEC §3); null where not found."""

    country: Literal["RU", "BY"] | None = None
    type: str | None = None
    issuer: str | None = None
    number: str | None = None
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    title: str | None = None
    language: Literal["ru", "be"] | None = None
    evidence: dict[str, str] = Field(default_factory=dict, description="field -> rule that set it")
    in_scope: bool = Field(True, description="the act concerns cluster or innovation policy; else no mechanisms")
    scope_evidence: list[str] = Field(default_factory=list, description="domain words found in the act")


class ClauseOut(_Model):
    """One clause with its provenance."""

    id: str
    path: list[str]
    text: str
    page_start: int
    page_end: int
    bbox: list[list[float]] = Field(description="[page, x0, top, x1, bottom] per page, PDF points")
    char_start: int
    char_end: int
    kind: str = ""
    parent_id: str | None = None
    rule: str = ""


class TableOut(_Model):
    """A table kept as its own record, linked to the clause it follows."""

    clause_id: str | None
    page: int
    bbox: list[float]
    rows: list[list[str]]


class AmountOut(_Model):
    value: float = Field(ge=0)
    currency: Currency
    text: str


class ThresholdOut(_Model):
    comparator: Comparator
    value: float
    unit: str
    text: str


class DeadlineOut(_Model):
    text: str
    days: int | None = None
    working_days: bool = False
    date: str | None = None


class ReferenceOut(_Model):
    text: str
    type: str | None = None
    number: str | None = None
    date: str | None = None


class CategoryOut(_Model):
    code: CategoryCode
    score: float = Field(ge=0, le=1)
    origin: list[Literal["EU", "US", "JP"]]
    evidence: list[str]


class Evidence(_Model):
    """Why a mechanism was extracted: the rule or model, the words that fired, where they stand."""

    rule: str
    triggers: list[str]
    page: int
    bbox: list[list[float]]


class MechanismOut(_Model):
    """A cluster-policy instrument established by a clause (SPEC §4)."""

    id: str
    clause_id: str
    type: MechanismType
    subject: Subject
    text: str
    amounts: list[AmountOut] = Field(default_factory=list)
    thresholds: list[ThresholdOut] = Field(default_factory=list)
    deadlines: list[DeadlineOut] = Field(default_factory=list)
    bodies: list[str] = Field(default_factory=list)
    references: list[ReferenceOut] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)
    method: str
    categories: list[CategoryOut] = Field(default_factory=list)
    evidence: Evidence | None = None


class PipelineInfo(_Model):
    version: str
    run_id: str
    processed_at: str


class ActDocument(_Model):
    """The per-document file `acts/<name>.json`."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    doc_id: str = Field(description="sha256 of the PDF bytes, hex")
    source: Source
    act: Act
    clauses: list[ClauseOut]
    tables: list[TableOut] = Field(default_factory=list)
    mechanisms: list[MechanismOut] = Field(default_factory=list)
    pipeline: PipelineInfo


class MechanismRow(MechanismOut):
    """One row of `mechanisms.jsonl`: a mechanism, flat and joinable on `doc_id`."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    doc_id: str
    file: str
    act_country: str | None = None
    act_type: str | None = None
    act_number: str | None = None
    act_date: str | None = None
    page_start: int | None = None


class ErrorRow(_Model):
    """One row of `errors.jsonl`: an input that could not be processed."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    file: str
    sha256: str | None = None
    reason: str = Field(description="short code: not_pdf, encrypted, truncated, empty, too_large, timeout, …")
    message: str
    stage: str = ""
    run_id: str = ""


class StageTimes(_Model):
    """Seconds of work per stage summed over documents (in the workers, without queueing)."""

    ingest: float = Field(0.0, description="PDF reading, OCR and text normalization")
    structure: float = 0.0
    nlp: float = 0.0
    write: float = 0.0


class RunInfo(_Model):
    """`run.json`: what one run did."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    run_id: str
    pipeline_version: str
    started_at: str
    finished_at: str
    inputs: int
    processed: int
    skipped: int = 0
    failed: int
    pages: int
    clauses: int
    mechanisms: int
    seconds: float
    stage_seconds: StageTimes
    versions: dict[str, str]
    missing: list[str] = Field(default_factory=list, description="inputs of earlier runs no longer present")


SCHEMAS: dict[str, type[BaseModel]] = {
    "act.schema.json": ActDocument,
    "mechanism-row.schema.json": MechanismRow,
    "error-row.schema.json": ErrorRow,
    "run.schema.json": RunInfo,
}
