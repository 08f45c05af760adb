"""The JSON API: every endpoint, with 401, 403, 404, 409 and 422, and the audit log written with each decision."""
import pytest

from review.app import create_app

from .conftest import bearer, item_ids, make_client


def _audit(store):
    return store.decision_count()


def test_api_lists_items_lowest_confidence_first(client, token):
    r = client.get("/api/items", headers=bearer(token))
    assert r.status_code == 200
    body = r.json()
    conf = [i["confidence"] for i in body["items"]]
    assert conf == sorted(conf) and body["total"] == len(conf) == body["progress"]["total"]


@pytest.mark.parametrize("query,field,value", [
    ("act=by-sample-2", "act", "by-sample-2"),
    ("country=RU", "country", "RU"),
    ("type=SELECTION", None, "SELECTION"),
    ("category=EXPORT_ORIENTATION", None, "EXPORT_ORIENTATION"),
    ("status=pending", "status", "pending"),
])
def test_api_filters_items(client, token, query, field, value):
    items = client.get(f"/api/items?{query}&status=all" if "status" not in query else f"/api/items?{query}",
                       headers=bearer(token)).json()["items"]
    assert items
    for i in items:
        if field:
            assert i[field] == value
        else:
            assert value in (i["current"]["type"], *i["current"]["categories"])


def test_api_paginates(client, token):
    first = client.get("/api/items?limit=3&offset=0", headers=bearer(token)).json()
    second = client.get("/api/items?limit=3&offset=3", headers=bearer(token)).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize("query", ["limit=0", "limit=1000", "offset=-1", "category=NOPE", "status=maybe"])
def test_api_bad_list_parameters_are_422(client, token, query):
    assert client.get(f"/api/items?{query}", headers=bearer(token)).status_code == 422


def test_api_item_detail_has_clause_context_and_prediction(client, store, token):
    pk = item_ids(store)[0]
    body = client.get(f"/api/items/{pk}", headers=bearer(token)).json()
    assert body["id"] == pk and body["clause"]["text"] and body["prediction"]["evidence"]["rule"]
    assert any(c["id"] == body["clause"]["id"] for c in body["context"]) and len(body["context"]) >= 2


