"""Deciding: a compiled `Client` + a `Call` (+ a live-state snapshot) → a `Decision`.

A client is planned once (`ClientPlan.of`: conditions as closures, the calendar, and every
part of a decision that does not depend on the call, made and finished); a decision reads
the plan. The modules, in the order a decision uses them: `call` (what the daemon asks),
`conditions` (three-valued tests of a call's facts), `plan` with `texts`, `script_plan` and
`resolve` (the per-client plan), `decider` (the sections of one decision), `decision` (the
answer and its JSON) and `schema` (its JSON Schema).

The public seam, for the engine and for tools that time or embed the stages:

    plan = ClientPlan.of(client)
    Decider(plan, call, live).decision()   # the whole decision, as `Engine.decide` makes it
    route_only(plan, call, live)           # (urgency, route) alone, for a call that carries its answers
    decide(client, call, live)             # a one-off: plans the client, then decides
"""

from .call import Call
from .decider import Decider, decide, route_only
from .decision import Decision
from .plan import ClientPlan

__all__ = ["Call", "ClientPlan", "Decider", "Decision", "decide", "route_only"]
