"""`rules-engine holidays PATH --client ID`: the dates `holiday` holds, by name and source line;
and the line `check` prints per client about its public holidays."""

from __future__ import annotations

import json

from tests.support import ACME

HOLIDAYS = """client az "Desert Cooling" {
    timezone "America/Phoenix"
    holidays US-AZ only "Independence Day", "Christmas Day", "Thanksgiving Day"
    holiday "Company picnic" 2027-07-16
    holiday "Founders' day" 2027-11-25
    contact desk "Front desk" { call "+16025550100" }
    greeting shut when holiday { en "Our office is closed today." }
    greeting open { en "Desert Cooling, how can I help?" }
    route { when holiday -> voicemail  otherwise -> patch desk }
}
"""


def test_a_year_lists_each_date_with_its_name_and_line_then_those_left_out(tmp_path, cli):
    path = tmp_path / "az.rules"
    path.write_text(HOLIDAYS, encoding="utf-8")
    code, out, err = cli("holidays", path, "--client", "az", "--year", "2027")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Desert Cooling (az): `holiday` holds on 6 dates from Fri 01 Jan 2027 to Fri 31 Dec 2027",
        "  Sun 04 Jul 2027  Independence Day                                 line 3: holidays US-AZ",
        "  Mon 05 Jul 2027  Independence Day (observed)                      line 3: holidays US-AZ",
        "  Fri 16 Jul 2027  Company picnic                                   line 4: holiday",
        "  Thu 25 Nov 2027  Founders' day                                    line 5: holiday",
        "  Fri 24 Dec 2027  Christmas Day (observed)                         line 3: holidays US-AZ",
        "  Sat 25 Dec 2027  Christmas Day                                    line 3: holidays US-AZ",
        "public holidays left out, worked as any other day: 10",
        "  Fri 01 Jan 2027  New Year's Day                                   line 3: holidays US-AZ",
        "  Mon 18 Jan 2027  Dr. Martin Luther King Jr. / Civil Rights Day    line 3: holidays US-AZ",
        "  Mon 15 Feb 2027  Lincoln/Washington Presidents' Day               line 3: holidays US-AZ",
        "  Mon 31 May 2027  Memorial Day                                     line 3: holidays US-AZ",
        "  Fri 18 Jun 2027  Juneteenth National Independence Day (observed)  line 3: holidays US-AZ",
        "  Sat 19 Jun 2027  Juneteenth National Independence Day             line 3: holidays US-AZ",
        "  Mon 06 Sep 2027  Labor Day                                        line 3: holidays US-AZ",
        "  Mon 11 Oct 2027  Columbus Day                                     line 3: holidays US-AZ",
        "  Thu 11 Nov 2027  Veterans Day                                     line 3: holidays US-AZ",
        "  Fri 31 Dec 2027  New Year's Day (observed)                        line 3: holidays US-AZ",
    ]


def test_json_gives_each_date_name_line_and_source(tmp_path, cli):
    path = tmp_path / "az.rules"
    path.write_text(HOLIDAYS, encoding="utf-8")
    code, out, err = cli("holidays", path, "--client", "az", "--year", "2026", "--json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert {key: found[key] for key in ("client", "from", "to", "holidays")} == {
        "client": "az",
        "from": "2026-01-01",
        "to": "2026-12-31",
        "holidays": [
            {"date": "2026-07-03", "name": "Independence Day (observed)", "line": 3, "source": "holidays US-AZ"},
            {"date": "2026-07-04", "name": "Independence Day", "line": 3, "source": "holidays US-AZ"},
            {"date": "2026-11-26", "name": "Thanksgiving Day", "line": 3, "source": "holidays US-AZ"},
            {"date": "2026-12-25", "name": "Christmas Day", "line": 3, "source": "holidays US-AZ"},
        ],
    }
    assert [(h["date"], h["name"]) for h in found["left_out"]] == [
        ("2026-01-01", "New Year's Day"),
        ("2026-01-19", "Dr. Martin Luther King Jr. / Civil Rights Day"),
        ("2026-02-16", "Lincoln/Washington Presidents' Day"),
        ("2026-05-25", "Memorial Day"),
        ("2026-06-19", "Juneteenth National Independence Day"),
        ("2026-09-07", "Labor Day"),
        ("2026-10-12", "Columbus Day"),
        ("2026-11-11", "Veterans Day"),
    ]


def test_without_a_year_it_lists_the_coming_365_days(cli):
    code, out, err = cli("holidays", ACME, "--client", "acme_plumbing")
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0].startswith("Acme Plumbing & Heating (acme_plumbing): `holiday` holds on ")
    assert len(lines) - 1 >= 11  # the federal holidays at least, with Illinois's own
    assert any(line.endswith("line 5: holidays US-IL") for line in lines)


def test_bad_input_names_the_option_or_the_client(tmp_path, cli):
    code, _, err = cli("holidays", ACME, "--client", "acme", "--year", "2027")
    assert code == 1
    assert err == f"{ACME}: error: no client `acme` is served\n  hint: served clients: `acme_plumbing`\n"
    assert cli("holidays", ACME, "--client", "acme_plumbing", "--year", "1900") == (
        2,
        "",
        "--year: error: 1900 is too far in the past or the future\n",
    )


def test_check_tells_once_per_file_how_many_days_public_holidays_close(tmp_path, cli):
    path = tmp_path / "az.rules"
    path.write_text(HOLIDAYS, encoding="utf-8")
    code, out, err = cli("check", path, "--from", "2026-12-01")
    assert code == 0 and err.count("warning") == 1
    assert "warning: holiday `Founders' day` (line 5) changes nothing" in err  # a public holiday already
    assert out == (
        # Christmas 2026, Independence Day 2027 and its observed day; Thanksgiving 2027 is the file's own
        f"az: public holidays (US-AZ) make `holiday` hold on 3 days of the 365 from 2026-12-01; "
        f"list them: rules-engine holidays {path} --client az\n"
        "checked 1 file: no errors, 1 warning\n"
    )
    report = json.loads(cli("check", path, "--from", "2026-12-01", "--format", "json").out)
    assert report["holidays"] == [
        {
            "client": "az",
            "regions": ["US-AZ"],
            "from": "2026-12-01",
            "days": 3,
            "command": f"rules-engine holidays {path} --client az",
        }
    ]
