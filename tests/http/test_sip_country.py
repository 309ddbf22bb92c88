"""National numbers and reason-less Diversions through POST /v1/decide/sip: with the service's
`default_country` a national Diversion decides like its E.164 form; without it the 400 names
the field and says to set it; a Diversion without reason decides as `unknown`."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog

with warnings.catch_warnings():  # as in conftest.py
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

AT = "2026-11-28T23:15:00-06:00"
SERVICE = "sip:+18005550000@answering.example"
RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
NATIONAL_BUSY = "<sip:3125550100@carrier.example;user=phone>;reason=user-busy;counter=1"


@pytest.fixture
def us_client(served_engine, tmp_path):
    """The service as `rules-engine serve --default-country US` runs it."""
    log = AccessLog(tmp_path / "requests.log")
    with TestClient(create_app(served_engine, log=log, default_country="US")) as client:
        yield client
    log.close()


@pytest.mark.parametrize("body", ["json", "form"])
def test_a_national_diversion_decides_like_its_international_form(us_client, served_engine, body):
    facts = {"request_uri": SERVICE, "diversion": NATIONAL_BUSY, "from": "<sip:7735550199@carrier.example>", "at": AT}
    response = us_client.post("/v1/decide/sip", **{body if body == "json" else "data": facts})
    assert response.status_code == 200, response.text
    call = Call(number="+13125550100", at=AT, forwarded="busy", caller="+17735550199")
    assert response.content == served_engine.decide(call).to_json().encode("utf-8")


def test_the_summary_reads_a_national_diversion_too(us_client):
    response = us_client.post("/v1/decide/sip/summary", data={"request_uri": SERVICE, "diversion": NATIONAL_BUSY})
    assert response.status_code == 200, response.text
    assert (response.json()["client"], response.json()["forwarded"], response.json()["source"]) == (
        "acme_plumbing",
        "busy",
        "diversion",
    )


@pytest.mark.parametrize("path", ["/v1/decide/sip", "/v1/decide/sip/summary"])
def test_without_a_default_country_the_400_says_to_set_it(open_client, path):
    response = open_client.post(path, data={"request_uri": SERVICE, "diversion": NATIONAL_BUSY, "at": AT})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "diversion"
    assert error["message"].startswith(
        "`sip:3125550100@carrier.example;user=phone` gives the national number 3125550100, without + and a "
        "country code; set default_country to read national numbers (`default_country: US` in the settings file, "
        "or `rules-engine serve --default-country US`)"
    )


@pytest.mark.parametrize("path", ["/v1/decide/sip", "/v1/decide/sip/summary"])
def test_a_diversion_without_reason_is_decided_as_forwarded_for_an_unknown_reason(open_client, served_engine, path):
    response = open_client.post(
        path, json={"request_uri": SERVICE, "diversion": "<sip:+13125550100@carrier.example;user=phone>", "at": AT}
    )
    assert response.status_code == 200, response.text
    expected = served_engine.decide(Call(number="+13125550100", at=AT, forwarded="unknown"))
    if path.endswith("summary"):
        assert (response.json()["forwarded"], response.json()["greeting"]) == ("unknown", expected.greeting.id)
    else:
        assert response.content == expected.to_json().encode("utf-8")


def test_serve_refuses_a_country_code_that_is_not_one(rules):
    started = subprocess.run(
        [RULES_ENGINE, "serve", "--rules", str(rules), "--port", "0", "--default-country", "UK"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # the exit status is the point
    )
    assert (started.returncode, started.stderr.strip()) == (
        1,
        "rules-engine serve: arguments: default_country: `UK` is not an ISO 3166 country code; did you mean GB?",
    )
