"""Closures as requests: an owner asks for one ("closed Dec 24 from noon"), the console turns it
into a proposed edit of the rule file (closures.py), checked as a publish is, with its diff and
what a caller at that time hears before and after; an account manager or an admin approves it
(publishing it) or rejects it with a reason on `/console/proposals`. A client whose setting
`self_publish_closures` is on publishes its closures itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..compiler.assemble import rules_version_of
from ..errors import Diagnostic, RulesEngineError
from .accounts import Account
from .closures import Closure, Heard, closure_of, heard, read_closure, unified_diff, with_closure
from .proposals import ClientSettings, Proposal, Proposals
from .publishing import PublishRefused
from .views import client_view
from .web import NotFound, address, redirect, render

if TYPE_CHECKING:
    from .context import Console

SELF_PUBLISH = "self_publish_closures"
MESSAGE_MAX = 500
REASON_MAX = 500
DETAILED = 10  # the newest proposals shown with their diff and effect


@dataclass(frozen=True)
class ProposalView:
    proposal: Proposal
    closure: Closure | None
    diff: list[str]  # against the text published now (empty: decided)
    before: Heard | None
    after: Heard | None


def published_text(console: Console, client: str) -> str:
    return Path(console.engine.client(client).path).read_text(encoding="utf-8")


def as_published_now(console: Console, proposal: Proposal) -> str:
    """The proposal's text, or its closure added again to the text published since it was made."""
    current = published_text(console, proposal.client)
    if rules_version_of(current) == proposal.base:
        return proposal.text
    closure = closure_of(proposal.summary)
    if closure is None:
        raise RulesEngineError("this proposal cannot be applied to the file published since")
    return with_closure(current, closure)


def view_of(console: Console, proposal: Proposal, detailed: bool) -> ProposalView:
    closure = closure_of(proposal.summary)
    if not detailed or proposal.state != "pending" or closure is None:
        return ProposalView(proposal, closure, [], None, None)
    current = published_text(console, proposal.client)
    try:
        proposed = as_published_now(console, proposal)
    except RulesEngineError:
        return ProposalView(proposal, closure, [], None, None)
    return ProposalView(
        proposal,
        closure,
        unified_diff(current, proposed, f"{proposal.client}.rules"),
        heard(current, proposal.client, closure),
        heard(proposed, proposal.client, closure),
    )


