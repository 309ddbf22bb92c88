"""The report page: self-contained, and rendered by headless Chromium without a console error."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date

import pytest

from rules_engine.engine import Engine
from rules_engine.outcomes import generate, html
from rules_engine.outcomes.store import MemoryOutcomes
from tests.analysis import headless
from tests.support import CONFIGS

LINKS = re.compile(r'(?:src|href)\s*=\s*"([^"]*)"')


@pytest.fixture(scope="module")
def month():
    """A generated November of Harbour Vets, and the page made from its report."""
    store = MemoryOutcomes()
    with Engine(CONFIGS, outcomes=store) as engine:
        generate.write(store, generate.history(engine, "harbour_vets", date(2026, 10, 25), 37, seed=2))
        client = engine.client("harbour_vets")
        report = engine.report("harbour_vets", date(2026, 11, 1), date(2026, 11, 30))
        empty = engine.report("harbour_vets", date(2027, 1, 1), date(2027, 1, 7))
    return client, report, empty


def browser():
    if headless.chromium() is None:
        message = (
            "chromium is not installed; to run the page checks: apt-get update && apt-get install -y "
            "chromium (.ci/run installs it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_the_page_loads_nothing_from_anywhere(month):
    client, report, _ = month
    page = html.page(report, client.title, client.timezone)
    assert all(link.startswith(("data:", "#")) for link in LINKS.findall(page))
    assert "<script" not in page and "@import" not in page and "url(" not in page.replace("url(#", "")
    assert page.count("<svg") == 4  # per day, unanswered by hour, resolution per week, time to acknowledge


def test_the_page_renders_in_chromium_without_console_errors(month, tmp_path):
    browser()
    client, report, _ = month
    path = tmp_path / "harbour_vets.html"
    path.write_text(html.page(report, client.title, client.timezone), encoding="utf-8")
    errors, screenshot = headless.visit(path)
    assert errors == []
    (tmp_path / "harbour_vets.png").write_bytes(screenshot)
    assert screenshot.startswith(b"\x89PNG") and len(screenshot) > 50_000  # charts, not a blank page
    height = int.from_bytes(screenshot[20:24], "big")  # the IHDR chunk's height
    assert height > 1500


def test_a_span_without_calls_still_makes_a_page(month, tmp_path):
    browser()
    client, _, empty = month
    path = tmp_path / "empty.html"
    page = html.page(empty, client.title, client.timezone)
    assert "No escalation was recorded for these calls." in page and "No call reached a route in this span." in page
    path.write_text(page, encoding="utf-8")
    errors, _ = headless.visit(path)
    assert errors == []


def test_the_check_sees_console_errors_and_missing_files(tmp_path):
    browser()
    path = tmp_path / "broken.html"
    path.write_text(
        '<!doctype html><link rel="icon" href="data:,"><img src="missing.png">'
        '<script>console.error("the chart failed")</script>',
        encoding="utf-8",
    )
    errors, _ = headless.visit(path)
    assert "console: the chart failed" in errors
    assert any(e.startswith("log: ") and "missing.png" in e for e in errors)


def test_the_page_defines_its_figures_marks_part_weeks_and_says_reasons_in_words(month):
    client, report, _ = month
    rule = "when forwarded manual and status    -> take message deliver sms alice"
    page = html.page(report, client.title, client.timezone, {3: rule})
    assert "docs/metrics.md" not in page and "title=" not in page
    assert "What each figure means is said at the end of this page." in page
    assert "<h2>What the figures mean</h2>" in page
    assert "<dt>first-call resolution</dt><dd>answered calls from a known number that were resolved" in page
    assert (
        "<dt>answered within 20 s</dt><dd>calls answered within 20 s, out of the calls answered or abandoned.</dd>"
        in page
    )
    # November 2026 starts on a Sunday and ends on a Monday: a day of each end week is in the report.
    assert "<tr><td>week of 26 Oct (part week: 1 of 7 days)</td><td>10</td>" in page
    assert "<tr><td>week of 02 Nov</td><td>234</td>" in page
    assert "<tr><td>week of 30 Nov (part week: 1 of 7 days)</td>" in page
    assert "<code>when [you forward calls by hand] and status → take message deliver sms alice</code>" in page


def test_the_page_printed_to_pdf_keeps_its_words(month, tmp_path):
    browser()
    if shutil.which("pdftotext") is None:
        message = "pdftotext is not installed: apt-get install poppler-utils (.ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    client, report, _ = month
    path = tmp_path / "harbour_vets.html"
    path.write_text(html.page(report, client.title, client.timezone), encoding="utf-8")
    pdf = headless.print_pdf(path)
    printed = re.sub(r"\s+", " ", headless.pdf_text(pdf))
    for said in (
        "Harbour Animal Hospital",
        "received 987.",
        "week of 26 Oct (part week: 1 of 7 days) 10 7 70.0 %",
        "What the figures mean",
        "abandonment rate abandoned calls out of the calls answered, abandoned or missed.",
        "Dr Raj Mehta 138 70 1 min 59 s 20",
    ):
        assert said in printed, said
    assert "docs/metrics.md" not in printed and "no_outcome" not in printed
    assert 2 <= headless.pdf_pages(pdf) <= 8
