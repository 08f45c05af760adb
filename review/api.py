"""The JSON API: items, decisions with optimistic concurrency, reviewers; Bearer tokens, no cookies."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .db import ReviewerRow
from .errors import Conflict, InvalidDecision, NotFound, ReviewError
from .store import Filters, Store, item_json
from .values import DecisionIn


class ReviewerIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    admin: bool = False


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def reviewer_json(r: ReviewerRow) -> dict:
    return {"id": r.id, "name": r.name, "admin": r.admin, "active": r.active,
            "created_at": r.created_at.isoformat(timespec="seconds")}


def bearer_auth(store: Store, limit: int, window: float):
    """A dependency: the reviewer of the Bearer token; 401 without or with a bad one, 429 after `limit` failures."""
    def dep(request: Request) -> ReviewerRow:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "missing Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
        client = client_of(request)
        if store.recent_failures(client, window) >= limit:
            raise HTTPException(429, "too many failed attempts; wait a minute", {"Retry-After": str(int(window))})
        reviewer = store.authenticate(token.strip())
        if reviewer is None:
            store.record_attempt(client, False)
            raise HTTPException(401, "invalid or inactive token", {"WWW-Authenticate": "Bearer"})
        return reviewer
    return dep


def filters(act: str | None = None, country: str | None = None, type: str | None = None,
            category: str | None = None, status: str | None = "open") -> Filters:
    """Queue filters from the query string; empty values mean no filter."""
    return Filters(act=act or None, country=country or None, type=type or None, category=category or None,
                   status=status or "open")


def api_router(store: Store, limit: int = 5, window: float = 60.0) -> APIRouter:
    """Routes under /api."""
    router = APIRouter(prefix="/api")
    auth = bearer_auth(store, limit, window)

    def admin(reviewer: ReviewerRow = Depends(auth)) -> ReviewerRow:
        if not reviewer.admin:
            raise HTTPException(403, "admin only")
        return reviewer

    @router.get("/items")
    def list_items(f: Filters = Depends(filters), offset: int = Query(0, ge=0),
                   limit_: int = Query(50, ge=1, le=200, alias="limit"), _: ReviewerRow = Depends(auth)):
        try:
            rows, total = store.items(f, offset, limit_)
        except InvalidDecision as exc:
            raise HTTPException(422, str(exc)) from None
        return {"items": [item_json(m) for m in rows], "total": total, "offset": offset, "limit": limit_,
                "filters": f.as_query(), "progress": store.progress()}

    @router.get("/items/{item_id}")
    def get_item(item_id: int, _: ReviewerRow = Depends(auth)):
        try:
            m = store.item(item_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        out = item_json(m, detail=True)
        out["context"] = [{"id": c.clause_id, "path": c.path, "text": c.text} for c in store.context(m)]
        out["history"] = store.history(m.id)
        return out

    @router.post("/items/{item_id}/decision")
    def decide(item_id: int, body: DecisionIn, reviewer: ReviewerRow = Depends(auth)):
        try:
            m = store.decide(item_id, reviewer.id, body.action, body.version, body.changes, body.comment)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except Conflict as exc:
            return JSONResponse({"detail": str(exc), "current_version": exc.current_version}, status_code=409)
        except InvalidDecision as exc:
            raise HTTPException(422, str(exc)) from None
        return item_json(m, detail=True)

    @router.get("/progress")
    def progress(f: Filters = Depends(filters), _: ReviewerRow = Depends(auth)):
        return store.progress(f)

    @router.get("/reviewers")
    def list_reviewers(_: ReviewerRow = Depends(admin)):
        return [reviewer_json(r) for r in store.reviewers()]

    @router.post("/reviewers", status_code=201)
    def add_reviewer(body: ReviewerIn, _: ReviewerRow = Depends(admin)):
        try:
            token = store.add_reviewer(body.name, body.admin)
        except ReviewError as exc:
            raise HTTPException(422, str(exc)) from None
        r = next(r for r in store.reviewers() if r.name == body.name.strip())
        return {**reviewer_json(r), "token": token}

    @router.post("/reviewers/{reviewer_id}/{state}")
    def set_active(reviewer_id: int, state: str, me: ReviewerRow = Depends(admin)):
        if state not in ("activate", "deactivate"):
            raise HTTPException(404, "use /activate or /deactivate")
        if reviewer_id == me.id and state == "deactivate":
            raise HTTPException(422, "an admin cannot deactivate themselves")
        try:
            return reviewer_json(store.set_active(reviewer_id, state == "activate"))
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None

    return router
