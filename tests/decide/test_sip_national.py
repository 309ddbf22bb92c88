"""National numbers and reason-less Diversions in the SIP normaliser: every row of docs/sip.md's
`default_country` table, the refusal that says to set it, and `unknown` for a Diversion that
does not say why."""

from __future__ import annotations

import pytest

from rules_engine.decide.sip import SipError, SipFacts, call_from_sip, country_code, read_forwarding
from rules_engine.runtime.settings import Settings, SettingsError
from tests.decide.test_sip import AT, SERVICE, first_code, table_rows

COUNTRY_ROWS = table_rows("## National numbers: `default_country`")


@pytest.mark.parametrize("country, sent, number", COUNTRY_ROWS, ids=[f"{r[0]}:{r[1]}" for r in COUNTRY_ROWS])
def test_each_row_of_the_country_table(country, sent, number):
    country, sent, number = first_code(country), first_code(sent), first_code(number)
    diverted = SipFacts(request_uri=SERVICE, diversion=f"<sip:{sent}@carrier.example;user=phone>;reason=user-busy")
    assert read_forwarding(diverted, country).number == number
    dialled = SipFacts(request_uri=f"<sip:{sent}@service.example>", **{"from": f"<sip:{sent}@carrier.example>"}, at=AT)
    call = call_from_sip(dialled, default_country=country)
    assert (call.number, call.caller) == (number, number)


def test_the_table_has_the_countries_it_promises():
    assert {first_code(row[0]) for row in COUNTRY_ROWS} >= {"US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR"}


def test_a_national_number_without_a_default_country_says_to_set_it():
    facts = SipFacts(request_uri=SERVICE, diversion="<sip:3125550100@carrier.example>;reason=user-busy")
    with pytest.raises(SipError) as caught:
        call_from_sip(facts)
    assert caught.value.field == "diversion"
    assert str(caught.value) == (
        "diversion: `sip:3125550100@carrier.example` gives the national number 3125550100, without + and a "
        "country code; set default_country to read national numbers (`default_country: US` in the settings "
        "file, or `rules-engine serve --default-country US`), or have the switch send numbers as +13125550100"
    )


@pytest.mark.parametrize(
    "facts, field",
    [
        ({"request_uri": "sip:3125550100@service.example"}, "request_uri"),
        ({"request_uri": SERVICE, "redirecting_from": "3125550100", "redirecting_reason": "cfb"}, "redirecting_from"),
        ({"request_uri": SERVICE, "forwarded_from": "3125550100"}, "forwarded_from"),
        (
            {"request_uri": SERVICE, "history_info": f"<sip:3125550100@c.example>;index=1, <{SERVICE};cause=486>"},
            "history_info",
        ),
        ({"request_uri": "sip:+13125550100@s.example", "from": "<sip:7735550123@c.example>"}, "from"),
    ],
)
def test_every_number_field_is_refused_national_without_a_country_and_read_with_one(facts, field):
    with pytest.raises(SipError) as caught:
        call_from_sip(SipFacts(**facts, at=AT))
    assert caught.value.field == field and "default_country" in str(caught.value)
    call = call_from_sip(SipFacts(**facts, at=AT), default_country="US")
    assert call.number == "+13125550100"
    if field == "from":
        assert call.caller == "+17735550123"


def test_a_national_number_impossible_in_the_country_names_the_country():
    facts = SipFacts(request_uri=SERVICE, diversion="<sip:555@carrier.example>;reason=user-busy")
    with pytest.raises(SipError) as caught:
        call_from_sip(facts, default_country="US")
    assert caught.value.field == "diversion"
    assert str(caught.value) == (
        "diversion: `sip:555@carrier.example`, read as a number of US (default_country): "
        "`555` is too short for a number of country code +1"
    )


def test_numbers_with_a_plus_are_read_as_they_are_whatever_the_country():
    facts = SipFacts(request_uri=SERVICE, diversion="<sip:+442079460000@carrier.example>;reason=user-busy")
    assert read_forwarding(facts, "US").number == "+442079460000"


@pytest.mark.parametrize(
    "diversion, reason, diversions",
    [
        ("<sip:+13125550100@carrier.example;user=phone>", "unknown", 1),
        ("<sip:+13125550100@carrier.example>;counter=2;privacy=off", "unknown", 2),
        ("<sip:+13125559999@pbx.example>;reason=user-busy, <sip:+13125550100@carrier.example>", "unknown", 2),
        ("<sip:+13125559999@pbx.example>, <sip:+13125550100@carrier.example>;reason=no-answer", "no_answer", 2),
    ],
)
def test_a_diversion_without_reason_is_forwarded_for_an_unknown_reason(diversion, reason, diversions):
    found = read_forwarding(SipFacts(request_uri=SERVICE, diversion=diversion))
    assert (found.number, found.reason, found.source, found.diversions) == (
        "+13125550100",
        reason,
        "diversion",
        diversions,
    )
    assert call_from_sip(SipFacts(request_uri=SERVICE, diversion=diversion, at=AT)).forwarded == reason


@pytest.mark.parametrize("given, code", [("US", "US"), ("us", "US"), (" gb ", "GB"), ("IE", "IE")])
def test_a_country_code_is_iso_3166_alpha_2(given, code):
    assert country_code(given) == code


@pytest.mark.parametrize(
    "given, message",
    [
        ("UK", "`UK` is not an ISO 3166 country code; did you mean GB?"),
        ("USA", "`USA` is not a country code of the phone numbering plans: give an ISO 3166 alpha-2 code"),
        ("1", "`1` is not a country code of the phone numbering plans"),
    ],
)
def test_a_wrong_country_code_says_what_to_give(given, message):
    with pytest.raises(ValueError) as caught:
        country_code(given)
    assert str(caught.value).startswith(message)


def test_the_settings_file_takes_default_country_and_the_flag_overrides_it(tmp_path):
    (tmp_path / "rules").mkdir()
    settings = tmp_path / "engine.yaml"
    settings.write_text("rules: rules\ndefault_country: gb\n")
    assert Settings.from_yaml(settings).default_country == "GB"
    assert Settings.from_yaml(settings, default_country="US").default_country == "US"
    settings.write_text("rules: rules\ndefault_country: UK\n")
    with pytest.raises(SettingsError) as caught:
        Settings.from_yaml(settings)
    assert str(caught.value) == f"{settings}: default_country: `UK` is not an ISO 3166 country code; did you mean GB?"
