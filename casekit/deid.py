"""De-identified research extracts of a case workbook.

:func:`deidentify` turns a case workbook (or the clean rows of a validation) into
sheets a researcher may take away:

- identifying and free-text columns are removed (``client_name``, exact ``birth_date``,
  notes, goal descriptions, reasons, prior services), and so is every column or sheet
  outside the data contract (it may hold anything);
- identifiers (``case_id``, ``client_id``, ``goal_id``…) and staff names become keyed
  pseudonyms (HMAC-SHA256 under a key derived once per extract with scrypt from a random
  256-bit key), the same in every sheet of one export, unrelated under another key;
- dates are shifted by a whole number of weeks per case, kept inside the study window
  (intervals and weekdays within a case kept), or reduced to the year;
- ``birth_date`` becomes ``age`` (ages of 90 or more grouped as ``"90+"``) and ``age_band``.

Aggregates for sharing go through :func:`deidentified_aggregate` (cells of 1–10 suppressed).
What each column of the contract becomes is :func:`column_rules`; the why is in
``docs/deidentification.md``.

Examples
--------
>>> from casekit.sample import make_sample
>>> out = deidentify(make_sample(30, seed=1))  # a fresh random key: out.key, shown once
>>> "client_name" in out.data["cases"].columns, "notes" in out.data["contacts"].columns
(False, False)
>>> out.data["cases"]["case_id"].str.starts_with("C-").all()
True
>>> out.removed.filter(pl.col("column") == "notes").select("action", "reason").row(0)
('removed', 'free_text')
>>> deidentify(make_sample(30, seed=1), key="study-42")
Traceback (most recent call last):
casekit.deid.WeakKeyError: This key was refused: it is not written in hexadecimal digits...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import operator
import os
import secrets
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl

from casekit._frames import Frame
from casekit._thresholds import K_ANONYMITY, MAX_SHIFT_WEEKS, MAX_SUPPRESSION
from casekit.contract import ROW, SHEET_ORDER, SHEETS, VOCABS
from casekit.data import CaseData, ValidationResult
from casekit.errors import CasekitError
from casekit.i18n import normalize_lang, t
from casekit.present import header
from casekit.privacy import MIN_CELL, suppress_small_cells

__all__ = [
    "AGE_TOP",
    "ID_PREFIXES",
    "KEPT_TEXT",
    "KEY_BYTES",
    "K_ANONYMITY",
    "MAX_SHIFT_WEEKS",
    "MAX_SUPPRESSION",
    "OTHER",
    "QUASI_IDENTIFIERS",
    "STAFF_COLUMNS",
    "Deidentified",
    "IdentifiersFoundError",
    "WeakKeyError",
    "check_key",
    "column_rules",
    "deidentified_aggregate",
    "deidentify",
    "measure_catalogue",
    "new_key",
    "pseudonym",
]

#: Pseudonym prefix of each identifier column (any other ``id`` column of the contract gets ``X-``).
ID_PREFIXES: dict[str, str] = {
    "case_id": "C-",
    "client_id": "P-",
    "goal_id": "G-",
    "service_id": "S-",
    "contact_id": "K-",
    "transition_id": "T-",
}
_OTHER_ID_PREFIX = "X-"
#: Staff names: pseudonymised with one shared prefix, so a case manager who also reviews
#: risk keeps the same pseudonym in both sheets.
STAFF_COLUMNS: frozenset[tuple[str, str]] = frozenset({("cases", "case_manager"), ("risk_reviews", "reviewer")})
_STAFF_PREFIX = "M-"
#: Text columns kept, mapped to a vocabulary: short labels of a programme, a service or a
#: measure, or the groups of the fairness view. Every other ``text`` column is removed (fail
#: closed: a text column added to the contract later is removed until someone decides otherwise).
KEPT_TEXT: frozenset[tuple[str, str]] = frozenset(
    {
        ("cases", "program"),
        ("cases", "ethnicity"),
        ("cases", "language"),
        ("services", "service"),
        ("services", "provider"),
        ("outcomes", "measure"),
        ("goals", "measure"),  # a measure name, like the outcomes sheet's (issue 17)
    }
)
#: Ages from this value up are shown as ``"90+"`` (HIPAA Safe Harbor).
AGE_TOP = 90
#: What replaces a kept value outside its vocabulary.
OTHER = "other"
#: What happens to a cell of kept text that looks like an identifier.
ON_IDENTIFIERS = ("refuse", "drop")
_HEX = 16  # 64-bit pseudonyms: a collision among a million ids has odds of about 3 in 100 million
_SHIFT, _PSEUDO, _ORDER = "__deid_shift", "__deid_case", "__deid_order"
REMOVED_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "column": pl.String(),
    "action": pl.String(),
    "reason": pl.String(),
}

Action = Literal["kept", "removed", "pseudonymised", "shifted", "year", "year_band", "top_coded", "mapped"]


# --------------------------------------------------------------------------------------
# Rules: what becomes of each column
# --------------------------------------------------------------------------------------


def _rule(sheet: str, column: str, dates: str) -> tuple[Action, str]:
    """``(action, reason id)`` of one column; ``("kept", "")`` when it goes out unchanged."""
    spec = SHEETS.get(sheet)
    col = spec.columns.get(column) if spec is not None else None
    if col is None:
        return "removed", "unknown_sheet" if spec is None else "unknown_column"
    if col.kind == "date":
        as_date: tuple[Action, str] = ("shifted", "date_shift") if dates == "shift" else ("year", "date_year")
        return ("removed", "birth_date") if col.identifying else as_date
    if col.kind == "id" or (sheet, column) in STAFF_COLUMNS:
        return "pseudonymised", "identifier" if col.kind == "id" else "staff_name"
    free_text = col.kind == "text" and (sheet, column) not in KEPT_TEXT
    if free_text or col.identifying:
        return "removed", "free_text" if free_text and column != "client_name" else "identifying"
    if col.kind == "text":
        return "mapped", "vocabulary_measures" if column == "measure" else "vocabulary_frequent"
    return "kept", ""


def column_rules(*, dates: Literal["shift", "year"] = "shift") -> pl.DataFrame:
    """What the export does with every column of the data contract (``sheet, column, action, reason``).

    >>> rules = column_rules()
    >>> rules.filter(pl.col("action") == "removed")["column"].to_list()
    ['client_name', 'birth_date', 'prior_services', 'reason', 'description', 'notes', 'reason']
    >>> column_rules(dates="year").filter(pl.col("column") == "opened_on")["action"].item()
    'year'
    >>> column_rules().filter(pl.col("action") == "mapped")["column"].to_list()
    ['program', 'ethnicity', 'language', 'measure', 'service', 'provider', 'measure']
    """
    rows = [(sheet, column, *_rule(sheet, column, dates)) for sheet in SHEET_ORDER for column in SHEETS[sheet].columns]
    return pl.DataFrame(rows, schema=REMOVED_SCHEMA, orient="row")


# --------------------------------------------------------------------------------------
# Keys: random 256-bit keys only; scrypt once per extract, HMAC-SHA256 per id
# --------------------------------------------------------------------------------------

#: Bytes of a generated key (256 bits); a key given by the user must have at least as many.
KEY_BYTES = 32
#: scrypt cost (RFC 7914: N = 2**14, r = 8, p = 1 takes 16 MiB and about 0.1 s): run once per extract.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}
_KDF_SALT = b"casekit/deid/v2"  # fixed and public: the key itself is the secret, and it is random
_BLOCK = 64  # SHA-256 block size (RFC 2104)


def new_key() -> str:
    """A fresh random key: 32 bytes from :mod:`secrets`, as 64 hexadecimal digits.

    >>> k = new_key()
    >>> len(k), k != new_key(), check_key(k) == bytes.fromhex(k)
    (64, True, True)
    """
    return secrets.token_hex(KEY_BYTES)


class WeakKeyError(CasekitError):
    """A key that was not drawn at random (``why``: ``key_not_hex``, ``key_short``, ``key_pattern``).

    >>> WeakKeyError("deid.key_refused", why="key_short", digits=8, needed=64).message("es")[:60]
    'Se rechazó esta clave: tiene 8 dígitos hexadecimales y neces'
    """

    def message(self, lang: str | None = None) -> str:
        """The refusal and its reason, both in ``lang``."""
        lang = lang or self.lang
        why = t(f"deid.{self.params['why']}", lang, **self.params)
        return t(self.key, lang, **{**self.params, "why": why})


def _weakness(key: str | bytes) -> tuple[str, dict[str, object]]:
    """Why a key is refused (a ``deid.key_*`` id and its parameters), or ``("", {})``."""
    if isinstance(key, str):
        digits = "".join(key.split())
        if not digits or any(c not in "0123456789abcdefABCDEF" for c in digits):
            return "key_not_hex", {}
        if len(digits) < 2 * KEY_BYTES or len(digits) % 2:
            return "key_short", {"digits": len(digits), "needed": 2 * KEY_BYTES}
        raw = bytes.fromhex(digits)
    else:
        raw = bytes(key)
        if len(raw) < KEY_BYTES:
            return "key_short", {"digits": 2 * len(raw), "needed": 2 * KEY_BYTES}
    # 32 random bytes hold about 30 distinct values and 28 distinct steps between neighbours,
    # and are all printable with odds of 1 in 10**14: anything else was not drawn at random.
    steps = {(b - a) % 256 for a, b in itertools.pairwise(raw)}
    printable = all(32 <= b < 127 for b in raw)
    if len(set(raw)) < KEY_BYTES // 2 or len(steps) < KEY_BYTES // 4 or printable:
        return "key_pattern", {}
    return "", {}


def check_key(key: str | bytes) -> bytes:
    """The raw bytes of ``key``, or :class:`CasekitError` explaining why it is refused.

    A key must be at least 32 random bytes (256 bits), given as bytes or as hexadecimal
    digits (spaces ignored), as :func:`new_key` makes them. A word, a phrase, a short key,
    or bytes with an obvious pattern (repeated, sequential, or text written in hex) are
    refused: whoever guesses them gets every id and date of the extract back.

    >>> len(check_key("a3" * 2 + new_key()[4:]))
    32
    >>> check_key("keep-this-secret")
    Traceback (most recent call last):
    casekit.deid.WeakKeyError: This key was refused: it is not written in hexadecimal digits...
    >>> check_key("00" * 32)
    Traceback (most recent call last):
    casekit.deid.WeakKeyError: This key was refused: its bytes follow a pattern...
    >>> check_key("study-42".encode().hex() * 4)  # a word written in hex is still a word
    Traceback (most recent call last):
    casekit.deid.WeakKeyError: This key was refused: its bytes follow a pattern...
    """
    why, params = _weakness(key)
    if why:
        raise WeakKeyError("deid.key_refused", None, why=why, **params)
    return bytes.fromhex("".join(key.split())) if isinstance(key, str) else bytes(key)


def _derive(key: str | bytes) -> bytes:
    """The 32-byte HMAC key of one extract: scrypt over the checked key (the slow step, once)."""
    return hashlib.scrypt(check_key(key), salt=_KDF_SALT, dklen=32, **_SCRYPT)


_DIGEST = operator.methodcaller("digest")


def _sha256(messages: pl.Series) -> pl.Series:
    """SHA-256 of each binary message, by ``map`` over C functions (no Python code per row)."""
    return pl.Series(list(map(_DIGEST, map(hashlib.sha256, messages.to_list()))), dtype=pl.Binary)


def _digests(ids: pl.Series, mac_key: bytes, prefix: str) -> pl.Series:
    """Hex of the first 14 bytes of HMAC-SHA256(mac_key, prefix ‖ 0x1f ‖ id) for each id (no nulls).

    HMAC as RFC 2104 writes it, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with the messages
    built by polars and SHA-256 mapped over them (``hmac.digest`` per id costs several
    times more). The first 16 hex digits name the id; the next 12 draw a case's date offset.

    >>> import hmac
    >>> k = bytes(range(32))
    >>> _digests(pl.Series(["007"]), k, "C-").item() == hmac.digest(k, b"C-\\x1f007", "sha256")[:14].hex()
    True
    """
    padded = mac_key.ljust(_BLOCK, b"\0")
    inner_pad, outer_pad = bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)
    messages = pl.select(pl.lit(inner_pad + f"{prefix}\x1f".encode()) + pl.lit(ids.cast(pl.String)).cast(pl.Binary))
    inner = _sha256(messages.to_series())
    outer = _sha256(pl.select(pl.lit(outer_pad) + pl.lit(inner)).to_series())
    return pl.select(pl.lit(outer).bin.head(14).bin.encode("hex")).to_series()


def _names(hexes: pl.Series, prefix: str) -> pl.Series:
    names = pl.select(pl.lit(prefix) + pl.lit(hexes).str.slice(0, _HEX)).to_series()
    if names.n_unique() != hexes.len():  # never seen in practice; two ids must never merge
        raise CasekitError("deid.pseudonym_collision")
    return names


def _pseudonyms(ids: pl.Series, mac_key: bytes, prefix: str) -> pl.Series:
    """Pseudonyms of a Series: row ids (all distinct) hashed in place, others once per distinct value."""
    ids = ids.cast(pl.String)
    if ids.null_count() == 0 and ids.n_unique() == ids.len():
        return _names(_digests(ids, mac_key, prefix), prefix).alias(ids.name)
    distinct = ids.drop_nulls().unique()
    names = _names(_digests(distinct, mac_key, prefix), prefix)
    return ids.replace_strict(distinct, names, default=None, return_dtype=pl.String)


def _pseudonym_expr(ids: pl.Expr, mac_key: bytes, prefix: str) -> pl.Expr:
    return ids.map_batches(lambda s: _pseudonyms(s, mac_key, prefix), return_dtype=pl.String)


def pseudonym(ids: pl.Expr, key: str | bytes, *, prefix: str) -> pl.Expr:
    """Keyed pseudonyms of an id column: ``prefix`` + 16 hex digits (nulls stay null).

    ``key`` is an extract's key (:func:`check_key`); it is stretched with scrypt once,
    when the expression is built, and each id is then HMAC-SHA256'd with the prefix
    mixed into the message (an id repeated in the column is hashed once). The same id
    gives the same pseudonym wherever it appears under the same key and prefix, whatever
    the polars or Python version; another key gives unrelated pseudonyms; without the
    key the ids cannot be recovered or checked against a guess.

    Examples
    --------
    >>> key = new_key()
    >>> df = pl.DataFrame({"id": ["007", "008", "007", None]})
    >>> out = df.select(pseudonym(pl.col("id"), key, prefix="C-"))["id"].to_list()
    >>> out[0] == out[2] != out[1], out[0].startswith("C-"), len(out[0]), out[3]
    (True, True, 18, None)
    >>> other = df.select(pseudonym(pl.col("id"), new_key(), prefix="C-"))["id"].to_list()
    >>> other[0] != out[0]
    True
    """
    return _pseudonym_expr(ids, _derive(key), prefix)


# --------------------------------------------------------------------------------------
# Date offsets: whole weeks, the case kept inside the study window
# --------------------------------------------------------------------------------------


def _offsets(spans: pl.DataFrame, max_weeks: int) -> pl.Expr:
    """Days added to every date of a case (``spans``: ``__draw``, ``__first``, ``__last`` per case).

    A whole number of weeks (weekdays kept), never 0 unless ``max_weeks`` is 0, at most
    ``max_weeks`` either way, and chosen uniformly among the shifts that keep every date
    of the case inside the study window (the first to the last date of the extract):
    a shifted date never falls outside the window, so it says nothing about which way,
    or how far, its case was moved. A case too long to move inside the window moves by
    one week (its dates may leave the window by up to 6 days).
    """
    if max_weeks == 0:
        return pl.lit(0, dtype=pl.Int64).alias(_SHIFT)
    start, end = spans["__first"].min(), spans["__last"].max()
    before = (pl.col("__first") - pl.lit(start, dtype=pl.Date)).dt.total_days() // 7  # whole weeks of room
    after = (pl.lit(end, dtype=pl.Date) - pl.col("__last")).dt.total_days() // 7
    back = pl.min_horizontal(pl.lit(max_weeks), before).fill_null(max_weeks)
    ahead = pl.min_horizontal(pl.lit(max_weeks), after).fill_null(max_weeks)
    stuck = (back + ahead) == 0
    back, ahead = pl.when(stuck).then(1).otherwise(back), pl.when(stuck).then(1).otherwise(ahead)
    pick = pl.col("__draw") % (back + ahead)  # 0 .. back+ahead-1
    shift = pl.when(pick < back).then(-(pick + 1)).otherwise(pick - back + 1)
    return (shift * 7).cast(pl.Int64).alias(_SHIFT)


# --------------------------------------------------------------------------------------
# Kept text: vocabularies and the identifier scan
# --------------------------------------------------------------------------------------


def _measure_key(name: pl.Expr) -> pl.Expr:
    """A measure name as the catalogue matches it: ignoring case, spaces, dashes and underscores."""
    return name.str.to_lowercase().str.replace_all(r"[\s_-]+", "")


@cache
def measure_catalogue() -> dict[str, str]:
    """The shipped measures catalogue (``casekit/defaults/measures.toml``) as ``{matching key: name}``,
    aliases included; empty when the package has no catalogue.

    >>> cat = measure_catalogue()
    >>> all(isinstance(k, str) and isinstance(v, str) for k, v in cat.items())
    True
    """
    path = Path(__file__).parent / "defaults" / "measures.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        measures = tomllib.load(fh).get("measures", {})
    names = {name: name for name in measures} | {
        alias: name for name, spec in measures.items() for alias in (spec.get("aliases") or [])
    }
    keys = pl.select(_measure_key(pl.lit(pl.Series(list(names), dtype=pl.String)))).to_series().to_list()
    return dict(zip(keys, names.values(), strict=True))


def _catalogued(column: str) -> pl.Expr:
    """The catalogue's name of each measure, null when it is not catalogued."""
    catalogue = measure_catalogue()
    if not catalogue:
        return pl.lit(None, dtype=pl.String)
    return _measure_key(pl.col(column)).replace_strict(catalogue, default=None, return_dtype=pl.String)


