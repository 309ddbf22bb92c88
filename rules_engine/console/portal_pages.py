"""The client owner's portal (issue 24): closures asked for and reviewed (requests_pages.py),
the holidays to confirm and the month's report (report_pages.py). The status form with its
notes per language and templates is on the client's page (status_pages.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from .report_pages import add_reports
from .requests_pages import add_requests

if TYPE_CHECKING:
    from .context import Console


def add_portal(pages: APIRouter, console: Console) -> None:
    add_requests(pages, console)
    add_reports(pages, console)
