"""A new client's file from a copy: only the id, the title and the numbers change, at the
places the compiled client gives; what cannot be copied that way is said in words."""

from __future__ import annotations

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.console.onboarding import OnboardingError, copy_text, numbers_of
from tests.support import client_text


def compiled(text: str):
    client, _ = compile_text(text, "source.rules")
    return client


def test_only_the_id_the_title_and_the_numbers_change():
    text = client_text("alpha", "Alpha speaking").replace('"+13125550200"', '"+13125550200", # main\n  "+13125550201"')
    made = copy_text(compiled(text), "gamma", 'Gamma "G" \\ Co', ["+13125550400"])
    assert made.splitlines()[0] == 'client gamma "Gamma \\"G\\" \\\\ Co" {'
    assert 'numbers   "+13125550400"\n' in made
    assert made.splitlines()[4:] == text.splitlines()[5:]  # the rest, untouched
    gamma = compiled(made)
    assert (gamma.id, gamma.title, [n.value for n in gamma.numbers]) == ("gamma", 'Gamma "G" \\ Co', ["+13125550400"])


def test_a_copy_of_a_client_without_a_title_gets_one():
    text = client_text("alpha", "Alpha speaking").replace('client alpha "Alpha" {', "client alpha {")
    gamma = compiled(copy_text(compiled(text), "gamma", "Gamma", ["+13125550400", "+13125550401"]))
    assert (gamma.title, len(gamma.numbers)) == ("Gamma", 2)


@pytest.mark.parametrize(
    ("new_id", "title", "numbers", "said"),
    [
        ("Gamma", "Gamma", ["+13125550400"], "lower-case letters"),
        ("gamma", "  ", ["+13125550400"], "the new client's name"),
        ("gamma", "Gamma", [], "at least one number"),
        ("gamma", "Gamma\nroute", ["+13125550400"], "line break"),
    ],
)
def test_what_cannot_make_a_copy_is_said(new_id, title, numbers, said):
    with pytest.raises(OnboardingError, match=said):
        copy_text(compiled(client_text("alpha", "Alpha")), new_id, title, numbers)


def test_a_forms_numbers_are_split_on_commas_spaces_and_lines():
    assert numbers_of(" +13125550400, +13125550401\n+13125550402 ") == ["+13125550400", "+13125550401", "+13125550402"]