def _to_vocabulary(sheet: str, column: str, reason: str, *, k: int, has_case: bool) -> pl.Expr:
    """A kept text or category column mapped to its vocabulary, the rest :data:`OTHER` (nulls kept).

    The contract's vocabulary where the column has one; for ``measure``, the measures
    catalogue (under the catalogue's name); otherwise, and for measures outside the
    catalogue, the values held by at least ``k`` cases of the sheet.
    """
    value = pl.col(column)
    spec = SHEETS[sheet].columns[column]
    if spec.vocab is not None:
        known = value.is_in(list(VOCABS[spec.vocab]))
        return pl.when(value.is_null() | known).then(value).otherwise(pl.lit(OTHER)).alias(column)
    held = pl.col("case_id").drop_nulls().n_unique().over(column) >= k if has_case else pl.lit(value=False)
    mapped = pl.when(value.is_null() | held).then(value).otherwise(pl.lit(OTHER))
    if reason == "vocabulary_measures":
        mapped = pl.coalesce(_catalogued(column), mapped)
    return mapped.alias(column)


class IdentifiersFoundError(CasekitError):
    """Kept text that looks like identifiers: the extract is not made. ``cells``: ``sheet, row,
    column, kind`` of each offending cell (no values)."""

    def __init__(self, cells: pl.DataFrame, /, lang: str | None = None) -> None:
        self.cells = cells
        super().__init__("deid.identifiers_found", lang, count=cells.height)

    def message(self, lang: str | None = None) -> str:
        """How many cells, the first ten of them (sheet, row, column, what they look like), and what to do."""
        lang = normalize_lang(lang or self.lang)
        listed = [
            t(
                "deid.identifier_cell",
                lang,
                sheet=SHEETS[sheet].label(lang),
                row=row,
                column=SHEETS[sheet].columns[column].label(lang),
                kind=t(f"deid.kind_{kind}", lang),
            )
            for sheet, row, column, kind in self.cells.head(10).iter_rows()
        ]
        more = t("deid.identifier_more", lang, more=self.cells.height - 10) if self.cells.height > 10 else ""
        return t(self.key, lang, count=self.cells.height, cells="; ".join(listed) + more)


