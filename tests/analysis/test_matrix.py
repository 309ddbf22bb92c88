"""`rules-engine matrix`: what callers hear per forwarding reason, exact, and checked against `decide`."""

from __future__ import annotations

import html
import json
import os
import random
import re
import shutil
from datetime import date
from itertools import pairwise

import pytest

from rules_engine.analysis.classes import Dims
from rules_engine.analysis.explore import WITH_STATUS
from rules_engine.analysis.matrix import matrix
from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.decide.call import Call
from rules_engine.live import EMPTY
from rules_engine.model import FORWARDING_REASONS
from tests.analysis.headless import chromium, pdf_pages, pdf_text, print_pdf, visit
from tests.support import ACME, CONFIGS

# A week per client around a DST change, and one around its holidays or closures.
WEEKS = {
    "acme_plumbing": (date(2026, 10, 26), date(2026, 11, 23), date(2026, 12, 21)),
    "comfort_air": (date(2026, 6, 29), date(2026, 11, 23), date(2026, 12, 28)),
    "hale_law": (date(2026, 3, 23), date(2026, 8, 24), date(2026, 10, 19)),
    "harbour_vets": (date(2026, 4, 2), date(2026, 9, 28), date(2026, 12, 21)),
    "riverside_medical": (date(2026, 3, 2), date(2026, 10, 12), date(2026, 11, 23)),
}


def classes_match(dims: Dims, when: dict, point: dict) -> bool:
    """True when a call whose classes are `point` is in the class a variant names."""
    return dims.when({name: point[name] for name in point if name_in(name, when)}) == when


def name_in(name: str, when: dict) -> bool:
    if name.startswith("answers."):
        return name.partition(".")[2] in when.get("answers", {})
    return name in when


@pytest.mark.parametrize("name", sorted(WEEKS))
def test_matrix_agrees_with_decide_at_random_instants_and_reasons(name):
    client, _ = compile_file(CONFIGS / f"{name}.rules")
    plan = ClientPlan.of(client)  # planned once, as a server would
    dims = Dims([client])
    rng = random.Random(name)
    numbers = (
        [None] + [n.value for n in client.numbers] + [n.value for lst in client.lists.values() for n in lst.numbers]
    )
    languages = [None, "xx"] + [n.value for n in client.languages]
    for first in WEEKS[name]:
        found = matrix(client, first, 7)
        rows = found.reasons
        start, end = rows["always"][0].start, rows["always"][-1].end
        for _ in range(150):
            at = start + (end - start) * rng.random()
            reason = rng.choice(FORWARDING_REASONS)
            row = next(r for r in rows[reason] if r.start <= at < r.end)
            plain = Decider(plan, Call(client=client.id, at=at, forwarded=reason), EMPTY).decision()
            assert (plain.greeting.id, plain.greeting.text, plain.script.id, plain.windows) == (
                row.greeting,
                row.text,
                row.script,
                row.windows,
            ), (name, at, reason)
            # Any other arrival facts: a variant of the row says what they get, or they get the row's.
            status = rng.random() < 0.3
            call = Call(
                client=client.id,
                at=at,
                forwarded=reason,
                caller=rng.choice(numbers),
                number=rng.choice([None] + [n.value for n in client.numbers]),
                language=rng.choice(languages),
            )
            got = Decider(plan, call, WITH_STATUS if status else EMPTY).decision()
            point = dims.classify(call, status)
            expected = [(v.greeting, v.script) for v in row.variants if classes_match(dims, v.when, point)]
            assert [(got.greeting.id, got.script.id)] == (expected or [(row.greeting, row.script)]), (name, call)


def test_on_thanksgiving_every_forwarding_reason_hears_the_office_is_closed(cli):
    code, out, err = cli("matrix", str(ACME), "--client", "acme_plumbing", "--from", "2026-11-26", "--days", "1")
    assert (code, err) == (0, "")
    every = out[out.index("forwarded always, scheduled, manual, busy, no_answer, unavailable, direct, unknown\n") :]
    assert (
        "  Thu 26 Nov holiday 00:00-06:00  after_hours    script intake; windows night, holiday; "
        "es callers: in es\n" in every
    )
    assert (
        "                     08:00-12:00  after_hours    script intake; windows open, split, holiday; "
        "es callers: in es\n" in every
    )
    assert "busy " not in every.split("\n\n")[0]
    assert out.startswith(
        "Acme Plumbing & Heating (acme_plumbing): what callers hear, Thu 2026-11-26 to "
        "Thu 2026-11-26, America/Chicago\nforwarding declared: none (every reason is shown)\n"
        "holiday Thu 26 Nov: Thanksgiving Day\n"
    )


