"""Generators of documentation that quotes the code or figures (so it cannot go stale)."""
