"""Tables of the review store (SQLAlchemy 2) and the engine: SQLite in WAL mode by default, any URL works."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (DDL, JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, create_engine, event)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.pool import StaticPool

from . import DEFAULT_DB

STATUSES = ("pending", "accepted", "rejected", "edited", "needs_rereview")
DECIDED = ("accepted", "rejected", "edited")
ACTIONS = ("accept", "reject", "edit")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ActRow(Base):
    """One imported per-document file."""

    __tablename__ = "acts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    file: Mapped[str] = mapped_column(String(255))
    country: Mapped[str | None] = mapped_column(String(8), index=True)
    act: Mapped[dict] = mapped_column(JSON)
    pdf_path: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    clauses: Mapped[list["ClauseRow"]] = relationship(back_populates="act", order_by="ClauseRow.ordinal")


class ClauseRow(Base):
    """A clause with its page/bbox provenance, kept to show mechanisms in context."""

    __tablename__ = "clauses"
    __table_args__ = (UniqueConstraint("act_id", "clause_id"), Index("ix_clauses_act_ordinal", "act_id", "ordinal"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id", ondelete="CASCADE"))
    clause_id: Mapped[str] = mapped_column(String(255))
    ordinal: Mapped[int] = mapped_column(Integer)
    path: Mapped[list] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    page_start: Mapped[int] = mapped_column(Integer)
    page_end: Mapped[int] = mapped_column(Integer)
    bbox: Mapped[list] = mapped_column(JSON)
    act: Mapped[ActRow] = relationship(back_populates="clauses")


class MechanismRow(Base):
    """A predicted mechanism: the pipeline's prediction, the reviewed values, status and version."""

    __tablename__ = "mechanisms"
    __table_args__ = (UniqueConstraint("act_id", "mech_id"), Index("ix_mech_queue", "status", "confidence", "id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id", ondelete="CASCADE"), index=True)
    clause_pk: Mapped[int | None] = mapped_column(ForeignKey("clauses.id"))
    mech_id: Mapped[str] = mapped_column(String(255))
    ordinal: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    prediction: Mapped[dict] = mapped_column(JSON)
    prediction_hash: Mapped[str] = mapped_column(String(64))
    current: Mapped[dict] = mapped_column(JSON)
    # Denormalized from `current` so filters stay in SQL: the type, and "|CODE|CODE|" for categories.
    type: Mapped[str] = mapped_column(String(32), index=True)
    category_codes: Mapped[str] = mapped_column(Text, default="|")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    version: Mapped[int] = mapped_column(Integer, default=1)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    comment: Mapped[str] = mapped_column(Text, default="")
    act: Mapped[ActRow] = relationship()
    clause: Mapped[ClauseRow | None] = relationship()


class ReviewerRow(Base):
    """A reviewer; only the sha256 of the token is kept."""

    __tablename__ = "reviewers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DecisionRow(Base):
    """Append-only audit log: who did what to which mechanism, with the values before and after."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mechanism_pk: Mapped[int] = mapped_column(ForeignKey("mechanisms.id", ondelete="RESTRICT"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")


class LoginAttempt(Base):
    """One authentication attempt by a client, for rate limiting."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_client_at", "client", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
    ok: Mapped[bool] = mapped_column(Boolean)


# The audit log is append-only in the database itself, not only by convention in the code.
for _op in ("UPDATE", "DELETE"):
    event.listen(DecisionRow.__table__, "after_create", DDL(
        f"CREATE TRIGGER IF NOT EXISTS decisions_no_{_op.lower()} BEFORE {_op} ON decisions "
        "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END").execute_if(dialect="sqlite"))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(db_url: str = DEFAULT_DB) -> Engine:
    """An engine for `db_url`; SQLite gets WAL, foreign keys and a busy timeout, and its folder is created."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if url.database in (None, "", ":memory:"):
        kwargs["poolclass"] = StaticPool
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def store_folder(db_url: str) -> Path:
    """Where the store keeps its files (page images, session key): `<db stem>.files/` beside a SQLite file."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(url.database)
        return db.parent / f"{db.stem}.files"
    return Path("outputs") / "review.files"
