"""Schedules. The annual release is built by the reports stage (see assets/report_assets.py)."""

schedules: list = []
