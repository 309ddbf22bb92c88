"""Acceptance scenarios in the account manager's words: Gherkin steps for pytest-bdd.

`steps` is a pytest plugin (`-p rules_engine.acceptance.steps`), built on `world` (one
scenario's call and decision) and `phrases` (the words for reasons and languages);
`rules-engine test` (`rules_engine.cli.test`) runs it with `reporter` in place of pytest's
output; `coverage` tells which rules no scenario exercised.
"""
