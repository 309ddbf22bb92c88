"""Test-suite wide: the Gherkin step library that account managers' scenarios use."""

pytest_plugins = ["rules_engine.acceptance.steps"]
