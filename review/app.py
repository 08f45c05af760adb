"""The review web app: login, queue, item page with the clause in context and its page image, admin."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader

from .api import api_router, client_of, filters
from .db import DEFAULT_DB, ReviewerRow
from .errors import Conflict, InvalidDecision, NotFound, ReviewError
from .render import evidence_terms, highlight, page_image
from .security import COOKIE, MAX_AGE, Session, Signer, csrf_ok, load_secret
from .store import STATUS_FILTERS, Filters, Store
from .values import ATTRIBUTES

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 50
STATIC = {"review.js": "text/javascript", "review.css": "text/css"}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class LoginRequired(Exception):
    """Raised by the web dependency; turned into a redirect to /login."""


def create_app(db_url: str = DEFAULT_DB, *, data_dir: Path | str | None = None, login_limit: int = 5,
               login_window: float = 60.0, secure_cookies: bool = False, store: Store | None = None) -> FastAPI:
    """The FastAPI app over the store at `db_url`; `login_limit` failed logins per client per `login_window` s."""
    store = store or Store(db_url, data_dir)
    signer = Signer(load_secret(store.folder))
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters["q"] = lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")})
    static = {name: ((HERE / "static" / name).read_bytes(), media) for name, media in STATIC.items()}
    app = FastAPI(title="clusterlex review", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store
    cache_dir = (store.folder / "pages").resolve()

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        if response.media_type == "text/html" or response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse("/login", status_code=303)

    def session_of(request: Request) -> Session | None:
        return signer.loads(request.cookies.get(COOKIE))

    def set_session(response: Response, s: Session) -> Response:
        response.set_cookie(COOKIE, signer.dumps(s), max_age=MAX_AGE, httponly=True, samesite="lax",
                            secure=secure_cookies, path="/")
        return response

    def web_user(request: Request) -> ReviewerRow:
        s = session_of(request)
        reviewer = store.reviewer(s.reviewer_id) if s and s.reviewer_id is not None else None
        if reviewer is None:
            raise LoginRequired()
        return reviewer

    def require_csrf(request: Request, csrf: str = Form("")) -> None:
        if not csrf_ok(session_of(request), csrf):
            raise HTTPException(403, "CSRF check failed: reload the page and submit again")

    def render(request: Request, name: str, status: int = 200, session: Session | None = None, **ctx) -> HTMLResponse:
        s = session or session_of(request)
        ctx.setdefault("reviewer", None)
        ctx.setdefault("message", "")
        html = env.get_template(name).render(csrf=s.csrf if s else "", **ctx)
        return HTMLResponse(html, status_code=status)

    def message(request: Request, text: str, status: int, reviewer=None) -> HTMLResponse:
        return render(request, "message.html", status, reviewer=reviewer, message=text)

    app.include_router(api_router(store, login_limit, login_window))
    posts = APIRouter(dependencies=[Depends(require_csrf)])  # every form POST below carries the session's token

    @app.get("/static/{name}")
    def static_file(name: str):
        if name not in static:
            raise HTTPException(404, "not found")
        body, media = static[name]
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=300"})

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        s = session_of(request) or Session.new()
        return set_session(render(request, "login.html", session=s), s)

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, token: str = Form(""), csrf: str = Form("")):
        s = session_of(request)
        if not csrf_ok(s, csrf):
            fresh = Session.new()
            return set_session(render(request, "login.html", 403, session=fresh,
                                      message="The form expired: submit your token again."), fresh)
        client = client_of(request)
        if store.recent_failures(client, login_window) >= login_limit:
            resp = render(request, "login.html", 429, message="Too many failed attempts: wait a minute.")
            resp.headers["Retry-After"] = str(int(login_window))
            return resp
        reviewer = store.authenticate(token.strip())
        store.record_attempt(client, reviewer is not None)
        if reviewer is None:
            return render(request, "login.html", 401, message="Unknown or inactive token.")
        return set_session(RedirectResponse("/", status_code=303), Session.new(reviewer.id))  # new session id

    @posts.post("/logout")
    def logout(request: Request):
        return set_session(RedirectResponse("/login", status_code=303), Session.new())

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request, f: Filters = Depends(filters), offset: int = Query(0, ge=0),
              reviewer: ReviewerRow = Depends(web_user)):
        try:
            rows, total = store.items(f, offset, PAGE_SIZE)
        except InvalidDecision as exc:
            return message(request, str(exc), 400, reviewer)
        return render(request, "queue.html", reviewer=reviewer, items=rows, total=total, f=f, q=f.as_query(),
                      offset=offset, page_size=PAGE_SIZE, progress=store.progress(), acts=store.acts(),
                      taxonomy=store.taxonomy, statuses=STATUS_FILTERS)

    def item_view(request: Request, reviewer: ReviewerRow, item_id: int, f: Filters, status: int = 200,
                  note: str = "") -> HTMLResponse:
        try:
            m = store.item(item_id)
        except NotFound as exc:
            return message(request, str(exc), 404, reviewer)
        prev_id, next_id = store.neighbours(m, f)
        terms = evidence_terms(m.prediction, m.current)
        context = [{"path": " ".join(c.path), "current": c.id == m.clause_pk,
                    "html": highlight(c.text, terms) if c.id == m.clause_pk else None, "text": c.text}
                   for c in store.context(m)]
        if not any(c["current"] for c in context):
            context.append({"path": "", "current": True, "text": "", "html": highlight(m.prediction.get("text", ""),
                                                                                     terms)})
        attributes = json.dumps({k: m.current.get(k, []) for k in ATTRIBUTES}, ensure_ascii=False, indent=1)
        return render(request, "item.html", status, reviewer=reviewer, m=m, q=f.as_query(), prev_id=prev_id,
                      next_id=next_id, context=context, attributes=attributes, taxonomy=store.taxonomy,
                      history=store.history(m.id), progress=store.progress(), message=note,
                      has_image=bool(m.act.pdf_path and m.clause is not None))

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    def item_page(request: Request, item_id: int, f: Filters = Depends(filters),
                  reviewer: ReviewerRow = Depends(web_user)):
        return item_view(request, reviewer, item_id, f)

    @posts.post("/items/{item_id}/decision", response_class=HTMLResponse)
    def decide(request: Request, item_id: int, action: str = Form(...), version: int = Form(...),
               comment: str = Form("", max_length=4000), new_type: str = Form(""), new_subject: str = Form(""),
               new_categories: list[str] = Form([]), attributes: str = Form(""),
               f: Filters = Depends(filters), reviewer: ReviewerRow = Depends(web_user)):
        changes = None
        try:
            if action == "edit":
                changes = {"type": new_type or None, "subject": new_subject or None, "categories": new_categories}
                if attributes.strip():
                    attrs = json.loads(attributes)
                    if not isinstance(attrs, dict) or set(attrs) - set(ATTRIBUTES):
                        raise InvalidDecision(f"attributes: a JSON object with keys among {', '.join(ATTRIBUTES)}")
                    changes.update(attrs)
                changes = {k: v for k, v in changes.items() if v is not None}
            m = store.decide(item_id, reviewer.id, action, version, changes, comment)
        except NotFound as exc:
            return message(request, str(exc), 404, reviewer)
        except Conflict as exc:
            return item_view(request, reviewer, item_id, f, 409,
                             f"Someone changed this item meanwhile (now version {exc.current_version}); "
                             "nothing was overwritten. Check it and decide again.")
        except (InvalidDecision, ValueError) as exc:
            return item_view(request, reviewer, item_id, f, 400, f"Not saved: {exc}")
        _, next_id = store.neighbours(m, f)
        query = urlencode(f.as_query())
        target = f"/items/{next_id}?{query}" if next_id else f"/?{query}"
        return RedirectResponse(target, status_code=303)

    @app.get("/items/{item_id}/page.png")
    def page_png(request: Request, item_id: int):
        s = session_of(request)
        if not (s and s.reviewer_id is not None and store.reviewer(s.reviewer_id)):
            raise HTTPException(401, "log in first")
        try:
            m = store.item(item_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        if m.clause is None or not m.act.pdf_path:
            raise HTTPException(404, "no PDF recorded for this act (import with --pdf-root)")
        try:
            path = page_image(cache_dir, m.clause.id, m.act.pdf_path, m.clause.bbox).resolve()
        except (OSError, ValueError, RuntimeError) as exc:  # pypdfium2's PdfiumError is a RuntimeError
            raise HTTPException(404, f"page image unavailable: {exc}") from None
        if not path.is_relative_to(cache_dir):  # only files inside the store's cache are ever served
            raise HTTPException(404, "not found")
        return Response(path.read_bytes(), media_type="image/png", headers={"Cache-Control": "private, max-age=600"})

    @app.get("/admin", response_class=HTMLResponse)
    def admin_page(request: Request, reviewer: ReviewerRow = Depends(web_user)):
        if not reviewer.admin:
            return message(request, "Admins only.", 403, reviewer)
        return render(request, "admin.html", reviewer=reviewer, reviewers=store.reviewers(), new_token=None,
                      new_name=None)

    @posts.post("/admin/reviewers", response_class=HTMLResponse)
    def admin_add(request: Request, name: str = Form(""), admin: bool = Form(False),
                  reviewer: ReviewerRow = Depends(web_user)):
        if not reviewer.admin:
            return message(request, "Admins only.", 403, reviewer)
        try:
            token = store.add_reviewer(name, admin)
        except ReviewError as exc:
            return render(request, "admin.html", 400, reviewer=reviewer, reviewers=store.reviewers(),
                          new_token=None, new_name=None, message=str(exc))
        return render(request, "admin.html", reviewer=reviewer, reviewers=store.reviewers(), new_token=token,
                      new_name=name.strip())

    @posts.post("/admin/reviewers/{reviewer_id}/active", response_class=HTMLResponse)
    def admin_active(request: Request, reviewer_id: int, active: bool = Form(...),
                     reviewer: ReviewerRow = Depends(web_user)):
        if not reviewer.admin:
            return message(request, "Admins only.", 403, reviewer)
        if reviewer_id == reviewer.id and not active:
            return message(request, "You cannot deactivate yourself.", 400, reviewer)
        try:
            store.set_active(reviewer_id, active)
        except NotFound as exc:
            return message(request, str(exc), 404, reviewer)
        return RedirectResponse("/admin", status_code=303)

    app.include_router(posts)
    return app
