"""Deciding: a compiled `Client` + a `Call` (+ a live-state snapshot) → a `Decision`.

`call` validates what the daemon asks; `plan` prepares a client once (conditions as
closures, fixed parts, scripts); `decider` runs the sections of a decision over the plan;
`resolve` turns actions and on-call teams into people and addresses; `decision` is the
answer and its JSON.
"""
