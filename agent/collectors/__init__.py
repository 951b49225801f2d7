"""Fact collectors: each a small module behind the interface in :mod:`agent.collectors.base`."""
