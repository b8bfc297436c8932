"""Releases: the annual overview, published once and then frozen."""