_CELLS_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "kind": pl.String(),
}


def _scan(name: str, df: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, dict[str, pl.Series]]:
    """``sheet, row, column, kind`` of the cells of ``columns`` that look like identifiers, and the
    offending values of each column: distinct values are scanned (catalogued measures are
    trusted), then located by row."""
    from casekit.privacy import identifier_kind

    found, bad = [], {}
    for column in columns:
        values = df.select(pl.col(column).unique().drop_nulls())
        if column == "measure":
            values = values.filter(_catalogued(column).is_null())
        kinds = values.with_columns(identifier_kind(pl.col(column)).alias("kind")).drop_nulls("kind")
        if kinds.height:
            bad[column] = kinds.get_column(column)
            where = pl.col(ROW).cast(pl.Int64) if ROW in df.columns else pl.int_range(pl.len(), dtype=pl.Int64) + 1
            rows = df.select(where.alias("row"), pl.col(column)).join(kinds, on=column, maintain_order="left")
            found.append(rows.select(pl.lit(name).alias("sheet"), "row", pl.lit(column).alias("column"), "kind"))
    return (pl.concat(found) if found else pl.DataFrame(schema=_CELLS_SCHEMA)), bad


# --------------------------------------------------------------------------------------
# Quasi-identifiers: generalise, then suppress, until k-anonymous
# --------------------------------------------------------------------------------------