def test_json_gives_every_reason_as_segments_with_offsets(cli):
    code, out, _ = cli("matrix", str(ACME), "--client", "acme_plumbing", "--week", "2026-12-24", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["client"], data["zone"], data["from"], data["to"]) == (
        "acme_plumbing",
        "America/Chicago",
        "2026-12-21T00:00:00-06:00",
        "2026-12-28T00:00:00-06:00",
    )
    assert list(data["reasons"]) == list(FORWARDING_REASONS)
    for segments in data["reasons"].values():
        assert segments[0]["from"] == data["from"] and segments[-1]["to"] == data["to"]
        assert all(a["to"] == b["from"] for a, b in pairwise(segments))
    christmas = [s for s in data["reasons"]["always"] if s["from"] == "2026-12-24T12:00:00-06:00"]
    assert christmas[0]["greeting"] == "after_hours" and "closed" in christmas[0]["windows"]
    # The spec's own example keeps its `busy` greeting off closures: a busy line hears "closed" too.
    busy = [s for s in data["reasons"]["busy"] if s["from"] == "2026-12-24T12:00:00-06:00"]
    assert busy[0]["greeting"] == "after_hours" and "closed" in busy[0]["windows"]
    assert data["closures"] == [
        {"title": "Christmas", "from": "2026-12-24T12:00:00-06:00", "to": "2026-12-26T08:00:00-06:00"}
    ]
    assert data["holidays"] == {"2026-12-25": "Christmas Day"}
    assert set(data["greetings"]) == {"busy", "after_hours", "away", "default"}


def test_declared_forwarding_reasons_come_first(tmp_path, cli):
    text = ACME.read_text(encoding="utf-8").replace(
        "    holidays  US-IL", "    forwarding busy, no_answer\n    holidays  US-IL"
    )
    (tmp_path / "acme.rules").write_text(text, encoding="utf-8")
    code, out, _ = cli("matrix", str(tmp_path), "--client", "acme_plumbing", "--week", "2026-12-02", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["forwarding"] == ["busy", "no_answer"]
    assert list(data["reasons"])[:3] == ["busy", "no_answer", "always"]


def test_a_fall_back_night_is_cut_where_the_clocks_change():
    client, _ = compile_text("""client dst "Dst" {
        timezone "America/Chicago"
        window early = daily 01:00-01:30
        contact desk "Desk" { call "+13125550999" }
        greeting early when early { en "Early" }
        greeting default { en "Hi" }
        route { otherwise -> patch desk }
    }""")
    rows = matrix(client, date(2026, 11, 1), 1).reasons["unknown"]
    # 01:00-01:30 happens twice that night (CDT, then CST): both times callers hear `early`.
    assert [(r.start.strftime("%H:%M %Z"), r.greeting) for r in rows] == [
        ("00:00 CDT", "default"),
        ("01:00 CDT", "early"),
        ("01:30 CDT", "default"),
        ("01:00 CST", "early"),
        ("01:30 CST", "default"),
    ]


def test_usage_errors_name_the_option(cli):
    assert cli("matrix", str(ACME), "--client", "acme_plumbing", "--days", "3")[1:] == (
        "",
        "--days: error: only goes with --from DATE\n",
    )
    assert (
        cli("matrix", str(ACME), "--client", "acme_plumbing", "--from", "2026-12-01", "--days", "400")[2]
        == "--days: error: give 1 to 366 days\n"
    )
    code, _, err = cli("matrix", str(CONFIGS), "--client", "acme", "--week", "2026-12-01")
    assert code == 1 and err == (
        f"{CONFIGS}: error: no client `acme` is served\n"
        "  hint: served clients: `acme_plumbing`, `comfort_air`, `hale_law`, `harbour_vets`, `riverside_medical`\n"
    )


INTERNAL = ("after_hours", "{agent}", "{status.note}", "no_answer", "docs/metrics.md", "title=")


def visible_text(page: str) -> str:
    """The words of a page as a reader sees them: without tags and styles, entities read."""
    body = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_page_speaks_the_clients_words_with_every_detail_on_it(tmp_path, cli):
    page = tmp_path / "matrix.html"
    code, _, _ = cli("matrix", str(ACME), "--client", "acme_plumbing", "--week", "2026-12-24", "--html", str(page))
    assert code == 0
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert not [name for name in INTERNAL if name in text]
    words = visible_text(text)
    for said in (
        "After hours “Thank you for calling Acme Plumbing. Our office is closed;",
        "Busy or no answer while open “Acme Plumbing, this is [agent's name]. The team is with another customer;",
        "Away “Acme Plumbing, this is [agent's name]. Acme Plumbing & Heating is unavailable right now: [status note]”",
        "Closed Christmas: Thu 24 Dec 12:00 to Sat 26 Dec 08:00",
        "Holiday Fri 25 Dec: Christmas Day",
        "Calls when your line is busy or unanswered",
        "Calls when you forward calls by hand",
        "Spanish callers hear each greeting in Spanish.",
        "Fri 25 Dec (Christmas Day) 00:00–12:00 After hours (closed: Christmas) Intake questions",
        "12:00–13:00 Default Lunch questions calls to +13125550101: get Intake questions",
        "when you have set a status: hear “Away”",
        "Who is on call: Plumbers",
        "Mon 21 Dec Bob Ortiz 00:00–08:00 Carol Diaz 08:00–24:00",
        "Hatching A closure: the office is closed over those hours.",
    ):
        assert said in words, said
    assert text.count("<h2>Calls when ") == 3  # reasons heard alike are drawn once
    assert "Mon 21 Dec 2026 to Sun 27 Dec 2026 (1 week), local time (America/Chicago)." in words


def test_a_part_week_is_marked_as_such(tmp_path, cli):
    page = tmp_path / "days.html"
    cli("matrix", str(ACME), "--client", "acme_plumbing", "--from", "2026-12-02", "--days", "3", "--html", str(page))
    assert "Wed 02 Dec 2026 to Fri 04 Dec 2026 (part week: 3 days), local time" in page.read_text(encoding="utf-8")


def test_everything_from_the_file_is_escaped(tmp_path, cli):
    (tmp_path / "x.rules").write_text(
        """client x "<b>X & Co</b>" {
    timezone "UTC"
    contact desk "<i>Desk</i>" { call "+13125550999" }
    oncall crew { rotation weekly from 2026-01-05 08:00 { desk } }
    closed "<u>Party</u>" 2026-12-24 12:00 to 2026-12-24 18:00
    greeting default "<em>Hi</em>" { en "Hello <script>alert(1)</script> {client}" }
    route { otherwise -> patch oncall crew }
}
""",
        encoding="utf-8",
    )
    page = tmp_path / "x.html"
    assert (
        cli("matrix", str(tmp_path / "x.rules"), "--client", "x", "--week", "2026-12-24", "--html", str(page))[0] == 0
    )
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"<(i|u|em|script)>|<b>X", text)
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;X &amp; Co&lt;/b&gt;" in text
    assert "&lt;u&gt;Party&lt;/u&gt;" in text and "&lt;i&gt;Desk&lt;/i&gt;" in text


