"""Privacy at the door: BSN detection and pseudonymisation of client ids.

- `find_bsn` looks for burgerservicenummers in any frame (raw or canonical). A welfare
  organisation may not process the BSN (art. 46 UAVG), so an upload with BSNs is refused as a
  whole. A column is flagged when its *name* says BSN (bsn, burgerservicenummer, sofinummer ...)
  and it holds any value, or when the share of its values that are 8-9 digit numbers passing
  the 11-proef is clearly above chance: at least 20 % of its non-empty values and at least 2,
  and (for a short column) more than chance explains. About 1 in 11 random 9-digit numbers
  pass the 11-proef (9 %), so a column of ordinary 9-digit client numbers stays below 20 %; in
  a column of a few values, 2 of 10 passing happens by chance in one file of four, so the
  count must also be improbable by chance (binomial tail below 1 in 1,000 at p = 1/11). A
  single BSN typed in a column of other values is a stray BSN (`schemas.bsn`): the readers
  take it out of its row, which is rejected.
- `pseudonymise` turns an organisation's own client ids into HMAC-SHA256 pseudonyms (32 hex
  characters). The same organisation, id and key always give the same pseudonym; another
  organisation or another key gives another one. The key never lives with the data.
- `load_or_create_key` finds that key: the environment variable `RENDEMENT_PSEUDONIEM_SLEUTEL`
  (hex), or the file `pseudoniem.key` in the secrets folder, created owner-only on first use.

A finding names columns and shares, never values: its message may be shown, logged and stored.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rendement.core.files import create_secret
from schemas.bsn import passes_11_proef

KEY_ENV_VAR = "RENDEMENT_PSEUDONIEM_SLEUTEL"
KEY_FILE_NAME = "pseudoniem.key"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
PSEUDONYM_LENGTH = 32
SEPARATOR = "\x1f"  # unit separator: cannot occur in an organisation code or a typed id

DEFAULT_MIN_SHARE = 0.2  # share of non-empty values that must pass the 11-proef
DEFAULT_MIN_VALUES = 2  # fewer passing values than this are never enough on content alone
CHANCE = 1 / 11  # share of random 9-digit numbers passing the 11-proef
MAX_CHANCE_TAIL = 1e-3  # a count of passing values more likely than this by chance is not BSNs
SAMPLE_SIZE = 5_000  # candidate values checked with stdnum per column

# Column names that announce a BSN. Matched against the name's words (camelCase and separators
# split), so "BSN", "bsn_client", "ClientBSN", "BSN-nummer" and "Burgerservicenummer" all match,
# while a word that merely contains the letters (e.g. "jobsnummer") does not.
_NAME_WORD = re.compile(r"^(bsn\w*|\w*bsn|burgerservice\w*|sofi|sofinr|sofinummer|sofi\w*nummer)$")
# How a BSN is written: 8-9 digits, or grouped as 1234.56.782 / 123 456 782. Dates such as
# 16-12-2024 or 16.12.2024 do not fit these shapes.
_BSN_SHAPE = r"^(\d{8,9}|\d{4}[ .]\d{2}[ .]\d{3}|\d{3}[ .]\d{3}[ .]\d{3})$"


@dataclass(frozen=True)
class BsnColumn:
    """One flagged column: why, and for content how many values passed (never the values)."""

    kolom: str
    reden: str  # "kolomnaam" or "11-proef"
    aandeel: float | None = None  # share of non-empty values passing the 11-proef
    aantal: int = 0  # non-empty values in the column


@dataclass(frozen=True)
class BsnFinding:
    """BSNs (probably) found. `message` is Dutch, for the person who uploaded the file."""

    columns: tuple[BsnColumn, ...]
    message: str = field(default="")

    @property
    def column_names(self) -> list[str]:
        return [c.kolom for c in self.columns]


def _name_words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # camelCase -> camel Case
    return [w for w in re.split(r"[^0-9a-z]+", text.lower()) if w]


def bsn_column_name(name: str) -> bool:
    """True when a column name says it holds a BSN or sofinummer."""
    words = _name_words(name)
    joined = "".join(words)
    return any(_NAME_WORD.match(w) for w in words) or joined in {
        "burgerservicenummer",
        "burgerservicenr",
        "sofinummer",
    }


def _non_empty_text(series: pl.Series) -> pl.Series:
    if series.dtype != pl.String:
        series = series.cast(pl.String, strict=False)
    series = series.str.strip_chars()
    return series.filter(series.is_not_null() & (series != ""))


def _passing_share(values: pl.Series, sample_size: int) -> tuple[float, int]:
    """Share of `values` (non-empty text) that are 8-9 digit numbers passing the 11-proef.

    Digit-shape filtering runs in polars; the 11-proef itself is python-stdnum's, on at most
    `sample_size` candidates (the share of the sample estimates the share of the column).
    Returns (share, estimated number of passing values).
    """
    shaped = values.filter(values.str.contains(_BSN_SHAPE))
    candidates = shaped.str.replace_all(r"[ .]", "")
    if candidates.is_empty():
        return 0.0, 0
    sample = (
        candidates if candidates.len() <= sample_size else candidates.sample(sample_size, seed=0)
    )
    # an 8-digit number is a BSN whose leading zero a spreadsheet dropped
    passing = sum(1 for v in sample.to_list() if passes_11_proef(v.zfill(9)))
    passing_share_of_candidates = passing / sample.len()
    estimated = round(passing_share_of_candidates * candidates.len())
    return estimated / values.len(), estimated


def chance_tail(passing: int, candidates: int, p: float = CHANCE) -> float:
    """P(at least `passing` of `candidates` random 9-digit numbers pass the 11-proef)."""
    if passing <= 0:
        return 1.0
    if passing > candidates:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(candidates + 1)
        - math.lgamma(k + 1)
        - math.lgamma(candidates - k + 1)
        + k * log_p
        + (candidates - k) * log_q
        # above the mean the terms shrink geometrically: a few thousand are the whole sum
        for k in range(passing, min(candidates, passing + 5_000) + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _message(columns: list[BsnColumn]) -> str:
    parts = []
    for c in columns:
        if c.reden == "kolomnaam":
            parts.append(f"kolom '{c.kolom}' (de kolomnaam wijst op een BSN)")
        else:
            pct = round(100 * (c.aandeel or 0))
            parts.append(
                f"kolom '{c.kolom}' ({pct} % van de {c.aantal} ingevulde waarden zijn "
                "nummers van 8 of 9 cijfers die aan de 11-proef voldoen, zoals een BSN)"
            )
    which = "; ".join(parts)
    return (
        f"Dit bestand bevat waarschijnlijk burgerservicenummers (BSN): {which}. "
        "Een sociaalwerkorganisatie mag het BSN niet verwerken (artikel 46 UAVG), daarom "
        "nemen we dit bestand niet in. Haal de kolom weg uit de export, of gebruik uw eigen "
        "cliëntnummer in plaats van het BSN, en lever het bestand opnieuw aan."
    )


def find_bsn(
    df: pl.DataFrame,
    *,
    min_share: float = DEFAULT_MIN_SHARE,
    min_values: int = DEFAULT_MIN_VALUES,
    sample_size: int = SAMPLE_SIZE,
) -> BsnFinding | None:
    """Flag columns that (probably) hold BSNs; None when there are none.

    A column is flagged when its name announces a BSN and it holds at least one value, or when
    at least `min_share` of its non-empty values (and at least `min_values` values) are 8-9
    digit numbers passing the 11-proef and that many passing values are improbable by chance
    (`chance_tail` below `MAX_CHANCE_TAIL`). The finding never contains a value.
    """
    screened = [
        name for name, dtype in df.schema.items() if dtype == pl.String or dtype.is_integer()
    ]
    if not screened:
        return None
    # Two queries for all columns together (the text as `_non_empty_text` sees it; then its
    # non-empty values and those shaped like a BSN), each one expression over all columns. A
    # column with too few BSN-shaped values cannot be flagged on content (the 11-proef
    # estimate never exceeds them), so only the rest goes through the per-value 11-proef
    # below: the same verdicts as checking every column value by value, at the cost of two
    # scans for an ordinary file.
    texts = df.select(pl.col(screened).cast(pl.String, strict=False).str.strip_chars())
    row = texts.select(
        (pl.all() != "").sum().name.prefix("filled:"),
        pl.all().str.contains(_BSN_SHAPE).sum().name.prefix("shaped:"),
    ).row(0)
    n = len(screened)
    counts = [x for pair in zip(row[:n], row[n:], strict=True) for x in pair]
    flagged: list[BsnColumn] = []
    for i, name in enumerate(screened):
        filled, shaped = counts[2 * i], counts[2 * i + 1]
        if not filled:
            continue
        if bsn_column_name(name):
            flagged.append(BsnColumn(name, "kolomnaam", None, filled))
            continue
        if shaped < min_values or shaped < min_share * filled:
            continue
        values = _non_empty_text(df.get_column(name))
        share, passing = _passing_share(values, sample_size)
        shaped_values = values.str.contains(_BSN_SHAPE).sum()
        if (
            passing >= min_values
            and share >= min_share
            and chance_tail(passing, shaped_values) < MAX_CHANCE_TAIL
        ):
            flagged.append(BsnColumn(name, "11-proef", share, values.len()))
    if not flagged:
        return None
    return BsnFinding(tuple(flagged), _message(flagged))


# --- pseudonymisation -----------------------------------------------------------------------


def _hmac_hex(key: bytes, prefix: bytes, values: list[str]) -> list[str]:
    """The first `PSEUDONYM_LENGTH` hex characters of HMAC-SHA256(key, prefix + value) per value.

    The standard library's HMAC: the keyed state with the prefix is set up once and copied per
    value (`hmac.HMAC.copy`), so the key is not prepared again for every id.
    """
    copy = hmac.new(key, prefix, hashlib.sha256).copy
    half = PSEUDONYM_LENGTH // 2  # two hex characters per byte
    out = []
    for value in values:
        mac = copy()
        mac.update(value.encode("utf-8"))
        out.append(mac.digest()[:half].hex())
    return out


def pseudonymise(org_id: str, local_ids: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256(key, org_id + US + local_id), hex, first 32 characters; nulls stay null.

    The unit separator (0x1F) between organisation and id keeps the encoding unambiguous
    ("A" + "B1" never collides with "AB" + "1"). Ids are used as given (the readers strip
    surrounding spaces); non-string series are cast to text first. Each distinct id is hashed
    once, so repeated ids cost nothing extra.
    """
    if not key:
        raise ValueError("pseudonymise: empty key")
    if SEPARATOR in org_id:
        raise ValueError("pseudonymise: organisation code contains the separator character")
    ids = local_ids if local_ids.dtype == pl.String else local_ids.cast(pl.String)
    distinct = ids.drop_nulls().unique(maintain_order=False)
    hashes = _hmac_hex(key, (org_id + SEPARATOR).encode("utf-8"), distinct.to_list())
    if not hashes:
        return pl.Series("client_pseudoniem", [None] * ids.len(), dtype=pl.String)
    lookup = pl.DataFrame({"id": distinct, "client_pseudoniem": pl.Series(hashes, dtype=pl.String)})
    out = (
        pl.DataFrame({"id": ids})
        .join(lookup, on="id", how="left", maintain_order="left")
        .get_column("client_pseudoniem")
    )
    return out.alias("client_pseudoniem")


