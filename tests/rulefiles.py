"""A one-greeting client file for tests that save, edit, break and reload rules on disk.

Each saved version carries its own greeting, so a decision shows which version decided it.
"""

from __future__ import annotations


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
