"""The web app: login, escaping, CSRF on every form, login rate limit, page images only from the cache."""
import re

import pytest
from markupsafe import escape

from review.app import create_app

from .conftest import csrf_of, hostile_item, item_ids, login, make_client


def test_web_queue_redirects_to_login_without_session(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_web_login_with_token_opens_queue(client, token):
    r = login(client, token)
    assert r.status_code == 200 and "Queue" in r.text and "alice" in r.text
    assert re.search(r'id="reviewed">0</b> / <b id="total">\d+', r.text)


@pytest.mark.parametrize("bad", ["", "nope", "x" * 500])
def test_web_login_with_bad_token_is_401(client, bad):
    r = login(client, bad)
    assert r.status_code == 401 and "Unknown or inactive token" in r.text


def test_web_session_cookie_is_httponly_and_samesite(client, token):
    page = client.get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_web_tampered_session_cookie_is_ignored(client, token):
    login(client, token)
    value = client.cookies.get("clusterlex_review")
    payload, mac = value.split(".")
    client.cookies.set("clusterlex_review", payload + "." + mac[::-1])
    assert client.get("/", follow_redirects=False).status_code == 303


def test_web_hostile_clause_text_is_escaped(client, store, token):
    login(client, token)
    pk = hostile_item(store)
    for path in (f"/items/{pk}", "/?status=all"):
        html = client.get(path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_web_item_page_highlights_evidence_and_entities(client, store, token):
    login(client, token)
    pk = hostile_item(store)
    html = client.get(f"/items/{pk}").text
    assert '<mark class="ev">обязан</mark>' in html
    assert '<mark class="ent">не менее чем за 10 дней</mark>' in html
    assert 'src="/items/%d/page.png"' % pk in html


def test_web_item_page_shows_neighbouring_clauses(client, store, token):
    login(client, token)
    m = store.item(item_ids(store)[0])
    html = client.get(f"/items/{m.id}").text
    neighbours = [c.text for c in store.context(m) if c.id != m.clause_pk]
    assert neighbours and all(str(escape(t))[:40] in html for t in neighbours)


def test_web_accept_moves_to_next_item_and_counts(client, store, token):
    login(client, token)
    first = item_ids(store)[0]
    page = client.get(f"/items/{first}")
    r = client.post(f"/items/{first}/decision", data={"csrf": csrf_of(page.text), "version": "1", "action": "accept"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/items/")
    assert store.item(first).status == "accepted"
    assert 'id="reviewed">1</b>' in client.get(r.headers["location"]).text


def test_web_edit_form_changes_type_categories_and_attributes(client, store, token):
    login(client, token)
    pk = item_ids(store)[1]
    page = client.get(f"/items/{pk}")
    data = {"csrf": csrf_of(page.text), "version": "1", "action": "edit", "new_type": "GRANT",
            "new_subject": "PROJECT", "new_categories": ["CLUSTER_GRANTS", "SME_STARTUPS"],
            "attributes": '{"amounts": [{"value": 1000, "currency": "BYN"}]}', "comment": "fixed"}
    assert client.post(f"/items/{pk}/decision", data=data, follow_redirects=False).status_code == 303
    m = store.item(pk)
    assert (m.status, m.current["type"], m.current["subject"]) == ("edited", "GRANT", "PROJECT")
    assert m.current["categories"] == ["CLUSTER_GRANTS", "SME_STARTUPS"] and m.current["amounts"][0]["value"] == 1000
    assert m.comment == "fixed"


@pytest.mark.parametrize("attributes,message", [("{not json", "Not saved"), ('{"colour": []}', "attributes"),
                                                ('{"amounts": [{"value": 1}]}', "currency")])
def test_web_bad_edit_is_400_and_saves_nothing(client, store, token, attributes, message):
    login(client, token)
    pk = item_ids(store)[0]
    page = client.get(f"/items/{pk}")
    r = client.post(f"/items/{pk}/decision", data={"csrf": csrf_of(page.text), "version": "1", "action": "edit",
                                                   "new_type": "GRANT", "attributes": attributes})
    assert r.status_code == 400 and message in r.text and store.item(pk).version == 1


def test_web_stale_form_is_409_and_overwrites_nothing(client, store, token):
    login(client, token)
    pk = item_ids(store)[0]
    csrf = csrf_of(client.get(f"/items/{pk}").text)
    store.decide(pk, None, "reject", 1)
    r = client.post(f"/items/{pk}/decision", data={"csrf": csrf, "version": "1", "action": "accept"})
    assert r.status_code == 409 and "nothing was overwritten" in r.text
    assert store.item(pk).status == "rejected"


def test_web_unknown_item_is_404(client, token):
    login(client, token)
    assert client.get("/items/999999").status_code == 404


FORMS = [("/items/1/decision", {"version": "1", "action": "accept"}), ("/logout", {}),
         ("/admin/reviewers", {"name": "mallory", "admin": "true"}), ("/admin/reviewers/2/active", {"active": "false"})]


@pytest.mark.parametrize("path,data", FORMS)
@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_web_post_without_session_csrf_token_is_403(client, store, admin_token, path, data, csrf):
    login(client, admin_token)
    before = (store.decision_count(), [(r.name, r.active) for r in store.reviewers()])
    payload = dict(data) | ({"csrf": csrf} if csrf else {})
    assert client.post(path, data=payload, follow_redirects=False).status_code == 403
    assert (store.decision_count(), [(r.name, r.active) for r in store.reviewers()]) == before


def test_web_csrf_token_of_another_session_is_rejected(app, store, token, admin_token):
    eve, bob = make_client(app), make_client(app)
    login(eve, token)
    login(bob, admin_token)
    eve_csrf = csrf_of(eve.get("/").text)
    r = bob.post("/items/1/decision", data={"csrf": eve_csrf, "version": "1", "action": "accept"})
    assert r.status_code == 403 and store.item(1).version == 1


def test_web_login_without_csrf_is_403(client, token):
    client.get("/login")
    assert client.post("/login", data={"token": token}).status_code == 403


def test_web_login_is_rate_limited_per_client(app, token):
    attacker, other = make_client(app, "203.0.113.9"), make_client(app, "198.51.100.2")
    codes = [login(attacker, f"guess-{i}").status_code for i in range(5)]
    assert codes == [401] * 5
    assert login(attacker, token).status_code == 429  # even the right token, until the window passes
    assert login(other, token).status_code == 200


def test_web_login_rate_limit_is_configurable(store, token):
    app = create_app(store.url, store=store, login_limit=2)
    c = make_client(app, "192.0.2.1")
    assert [login(c, "x").status_code for _ in range(3)] == [401, 401, 429]


def test_web_page_image_is_png_cached_in_store_folder(client, store, token):
    login(client, token)
    pk = item_ids(store)[0]
    r = client.get(f"/items/{pk}/page.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    cached = list((store.folder / "pages").glob("clause-*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == r.content


def test_web_page_image_needs_login(client, store):
    assert client.get(f"/items/{item_ids(store)[0]}/page.png").status_code == 401


@pytest.mark.parametrize("path", [
    "/items/..%2F..%2F..%2Fetc%2Fpasswd/page.png",
    "/items/1%2F..%2F..%2Fsecret.key/page.png",
    "/items/-1/page.png",
    "/static/..%2Fstore.py",
    "/static/../store.py",
    "/static/%2e%2e/%2e%2e/review.db",
    "/static/review.js%00.png",
    "/review.db",
    "/secret.key",
])
def test_web_path_traversal_serves_nothing_outside_cache(client, store, token, path):
    login(client, token)
    r = client.get(path)
    assert r.status_code in (404, 422)
    assert b"SQLite format" not in r.content and b"import " not in r.content


def test_web_static_assets_are_served(client):
    assert "keydown" in client.get("/static/review.js").text
    assert client.get("/static/review.css").status_code == 200


def test_web_security_headers(client):
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"


def test_web_queue_filters_and_orders(client, store, token):
    login(client, token)
    html = client.get("/?country=BY&type=GRANT&status=all").text
    rows = re.findall(r'<tr class="status-[a-z_]+">(.*?)</tr>', html, re.S)
    assert rows and all("by-sample-2" in r and "GRANT" in r for r in rows)
    assert client.get("/?category=BOGUS").status_code == 400


def test_web_admin_page_is_403_for_reviewers(client, token):
    login(client, token)
    assert client.get("/admin").status_code == 403


def test_web_admin_adds_reviewer_and_shows_token_once(client, store, admin_token):
    login(client, admin_token)
    csrf = csrf_of(client.get("/admin").text)
    r = client.post("/admin/reviewers", data={"csrf": csrf, "name": "erin"})
    new_token = re.search(r'id="new-token">([^<]+)<', r.text).group(1)
    assert store.authenticate(new_token).name == "erin"
    assert new_token not in client.get("/admin").text


def test_web_admin_deactivates_reviewer_and_ends_their_session(app, store, token, admin_token):
    alice, admin = make_client(app), make_client(app)
    login(alice, token)
    login(admin, admin_token)
    alice_id = next(r.id for r in store.reviewers() if r.name == "alice")
    csrf = csrf_of(admin.get("/admin").text)
    r = admin.post(f"/admin/reviewers/{alice_id}/active", data={"csrf": csrf, "active": "false"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert alice.get("/", follow_redirects=False).status_code == 303  # back to login


def test_web_session_survives_restart(store, token):
    first = make_client(create_app(store.url))
    login(first, token)
    pk = item_ids(store)[0]
    csrf = csrf_of(first.get(f"/items/{pk}").text)
    first.post(f"/items/{pk}/decision", data={"csrf": csrf, "version": "1", "action": "reject"})
    second = make_client(create_app(store.url))  # new app, same store folder and signing key
    second.cookies.update(first.cookies)
    html = second.get(f"/items/{pk}?status=all").text
    assert 'id="status">rejected<' in html and 'id="reviewed">1</b>' in html
