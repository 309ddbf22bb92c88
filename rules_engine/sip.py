"""For a routing daemon that answers SIP: the headers of a forwarded call → a `Call`.

    from rules_engine.sip import SipFacts, call_from_sip

    call = call_from_sip(SipFacts.model_validate({"request_uri": …, "from": …, "diversion": …}))
    decision = engine.decide(call)

`call_from_sip` reads which client the call is for and why it was forwarded (Diversion,
History-Info, Asterisk's REDIRECTING, Twilio's ForwardedFrom: docs/sip.md), and the caller
from `From`, as a call without a caller id when it is withheld (`withheld`, the same test
`Call` applies to its `caller`). A malformed header is a `SipError` naming it.
"""

from __future__ import annotations

from .decide.sip import SipError, SipFacts, call_from_sip
from .phones import WITHHELD, withheld

__all__ = ["WITHHELD", "SipError", "SipFacts", "call_from_sip", "withheld"]
