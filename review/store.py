"""The review store: import a run, manage reviewers, list items, record decisions with compare-and-set."""
from __future__ import annotations

import glob
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from pipeline.models import ActDocument

from .db import (ACTIONS, DECIDED, DEFAULT_DB, STATUSES, ActRow, Base, ClauseRow, DecisionRow, LoginAttempt,
                 MechanismRow, ReviewerRow, make_engine, store_folder, utcnow)
from .errors import Conflict, ImportProblem, InvalidDecision, NotFound, ReviewError
from .taxonomy import load_taxonomy
from .values import apply_changes, category_column, prediction_hash, reviewed_values

STATUS_FILTERS = ("open", "all") + STATUSES
WITH_RELATIONS = (joinedload(MechanismRow.act), joinedload(MechanismRow.clause))  # one query, not three
NAME_RE = re.compile(r"^[\w .@+\-]{1,120}$")


def hash_token(token: str) -> str:
    """sha256 of a token; tokens are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Filters:
    """Queue filters; `status` "open" means pending or needs_rereview."""

    act: str | None = None
    country: str | None = None
    type: str | None = None
    category: str | None = None
    status: str = "open"

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class ImportResult:
    """What one import did."""

    acts: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    flagged: list[int] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    pdf_missing: list[str] = field(default_factory=list)


def _pdf_for(pdf_root: Path, file: str, sha256: str) -> str | None:
    """The PDF named by `source.file` under `pdf_root` with the right sha256; directories in the name are ignored."""
    name = PureWindowsPath(PurePosixPath(file).name).name
    if not name or name in (".", ".."):
        return None
    root = pdf_root.resolve()
    candidates = [root / name] + sorted(Path(p) for p in glob.glob(str(root / "**" / glob.escape(name)),
                                                                    recursive=True))
    for cand in candidates:
        real = cand.resolve()
        if real.is_file() and real.is_relative_to(root):
            if not sha256 or hashlib.sha256(real.read_bytes()).hexdigest() == sha256:
                return str(real)
    return None


def snapshot(m: MechanismRow) -> dict:
    """The audited state of a mechanism."""
    return {"status": m.status, "version": m.version, "values": m.current}


class Store:
    """One review database plus its folder (page-image cache, session key)."""

    def __init__(self, db_url: str = DEFAULT_DB, data_dir: Path | str | None = None):
        self.url = db_url
        self.engine = make_engine(db_url)
        Base.metadata.create_all(self.engine)
        self.session = sessionmaker(self.engine, expire_on_commit=False)
        self.folder = Path(data_dir) if data_dir else store_folder(db_url)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taxonomy = load_taxonomy()

    def close(self) -> None:
        self.engine.dispose()

    # import ---------------------------------------------------------------------------------------------
    def import_run(self, out_dir: Path | str, pdf_root: Path | str | None = None) -> ImportResult:
        """Import `OUT/acts/*.json`; idempotent per (doc_id, mechanism id); changed predictions of
        reviewed mechanisms are flagged needs_rereview and their decision is kept."""
        out_dir = Path(out_dir)
        acts_dir = out_dir / "acts" if (out_dir / "acts").is_dir() else out_dir
        files = sorted(acts_dir.glob("*.json"))
        if not files:
            raise ImportProblem(f"no per-document files in {acts_dir} (expected OUT/acts/<name>.json)")
        result = ImportResult()
        for path in files:
            try:
                doc = ActDocument.model_validate_json(path.read_bytes())
            except (ValidationError, OSError) as exc:
                raise ImportProblem(f"{path}: not a per-document output file: {str(exc).splitlines()[0]}") from None
            pdf = _pdf_for(Path(pdf_root), doc.source.file, doc.source.sha256) if pdf_root else None
            if pdf_root and not pdf:
                result.pdf_missing.append(doc.source.file)
            with self.session() as s:
                self._import_doc(s, doc, pdf, result)
                s.commit()
            result.acts += 1
        return result

    def _import_doc(self, s: Session, doc: ActDocument, pdf: str | None, result: ImportResult) -> None:
        act = s.scalar(select(ActRow).where(ActRow.doc_id == doc.doc_id))
        if act is None:
            act = ActRow(doc_id=doc.doc_id)
            s.add(act)
        act.name = PurePosixPath(PureWindowsPath(doc.source.file).name).stem or doc.doc_id[:12]
        act.file, act.country = doc.source.file, doc.act.country
        act.act, act.run_id = doc.act.model_dump(mode="json"), doc.pipeline.run_id
        act.imported_at = utcnow()
        if pdf:
            act.pdf_path = pdf
        s.flush()
        clauses = {c.clause_id: c for c in s.scalars(select(ClauseRow).where(ClauseRow.act_id == act.id))}
        for i, c in enumerate(doc.clauses):
            row = clauses.get(c.id) or ClauseRow(act_id=act.id, clause_id=c.id)
            row.ordinal, row.path, row.text = i, list(c.path), c.text
            row.page_start, row.page_end, row.bbox = c.page_start, c.page_end, c.bbox
            clauses[c.id] = row
            s.add(row)
        s.flush()
        mechs = {m.mech_id: m for m in s.scalars(select(MechanismRow).where(MechanismRow.act_id == act.id))}
        seen = set()
        for i, m in enumerate(doc.mechanisms):
            pred = m.model_dump(mode="json")
            h, values, clause = prediction_hash(pred), reviewed_values(pred), clauses.get(m.clause_id)
            seen.add(m.id)
            row = mechs.get(m.id)
            if row is None:
                s.add(MechanismRow(act_id=act.id, clause_pk=clause.id if clause else None, mech_id=m.id,
                                   ordinal=i, confidence=m.confidence, prediction=pred, prediction_hash=h,
                                   current=values, type=values["type"], category_codes=category_column(values),
                                   status="pending", version=1, comment=""))
                result.new += 1
                continue
            row.ordinal, row.confidence, row.prediction = i, m.confidence, pred
            row.clause_pk = clause.id if clause else None
            if row.prediction_hash == h:
                result.unchanged += 1
                continue
            result.changed += 1
            before = {"status": row.status, "version": row.version, "prediction_hash": row.prediction_hash}
            row.prediction_hash, row.version = h, row.version + 1
            if row.status == "pending":
                row.current, row.type, row.category_codes = values, values["type"], category_column(values)
            elif row.status in DECIDED:
                row.status = "needs_rereview"
                result.flagged.append(row.id)
                s.flush()
                s.add(DecisionRow(mechanism_pk=row.id, reviewer_id=None, action="reimport", before=before,
                                  after={"status": row.status, "version": row.version, "prediction_hash": h},
                                  comment="the pipeline's prediction changed on re-import"))
        result.gone.extend(f"{doc.doc_id}:{k}" for k in mechs if k not in seen)

    # reviewers ------------------------------------------------------------------------------------------
    def add_reviewer(self, name: str, admin: bool = False) -> str:
        """Create a reviewer and return their token; only its hash is stored, so it is shown once."""
        name = name.strip()
        if not NAME_RE.match(name):
            raise ReviewError("reviewer name: 1–120 letters, digits, spaces or . @ + - _")
        token = secrets.token_urlsafe(32)
        with self.session() as s:
            if s.scalar(select(ReviewerRow.id).where(ReviewerRow.name == name)) is not None:
                raise ReviewError(f"reviewer {name!r} already exists")
            s.add(ReviewerRow(name=name, token_hash=hash_token(token), admin=admin, active=True))
            s.commit()
        return token

    def authenticate(self, token: str | None) -> ReviewerRow | None:
        """The active reviewer holding `token`, or None."""
        if not token or len(token) > 200:
            return None
        with self.session() as s:
            return s.scalar(select(ReviewerRow).where(ReviewerRow.token_hash == hash_token(token),
                                                      ReviewerRow.active.is_(True)))

    def reviewer(self, reviewer_id: int) -> ReviewerRow | None:
        with self.session() as s:
            r = s.get(ReviewerRow, reviewer_id)
            return r if r is not None and r.active else None

    def reviewers(self) -> list[ReviewerRow]:
        with self.session() as s:
            return list(s.scalars(select(ReviewerRow).order_by(ReviewerRow.name)))

    def set_active(self, reviewer_id: int, active: bool) -> ReviewerRow:
        with self.session() as s:
            r = s.get(ReviewerRow, reviewer_id)
            if r is None:
                raise NotFound(f"no reviewer {reviewer_id}")
            r.active = active
            s.commit()
            return r

    # login rate limit -----------------------------------------------------------------------------------
    def record_attempt(self, client: str, ok: bool) -> None:
        now = time.time()
        with self.session() as s:
            s.add(LoginAttempt(client=client[:64], at=now, ok=ok))
            if not ok and secrets.randbelow(50) == 0:  # prune now and then, not on every request
                s.execute(LoginAttempt.__table__.delete().where(LoginAttempt.at < now - 86400))
            s.commit()

    def recent_failures(self, client: str, window: float = 60.0) -> int:
        with self.session() as s:
            return s.scalar(select(func.count(LoginAttempt.id)).where(
                LoginAttempt.client == client[:64], LoginAttempt.ok.is_(False),
                LoginAttempt.at > time.time() - window)) or 0

    # queue ----------------------------------------------------------------------------------------------
    def check_filters(self, f: Filters) -> None:
        """Unknown filter codes are an error, not an empty queue, so typos show."""
        tx = self.taxonomy
        for value, allowed, what in ((f.type, tx.types, "type"), (f.category, tx.categories, "category"),
                                     (f.status, STATUS_FILTERS, "status")):
            if value and value not in allowed:
                raise InvalidDecision(f"{what}: unknown value {value!r}; one of {', '.join(allowed)}")

    def _where(self, stmt, f: Filters, with_status: bool = True):
        stmt = stmt.join(ActRow, MechanismRow.act_id == ActRow.id)
        if f.act:
            stmt = stmt.where(or_(ActRow.name == f.act, ActRow.doc_id == f.act))
        if f.country:
            stmt = stmt.where(ActRow.country == f.country)
        if f.type:
            stmt = stmt.where(MechanismRow.type == f.type)
        if f.category:
            stmt = stmt.where(MechanismRow.category_codes.contains(f"|{f.category}|", autoescape=True))
        if with_status and f.status == "open":
            stmt = stmt.where(MechanismRow.status.in_(("pending", "needs_rereview")))
        elif with_status and f.status and f.status != "all":
            stmt = stmt.where(MechanismRow.status == f.status)
        return stmt

    def items(self, f: Filters, offset: int = 0, limit: int = 50) -> tuple[list[MechanismRow], int]:
        """One page of the queue, lowest confidence first, and the number of items matching."""
        self.check_filters(f)
        with self.session() as s:
            total = s.scalar(self._where(select(func.count(MechanismRow.id)), f)) or 0
            rows = s.scalars(self._where(select(MechanismRow), f).options(*WITH_RELATIONS)
                             .order_by(MechanismRow.confidence, MechanismRow.id).offset(offset).limit(limit))
            return list(rows), total

    def item(self, pk: int) -> MechanismRow:
        with self.session() as s:
            m = s.get(MechanismRow, pk, options=WITH_RELATIONS)
            if m is None:
                raise NotFound(f"no item {pk}")
            return m

    def neighbours(self, m: MechanismRow, f: Filters) -> tuple[int | None, int | None]:
        """Previous and next item ids in queue order under `f` (the item itself need not match `f`)."""
        c, pk = m.confidence, m.id
        with self.session() as s:
            before = and_(MechanismRow.confidence <= c, or_(MechanismRow.confidence < c, MechanismRow.id < pk))
            after = and_(MechanismRow.confidence >= c, or_(MechanismRow.confidence > c, MechanismRow.id > pk))
            prev = s.scalar(self._where(select(MechanismRow.id), f).where(before)
                            .order_by(MechanismRow.confidence.desc(), MechanismRow.id.desc()).limit(1))
            nxt = s.scalar(self._where(select(MechanismRow.id), f).where(after)
                           .order_by(MechanismRow.confidence, MechanismRow.id).limit(1))
            return prev, nxt

    def context(self, m: MechanismRow, around: int = 2) -> list[ClauseRow]:
        """The mechanism's clause with `around` neighbours on each side, in document order."""
        if m.clause is None:
            return []
        with self.session() as s:
            return list(s.scalars(select(ClauseRow).where(
                ClauseRow.act_id == m.act_id, ClauseRow.ordinal.between(m.clause.ordinal - around,
                                                                        m.clause.ordinal + around))
                .order_by(ClauseRow.ordinal)))

    def history(self, pk: int) -> list[dict]:
        with self.session() as s:
            rows = s.execute(select(DecisionRow, ReviewerRow.name).outerjoin(
                ReviewerRow, DecisionRow.reviewer_id == ReviewerRow.id)
                .where(DecisionRow.mechanism_pk == pk).order_by(DecisionRow.id))
            return [{"id": d.id, "reviewer": name, "action": d.action, "at": d.at.isoformat(timespec="seconds"),
                     "before": d.before, "after": d.after, "comment": d.comment} for d, name in rows]

    def progress(self, f: Filters | None = None) -> dict:
        """Reviewed (accepted, rejected or edited) and total counts, plus counts per status."""
        f = f or Filters()
        with self.session() as s:
            rows = s.execute(self._where(select(MechanismRow.status, func.count(MechanismRow.id)), f,
                                         with_status=False).group_by(MechanismRow.status))
            by = {st: 0 for st in STATUSES} | {st: n for st, n in rows}
        return {"reviewed": sum(by[st] for st in DECIDED), "total": sum(by.values()), "by_status": by}

    def acts(self) -> list[ActRow]:
        with self.session() as s:
            return list(s.scalars(select(ActRow).order_by(ActRow.name)))

    # decisions ------------------------------------------------------------------------------------------
    def decide(self, pk: int, reviewer_id: int | None, action: str, version: int,
               changes: dict | None = None, comment: str = "") -> MechanismRow:
        """Record a decision if the item is still at `version` (one UPDATE … WHERE version = :v) and
        append it to the audit log in the same transaction; raises Conflict on a stale version."""
        if action not in ACTIONS:
            raise InvalidDecision(f"action: one of {', '.join(ACTIONS)}, got {action!r}")
        if action != "edit" and changes:
            raise InvalidDecision(f"changes are only allowed with action 'edit', not {action!r}")
        with self.session() as s:
            m = s.get(MechanismRow, pk, options=WITH_RELATIONS)
            if m is None:
                raise NotFound(f"no item {pk}")
            if m.version != version:
                raise Conflict(m.version)
            before = snapshot(m)
            if action == "accept":
                values, status = reviewed_values(m.prediction), "accepted"
            elif action == "reject":
                values, status = dict(m.current), "rejected"
            else:
                values, status = apply_changes(m.current, changes, self.taxonomy), "edited"
            now = utcnow()
            res = s.execute(
                update(MechanismRow).where(MechanismRow.id == pk, MechanismRow.version == version)
                .values(current=values, type=values["type"], category_codes=category_column(values), status=status,
                        version=version + 1, reviewed_by=reviewer_id, reviewed_at=now, comment=comment)
                .execution_options(synchronize_session=False))
            if res.rowcount != 1:
                s.rollback()
                raise Conflict(self.item(pk).version)
            s.add(DecisionRow(mechanism_pk=pk, reviewer_id=reviewer_id, action=action, at=now, before=before,
                              after={"status": status, "version": version + 1, "values": values}, comment=comment))
            s.commit()
        # The session is closed and `m` detached: mirror the row we wrote instead of reading it back.
        m.current, m.type, m.category_codes, m.status = values, values["type"], category_column(values), status
        m.version, m.reviewed_by, m.reviewed_at, m.comment = version + 1, reviewer_id, now, comment
        return m

    def decision_count(self, actions: tuple[str, ...] = ACTIONS) -> int:
        with self.session() as s:
            return s.scalar(select(func.count(DecisionRow.id)).where(DecisionRow.action.in_(actions))) or 0

    # export and interchange -----------------------------------------------------------------------------
    def export_gold(self, out_folder: Path | str) -> list[Path]:
        """Write `<name>.gold.json` (SPEC §7) for every act whose mechanisms are all decided."""
        from .interchange import export_gold
        return export_gold(self, Path(out_folder))

    def export_label_studio(self, path: Path | str) -> int:
        """Write Label Studio tasks with the pipeline's predictions; returns the number of tasks."""
        from .interchange import export_label_studio
        return export_label_studio(self, Path(path))

    def import_label_studio(self, path: Path | str, reviewer: str = "label-studio") -> dict:
        """Read a Label Studio export back as decisions by `reviewer`; returns counts per outcome."""
        from .interchange import import_label_studio
        return import_label_studio(self, Path(path), reviewer)


def item_json(m: MechanismRow, detail: bool = False) -> dict:
    """The API view of an item."""
    a, c = m.act, m.clause
    out = {"id": m.id, "doc_id": a.doc_id, "act": a.name, "country": a.country, "mechanism_id": m.mech_id,
           "clause_id": m.prediction.get("clause_id"), "status": m.status, "version": m.version,
           "confidence": m.confidence, "method": m.prediction.get("method"), "text": m.prediction.get("text"),
           "current": m.current, "reviewed_at": m.reviewed_at.isoformat(timespec="seconds") if m.reviewed_at else None,
           "comment": m.comment}
    if detail:
        out["prediction"] = m.prediction
        out["act_meta"] = a.act
        out["clause"] = None if c is None else {
            "id": c.clause_id, "path": c.path, "text": c.text, "page_start": c.page_start,
            "page_end": c.page_end, "bbox": c.bbox}
    return out


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