@pytest.mark.parametrize("action,changes,status", [
    ("accept", {}, "accepted"),
    ("reject", {}, "rejected"),
    ("edit", {"type": "GRANT", "categories": ["CLUSTER_GRANTS"]}, "edited"),
])
def test_api_decision_updates_item_and_audit_log(client, store, token, action, changes, status):
    pk = item_ids(store)[0]
    r = client.post(f"/api/items/{pk}/decision", headers=bearer(token),
                    json={"action": action, "version": 1, "changes": changes, "comment": "checked"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == status and body["version"] == 2 and body["comment"] == "checked"
    for k, v in changes.items():
        assert body["current"][k] == v
    history = client.get(f"/api/items/{pk}", headers=bearer(token)).json()["history"]
    assert [(h["action"], h["reviewer"]) for h in history] == [(action, "alice")]
    assert history[0]["before"]["version"] == 1 and history[0]["after"]["status"] == status


def test_api_stale_version_is_409_and_overwrites_nothing(client, store, token, admin_token):
    pk = item_ids(store)[0]
    ok = client.post(f"/api/items/{pk}/decision", headers=bearer(token), json={"action": "accept", "version": 1})
    assert ok.status_code == 200
    accepted = store.item(pk).current
    audit = _audit(store)
    stale = client.post(f"/api/items/{pk}/decision", headers=bearer(admin_token),
                        json={"action": "edit", "version": 1, "changes": {"type": "GRANT"}})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert _audit(store) == audit
    item = store.item(pk)
    assert (item.status, item.version, item.current) == ("accepted", 2, accepted)


@pytest.mark.parametrize("body", [
    {"action": "approve", "version": 1},
    {"action": "accept"},
    {"action": "edit", "version": 1, "changes": {"type": "BRIBE"}},
    {"action": "accept", "version": 1, "changes": {"type": "GRANT"}},
    {"action": "accept", "version": 1, "extra": True},
])
def test_api_invalid_decision_is_422(client, store, token, body):
    pk = item_ids(store)[0]
    assert client.post(f"/api/items/{pk}/decision", headers=bearer(token), json=body).status_code == 422
    assert store.item(pk).version == 1


@pytest.mark.parametrize("method,path", [
    ("get", "/api/items/999999"),
    ("post", "/api/items/999999/decision"),
])
def test_api_unknown_item_is_404(client, token, method, path):
    kwargs = {"json": {"action": "accept", "version": 1}} if method == "post" else {}
    assert getattr(client, method)(path, headers=bearer(token), **kwargs).status_code == 404


ENDPOINTS = [("get", "/api/items"), ("get", "/api/items/1"), ("post", "/api/items/1/decision"),
             ("get", "/api/progress"), ("get", "/api/reviewers"), ("post", "/api/reviewers"),
             ("post", "/api/reviewers/1/deactivate")]


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}])
def test_api_without_valid_token_is_401(app, method, path, headers):
    client = make_client(app, host=f"10.0.0.{len(headers) + len(path)}")
    r = client.request(method.upper(), path, headers=headers, json={"action": "accept", "version": 1, "name": "x"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_api_session_cookie_is_not_accepted_as_api_auth(client, token):
    from .conftest import login
    login(client, token)
    assert client.get("/api/items").status_code == 401  # the API needs a Bearer token: no CSRF surface


@pytest.mark.parametrize("method,path,body", [
    ("get", "/api/reviewers", None),
    ("post", "/api/reviewers", {"name": "mallory", "admin": True}),
    ("post", "/api/reviewers/1/deactivate", None),
])
def test_api_admin_endpoints_are_403_for_reviewers(client, token, method, path, body):
    r = getattr(client, method)(path, headers=bearer(token), **({"json": body} if body else {}))
    assert r.status_code == 403


def test_api_admin_adds_and_deactivates_reviewer(client, admin_token):
    r = client.post("/api/reviewers", headers=bearer(admin_token), json={"name": "dave"})
    assert r.status_code == 201
    dave = r.json()
    assert client.get("/api/items", headers=bearer(dave["token"])).status_code == 200
    names = [x["name"] for x in client.get("/api/reviewers", headers=bearer(admin_token)).json()]
    assert "dave" in names and all("token" not in x for x in client.get(
        "/api/reviewers", headers=bearer(admin_token)).json())
    off = client.post(f"/api/reviewers/{dave['id']}/deactivate", headers=bearer(admin_token))
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get("/api/items", headers=bearer(dave["token"])).status_code == 401
    on = client.post(f"/api/reviewers/{dave['id']}/activate", headers=bearer(admin_token))
    assert on.json()["active"] is True


@pytest.mark.parametrize("path,status", [("/api/reviewers/999/deactivate", 404), ("/api/reviewers/1/explode", 404)])
def test_api_admin_unknown_reviewer_or_state_is_404(client, admin_token, path, status):
    assert client.post(path, headers=bearer(admin_token)).status_code == status


def test_api_admin_duplicate_reviewer_is_422(client, admin_token):
    assert client.post("/api/reviewers", headers=bearer(admin_token), json={"name": "alice"}).status_code == 422


def test_api_progress_counts_decisions(client, store, token):
    before = client.get("/api/progress", headers=bearer(token)).json()
    client.post(f"/api/items/{item_ids(store)[0]}/decision", headers=bearer(token),
                json={"action": "reject", "version": 1})
    after = client.get("/api/progress", headers=bearer(token)).json()
    assert after["reviewed"] == before["reviewed"] + 1 and after["by_status"]["rejected"] == 1


def test_api_bad_tokens_are_rate_limited_per_client(app, token):
    attacker, other = make_client(app, "203.0.113.7"), make_client(app, "198.51.100.1")
    codes = [attacker.get("/api/items", headers=bearer(f"guess-{i}")).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    assert attacker.get("/api/items", headers=bearer(token)).status_code == 429
    assert other.get("/api/items", headers=bearer(token)).status_code == 200


def test_api_decisions_survive_restart(store, token):
    pk = item_ids(store)[0]
    first = make_client(create_app(store.url))
    assert first.post(f"/api/items/{pk}/decision", headers=bearer(token),
                      json={"action": "edit", "version": 1, "changes": {"subject": "OTHER"}}).status_code == 200
    second = make_client(create_app(store.url))  # a new app (and engine) on the same database
    body = second.get(f"/api/items/{pk}", headers=bearer(token)).json()
    assert body["status"] == "edited" and body["current"]["subject"] == "OTHER" and body["version"] == 2
    assert [h["action"] for h in body["history"]] == ["edit"]
