"""Static reasoning about conditions, for the compiler's checks: whether one condition
implies another (shadowed rules), and whether one requires `status`.

A condition's atoms are `model.atoms`; nothing here evaluates a call (that is `decide/conditions.py`).
"""

from __future__ import annotations

from .. import model as m


def implies(a: m.Cond | None, b: m.Cond | None) -> bool:
    """True when condition `a` can only hold if `b` holds too (None is `otherwise`).

    A sound but incomplete test on the shape of the conditions, enough to catch a rule that
    repeats, narrows or is covered by an earlier one (`when lunch` after `when lunch or night`).
    """
    if b is None or a == b:
        return True
    if a is None:
        return False
    if isinstance(a, m.Or):
        return all(implies(item, b) for item in a.items)
    if isinstance(b, m.And):
        return all(implies(a, item) for item in b.items)
    if isinstance(a, m.And) and any(implies(item, b) for item in a.items):
        return True
    if isinstance(b, m.Or):
        return any(implies(a, item) for item in b.items)
    return narrower_atom(a, b)


def narrower_atom(a: m.Cond, b: m.Cond) -> bool:
    """`type is x` implies `type in (x, y)`; `forwarded busy` implies `forwarded (busy, …)`."""
    if isinstance(a, (m.FieldIs, m.FieldIn)) and isinstance(b, m.FieldIn) and a.field == b.field:
        values = {a.value} if isinstance(a, m.FieldIs) else set(a.values)
        return values <= set(b.values)
    if isinstance(a, (m.FieldIs, m.FieldCompare)) and isinstance(b, m.FieldSet):
        return a.field == b.field
    if isinstance(a, m.FieldCompare) and isinstance(b, m.FieldCompare) and a.field == b.field:
        return narrower_bound(a, b)
    if isinstance(a, m.Forwarded) and isinstance(b, m.Forwarded):
        return set(a.reasons) <= set(b.reasons)
    if isinstance(a, m.Said) and isinstance(b, m.Said):
        return set(a.phrases) <= set(b.phrases)
    return False


def narrower_bound(a: m.FieldCompare, b: m.FieldCompare) -> bool:
    """`outside > 110` implies `outside > 104` and `outside >= 110`: both bound the same side,
    and every number `a` lets through, `b` does too."""
    if a.op[0] != b.op[0]:
        return False
    if a.value == b.value:
        return a.op == b.op or len(b.op) == 2  # `>` implies `>=`
    return a.value > b.value if a.op[0] == ">" else a.value < b.value


def requires_status(cond: m.Cond | None) -> bool:
    """True when the condition can only hold while the owner's status is active: `status`
    itself, an `and` with one such part, an `or` of only such parts (never a `not`)."""
    if cond is None:
        return False
    return m.fold(cond, lambda atom: isinstance(atom, m.Status), any, all, lambda _: False)
