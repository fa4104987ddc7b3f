"""Safety: escaping, the access token, cross-site requests, headers, and no 500 on bad input."""

from __future__ import annotations

from tests.conftest import REFERENCE_MODEL

XSS = "<script>alert(1)</script>"


def test_a_hostile_model_name_is_escaped_everywhere(client) -> None:
    text = REFERENCE_MODEL.read_text().replace(
        "name: From sale to implementation to support", f'name: "{XSS}"', 1
    )
    client.post("/api/models", files={"file": ("xss.yaml", text.encode())})
    for url in ("/models", "/models/xss.yaml", "/models/xss.yaml/edit"):
        body = client.get(url).text
        assert XSS not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


def test_pages_and_api_carry_a_strict_content_security_policy(client) -> None:
    r = client.get("/models")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_without_the_token_pages_redirect_to_login_and_the_api_is_401(token_client) -> None:
    r = token_client.get("/models", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/models"
    r = token_client.get("/api/models")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert token_client.get("/openapi.json").status_code == 401  # like every route
    assert (
        token_client.get("/api/models", headers={"Authorization": "Bearer nope"}).status_code == 401
    )


def test_bearer_token_and_login_cookie_open_the_door(token_client) -> None:
    r = token_client.get("/api/models", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200
    r = token_client.post("/login", data={"token": "wrong", "next": "/models"})
    assert r.status_code == 401 and "not right" in r.text
    r = token_client.post(
        "/login", data={"token": "s3cret-token", "next": "/models"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/models"
    assert "s3cret-token" not in r.headers["set-cookie"]
    assert token_client.get("/models").status_code == 200


def test_login_never_redirects_off_site(token_client) -> None:
    r = token_client.post(
        "/login", data={"token": "s3cret-token", "next": "//evil.example/x"}, follow_redirects=False
    )
    assert r.headers["location"] == "/"


def test_cross_site_posts_are_refused(client) -> None:
    r = client.post("/api/validate", content=b"id: x\n", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post(
        "/api/validate", content=b"id: x\n", headers={"Origin": "http://127.0.0.1:8000"}
    )
    assert r.status_code == 200


def test_bad_inputs_are_4xx_never_500(client) -> None:
    probes = [
        ("GET", "/models/..%2F..%2Fetc%2Fpasswd", None),
        ("GET", "/models/nope.yaml/edit", None),
        ("GET", "/models/saas-handoffs.yaml/download/nope", None),
        ("GET", "/models/saas-handoffs.yaml/history/../../x", None),
        ("GET", "/api/models/%00.yaml", None),
        ("GET", "/api/runs/..%2F..%2Fetc", None),
        ("GET", "/runs/zzzzzzzzzz", None),
        ("GET", "/logs/nope.csv", None),
        ("POST", "/api/check", {"model": "nope.yaml", "log": "saas-handoffs.csv"}),
        ("POST", "/api/check", {"model": "saas-handoffs.yaml", "log": "../x.csv"}),
        ("POST", "/api/check", {"model": "saas-handoffs.yaml"}),
        (
            "POST",
            "/api/check",
            {"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv", "method": "magic"},
        ),
        ("POST", "/runs", None),
        ("POST", "/models/saas-handoffs.yaml/edit", None),
        ("POST", "/models/saas-handoffs.yaml/history/x/restore", {"version": "x"}),
        ("POST", "/api/models", None),
        ("PUT", "/api/models/x.bpmn", None),
        ("PUT", "/api/logs/saas-handoffs.csv/columns", {"when": "x"}),
        ("GET", "/api/models/saas-handoffs.yaml/convert?to=pdf", None),
    ]
    for method, url, body in probes:
        r = client.request(method, url, json=body)
        assert 400 <= r.status_code < 500, (method, url, r.status_code, r.text[:300])
        if url.startswith("/api/"):
            assert "detail" in r.json()
