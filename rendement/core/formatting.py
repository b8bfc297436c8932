"""Dutch number formats for everything a person reads: € 1.234,56 and 12.345."""

from __future__ import annotations


def fmt_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"  # 1,234.56
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_int(value: int | None) -> str:
    return fmt_number(value, 0)


def fmt_euro(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    return f"{sign}€ {fmt_number(abs(value), decimals)}"
