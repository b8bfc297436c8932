"""Report building: published HTML pages from the warehouse (great-tables, Dutch formats)."""

from rendement.reports.site import build_site

__all__ = ["build_site"]