#: Columns of ``cases`` a person can be recognised by when combined (``year``: of ``opened_on``).
QUASI_IDENTIFIERS: tuple[str, ...] = ("age_band", "sex", "ethnicity", "language", "program", "year")
#: The five age bands folded into three, the first generalisation.
WIDE_AGE_BANDS: dict[str, str] = {"<40": "<65", "40-64": "<65", "65-74": "65-84", "75-84": "65-84", "85+": "85+"}
#: Widths of the year bands k-anonymity may group the years into (``year_2``, ``year_5``).
YEAR_BANDS: tuple[int, ...] = (2, 5)
#: The generalisations of each quasi-identifier, mildest first. ``year`` is grouped into
#: 2-, then 5-year bands: then every date of every sheet takes the band (of the year, or of the
#: shifted date's year), so that no sheet gives the year back. With shifted dates that loses
#: every interval, so there the year is banded only when no other step helps (and it does).
#: ``program`` is the last to go.
_LADDER: dict[str, tuple[str, ...]] = {
    "year": tuple(f"year_{w}" for w in YEAR_BANDS),
    "age_band": ("generalised", "removed"),
    "language": ("removed",),
    "ethnicity": ("removed",),
    "sex": ("removed",),
    "program": ("removed",),
}
STEPS_SCHEMA: dict[str, pl.DataType] = {"column": pl.String(), "action": pl.String(), "cases": pl.Int64()}


def _quasi_frame(cases: pl.DataFrame) -> tuple[pl.DataFrame, list[str], str]:
    """``case_id``, the person (``client_id``, else the case) and the quasi-identifiers present in
    the extract's ``cases``."""
    person = pl.coalesce("client_id", "case_id") if "client_id" in cases.columns else pl.col("case_id")
    columns = [pl.col("case_id"), person.alias("__person")]
    columns += [pl.col(c) for c in QUASI_IDENTIFIERS[:-1] if c in cases.columns]
    if "opened_on" in cases.columns:
        opened = pl.col("opened_on")
        columns.append(
            (opened.dt.year().cast(pl.Int64) if cases.schema["opened_on"].is_temporal() else opened).alias("year")
        )
    frame = cases.select(columns)
    quasi = [c for c in QUASI_IDENTIFIERS if c in frame.columns and frame[c].null_count() < frame.height]
    return frame, quasi, "__person"  # an empty column tells nobody apart


def year_band(year: pl.Expr, width: int) -> pl.Expr:
    """The ``width``-year band of a year, as text: bands start at multiples of ``width``
    (2024-2025; 2020-2024, 2025-2029); a null stays null.

    >>> pl.DataFrame({"y": [2024, 2025, 2029, None]}).select(year_band(pl.col("y"), 5))["y"].to_list()
    ['2020-2024', '2025-2029', '2025-2029', None]
    >>> pl.DataFrame({"y": [2024, 2025]}).select(year_band(pl.col("y"), 2))["y"].to_list()
    ['2024-2025', '2024-2025']
    """
    start = year.cast(pl.Int64) - year.cast(pl.Int64) % width
    return pl.concat_str(start.cast(pl.String), pl.lit("-"), (start + width - 1).cast(pl.String))


def _generalise(frame: pl.DataFrame, quasi: list[str], column: str, action: str) -> tuple[pl.DataFrame, list[str]]:
    """One step of :data:`_LADDER` on the quasi-identifier frame: the frame and the quasi-identifiers left."""
    if action == "generalised":  # age_band's hierarchy
        return frame.with_columns(pl.col(column).replace(WIDE_AGE_BANDS)), quasi
    if action.startswith("year_"):  # from the true year kept aside, so 5-year bands follow 2-year ones
        return frame.with_columns(year_band(pl.col("__year"), int(action.removeprefix("year_"))).alias("year")), quasi
    return frame.drop(column), [c for c in quasi if c != column]


