"""Fixtures of the review tests: a synthetic run output, a store imported from it, clients, tokens."""
from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # the test client's own deprecation notice about its HTTP library
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from review.app import create_app
from review.sample import write_sample_run
from review.store import Store

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """Two synthetic acts (one with a hostile clause), rendered once per session; copy before changing."""
    out = tmp_path_factory.mktemp("run") / "out"
    write_sample_run(out, acts=2, clauses_per_act=8, hostile=True)
    return out


@pytest.fixture
def run_dir(sample_run, tmp_path) -> Path:
    """A private copy of the sample run that a test may change."""
    target = tmp_path / "out"
    shutil.copytree(sample_run, target)
    return target


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'review.db'}"


@pytest.fixture(scope="session")
def template_store(sample_run, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The sample run imported once, with an admin and a reviewer; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "review.db"
    s = Store(f"sqlite:///{path}")
    s.import_run(sample_run, pdf_root=sample_run / "pdf")
    tokens = {"admin": s.add_reviewer("admin", admin=True), "alice": s.add_reviewer("alice")}
    s.close()  # the last connection closing checkpoints the WAL into the file
    return path, tokens


@pytest.fixture
def store(db_url, template_store) -> Store:
    target = Path(db_url.removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_store[0], target)
    s = Store(db_url)
    yield s
    s.close()


@pytest.fixture
def admin_token(store, template_store) -> str:
    return template_store[1]["admin"]


@pytest.fixture
def token(store, template_store) -> str:
    return template_store[1]["alice"]


@pytest.fixture
def app(store, admin_token, token):
    return create_app(store.url, store=store)


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


def make_client(app, host: str = "testclient") -> TestClient:
    return TestClient(app, client=(host, 50000))


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(client: TestClient, token: str):
    """Log in through the form; returns the response after the redirect."""
    page = client.get("/login")
    return client.post("/login", data={"token": token, "csrf": csrf_of(page.text)})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def item_ids(store: Store) -> list[int]:
    from review.store import Filters

    rows, _ = store.items(Filters(status="all"), 0, 1000)
    return [m.id for m in rows]


def hostile_item(store: Store) -> int:
    from review.store import Filters

    rows, _ = store.items(Filters(status="all"), 0, 1000)
    return next(m.id for m in rows if "<script>" in m.prediction["text"])