def add_requests(pages: APIRouter, console: Console) -> None:
    audit = console.audit
    proposals = Proposals(console.drafts.db)
    settings = ClientSettings(console.drafts.db)

    def requests_page(
        request: Request,
        client: str,
        error: str | None = None,
        problems: tuple[Diagnostic, ...] = (),
        status_code: int = 200,
        asked: dict[str, str] | None = None,
    ) -> Response:
        session, _, client = console.seeing(request, client)
        listed = proposals.of(client)
        return render(
            request,
            "portal_requests.html",
            session,
            status_code,
            client=client_view(console.engine, client, until=False),
            proposals=[view_of(console, p, i < DETAILED) for i, p in enumerate(listed)],
            self_publish=bool(settings.get(client, SELF_PUBLISH, False)),
            error=error,
            problems=problems,
            asked=asked or {},
        )

    @pages.get("/clients/{client}/requests")
    def requests(request: Request, client: str) -> Response:
        return requests_page(request, client)

    @pages.post("/clients/{client}/requests")
    def ask(
        request: Request,
        client: str,
        label: Annotated[str, Form()] = "",
        start: Annotated[str, Form()] = "",
        end: Annotated[str, Form()] = "",
        message: Annotated[str, Form()] = "",
    ) -> Response:
        _, account, client = console.seeing(request, client)
        asked = {"label": label, "start": start, "end": end, "message": message}
        message = message.strip()
        try:
            if len(message) > MESSAGE_MAX:
                raise RulesEngineError(f"A message has at most {MESSAGE_MAX} characters.")
            closure = read_closure(label, start, end)
            current = published_text(console, client)
            proposed = with_closure(current, closure)
        except RulesEngineError as exc:
            return requests_page(request, client, str(exc), status_code=400, asked=asked)
        checked = console.publisher.check(client, proposed)
        if checked.errors:
            why = "The closure cannot be added: the file would not pass its checks."
            return requests_page(request, client, why, checked.errors, 400, asked)
        summary = closure.line + (f"\n{message}" if message else "")
        base = rules_version_of(current)
        where = address(request)
        made = proposals.add(client, account.name, summary, proposed, base)
        audit.record(account.name, "closure_requested", client, where, proposal=made.id, line=closure.line)
        if settings.get(client, SELF_PUBLISH, False):
            try:
                console.publisher.publish(
                    client, proposed, account.name, closure.words, acknowledged=True, source=made.id, address=where
                )
            except PublishRefused as exc:  # kept pending: an account manager sees it
                why = f"{exc}; the request waits for an account manager."
                return requests_page(request, client, why, exc.checked.errors, 400)
            proposals.decide(made.id, "published", account.name)
        return redirect(f"/console/clients/{client}/requests")

    @pages.post("/clients/{client}/requests/settings")
    def setting(request: Request, client: str, self_publish: Annotated[str, Form()] = "") -> Response:
        _, account = console.manager(request)
        client = console.client_of(account, client)
        value = self_publish == "on"
        settings.put(client, SELF_PUBLISH, value)
        audit.record(account.name, "setting_changed", client, address(request), name=SELF_PUBLISH, value=value)
        return redirect(f"/console/clients/{client}/requests")

    def reviewable(account: Account, proposal_id: int) -> Proposal:
        found = proposals.get(proposal_id)
        if found is None or found.client not in console.engine.clients or not account.sees(found.client):
            raise NotFound
        return found

    def queue(
        request: Request, error: str | None = None, problems: tuple[Diagnostic, ...] = (), status_code: int = 200
    ) -> Response:
        session, account = console.manager(request)
        waiting = proposals.pending(console.visible(account))
        return render(
            request,
            "portal_proposals.html",
            session,
            status_code,
            proposals=[view_of(console, p, True) for p in waiting],
            error=error,
            problems=problems,
        )

    @pages.get("/proposals")
    def proposals_page(request: Request) -> Response:
        return queue(request)

    @pages.post("/proposals/{proposal}/approve")
    def approve(request: Request, proposal: int) -> Response:
        _, account = console.manager(request)
        found = reviewable(account, proposal)
        if found.state != "pending":
            return queue(request, f"Proposal {found.id} was already {found.state}.", status_code=409)
        closure = closure_of(found.summary)
        # Claimed first (pending → approved, one winner), so that two reviewers approving at
        # once publish it once; a publish that fails puts it back to pending.
        if not proposals.decide(found.id, "approved", account.name):
            return queue(request, f"Proposal {found.id} was decided meanwhile.", status_code=409)
        try:
            text = as_published_now(console, found)
            console.publisher.publish(
                found.client,
                text,
                account.name,
                f"{closure.words if closure else found.line} (asked by {found.author})",
                acknowledged=True,
                action="approve",
                source=found.id,
                address=address(request),
            )
        except RulesEngineError as exc:
            proposals.reopen(found.id)
            problems = exc.checked.errors if isinstance(exc, PublishRefused) else ()
            return queue(request, f"Proposal {found.id} cannot be approved: {exc}", problems, 400)
        proposals.record_text(found.id, text)
        return redirect("/console/proposals")

    @pages.post("/proposals/{proposal}/reject")
    def reject(request: Request, proposal: int, reason: Annotated[str, Form()] = "") -> Response:
        _, account = console.manager(request)
        found = reviewable(account, proposal)
        reason = reason.strip()
        if not reason or len(reason) > REASON_MAX:
            return queue(request, f"Say why (up to {REASON_MAX} characters): the owner reads it.", status_code=400)
        if not proposals.decide(found.id, "rejected", account.name, reason):
            return queue(request, f"Proposal {found.id} was already {found.state}.", status_code=409)
        audit.record(
            account.name, "proposal_rejected", found.client, address(request), proposal=found.id, reason=reason
        )
        return redirect("/console/proposals")
