"""Analysis: what a client's rules do over a span of time, exactly, for every class of call.

`timeline` cuts the span where a time fact the rules read changes; `classes` groups the
facts of a call into the classes the rules can tell apart; `explore` decides one
representative call per class with the engine itself. On these: `matrix` (what callers
hear, per forwarding reason, hour by hour; `html` draws it in the client's `words`), `diff`
(what an edit changes; `edits` finds the lines changed and which one causes each change,
`digest` groups the changes by edit, part and time for people) and `no_effect` (closures
and holidays that change nothing, for `rules-engine check`).
`survey` explores every class of call at every distinct time of a span once; on it, `reach`
(rules and questions no call reaches, said with `written` conditions) and `gaps` (routes
that can reach a team while nobody is on call). `checks` gathers what `check` adds.
"""
