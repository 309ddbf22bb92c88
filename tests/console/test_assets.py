"""The console's browser files ship built in the package, from the npm lockfile beside their
sources (rules_engine/console/frontend: `npm ci && npm run build`), and are served by the
service itself: no CDN, no network at run time."""

from __future__ import annotations

import hashlib
import json

from tests.console.conftest import log_in
from tests.support import ROOT

CONSOLE = ROOT / "rules_engine" / "console"
MANIFEST = json.loads((CONSOLE / "static" / "assets.json").read_text(encoding="utf-8"))


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_built_files_are_those_of_the_lockfile_in_the_repository():
    lockfile = CONSOLE / "frontend" / "package-lock.json"
    for source in ("package-lock.json", "src/editor.js"):
        assert MANIFEST["built_from"][source] == sha256(CONSOLE / "frontend" / source), (
            f"{source} changed since the console's files were built: "
            "cd rules_engine/console/frontend && npm ci && npm run build"
        )
    for name, digest in MANIFEST["files"].items():
        assert sha256(CONSOLE / "static" / name) == digest, f"static/{name} is not the file the build made"
    for name, digest in MANIFEST["test_files"].items():
        assert sha256(ROOT / "tests" / "console" / name) == digest, f"tests/console/{name} is not the lockfile's"
    locked = json.loads(lockfile.read_text(encoding="utf-8"))["packages"]
    for name, version in MANIFEST["versions"].items():
        assert locked[f"node_modules/{name}"]["version"] == version


def test_the_pages_load_their_scripts_from_the_service_only(console):
    log_in(console.client, "mia")
    page = console.client.get("/console/clients/acme_plumbing").text
    assert '<script src="/console/static/htmx.min.js" defer></script>' in page
    assert '<script src="/console/static/editor.js" defer></script>' in page
    assert "http://" not in page and "https://" not in page
    for name in MANIFEST["files"]:
        served = console.client.get(f"/console/static/{name}")
        assert served.status_code == 200 and "javascript" in served.headers["content-type"]
        assert hashlib.sha256(served.content).hexdigest() == MANIFEST["files"][name]


def test_a_client_owner_gets_no_editor_and_not_the_rule_file(console):
    log_in(console.client, "ann")
    page = console.client.get("/console/clients/acme_plumbing").text
    assert "editor.js" not in page and "rules-file" not in page
