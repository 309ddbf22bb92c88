"""People log in and out; sessions are the server's and change at login; forms need the
session's CSRF token; failed log-ins are limited per account and per address."""

from __future__ import annotations

from rules_engine.console.sessions import hashed
from tests.console.conftest import PASSWORD, csrf_of, log_in, token_of

COOKIE = "__Host-rules-engine-console"


def test_an_admin_logs_in_sees_the_clients_and_logs_out(console):
    answer = log_in(console.client, "root")
    assert answer.status_code == 303 and answer.headers["location"] == "/console"
    page = console.client.get("/console/clients")
    assert page.status_code == 200
    assert "Acme Plumbing" in page.text and "Hale" in page.text
    out = console.client.post("/console/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    again = console.client.get("/console/clients", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/console/login"


def test_the_session_cookie_is_secure_http_only_and_same_site_strict(console):
    answer = log_in(console.client, "root")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= attributes
    assert not any(a.startswith("domain") for a in attributes)


def test_the_session_id_changes_at_login_and_the_old_one_is_worth_nothing(console):
    console.client.get("/console/login")
    before = console.client.cookies[COOKIE]
    answer = log_in(console.client, "mia")  # log_in opens the login page again: same anonymous session
    after = answer.cookies[COOKIE]
    assert after != before
    stored = {row[0] for row in console.accounts.db.rows("SELECT id FROM console_session")}
    assert hashed(after) in stored and hashed(before) not in stored
    assert after not in stored  # the store keeps only a hash of the cookie
    console.client.cookies.clear()
    console.client.cookies.set(COOKIE, before)
    planted = console.client.get("/console/clients", follow_redirects=False)
    assert planted.status_code == 303 and planted.headers["location"] == "/console/login"


def test_a_wrong_password_or_name_is_refused_alike_and_recorded(console):
    wrong = log_in(console.client, "root", "not the password")
    nobody = log_in(console.client, "nobody", "not the password")
    assert wrong.status_code == nobody.status_code == 401
    assert "Wrong name or password." in wrong.text and "Wrong name or password." in nobody.text
    actions = [(e.actor, e.action) for e in console_audit(console)]
    assert ("root", "login_failed") in actions and ("nobody", "login_failed") in actions


def test_five_failed_logins_lock_the_account_even_with_the_right_password(console):
    for _ in range(5):
        assert log_in(console.client, "ann", "guess guess guess").status_code == 401
    locked = log_in(console.client, "ann", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.text
    assert log_in(console.client, "root").status_code == 303  # another account is not locked


def test_twenty_failed_logins_from_one_address_lock_it_for_every_account(console):
    for number in range(20):
        log_in(console.client, f"guess{number}", "guess guess guess")
    assert log_in(console.client, "root").status_code == 429


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(console):
    log_in(console.client, "root")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    for data in ({"note": "In court"}, {"note": "In court", "csrf": "forged" + token[6:]}):
        refused = console.client.post("/console/clients/acme_plumbing/status", data=data)
        assert refused.status_code == 403
        assert "did not come from the console" in refused.text
    assert console.client.get("/console/api/clients/acme_plumbing/state").json()["status"] is None
    header = console.client.post(
        "/console/clients/acme_plumbing/status", data={"note": "In court"}, headers={"X-CSRF-Token": token}
    )
    assert header.status_code == 200  # followed the redirect to the page
    assert console.client.get("/console/api/clients/acme_plumbing/state").json()["status"]["note"] == "In court"


def test_the_login_form_itself_needs_its_token(console):
    console.client.get("/console/login")
    answer = console.client.post("/console/login", data={"name": "root", "password": PASSWORD})
    assert answer.status_code == 403


def test_pages_forbid_framing_inline_script_and_caching(console):
    page = console.client.get("/console/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"


def console_audit(console):
    from rules_engine.console.audit import Audit

    return Audit(console.accounts.db).entries(None, "")
