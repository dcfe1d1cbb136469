"""Shared test set-up: the sandbox fixtures of hubframe.testing."""

pytest_plugins = ["hubframe.testing"]
