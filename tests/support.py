"""What many test modules share: the project's paths, and small client files to save and break.

Fixtures live in `conftest.py`; this module holds the plain values and helpers that test
modules need at import time (for `parametrize`) or call directly.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "client_configs"
FEATURES = ROOT / "features"
GOLDEN = ROOT / "tests" / "golden"
ACME = CONFIGS / "acme_plumbing.rules"
EXAMPLE_FILES = sorted(CONFIGS.glob("*.rules"))
CLIENTS = [path.stem for path in EXAMPLE_FILES]

# A one-desk client: every call goes to the front desk (line 7).
DESK_ONLY = """client desk_only "Desk Only" {
    timezone  "Europe/London"
    languages en
    numbers   "+442071234567"
    contact desk "Front desk" { call "+442071234999" }
    greeting default { en "Desk Only, good day" }
    route { otherwise -> patch desk }   # everyone to the desk
}
"""


def client_text(client: str, greeting: str, number: str = "+13125550200", broken: bool = False) -> str:
    route = "rout" if broken else "route"  # a misspelt section name: a syntax error
    return f"""client {client} "{client.title()}" {{
    timezone  "America/Chicago"
    languages en
    numbers   "{number}"
    contact desk "Front desk" {{ call "+13125550999" }}
    greeting default {{ en "{greeting}" }}
    {route} {{ otherwise -> patch desk }}
}}
"""


def eventually(check, within: float = 1.0, every: float = 0.005):
    """The first true value of `check()` within `within` seconds; the last one (false) after."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


def wait_for(condition, what: str = "the condition", seconds: float = 20.0):
    """The first true value of `condition()` within `seconds`; a failed assertion naming `what` after."""
    found = eventually(condition, within=seconds, every=0.05)
    assert found, f"timed out after {seconds}s waiting for {what}"
    return found
