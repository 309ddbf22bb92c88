"""The publishing pages in-process: publish, a refused publish that keeps the text, the history
with its diffs and rollback, onboarding from a copy, the clients list's last publish, and who
may do none of it."""

from __future__ import annotations

import html
import re
import warnings

import pytest

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import SQLiteDatabase
from rules_engine.console.drafts import Drafts
from rules_engine.console.mount import mount
from rules_engine.engine import Engine
from rules_engine.http import create_app
from tests.console.conftest import PASSWORD, csrf_of, log_in, token_of
from tests.console.test_publishing import WARNED
from tests.support import client_text

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PEOPLE = (
    ("root", "admin", ()),
    ("mia", "account_manager", ()),
    ("sam", "account_manager", ("alpha",)),
    ("ann", "client", ("alpha",)),
)
MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def site(rules_dir, tmp_path, cheap_hashes):
    db = SQLiteDatabase(tmp_path / "console.db")
    for name, role, clients in PEOPLE:
        Accounts(db).add(name, role, PASSWORD, clients)
    db.close()
    engine = Engine(rules_dir)
    app = create_app(engine)
    mounted = mount(app, engine, tmp_path / "console.db", secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as client:
        client.engine = engine  # type: ignore[attr-defined]
        client.db_path = tmp_path / "console.db"  # type: ignore[attr-defined]
        yield client
    mounted.close()
    engine.close()


def as_(client: TestClient, name: str) -> TestClient:
    assert log_in(client, name).status_code == 303
    return client


def publish(client, text, message="", acknowledge=False, client_id="alpha"):
    data = {"csrf": token_of(client, f"/console/clients/{client_id}/history"), "text": text, "message": message}
    if acknowledge:
        data["acknowledge"] = "yes"
    return client.post(f"/console/clients/{client_id}/publish", data=data, follow_redirects=False)


def test_a_publish_redirects_to_the_history_showing_the_new_version_and_its_diff(site):
    as_(site, "mia")
    answer = publish(site, client_text("alpha", "Alpha, new hours"), "longer hours " + MARKUP)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/clients/alpha/history?published=2"
    page = site.get(answer.headers["location"]).text
    assert "Version 2 is published and served." in page
    assert '<li class="remove">-    greeting default { en &#34;Alpha speaking&#34; }</li>' in page
    assert '<li class="add">+    greeting default { en &#34;Alpha, new hours&#34; }</li>' in page
    assert (
        "by <strong>mia</strong>" in page
        and "longer hours &lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img" in page
    )
    assert MARKUP not in page
    assert site.engine.client("alpha").greetings[0].texts["en"].source == "Alpha, new hours"


def test_a_publish_discards_the_rules_draft(site):
    as_(site, "mia")
    db = SQLiteDatabase(site.db_path)
    drafts = Drafts(db)
    drafts.put("alpha", client_text("alpha", "Alpha, drafted"), "mia")
    assert "Alpha, drafted" in site.get("/console/clients/alpha/history").text  # the form offers the draft
    assert publish(site, client_text("alpha", "Alpha, drafted"), "from the draft").status_code == 303
    assert drafts.get("alpha") is None
    db.close()


def test_a_refused_publish_lists_the_errors_and_keeps_the_text(site):
    as_(site, "mia")
    text = client_text("alpha", "Alpha <script>alert(1)</script>", broken=True)
    answer = publish(site, text, "a try")
    assert answer.status_code == 400
    assert re.search(r"line 7, column \d+: ", answer.text)
    kept = re.search(r'<textarea id="publish-text" name="text"[^>]*>(.*?)</textarea>', answer.text, re.S)
    assert kept and html.unescape(kept.group(1)) == text
    assert "<script>alert(1)" not in answer.text
    assert site.get("/console/clients/alpha/history").text.count('class="version"') == 1


def test_warnings_need_the_acknowledge_box(site):
    as_(site, "mia")
    answer = publish(site, WARNED, "Spanish")
    assert answer.status_code == 400 and "I have read the warnings" in answer.text
    assert "has no `es` text" in answer.text
    assert publish(site, WARNED, "Spanish", acknowledge=True).status_code == 303


def test_rollback_serves_the_old_version_again_and_is_recorded(site):
    as_(site, "root")
    old = site.engine.client("alpha").rules_version
    publish(site, client_text("alpha", "Alpha two"), "two")
    token = token_of(site, "/console/clients/alpha/history")
    answer = site.post("/console/clients/alpha/rollback", data={"csrf": token, "number": "1"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("published=3")
    assert site.engine.client("alpha").rules_version == old
    page = site.get("/console/clients/alpha/history").text
    assert "rollback to version 1" in page and "Rolled back to version 1" in page
    audit = site.get("/console/audit?format=json").json()
    assert [e["action"] for e in audit if e["client"] == "alpha"][:2] == ["rollback", "publish"]


def test_the_clients_list_says_who_published_last_and_when(site):
    as_(site, "mia")
    page = site.get("/console/clients").text
    assert "files, " in page  # the import made when the console started
    publish(site, client_text("alpha", "Alpha two"), "two")
    assert re.search(
        r'/console/clients/alpha/history">mia, \w{3} \d\d \w{3} 20\d\d \d\d:\d\d C[SD]T<',
        site.get("/console/clients").text,
    )


def test_onboarding_copies_a_client_with_a_new_id_name_and_number_and_serves_it(site, rules_dir):
    as_(site, "mia")
    token = token_of(site, "/console/clients/new")
    form = {"csrf": token, "source": "alpha", "id": "gamma", "name": MARKUP, "numbers": "+13125550400"}
    answer = site.post("/console/clients/new", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/clients/gamma/history?published=1"
    gamma = site.engine.client(number="+13125550400")
    assert (gamma.id, gamma.title) == ("gamma", MARKUP)
    assert (rules_dir / "gamma.rules").read_text().startswith("client gamma ")
    page = site.get("/console/clients/gamma/history").text
    assert MARKUP not in page and "&lt;script&gt;" in page


def test_onboarding_with_a_number_already_served_shows_the_error_on_the_form(site, rules_dir):
    as_(site, "mia")
    token = token_of(site, "/console/clients/new")
    form = {"csrf": token, "source": "alpha", "id": "gamma", "name": "Gamma", "numbers": "+13125550300"}
    answer = site.post("/console/clients/new", data=form)
    assert answer.status_code == 400 and "+13125550300" in answer.text
    assert 'value="gamma"' in answer.text  # the form keeps what was typed
    assert not (rules_dir / "gamma.rules").exists() and "gamma" not in site.engine.clients


def test_a_restricted_manager_onboards_a_copy_of_their_client_and_then_looks_after_it(site):
    as_(site, "sam")
    page = site.get("/console/clients/new").text
    assert 'value="alpha"' in page and 'value="beta"' not in page
    token = csrf_of(page)
    denied = {"csrf": token, "source": "beta", "id": "delta", "name": "Delta", "numbers": "+13125550500"}
    assert site.post("/console/clients/new", data=denied).status_code == 400  # beta is not theirs to copy
    form = {**denied, "source": "alpha"}
    assert site.post("/console/clients/new", data=form, follow_redirects=False).status_code == 303
    assert site.get("/console/clients/delta/history").status_code == 200
    assert site.get("/console/clients/beta/history").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/console/clients/alpha/history"),
        ("get", "/console/clients/new"),
        ("post", "/console/clients/alpha/publish"),
        ("post", "/console/clients/alpha/rollback"),
        ("post", "/console/clients/new"),
    ],
)
def test_a_client_account_gets_the_missing_client_page_for_publishing(site, method, path):
    as_(site, "ann")
    token = token_of(site, "/console/clients/alpha")
    data = {"csrf": token, "text": client_text("alpha", "Owned"), "number": "1", "source": "alpha", "id": "x"}
    answer = site.get(path) if method == "get" else site.post(path, data=data)
    missing = site.get("/console/clients/nobody")
    assert answer.status_code == missing.status_code == 404
    assert answer.text.replace(path, "") == missing.text.replace("/console/clients/nobody", "")
    assert site.engine.client("alpha").greetings[0].texts["en"].source == "Alpha speaking"


def test_another_managers_client_is_404_on_history_publish_and_rollback(site):
    as_(site, "sam")
    token = token_of(site, "/console/clients/alpha/history")
    assert site.get("/console/clients/beta/history").status_code == 404
    text = client_text("beta", "Taken", "+13125550300")
    assert site.post("/console/clients/beta/publish", data={"csrf": token, "text": text}).status_code == 404
    assert site.post("/console/clients/beta/rollback", data={"csrf": token, "number": "1"}).status_code == 404


def test_without_the_csrf_token_nothing_is_published(site):
    as_(site, "mia")
    text = client_text("alpha", "Forged")
    assert site.post("/console/clients/alpha/publish", data={"text": text}).status_code == 403
    assert site.post("/console/clients/alpha/rollback", data={"number": "1"}).status_code == 403
    form = {"source": "alpha", "id": "forged", "name": "F", "numbers": "+13125550600"}
    assert site.post("/console/clients/new", data=form).status_code == 403
    assert site.engine.client("alpha").greetings[0].texts["en"].source == "Alpha speaking"
    assert "forged" not in site.engine.clients


def test_a_rollback_to_a_version_with_warnings_asks_for_the_acknowledgement_too(site):
    as_(site, "mia")
    publish(site, WARNED, "Spanish", acknowledge=True)
    publish(site, client_text("alpha", "Alpha, English only"), "English only")
    token = token_of(site, "/console/clients/alpha/history")
    answer = site.post("/console/clients/alpha/rollback", data={"csrf": token, "number": "2"})
    assert answer.status_code == 400 and "has no `es` text" in answer.text
    assert '<input type="hidden" name="number" value="2">' in answer.text and "I have read the warnings" in answer.text
    assert site.engine.client("alpha").greetings[0].texts["en"].source == "Alpha, English only"
    data = {"csrf": token, "number": "2", "acknowledge": "yes"}
    assert site.post("/console/clients/alpha/rollback", data=data, follow_redirects=False).status_code == 303
    assert site.engine.client("alpha").greetings[0].texts["en"].source == "Alpha, warned"
