"""De-identified research extracts of a case workbook.

:func:`deidentify` turns a case workbook (or the clean rows of a validation) into
sheets a researcher may take away:

- identifying and free-text columns are removed (``client_name``, exact ``birth_date``,
  notes, goal descriptions, reasons, prior services), and so is every column or sheet
  outside the data contract (it may hold anything);
- identifiers (``case_id``, ``client_id``, ``goal_id``…) and staff names become salted
  pseudonyms (keyed BLAKE2b), the same in every sheet of one export, different with
  another salt;
- dates are shifted by one random offset per case (intervals within a case kept) or
  reduced to the year;
- ``birth_date`` becomes ``age`` (ages of 90 or more grouped as ``"90+"``) and ``age_band``.

Aggregates for sharing go through :func:`deidentified_aggregate` (cells of 1–10 suppressed).
What each column of the contract becomes is :func:`column_rules`; the why is in
``docs/deidentification.md``.

Examples
--------
>>> from casekit.sample import make_sample
>>> out = deidentify(make_sample(30, seed=1), salt="study-42")
>>> "client_name" in out.data["cases"].columns, "notes" in out.data["contacts"].columns
(False, False)
>>> out.data["cases"]["case_id"].str.starts_with("C-").all()
True
>>> out.removed.filter(pl.col("column") == "notes").select("action", "reason").row(0)
('removed', 'free_text')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import polars as pl

from casekit.contract import ROW, SHEET_ORDER, SHEETS
from casekit.data import CaseData, ValidationResult
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.privacy import MIN_CELL, suppress_small_cells

__all__ = [
    "AGE_TOP",
    "ID_PREFIXES",
    "KEPT_TEXT",
    "STAFF_COLUMNS",
    "Deidentified",
    "column_rules",
    "deidentified_aggregate",
    "deidentify",
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
#: Text columns kept as they are: short labels of a programme, a service or a measure,
#: or the groups of the fairness view. Every other ``text`` column is removed (fail closed:
#: a text column added to the contract later is removed until someone decides otherwise).
KEPT_TEXT: frozenset[tuple[str, str]] = frozenset(
    {
        ("cases", "program"),
        ("cases", "ethnicity"),
        ("cases", "language"),
        ("services", "service"),
        ("services", "provider"),
        ("outcomes", "measure"),
    }
)
#: Ages from this value up are shown as ``"90+"`` (HIPAA Safe Harbor).
AGE_TOP = 90
_HEX = 16  # 64-bit pseudonyms: a collision among a million ids has odds of about 3 in 100 million
_SHIFT, _PSEUDO, _ORDER = "__deid_shift", "__deid_case", "__deid_order"
REMOVED_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "column": pl.String(),
    "action": pl.String(),
    "reason": pl.String(),
}

Action = Literal["kept", "removed", "pseudonymised", "shifted", "year", "top_coded"]
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


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
    return "kept", ""


def column_rules(*, dates: Literal["shift", "year"] = "shift") -> pl.DataFrame:
    """What the export does with every column of the data contract (``sheet, column, action, reason``).

    >>> rules = column_rules()
    >>> rules.filter(pl.col("action") == "removed")["column"].to_list()
    ['client_name', 'birth_date', 'prior_services', 'reason', 'description', 'notes', 'reason']
    >>> column_rules(dates="year").filter(pl.col("column") == "opened_on")["action"].item()
    'year'
    """
    rows = [(sheet, column, *_rule(sheet, column, dates)) for sheet in SHEET_ORDER for column in SHEETS[sheet].columns]
    return pl.DataFrame(rows, schema=REMOVED_SCHEMA, orient="row")


# --------------------------------------------------------------------------------------
# Pseudonyms and date offsets (keyed BLAKE2b over the distinct values)
# --------------------------------------------------------------------------------------


def _key(salt: str) -> str:
    """A 128-bit secret (32 hex digits) derived from a salt of any length."""
    return hashlib.blake2b(salt.encode("utf-8"), digest_size=16, person=b"casekit-salt").hexdigest()


_DIGEST = operator.methodcaller("digest")


def _digests(ids: pl.Series, salt: str, prefix: str) -> pl.Series:
    """Hex of the first 14 bytes of BLAKE2b(key ‖ prefix ‖ 0x1f ‖ id) for each id (no nulls).

    BLAKE2 has no length-extension weakness, so hashing a secret key in front of the
    message is a keyed hash (a MAC). The messages are built by polars and hashed by
    ``map`` over C functions (no Python code per id): about 0.5 µs per id. The first 16
    hex digits name the id; the next 12 draw a case's date offset.
    """
    head = f"{_key(salt)}{prefix}\x1f"
    messages = pl.select((pl.lit(head) + pl.lit(ids.cast(pl.String))).cast(pl.Binary)).to_series().to_list()
    raw = pl.Series(list(map(_DIGEST, map(hashlib.blake2b, messages))), dtype=pl.Binary)
    return pl.select(pl.lit(raw).bin.head(14).bin.encode("hex")).to_series()


def _names(hexes: pl.Series, prefix: str) -> pl.Series:
    names = pl.select(pl.lit(prefix) + pl.lit(hexes).str.slice(0, _HEX)).to_series()
    if names.n_unique() != hexes.len():  # never seen in practice; two ids must never merge
        raise CasekitError("deid.pseudonym_collision")
    return names


def _pseudonyms(ids: pl.Series, salt: str, prefix: str) -> pl.Series:
    """Pseudonyms of a Series: row ids (all distinct) hashed in place, others once per distinct value."""
    ids = ids.cast(pl.String)
    if ids.null_count() == 0 and ids.n_unique() == ids.len():
        return _names(_digests(ids, salt, prefix), prefix).alias(ids.name)
    distinct = ids.drop_nulls().unique()
    names = _names(_digests(distinct, salt, prefix), prefix)
    return ids.replace_strict(distinct, names, default=None, return_dtype=pl.String)


def pseudonym(ids: pl.Expr, salt: str, *, prefix: str) -> pl.Expr:
    """Salted pseudonyms of an id column: ``prefix`` + 16 hex digits (nulls stay null).

    Each id is hashed with a key derived from ``salt`` (BLAKE2b, the prefix mixed into
    the message; an id repeated in the column is hashed once): the same id gives the
    same pseudonym wherever it appears with the same salt and prefix, whatever the
    polars or Python version; another salt gives unrelated pseudonyms; without the salt
    the ids cannot be recovered or checked against a guess.

    Examples
    --------
    >>> df = pl.DataFrame({"id": ["007", "008", "007", None]})
    >>> out = df.select(pseudonym(pl.col("id"), "s1", prefix="C-"))["id"].to_list()
    >>> out[0] == out[2] != out[1], out[0].startswith("C-"), len(out[0]), out[3]
    (True, True, 18, None)
    >>> other = df.select(pseudonym(pl.col("id"), "s2", prefix="C-"))["id"].to_list()
    >>> other[0] != out[0]
    True
    """
    return ids.map_batches(lambda s: _pseudonyms(s, salt, prefix), return_dtype=pl.String)


def _offsets(hexes: pl.Series, max_days: int) -> pl.Series:
    """Days added to every date of a case: uniform over ±1…±max_days (0 only when max_days is 0)."""
    if max_days == 0:
        return pl.Series(_SHIFT, [0] * hexes.len(), dtype=pl.Int64)
    draw = pl.lit(hexes).str.slice(_HEX, 12).str.to_integer(base=16) % (2 * max_days) - max_days  # -max…max-1
    return pl.select(pl.when(draw >= 0).then(draw + 1).otherwise(draw).cast(pl.Int64).alias(_SHIFT)).to_series()


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

    def explain(self, lang: str = "es") -> pl.DataFrame:
        """``removed`` with the action and reason in ``lang`` (for a page or a README sheet).

        >>> from casekit.sample import make_sample
        >>> out = deidentify(make_sample(5, seed=1), salt="x").explain("en")
        >>> out.filter(pl.col("column") == "client_name").select("action", "reason").row(0)
        ('removed', 'Identifies the client directly.')
        """
        return self.removed.with_columns(
            pl.col("action").replace({a: t(f"deid.action_{a}", lang) for a in self.removed["action"].unique()}),
            pl.col("reason").replace({r: t(f"deid.reason_{r}", lang) for r in self.removed["reason"].unique()}),
        )

    def write(
        self,
        path: str | Path,
        *,
        lang: str = "es",
        format: Literal["parquet", "csv"] | None = None,
    ) -> Path:
        """Write the extract: a ``.xlsx`` workbook, or a folder of ``.parquet`` (default) or ``.csv`` files.

        Sheet names and headers in ``lang`` (as :func:`casekit.write_workbook`), every
        text cell formula-safe. Returns the path written.

        >>> import tempfile
        >>> from casekit.sample import make_sample
        >>> out = deidentify(make_sample(5, seed=1), salt="x")
        >>> out.write(Path(tempfile.mkdtemp()) / "extract", lang="en", format="csv").joinpath("cases.csv").exists()
        True
        """
        from casekit.export import write_workbook

        write_workbook(self.data, path, lang=lang, format=format)
        return Path(path)


def _case_ids(case_ids: Iterable[str] | pl.Series) -> pl.Series:
    if isinstance(case_ids, pl.Series):
        return case_ids.cast(pl.String)
    return pl.Series("case_id", list(case_ids), dtype=pl.String)


def _restrict(sheets: dict[str, pl.DataFrame], keep: pl.Series) -> dict[str, pl.DataFrame]:
    """Rows of the given cases only (a sheet without ``case_id`` keeps no row)."""
    wanted = pl.col("case_id").cast(pl.String).is_in(keep.implode())
    return {name: df.filter(wanted) if "case_id" in df.columns else df.clear() for name, df in sheets.items()}


def _keys(sheets: dict[str, pl.DataFrame], salt: str, max_days: int) -> pl.DataFrame:
    """One row per case id seen in any sheet: its pseudonym (as :func:`pseudonym`) and its date offset."""
    ids = [df.get_column("case_id").cast(pl.String) for df in sheets.values() if "case_id" in df.columns]
    distinct = pl.concat(ids).drop_nulls().unique() if ids else pl.Series([], dtype=pl.String)
    prefix = ID_PREFIXES["case_id"]
    hexes = _digests(distinct, salt, prefix)
    order = pl.select(pl.lit(hexes).str.slice(0, 15).str.to_integer(base=16)).to_series()  # sorts as the pseudonym
    return pl.DataFrame(
        {"case_id": distinct, _PSEUDO: _names(hexes, prefix), _SHIFT: _offsets(hexes, max_days), _ORDER: order}
    )


def _age_columns(ref: pl.Expr) -> list[pl.Expr]:
    """``age`` at ``ref`` (text, ``"90+"`` from :data:`AGE_TOP`) and ``age_band`` from the exact birth date."""
    from casekit._frames import age_at
    from casekit.risk.fairness import age_band

    years = age_at(ref, pl.col("birth_date"))
    text = pl.when(years >= AGE_TOP).then(pl.lit(f"{AGE_TOP}+")).otherwise(years.cast(pl.String))
    return [text.alias("age"), age_band(years)]


def _effective_rule(sheet: str, column: str, df: pl.DataFrame, dates: str) -> tuple[Action, str]:
    """:func:`_rule`, except that a date column that is not a date, or has no case to shift with, is removed."""
    action, reason = _rule(sheet, column, dates)
    dtype = df.schema[column]
    if action in ("shifted", "year") and not (dtype == pl.Date or isinstance(dtype, pl.Datetime)):
        return "removed", "not_a_date"
    if reason == "birth_date" and dtype != pl.Date:  # no age from it
        return "removed", "not_a_date"
    if action == "shifted" and _SHIFT not in df.columns:
        return "removed", "no_case_id"
    return action, reason


def _exprs(column: str, action: Action, reason: str, *, salt: str, age_at: pl.Expr | None) -> list[pl.Expr]:
    """What replaces one column in the extract (nothing for a removed column, age for a birth date)."""
    if action == "kept":
        return [pl.col(column)]
    if action == "shifted":
        return [pl.col(column) + pl.duration(days=pl.col(_SHIFT))]
    if action == "year":
        return [pl.col(column).dt.year().cast(pl.Int64)]
    if action == "pseudonymised":
        prefix = _STAFF_PREFIX if reason == "staff_name" else ID_PREFIXES.get(column, _OTHER_ID_PREFIX)
        own = pl.col(_PSEUDO).alias(column) if column == "case_id" else pseudonym(pl.col(column), salt, prefix=prefix)
        return [own]
    if reason == "birth_date" and age_at is not None:
        return _age_columns(age_at)
    return []


def _sheet(
    name: str, df: pl.DataFrame, keys: pl.DataFrame, *, salt: str, dates: str, as_of: dt.date | None
) -> tuple[pl.DataFrame | None, list[tuple[str, str, str, str]]]:
    """One sheet de-identified (``None`` for a sheet outside the contract) and its ``removed`` rows."""
    columns = [c for c in df.columns if c != ROW]
    if name not in SHEETS:
        return None, [(name, c, "removed", "unknown_sheet") for c in columns]
    if "case_id" in columns:
        df = df.with_columns(pl.col("case_id").cast(pl.String)).join(
            keys, on="case_id", how="left", maintain_order="left"
        )
    age_at = None
    if "birth_date" in columns and df.schema["birth_date"] == pl.Date:
        age_at = pl.lit(as_of, dtype=pl.Date) if as_of is not None else pl.col("opened_on")
        if as_of is None and "opened_on" not in columns:
            age_at = pl.lit(None, dtype=pl.Date)
    log: list[tuple[str, str, str, str]] = []
    exprs: list[pl.Expr] = []
    for column in columns:
        action, reason = _effective_rule(name, column, df, dates)
        column_exprs = _exprs(column, action, reason, salt=salt, age_at=age_at)
        exprs.extend(column_exprs)
        if action != "kept":
            log.append((name, column, action, reason))
        if reason == "birth_date" and column_exprs:
            log.append((name, "age", "top_coded", "age_top_code"))
    if _ORDER not in df.columns:
        return df.select(exprs), log
    return df.select(*exprs, _ORDER).sort(_ORDER, maintain_order=True).drop(_ORDER), log


def deidentify(
    data: CaseData | ValidationResult,
    *,
    salt: str | None = None,
    dates: Literal["shift", "year"] = "shift",
    max_shift_days: int = 180,
    case_ids: Iterable[str] | pl.Series | None = None,
    as_of: dt.date | None = None,
) -> Deidentified:
    """A de-identified extract of ``data`` (of a :class:`ValidationResult`: its clean rows).

    - ``salt``: secret mixed into every pseudonym and date offset; ``None`` draws a fresh
      random one (:mod:`secrets`), so two exports cannot be linked. Pass the same salt to
      reproduce an export or to link two extracts of one study — and keep it secret.
    - ``dates="shift"``: every date of a case moves by the same offset, uniform over
      ±1…±``max_shift_days`` days (0 only when ``max_shift_days=0``), derived from the salt
      and the case id; ``"year"``: every date becomes its year (integer).
    - ``case_ids``: only these cases (the filtered cohort), in every sheet.
    - ``as_of``: the date ages are computed at (default: each case's ``opened_on``).

    Rows come out sorted by pseudonymised ``case_id`` (the original order is not kept);
    ``_row``, the source name, the column headers as written and the parsing issues
    (which quote cell values) are not carried over.

    Examples
    --------
    >>> import datetime as dt
    >>> D = dt.date
    >>> book = CaseData({
    ...     "cases": pl.DataFrame({"case_id": ["7"], "client_name": ["Ana"], "birth_date": [D(1930, 5, 1)],
    ...                            "opened_on": [D(2026, 3, 1)]}),
    ...     "contacts": pl.DataFrame({"contact_id": ["k1"], "case_id": ["7"], "contact_on": [D(2026, 3, 11)],
    ...                               "notes": ["rang Ana"]}),
    ... })
    >>> out = deidentify(book, salt="s", max_shift_days=30)
    >>> cases, contacts = out.data["cases"], out.data["contacts"]
    >>> cases.select("age", "age_band").row(0), contacts["case_id"].item() == cases["case_id"].item()
    (('90+', '85+'), True)
    >>> (contacts["contact_on"].item() - cases["opened_on"].item()).days  # the interval is kept
    10
    >>> cases["opened_on"].item() != D(2026, 3, 1)  # the date is not
    True
    >>> deidentify(book, salt="s", dates="year").data["contacts"]["contact_on"].to_list()
    [2026]
    """
    if dates not in ("shift", "year"):
        raise CasekitError("deid.bad_dates", dates=dates)
    if isinstance(max_shift_days, bool) or not isinstance(max_shift_days, int) or max_shift_days < 0:
        raise CasekitError("deid.bad_max_shift", value=max_shift_days)
    source = data.data if isinstance(data, ValidationResult) else data
    salt = secrets.token_hex(16) if salt is None else salt
    sheets = dict(source.sheets)
    if case_ids is not None:
        sheets = _restrict(sheets, _case_ids(case_ids))
    keys = _keys(sheets, salt, max_shift_days)
    out: dict[str, pl.DataFrame] = {}
    log: list[tuple[str, str, str, str]] = []
    ordered = [s for s in SHEET_ORDER if s in sheets] + [s for s in sheets if s not in SHEETS]
    for name in ordered:
        frame, rows = _sheet(name, sheets[name], keys, salt=salt, dates=dates, as_of=as_of)
        log.extend(rows)
        if frame is not None:
            out[name] = frame
    removed = pl.DataFrame(log, schema=REMOVED_SCHEMA, orient="row")
    return Deidentified(CaseData(out), removed)


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
    return suppress_small_cells(df, count_cols, derived_cols=derived_cols, min_cell=min_cell)
