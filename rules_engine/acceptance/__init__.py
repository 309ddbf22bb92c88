"""Acceptance scenarios in the account manager's words: Gherkin steps for pytest-bdd.

`steps` is a pytest plugin (`-p rules_engine.acceptance.steps`); `runner` drives it for
`rules-engine test`; `coverage` tells which rules no scenario exercised.
"""