def _k_anonymise(
    cases: pl.DataFrame, *, k: int, max_suppression: float, shifted: bool = False
) -> tuple[pl.DataFrame, pl.Series, pl.DataFrame, pl.DataFrame]:
    """The extract's ``cases`` generalised, the case pseudonyms to suppress, the steps taken
    (``column, action, cases``) and the anonymity before and after (:func:`casekit.privacy.anonymity`).

    Full-domain generalisation (Samarati 2001; Sweeney 2002), greedy: while more than
    ``max_suppression`` of the cases sit in classes smaller than ``k``, take the next step of
    :data:`_LADDER` that leaves the fewest such cases (ties: the order of the ladder); the
    cases still in small classes are then suppressed (removed). After a year step the caller
    bands every date of the extract (the last ``year_<w>`` step gives the width); with
    ``shifted`` dates a year step is taken only when no other step leaves fewer small
    classes (and it does), as banding shifted dates loses their intervals.
    """
    from casekit.privacy import anonymity, class_sizes

    frame, quasi, person = _quasi_frame(cases)
    if "year" in frame.columns:
        frame = frame.with_columns(__year=pl.col("year"))
    before = anonymity(frame, quasi, person=person, k=k)
    steps: list[tuple[str, str, int]] = []
    budget = max_suppression * frame.height
    done: dict[str, int] = dict.fromkeys(_LADDER, 0)

    def small(f: pl.DataFrame, q: list[str]) -> pl.Series:
        return class_sizes(f, q, person=person).filter(pl.col("__class_size") < k)["case_id"]

    while (now := small(frame, quasi).len()) > budget:
        ladder = [*(c for c in _LADDER if c != "year"), "year"] if shifted else list(_LADDER)
        options = [(c, _LADDER[c][done[c]]) for c in ladder if c in quasi and done[c] < len(_LADDER[c])]
        options = [o for o in options if o[0] != "program"] or options  # the programme goes last
        if not options:
            break
        tried = [(small(*_generalise(frame, quasi, c, a)).len(), i) for i, (c, a) in enumerate(options)]
        if shifted:  # banding shifted dates loses their intervals: only when no other step helps
            others = [t for t in tried if options[t[1]][0] != "year"]
            tried = [t for t in others if t[0] < now] or [t for t in tried if t[0] < now] or others or tried
        column, action = options[min(tried)[1]]
        new, quasi = _generalise(frame, quasi, column, action)
        if action == "removed":
            changed = int(frame[column].is_not_null().sum())
            cases = cases.drop(column)
        elif column == "year":  # the cases' dates are banded with every other sheet's, by the caller
            changed = int(new["year"].is_not_null().sum())
        else:
            changed = int(new[column].ne_missing(frame[column]).sum())
            cases = cases.with_columns(pl.col(column).replace(WIDE_AGE_BANDS))
        done[column] += 1
        steps.append((column, action, changed))
        frame = new
    suppressed = small(frame, quasi)
    if suppressed.len():
        steps.append(("case_id", "suppressed", suppressed.len()))
        frame = frame.filter(~pl.col("case_id").is_in(suppressed.implode()))
    after = anonymity(frame, quasi, person=person, k=k)
    summary = pl.concat([before, after]).insert_column(0, pl.Series("when", ["before", "after"]))
    return cases, suppressed, pl.DataFrame(steps, schema=STEPS_SCHEMA, orient="row"), summary


# --------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deidentified:
    """A de-identified extract: ``data`` (same sheet names) and what was done, column by column.

    ``removed`` has one row per touched column: ``sheet, column, action`` (``removed``,
    ``pseudonymised``, ``shifted``, ``year``, ``top_coded``) and ``reason``, a stable id
    (``free_text``, ``identifier``…) that :meth:`explain` turns into a sentence.
    """

    data: CaseData
    removed: pl.DataFrame
    #: The extract's key (64 hex digits): reproduces it, or links it to another extract of
    #: the same study. Show it once, keep it away from whoever receives the extract.
    key: str = field(default="", repr=False)
    #: Cells of kept text emptied because they looked like identifiers (``on_identifiers="drop"``):
    #: ``sheet, row, column, kind`` (``row``: the spreadsheet row when known), never the values.
    dropped: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_CELLS_SCHEMA))
    #: What was done to reach k-anonymity, in order: ``column, action`` (``generalised``,
    #: ``removed``, ``suppressed`` for cases taken out) and ``cases`` affected.
    steps: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=STEPS_SCHEMA))
    #: k-anonymity on the quasi-identifiers ``before`` and ``after``: ``when, k, classes, people,
    #: unique, below_k`` (:func:`casekit.privacy.anonymity`); empty with ``k=1``.
    anonymity: pl.DataFrame = field(default_factory=pl.DataFrame)

    def explain(self, lang: str = "es") -> pl.DataFrame:
        """``removed`` with the action and reason in ``lang`` (for a page or a README sheet).

        >>> from casekit.sample import make_sample
        >>> out = deidentify(make_sample(5, seed=1)).explain("en")
        >>> out.filter(pl.col("column") == "client_name").select("action", "reason").row(0)
        ('removed', 'Identifies the client directly.')
        """
        return self.removed.with_columns(
            pl.col("action").replace({a: t(f"deid.action_{a}", lang) for a in self.removed["action"].unique()}),
            pl.col("reason").replace({r: t(f"deid.reason_{r}", lang) for r in self.removed["reason"].unique()}),
        )

    def explain_steps(self, lang: str = "es", *, k: int = K_ANONYMITY) -> pl.DataFrame:
        """``steps`` as sentences in ``lang``: ``step, cases`` (what was done to reach k-anonymity).

        >>> from casekit.sample import make_sample
        >>> out = deidentify(make_sample(200, seed=1), max_suppression=1.0)
        >>> out.explain_steps("en").row(0)[0]
        'Cases whose combination was still shared by fewer than 5 people removed from every sheet.'
        """
        sentences = [
            t("deid.step_age_band_generalised", lang)
            if action == "generalised"
            else t("deid.step_year_band", lang, width=action.removeprefix("year_"))
            if action.startswith("year_")
            else t("deid.step_suppressed", lang, k=k)
            if action == "suppressed"
            else t("deid.step_removed", lang, column=SHEETS["cases"].columns[column].label(lang))
            if column in SHEETS["cases"].columns
            else t("deid.step_removed", lang, column=header(column, lang))
            for column, action, _ in self.steps.iter_rows()
        ]
        return pl.DataFrame(
            {"step": sentences, "cases": self.steps["cases"]}, schema={"step": pl.String, "cases": pl.Int64}
        )

    def anonymity_line(self, lang: str = "es") -> str:
        """One sentence: k before and after, and how many people were unique before ("" with ``k=1``).

        >>> from casekit.sample import make_sample
        >>> deidentify(make_sample(200, seed=1)).anonymity_line("en")[:74]
        'k-anonymity on age band, sex, ethnicity, language, programme and year: k ='
        """
        if self.anonymity.height != 2:
            return ""
        before, after = self.anonymity.rows(named=True)
        return t(
            "deid.anonymity_line",
            lang,
            before=before["k"],
            after=after["k"],
            unique=before["unique"],
            people=before["people"],
        )

    def write(
        self,
        path: str | Path,
        *,
        lang: str = "es",
        format: Literal["parquet", "csv"] | None = None,
        save_key: bool = False,
    ) -> Path:
        """Write the extract: a ``.xlsx`` workbook, or a folder of ``.parquet`` (default) or ``.csv`` files.

        One language throughout: sheet names, headers and values in ``lang`` (vocabulary ids
        as their labels, booleans as sí/no or yes/no: :func:`casekit.write_workbook` with
        ``labels=True``, through :func:`casekit.present.readable`; casekit reads them back to
        the ids), every text cell formula-safe. ``save_key=True`` also writes the key, only readable by
        its owner, next to the extract (:meth:`key_path`): never inside it. Returns the
        path written.

        >>> import tempfile
        >>> from casekit.sample import make_sample
        >>> out = deidentify(make_sample(5, seed=1))
        >>> folder = out.write(Path(tempfile.mkdtemp()) / "extract", lang="en", format="csv")
        >>> folder.joinpath("cases.csv").exists(), Deidentified.key_path(folder).exists()
        (True, False)
        """
        from casekit.export import write_workbook

        write_workbook(self.data, path, lang=lang, format=format, labels=True)
        if save_key:
            target = self.key_path(path)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(self.key + "\n")
        return Path(path)

    @staticmethod
    def key_path(path: str | Path) -> Path:
        """Where ``write(path, save_key=True)`` puts the key: beside the extract, ``.key`` for its suffix.

        >>> Deidentified.key_path("out/extract.xlsx"), Deidentified.key_path("out/extract")
        (PosixPath('out/extract.key'), PosixPath('out/extract.key'))
        """
        path = Path(path)
        return path.with_name(f"{path.stem if path.suffix.lower() == '.xlsx' else path.name}.key")