def browser_or_skip() -> None:
    missing = [
        tool for tool, found in (("chromium", chromium()), ("pdftotext", shutil.which("pdftotext"))) if not found
    ]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{' and '.join(missing)} required under CI (apt-get install chromium poppler-utils)")
        pytest.skip("needs Debian's chromium and poppler-utils: apt-get install chromium poppler-utils, then run again")


def test_html_page_is_self_contained_and_renders_without_console_errors(tmp_path, cli):
    page = tmp_path / "matrix.html"
    code, out, _ = cli("matrix", str(ACME), "--client", "acme_plumbing", "--week", "2026-12-24", "--html", str(page))
    assert code == 0 and out == f"wrote {page}: Acme Plumbing & Heating, 7 days from Mon 2026-12-21\n"
    browser_or_skip()
    errors, png = visit(page)
    assert errors == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    (tmp_path / "matrix.png").write_bytes(png)


def test_the_page_printed_to_pdf_keeps_every_detail(tmp_path, cli):
    page = tmp_path / "matrix.html"
    cli("matrix", str(ACME), "--client", "acme_plumbing", "--week", "2026-12-24", "--html", str(page))
    browser_or_skip()
    pdf = print_pdf(page)
    assert pdf.startswith(b"%PDF-")
    printed = re.sub(r"\s+", " ", pdf_text(pdf))
    for said in (
        "Acme Plumbing & Heating: what callers hear",
        "After hours “Thank you for calling Acme Plumbing.",
        "[agent's name]",
        "Calls when your line is busy or unanswered",
        "calls to +13125550101: get Intake questions",
        "Bob Ortiz 00:00–08:00",
        "How to read this page",
    ):
        assert said in printed, said
    assert not [name for name in INTERNAL if name in printed]
    assert 3 <= pdf_pages(pdf) <= 12  # A4 landscape: the grids, their tables, who is on call
