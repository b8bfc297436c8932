"""The one Dutch formatter: every number, amount, share, ratio and date a person reads.

    nl_number(12345.6, 1)  -> 12.345,6      nl_euro(1234)       -> € 1.234
    nl_percent(0.642)      -> 64,2 %        nl_ratio(1.5)       -> 1,50
    nl_date(date)          -> 05-12-2026    nl_datetime(moment) -> 05-12-2026 14:03
    nl_local_datetime(utc moment)           -> 05-12-2026 15:03 (Europe/Amsterdam)

A missing (None, NaN, infinite) value is a dash (–); a negative number has a real minus sign
(−) and a value that rounds to zero is never −0. The space in `€ 1.234` and `64,2 %` is a
non-breaking one, so an amount never wraps. The reports use these through the Jinja filters
of `rendement.core.templates` (`{{ x|nl_euro }}`); plain text (the command line, the service's
messages, the markdown of the parameter set) calls them directly. Written here rather than
with Babel: Babel's nl_NL writes a negative amount as `€ -1.234`, the reports as `− € 1.234`.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

__all__ = [
    "DASH",
    "MINUS",
    "NBSP",
    "nl_date",
    "nl_datetime",
    "nl_euro",
    "nl_local_datetime",
    "nl_number",
    "nl_percent",
    "nl_ratio",
]

MINUS = "\u2212"
NBSP = "\u00a0"
DASH = "–"


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def nl_number(value: float | None, decimals: int = 0, *, minus: str = MINUS) -> str:
    """12.345,6 with a real minus sign (or `minus`, e.g. "-" in plain text files); – for a
    missing value; never −0."""
    if not _finite(value):
        return DASH
    text = f"{abs(value):,.{decimals}f}".replace(",", "\x00").replace(".", ",")
    text = text.replace("\x00", ".")
    negative = value < 0 and any(c not in "0,." for c in text)
    return (minus if negative else "") + text


def nl_euro(value: float | None, decimals: int = 0) -> str:
    """€ 1.234 (− € 1.234 for a negative amount)."""
    if not _finite(value):
        return DASH
    body = nl_number(abs(value), decimals)
    negative = value < 0 and body.strip("0,.") != ""
    return f"{MINUS}{NBSP}€{NBSP}{body}" if negative else f"€{NBSP}{body}"


def nl_percent(fraction: float | None, decimals: int = 1) -> str:
    """0.642 -> 64,2 %."""
    if not _finite(fraction):
        return DASH
    return f"{nl_number(100 * fraction, decimals)}{NBSP}%"


def nl_ratio(value: float | None) -> str:
    """A rendementsfactor: 1,50."""
    return nl_number(value, 2)


def nl_date(value: dt.date | str) -> str:
    """05-12-2026, from a date, a datetime or an ISO text (its first ten characters)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d-%m-%Y")


def nl_datetime(value: dt.datetime | str, *, seconds: bool = False) -> str:
    """05-12-2026 14:03 (with `:05` seconds if asked), from a datetime or an ISO text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


# The time zone every time a person reads is shown in, and the day is counted in (the one place
# it is named: releases, backups, health, pages).
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")


def nl_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the Netherlands (at `now`, a moment with its time zone; default: now): the day
    a page says it was made, validation's "today", the default reporting year. The machine's
    own clock may run on UTC, which is still the day before between midnight and one (two in
    summer) Dutch time."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(LOCAL_TIME).date()


def nl_local_datetime(value: dt.datetime | str, *, seconds: bool = False) -> str:
    """A moment as Dutch local time (Europe/Amsterdam, summer time included): the audit log and
    the lake keep UTC, people read the time on their own clock. A moment without a time zone
    counts as UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return nl_datetime(value.astimezone(LOCAL_TIME), seconds=seconds)