def _case_ids(case_ids: Iterable[str] | pl.Series) -> pl.Series:
    if isinstance(case_ids, pl.Series):
        return case_ids.cast(pl.String)
    return pl.Series("case_id", list(case_ids), dtype=pl.String)


def _restrict(sheets: dict[str, pl.DataFrame], keep: pl.Series) -> dict[str, pl.DataFrame]:
    """Rows of the given cases only (a sheet without ``case_id`` keeps no row)."""
    wanted = pl.col("case_id").cast(pl.String).is_in(keep.implode())
    return {name: df.filter(wanted) if "case_id" in df.columns else df.clear() for name, df in sheets.items()}


def _spans(sheets: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``case_id, __first, __last``: the first and last date of each case over every date that is shifted."""
    parts = []
    for name, df in sheets.items():
        dated = [
            c
            for c, dtype in df.schema.items()
            if name in SHEETS
            and _rule(name, c, "shift")[0] == "shifted"
            and (dtype == pl.Date or isinstance(dtype, pl.Datetime))
        ]
        if "case_id" in df.columns and dated:
            days = [pl.col(c).cast(pl.Date) for c in dated]
            parts.append(
                df.select(
                    pl.col("case_id").cast(pl.String),
                    pl.min_horizontal(days).alias("__first"),
                    pl.max_horizontal(days).alias("__last"),
                )
            )
    if not parts:
        return pl.DataFrame(schema={"case_id": pl.String, "__first": pl.Date, "__last": pl.Date})
    return pl.concat(parts).group_by("case_id").agg(pl.col("__first").min(), pl.col("__last").max())


def _keys(sheets: dict[str, pl.DataFrame], mac_key: bytes, max_weeks: int) -> pl.DataFrame:
    """One row per case id seen in any sheet: its pseudonym (as :func:`pseudonym`) and its date offset."""
    ids = [df.get_column("case_id").cast(pl.String) for df in sheets.values() if "case_id" in df.columns]
    distinct = pl.concat(ids).drop_nulls().unique() if ids else pl.Series([], dtype=pl.String)
    prefix = ID_PREFIXES["case_id"]
    hexes = _digests(distinct, mac_key, prefix)
    keys = pl.DataFrame(
        {
            "case_id": distinct,
            _PSEUDO: _names(hexes, prefix),
            _ORDER: pl.select(pl.lit(hexes).str.slice(0, 15).str.to_integer(base=16)).to_series(),  # pseudonym order
            "__draw": pl.select(pl.lit(hexes).str.slice(_HEX, 12).str.to_integer(base=16)).to_series(),
        }
    ).join(_spans(sheets), on="case_id", how="left")
    return keys.with_columns(_offsets(keys, max_weeks)).drop("__draw", "__first", "__last")


def _age_columns(ref: pl.Expr, *, exact: bool) -> list[pl.Expr]:
    """``age_band`` from the exact birth date at ``ref``, and with ``exact`` the ``age`` too (text,
    ``"90+"`` from :data:`AGE_TOP`)."""
    from casekit._frames import age_at
    from casekit.risk.fairness import age_band

    years = age_at(ref, pl.col("birth_date"))
    text = pl.when(years >= AGE_TOP).then(pl.lit(f"{AGE_TOP}+")).otherwise(years.cast(pl.String))
    return [text.alias("age"), age_band(years)] if exact else [age_band(years)]


def _effective_rule(sheet: str, column: str, df: pl.DataFrame, dates: str) -> tuple[Action, str]:
    """:func:`_rule`, except that a column whose values are not of its kind (unvalidated data),
    or a date with no case to shift with, is removed, and a category column with values outside
    its vocabulary is mapped."""
    action, reason = _rule(sheet, column, dates)
    if action == "removed" and reason != "birth_date":
        return action, reason
    dtype = df.schema[column]
    spec = SHEETS[sheet].columns[column]
    is_date = dtype == pl.Date or isinstance(dtype, pl.Datetime)
    override: tuple[Action, str] | None = None
    if (action in ("shifted", "year") and not is_date) or (reason == "birth_date" and dtype != pl.Date):
        override = ("removed", "not_a_date")  # no shift, no year, no age from it
    elif action == "shifted" and _SHIFT not in df.columns:
        override = ("removed", "no_case_id")
    elif action == "kept" and spec.kind in ("int", "float", "bool") and not (dtype.is_numeric() or dtype == pl.Boolean):
        override = ("removed", "wrong_type")
    elif action == "kept" and spec.vocab is not None and dtype == pl.String:
        outside = pl.col(column).is_not_null() & ~pl.col(column).is_in(list(VOCABS[spec.vocab]))
        if df.select(outside.any()).item():
            override = ("mapped", "vocabulary_contract")
    return override or (action, reason)


def _exprs(
    sheet: str, column: str, action: Action, reason: str, *, mac_key: bytes, age_at: pl.Expr | None, k: int, cases: bool
) -> list[pl.Expr]:
    """What replaces one column in the extract (nothing for a removed column, age for a birth date)."""
    if action == "mapped":
        return [_to_vocabulary(sheet, column, reason, k=k, has_case=cases)]
    if action == "pseudonymised":
        prefix = _STAFF_PREFIX if reason == "staff_name" else ID_PREFIXES.get(column, _OTHER_ID_PREFIX)
        own = pl.col(_PSEUDO) if column == "case_id" else _pseudonym_expr(pl.col(column), mac_key, prefix)
        return [own.alias(column)]
    if action == "removed":
        return _age_columns(age_at, exact=k == 1) if reason == "birth_date" and age_at is not None else []
    value = pl.col(column)
    moved = {"shifted": value + pl.duration(days=pl.col(_SHIFT)), "year": value.dt.year().cast(pl.Int64)}
    return [moved.get(action, value)]


@dataclass(frozen=True)
class _Options:
    mac_key: bytes
    dates: str
    as_of: dt.date | None
    k: int
    drop: bool


def _sheet(
    name: str, df: pl.DataFrame, keys: pl.DataFrame, opts: _Options
) -> tuple[pl.DataFrame | None, list[tuple[str, str, str, str]], pl.DataFrame]:
    """One sheet de-identified (``None`` for a sheet outside the contract), its ``removed`` rows,
    and the cells of its kept text that look like identifiers (:func:`_scan`)."""
    columns = [c for c in df.columns if c != ROW]
    if name not in SHEETS:
        return None, [(name, c, "removed", "unknown_sheet") for c in columns], pl.DataFrame(schema=_CELLS_SCHEMA)
    cases = "case_id" in columns
    if cases:
        df = df.with_columns(pl.col("case_id").cast(pl.String)).join(
            keys, on="case_id", how="left", maintain_order="left"
        )
    age_at = None
    if "birth_date" in columns and df.schema["birth_date"] == pl.Date:
        age_at = pl.lit(opts.as_of, dtype=pl.Date) if opts.as_of is not None else pl.col("opened_on")
        if opts.as_of is None and "opened_on" not in columns:
            age_at = pl.lit(None, dtype=pl.Date)
    log: list[tuple[str, str, str, str]] = []
    exprs: list[pl.Expr] = []
    scanned: list[str] = []
    for column in columns:
        action, reason = _effective_rule(name, column, df, opts.dates)
        column_exprs = _exprs(name, column, action, reason, mac_key=opts.mac_key, age_at=age_at, k=opts.k, cases=cases)
        exprs.extend(column_exprs)
        if action != "kept":
            log.append((name, column, action, reason))
        if reason in ("vocabulary_frequent", "vocabulary_measures"):
            scanned.append(column)
        if reason == "birth_date" and column_exprs:
            exact = opts.k == 1  # the age in years is finer than the band k-anonymity is checked on
            log.append((name, "age", "top_coded", "age_top_code") if exact else (name, "age", "removed", "age_exact"))
    extra = [c for c in (_ORDER, ROW) if c in df.columns]
    out = df.select(*exprs, *extra)
    found, bad = _scan(name, out, scanned)
    if opts.drop and bad:
        out = out.with_columns(pl.when(~pl.col(c).is_in(v.implode())).then(pl.col(c)).alias(c) for c, v in bad.items())
    if _ORDER in out.columns:
        out = out.sort(_ORDER, maintain_order=True)
    return out.drop(extra), log, found


def deidentify(
    data: CaseData | ValidationResult,
    *,
    key: str | bytes | None = None,
    dates: Literal["shift", "year"] = "shift",
    max_shift_weeks: int = MAX_SHIFT_WEEKS,
    case_ids: Iterable[str] | pl.Series | None = None,
    as_of: dt.date | None = None,
    k: int = K_ANONYMITY,
    max_suppression: float = MAX_SUPPRESSION,
    on_identifiers: Literal["refuse", "drop"] = "refuse",
) -> Deidentified:
    """A de-identified extract of ``data`` (of a :class:`ValidationResult`: its clean rows).

    - ``key``: the secret behind every pseudonym and date offset, at least 32 random
      bytes (hex digits or bytes, :func:`check_key`; a word is refused). ``None`` draws a
      fresh one (:func:`new_key`), returned as ``.key``: two exports cannot be linked
      unless they share a key. It is stretched once with scrypt, then each id is
      HMAC-SHA256'd.
    - ``dates="shift"``: every date of a case moves by the same whole number of weeks,
      1…``max_shift_weeks`` either way (0 only when ``max_shift_weeks=0``), drawn from the
      key and the case id among the shifts that keep the case inside the study window;
      ``"year"``: every date becomes its year (integer).
    - ``case_ids``: only these cases (the filtered cohort), in every sheet.
    - ``as_of``: the date ages are computed at (default: each case's ``opened_on``).
    - ``k``: kept text (programme, language, ethnicity, service, provider, measure) is
      mapped to a vocabulary — the contract's, the measures catalogue for ``measure``,
      else the values held by at least ``k`` cases — the rest becoming ``"other"``.
    - ``k``, ``max_suppression``: the quasi-identifiers of ``cases`` (age band, sex,
      ethnicity, language, programme, year of opening) are generalised (:data:`_LADDER`)
      until at most ``max_suppression`` of the cases share their combination with fewer
      than ``k - 1`` other people, and those cases are then removed from every sheet:
      every combination left is held by at least ``k`` people (``.anonymity``, ``.steps``).
      The exact ``age`` goes out only with ``k=1`` (no k-anonymity).
    - ``on_identifiers``: what remains of the kept text is scanned for e-mails, phones,
      ID numbers, runs of digits and names (:func:`casekit.privacy.identifier_kind`);
      ``"refuse"`` raises :class:`IdentifiersFoundError` listing the cells, ``"drop"``
      empties them (listed in ``.dropped``).

    Rows come out sorted by pseudonymised ``case_id`` (the original order is not kept);
    ``_row``, the source name, the column headers as written and the parsing issues
    (which quote cell values) are not carried over.

    Examples
    --------
    >>> import datetime as dt
    >>> D = dt.date
    >>> book = CaseData({
    ...     "cases": pl.DataFrame({"case_id": ["7", "8"], "client_name": ["Ana", "Eva"],
    ...                            "birth_date": [D(1930, 5, 1), D(1970, 1, 1)],
    ...                            "opened_on": [D(2025, 3, 1), D(2026, 3, 1)]}),
    ...     "contacts": pl.DataFrame({"contact_id": ["k1"], "case_id": ["7"], "contact_on": [D(2025, 3, 11)],
    ...                               "notes": ["rang Ana"]}),
    ... })
    >>> out = deidentify(book, max_shift_weeks=4, k=1)  # two cases: no k-anonymity, to show the age
    >>> cases, contacts = out.data["cases"].sort("age"), out.data["contacts"]
    >>> cases.select("age", "age_band").rows(), contacts["case_id"].item() == cases["case_id"][1]
    ([('56', '40-64'), ('90+', '85+')], True)
    >>> (contacts["contact_on"].item() - cases["opened_on"][1]).days  # the interval is kept
    10
    >>> shift = (cases["opened_on"][1] - D(2025, 3, 1)).days  # the date is not: whole weeks, inside the window
    >>> shift % 7, 7 <= shift <= 28
    (0, True)
    >>> deidentify(book, key=out.key, dates="year", k=1).data["contacts"]["contact_on"].to_list()
    [2025]
    """
    if dates not in ("shift", "year"):
        raise CasekitError("deid.bad_dates", dates=dates)
    if isinstance(max_shift_weeks, bool) or not isinstance(max_shift_weeks, int) or max_shift_weeks < 0:
        raise CasekitError("deid.bad_max_shift", value=max_shift_weeks)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise CasekitError("deid.bad_k", value=k)
    if (
        isinstance(max_suppression, bool)
        or not isinstance(max_suppression, int | float)
        or not 0 <= max_suppression <= 1
    ):
        raise CasekitError("deid.bad_max_suppression", value=max_suppression)
    if on_identifiers not in ON_IDENTIFIERS:
        raise CasekitError("deid.bad_on_identifiers", value=on_identifiers)
    source = data.data if isinstance(data, ValidationResult) else data
    key = new_key() if key is None else key
    mac_key = _derive(key)  # checks the key; the one slow step
    sheets = dict(source.sheets)
    if case_ids is not None:
        sheets = _restrict(sheets, _case_ids(case_ids))
    keys = _keys(sheets, mac_key, max_shift_weeks)
    opts = _Options(mac_key=mac_key, dates=dates, as_of=as_of, k=k, drop=on_identifiers == "drop")
    out: dict[str, pl.DataFrame] = {}
    log: list[tuple[str, str, str, str]] = []
    found: list[pl.DataFrame] = []
    ordered = [s for s in SHEET_ORDER if s in sheets] + [s for s in sheets if s not in SHEETS]
    for name in ordered:
        frame, rows, cells = _sheet(name, sheets[name], keys, opts)
        log.extend(rows)
        found.append(cells)
        if frame is not None:
            out[name] = frame
    dropped = pl.concat(found).sort("sheet", "row", "column")
    if dropped.height and not opts.drop:
        raise IdentifiersFoundError(dropped)
    steps, summary = pl.DataFrame(schema=STEPS_SCHEMA), pl.DataFrame()
    if k > 1 and "cases" in out and "case_id" in out["cases"].columns:
        out["cases"], suppressed, steps, summary = _k_anonymise(
            out["cases"], k=k, max_suppression=max_suppression, shifted=dates == "shift"
        )
        gone = pl.col("case_id").is_in(suppressed.implode())
        out = {n: df.filter(~gone) if "case_id" in df.columns else df for n, df in out.items()}
        banded = [a for c, a, _ in steps.iter_rows() if c == "year"]
        if banded:  # full-domain: every date of every sheet (years here) takes the band
            width = int(banded[-1].removeprefix("year_"))
            years = {(s, c) for s, c, a, _ in log if a in ("year", "shifted")}

            def band(df: pl.DataFrame, c: str) -> pl.Expr:
                year = pl.col(c).dt.year() if df.schema[c].is_temporal() else pl.col(c)
                return year_band(year, width).alias(c)

            out = {n: df.with_columns(band(df, c) for c in df.columns if (n, c) in years) for n, df in out.items()}
            log = [(n, c, "year_band", "k_anonymity") if (n, c) in years else (n, c, a, r) for n, c, a, r in log]
        log.extend(("cases", c, a, "k_anonymity") for c, a, _ in steps.iter_rows() if a != "suppressed" and c != "year")
    removed = pl.DataFrame(log, schema=REMOVED_SCHEMA, orient="row")
    text_key = "".join((key if isinstance(key, str) else bytes(key).hex()).split()).lower()
    return Deidentified(CaseData(out), removed, key=text_key, dropped=dropped, steps=steps, anonymity=summary)


# --------------------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------------------

#: Columns that must never appear in a shared aggregate (row-level identifiers and identifying text).
_ROW_LEVEL: frozenset[str] = frozenset(
    {*ID_PREFIXES, *(r[1] for r in column_rules().filter(pl.col("action") == "removed").iter_rows())}
)


def deidentified_aggregate(
    df: Frame,
    count_cols: str | Sequence[str],
    *,
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> Frame:
    """An aggregate ready to share: :func:`casekit.privacy.suppress_small_cells` (counts of 1 to
    ``min_cell - 1`` blanked, with the values derived from them), after checking that no
    identifier or identifying column (``case_id``, ``client_name``, ``notes``…) is still there.

    Examples
    --------
    >>> table = pl.DataFrame({"program": ["a", "b"], "n": [40, 3], "pct_improved": [0.5, 1.0]})
    >>> deidentified_aggregate(table, "n", derived_cols="pct_improved").rows()
    [('a', 40, 0.5, False), ('b', None, None, True)]
    >>> deidentified_aggregate(pl.DataFrame({"case_id": ["C1"], "n": [1]}), "n")
    Traceback (most recent call last):
    casekit.errors.CasekitError: The table still holds the column «case_id», which identifies people: ...
    """
    for column in df.collect_schema().names():
        if column in _ROW_LEVEL:
            raise CasekitError("deid.identifying_in_aggregate", column=column)
    return suppress_small_cells(df, count_cols, derived_cols=derived_cols, min_cell=min_cell, for_sharing=for_sharing)
