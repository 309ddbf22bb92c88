"""Every page of a client, found from the application's routes (a page added later is covered
without being listed here): a client account gets, for another client's page, exactly the
404 of a client that does not exist; and markup in a client's name, its rule text and its
owner's status note shows as text on every page an account manager opens."""

from __future__ import annotations

import shutil

import pytest
from fastapi.routing import APIRoute

from rules_engine.console.mount import mount
from rules_engine.engine import Engine
from rules_engine.http import create_app
from tests.console.conftest import TestClient, log_in
from tests.support import CONFIGS

MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def routes(app) -> list[APIRoute]:
    """The application's routes, those of included routers too."""
    found = []
    for route in app.routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
        found.extend(included.routes if included is not None else [route])
    return [route for route in found if isinstance(route, APIRoute)]


def client_pages(app) -> list[str]:
    """The GET routes of one client's pages whose only parameter is the client."""
    return sorted(
        route.path
        for route in routes(app)
        if "GET" in route.methods
        and route.path.startswith("/console/")
        and "{client}" in route.path
        and route.path.count("{") == 1
    )


@pytest.fixture
def hostile(tmp_path, accounts_path):
    """The example clients and one more, `markup_co`, whose name, greeting and owner's status
    hold markup; the console over them."""
    rules = tmp_path / "rules"
    shutil.copytree(CONFIGS, rules)
    text = (rules / "acme_plumbing.rules").read_text(encoding="utf-8")
    written = MARKUP.replace('"', '\\"')  # a quote inside a rule file's text is written \"
    text = (
        text.replace('client acme_plumbing "Acme Plumbing & Heating"', f'client markup_co "Markup {written}"')
        .replace('numbers   "+13125550100", "+13125550101"', 'numbers   "+13125550999"')
        .replace("Thank you for calling Acme Plumbing.", f"Thank you for calling {written}.")
    )
    (rules / "markup_co.rules").write_text(text, encoding="utf-8")
    engine = Engine(rules)
    assert "markup_co" in engine.clients, [p.render() for p in engine.problems]
    engine.set_status("markup_co", f"In court {MARKUP}")
    app = create_app(engine)
    db = mount(app, engine, accounts_path, secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as client:
        yield app, client
    db.close()
    engine.close()


def test_the_pages_are_found(hostile):
    app, _ = hostile
    pages = client_pages(app)
    for expected in ("/edit", "/try", "/week", "/preview", "/scenarios", "/history", "/oncall", "/requests", "/report"):
        assert any(path.endswith(expected) for path in pages), (expected, pages)


def test_a_client_account_gets_the_404_of_a_missing_client_for_every_page_of_another(hostile):
    app, client = hostile
    log_in(client, "ann")  # Acme's owner
    for path in client_pages(app):
        denied = client.get(path.replace("{client}", "harbour_vets"))
        missing = client.get(path.replace("{client}", "no_such_client"))
        assert denied.status_code == missing.status_code == 404, path
        assert denied.text == missing.text, path
        assert "Harbour" not in denied.text, path


def test_markup_in_a_name_a_rule_and_a_status_shows_as_text_on_every_page(hostile):
    app, client = hostile
    log_in(client, "root")
    shown = 0
    for path in [*client_pages(app), "/console/clients"]:
        page = client.get(path.replace("{client}", "markup_co"))
        assert page.status_code < 500, path
        kind = page.headers.get("content-type", "")
        if "html" not in kind and "svg" not in kind:
            continue
        assert "<script>alert(1)" not in page.text, path
        assert "<img src=x" not in page.text, path
        shown += ESCAPED in page.text
    assert shown >= 5  # the name (or the rules, or the note) is on most pages, escaped