# --- the key --------------------------------------------------------------------------------


def _parse_hex_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise ValueError(f"{where}: de sleutel is geen hexadecimale tekst") from exc
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{where}: de sleutel is te kort (minstens {MIN_KEY_BYTES} bytes)")
    return key


def existing_key(secrets_dir: Path) -> bytes | None:
    """The pseudonymisation key when one exists (`RENDEMENT_PSEUDONIEM_SLEUTEL` or the key
    file), else None; never creates one. For the pre-flight check, which reads a data home
    without writing to it: without a key nothing was pseudonymised there yet."""
    if os.environ.get(KEY_ENV_VAR) or (Path(secrets_dir) / KEY_FILE_NAME).exists():
        return load_or_create_key(secrets_dir)
    return None


def load_or_create_key(secrets_dir: Path) -> bytes:
    """The pseudonymisation key.

    From `RENDEMENT_PSEUDONIEM_SLEUTEL` (hex) when set; otherwise from `secrets_dir /
    pseudoniem.key` (hex text), which is created with 32 random bytes and mode 0600 on first
    use (the folder with 0700). Creation is atomic: two processes starting at once end up with
    the same key. An existing key file readable by others is tightened to 0600.
    """
    env = os.environ.get(KEY_ENV_VAR)
    if env:
        return _parse_hex_key(env, KEY_ENV_VAR)
    secrets_dir = Path(secrets_dir)
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = secrets_dir / KEY_FILE_NAME
    create_secret(path, lambda: (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
    return _parse_hex_key(path.read_text(encoding="ascii"), str(path))


__all__ = [
    "KEY_ENV_VAR",
    "BsnColumn",
    "BsnFinding",
    "bsn_column_name",
    "chance_tail",
    "existing_key",
    "find_bsn",
    "load_or_create_key",
    "pseudonymise",
]
