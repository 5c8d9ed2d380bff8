"""Small-cell suppression: one rule for every aggregate.

**The rule.** ``for_sharing=True`` (what leaves the team: downloads for others,
research extracts, the funder summary) suppresses counts of 1 to ``min_cell - 1``
people (1–10 by default; ``min_cell`` is the configurable threshold); ``for_sharing=False``
(the team's own screens and reports) shows the real counts. Every aggregate function
of casekit takes these two keywords and passes them to :func:`suppress_small_cells`,
the one place the rule is applied; a suppressed figure is labelled as such wherever it
is shown (:func:`casekit.present.readable` writes ``oculto`` / ``suppressed``).

A count of 1 to ``min_cell - 1`` people (1–10 by default) can identify someone, and so
can any value computed from those few people (a mean, a percentage, an effect size).
:func:`suppress_small_cells` blanks such counts and, on the same row, the values
derived from them, and says so in a ``suppressed`` column. Zero is not suppressed: an
empty group discloses nobody. :func:`suppress_linked` is the rule for every shared grouped
table: the tables of one view (grouped by ``by``, by any part of it, and the overall row)
are suppressed as one system, with the secondary suppression that totals need (a hidden
cell is otherwise the total minus its siblings, and two hidden cells adding up to 1–10 are
a small count); :func:`suppress_complementary` is the same for a table whose margins are its
own sums. :func:`suppress_small_shares` applies the same rule to a share shown next to its
denominator: 5 % of 40 people is 2 people, so a share whose implied count (share ×
denominator) or its complement is 1 to ``min_cell - 1`` is blanked too. The module also
holds the identifier scan of text meant to leave (:func:`identifier_kind`) and the
k-anonymity measure of row-level data (:func:`anonymity`).

Examples
--------
>>> import polars as pl
>>> df = pl.DataFrame({"group": ["a", "b", "c"], "n": [25, 4, 0], "mean": [1.5, 2.0, None]})
>>> suppress_small_cells(df, ["n"], derived_cols=["mean"]).rows()
[('a', 25, 1.5, False), ('b', None, None, True), ('c', 0, None, False)]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from casekit._frames import Frame
from casekit._thresholds import MIN_CELL

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

__all__ = [
    "ANONYMITY_SCHEMA",
    "FIRST_NAMES",
    "IDENTIFIER_KINDS",
    "MIN_CELL",
    "ORGANISATION_WORDS",
    "anonymity",
    "cell_threshold",
    "class_sizes",
    "find_identifiers",
    "identifier_kind",
    "shown_count",
    "suppress_complementary",
    "suppress_cumulative",
    "suppress_linked",
    "suppress_small_cells",
    "suppress_small_shares",
]


def cell_threshold(*, for_sharing: bool, min_cell: int = MIN_CELL) -> int:
    """The smallest count shown: ``min_cell`` for sharing, 1 (every count) for the team's own view.

    >>> cell_threshold(for_sharing=True), cell_threshold(for_sharing=False)
    (11, 1)
    >>> cell_threshold(for_sharing=True, min_cell=5)
    5
    """
    return min_cell if for_sharing else 1


def suppress_small_cells(
    df: Frame,
    count_cols: str | Sequence[str],
    *,
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> Frame:
    """Blank counts of 1 to ``min_cell - 1`` and the values derived from them (``for_sharing=False``:
    blank nothing, the team's own view; the ``suppressed`` column is there either way).

    - each column of ``count_cols`` whose value is between 1 and ``min_cell - 1``
      becomes null (0 and counts of ``min_cell`` or more are kept);
    - every column of ``derived_cols`` becomes null on a row where at least one count
      was suppressed;
    - a boolean ``suppressed`` column says which rows were touched (OR-ed with an
      existing ``suppressed`` column, so the helper can be applied twice).

    Works on a DataFrame or a LazyFrame and returns the same kind; ``min_cell=1``
    suppresses nothing.

    Examples
    --------
    >>> df = pl.DataFrame({"n_cases": [12, 12, 3], "n_paired": [11, 10, 0], "pct": [0.5, 0.4, None]})
    >>> out = suppress_small_cells(df, ["n_cases", "n_paired"], derived_cols=["pct"])
    >>> out.rows()
    [(12, 11, 0.5, False), (12, None, None, True), (None, 0, None, True)]
    >>> suppress_small_cells(df, "n_paired", min_cell=5)["n_paired"].to_list()
    [11, 10, 0]
    >>> suppress_small_cells(df, ["n_cases", "n_paired"], derived_cols=["pct"], for_sharing=False).rows()
    [(12, 11, 0.5, False), (12, 10, 0.4, False), (3, 0, None, False)]
    """
    min_cell = cell_threshold(for_sharing=for_sharing, min_cell=min_cell)
    counts = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    derived = [derived_cols] if isinstance(derived_cols, str) else list(derived_cols)
    if not counts:
        raise ValueError("suppress_small_cells needs at least one count column")
    small = {c: pl.col(c).is_between(1, min_cell - 1).fill_null(value=False) for c in counts}
    any_small = pl.any_horizontal(small.values())
    if "suppressed" in df.collect_schema().names():
        any_small = any_small | pl.col("suppressed").fill_null(value=False)
    return df.with_columns(
        *[pl.when(~cond).then(pl.col(c)).alias(c) for c, cond in small.items()],
        *[pl.when(~any_small).then(pl.col(c)).alias(c) for c in derived],
        any_small.alias("suppressed"),
    )


def shown_count(n: int | None, *, for_sharing: bool, min_cell: int = MIN_CELL) -> int | None:
    """One count (a cohort's size, a metric) through :func:`suppress_small_cells`: ``None``
    when the rule suppresses it.

    >>> shown_count(4, for_sharing=True), shown_count(4, for_sharing=False), shown_count(0, for_sharing=True)
    (None, 4, 0)
    """
    one = pl.DataFrame({"n": [n]}, schema={"n": pl.Int64})
    return suppress_small_cells(one, "n", min_cell=min_cell, for_sharing=for_sharing)["n"].item()


def suppress_small_shares(
    df: Frame,
    shares: Mapping[str, str],
    *,
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> Frame:
    """Blank the shares of a row that give away a small count (``for_sharing=False``: blank nothing).

    ``shares`` maps each share column (0–1) to the column of its denominator. A share
    shown beside its denominator gives its count back (``0.05`` of ``40`` is 2 people):
    when, on a row, the implied count ``round(share × denominator)`` or its complement
    ``denominator − count`` of any share is between 1 and ``min_cell - 1``, every share
    of ``shares`` and every column of ``derived_cols`` on that row becomes null (the
    shares of one row often add up to 1, so one blank alone would be 1 minus the
    others), and ``suppressed`` is set. Counts and means stay: a mean change does not
    give a count back. Applied after :func:`suppress_small_cells` (a blank denominator's
    shares are already gone).

    >>> df = pl.DataFrame({"n": [40, 40, 40, 12], "improved": [0.05, 0.5, 0.8, 0.0], "worse": [0.5, 0.3, 0.1, 1.0]})
    >>> suppress_small_shares(df, {"improved": "n", "worse": "n"}).rows()
    [(40, None, None, True), (40, 0.5, 0.3, False), (40, None, None, True), (12, 0.0, 1.0, False)]
    >>> suppress_small_shares(df, {"improved": "n"}, for_sharing=False)["improved"].to_list()
    [0.05, 0.5, 0.8, 0.0]

    (0.8 of 40 is 32 improved, but the 8 others are a small cell too.)
    """
    low = cell_threshold(for_sharing=for_sharing, min_cell=min_cell)
    derived: list[str] = [derived_cols] if isinstance(derived_cols, str) else list(derived_cols)

    def gives_away(share: str, denominator: str) -> pl.Expr:
        n = pl.col(denominator).cast(pl.Float64)
        k = (pl.col(share).cast(pl.Float64) * n).round()
        return (k.is_between(1, low - 1) | (n - k).is_between(1, low - 1)).fill_null(value=False)

    leak = pl.any_horizontal(pl.lit(value=False), *[gives_away(s, d) for s, d in shares.items()])
    flag = leak
    if "suppressed" in df.collect_schema().names():
        flag = flag | pl.col("suppressed").fill_null(value=False)
    return df.with_columns(
        *[pl.when(~leak).then(pl.col(c)).alias(c) for c in dict.fromkeys([*shares, *derived])],
        flag.alias("suppressed"),
    )


# --------------------------------------------------------------------------------------
# Identifier patterns in text meant to leave the organisation
# --------------------------------------------------------------------------------------

_WORD = r"\p{Lu}(?:['’]\p{Lu})?\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"  # Ana, Belén, O'Connor, García-López
_PARTICLE = r"(?:de|del|la|las|los|y|e|da|das|do|dos|di|du|van|von|der|le|mac|st\.?)"
#: Words that make a run of capitalised words an organisation, a place or a service rather
#: than a person (es/en; matched as whole words, any case).
ORGANISATION_WORDS: tuple[str, ...] = (
    *("asociación", "ayuntamiento", "centro", "clínica", "clinica", "consultorio", "escuela", "fundación"),
    *("fundacion", "hospital", "instituto", "mutua", "programa", "residencia", "salud", "servicio", "servicios"),
    *("unidad", "universidad", "association", "care", "center", "centre", "clinic", "college", "council"),
    *("foundation", "health", "home", "house", "hub", "institute", "nursing", "partners", "practice"),
    *("program", "programme", "rehab", "rehabilitation", "school", "service", "services", "society"),
    *("surgery", "trust", "university", "ltd", "inc", "llc", "s.l", "s.a"),
)
#: First names common in Spanish- and English-speaking caseloads, followed by a capitalised word.
#: Words that are also ordinary words (Rosa, Paz, Luz, Grace, Mark, May…) are left out.
FIRST_NAMES: tuple[str, ...] = (
    *("Adrián", "Alba", "Alberto", "Alejandro", "Alicia", "Álvaro", "Amparo", "Ana", "Andrea", "Andrés"),
    *("Antonio", "Beatriz", "Carlos", "Carmen", "Carolina", "Cristina", "Daniel", "David", "Diego", "Elena"),
    *("Enrique", "Eva", "Fernando", "Francisco", "Gloria", "Guillermo", "Ignacio", "Inés", "Irene", "Isabel"),
    *("Javier", "Jesús", "Jorge", "José", "Josefa", "Juan", "Julia", "Laura", "Lucía", "Luis", "Manuel"),
    *("Manuela", "Marco", "María", "Maria", "Marta", "Mercè", "Miguel", "Montserrat", "Nerea", "Nuria"),
    *("Pablo", "Paula", "Pedro", "Pilar", "Rafael", "Raquel", "Ramón", "Ricardo", "Roberto", "Rocío"),
    *("Rubén", "Sara", "Sergio", "Silvia", "Sofía", "Teresa", "Tomás", "Vicente", "Yolanda"),
    *("Amanda", "Andrew", "Anthony", "Barbara", "Charles", "Christopher", "Daniel", "Deborah", "Donald"),
    *("Elizabeth", "Emily", "Emma", "George", "Helen", "James", "Jennifer", "Jessica", "John", "Joseph"),
    *("Karen", "Kevin", "Linda", "Lisa", "Margaret", "Mary", "Matthew", "Michael", "Nancy", "Patricia"),
    *("Paul", "Richard", "Robert", "Sandra", "Sarah", "Steven", "Susan", "Thomas", "William"),
)
_HONORIFIC = r"\b(?:Dr|Dra|Sr|Sra|Srta|Dña|Don|Doña|Mr|Mrs|Ms|Miss|Prof)\.?\s+\p{Lu}"
#: What :func:`identifier_kind` looks for, in order (the first that matches names the cell).
IDENTIFIER_KINDS: tuple[str, ...] = ("email", "phone", "national_id", "digits", "name")
_PATTERNS: dict[str, str] = {
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "phone": r"(?:\+\d{1,3}[\s.-]*)?(?:\(?\d\)?[\s.-]*){8,}\d",  # nine digits or more, any separators
    # Spain DNI / NIE / NSS, US SSN, UK NINO, NHS-style 3-3-4
    "national_id": (
        r"(?i)\b(?:\d{8}[\s-]?[a-z]|[xyz][\s-]?\d{7}[\s-]?[a-z]|\d{2}[\s/-]?\d{8}[\s/-]?\d{2}|\d{3}-\d{2}-\d{4}"
        r"|[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]|\d{3}\s\d{3}\s\d{4})\b"
    ),
    # three digits or more in a row (house numbers, years, record numbers), or a written date
    # (``12/05``, ``3.4.26``, ``12-05-2026``; not a range such as the age band ``65-74``)
    "digits": r"\d{3,}|\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b|\b\d{1,2}-\d{1,2}-\d{2,4}\b",
}


def _name_expr(text: pl.Expr) -> pl.Expr:
    """Capitalised name pairs: a title (``Dr. X``), a common first name before a capitalised word,
    or a value that is nothing but two to five capitalised words without an organisation word."""
    first = rf"\b(?:{'|'.join(sorted(set(FIRST_NAMES)))})\s+{_WORD}"
    shape = rf"^\s*{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,4}}\s*$"
    words = "|".join(re.escape(w) for w in ORGANISATION_WORDS)
    organisation = rf"(?i)(?:^|[^\p{{L}}])(?:{words})(?:$|[^\p{{L}}])"
    return (
        text.str.contains(_HONORIFIC)
        | text.str.contains(first)
        | (text.str.contains(shape) & ~text.str.contains(organisation))
    )


def identifier_kind(text: pl.Expr) -> pl.Expr:
    """What identifier a text looks like (``email``, ``phone``, ``national_id``, ``digits``,
    ``name``) or null: the scan of every kept text before an extract leaves.

    A heuristic, tuned to let the labels of programmes, services, providers, measures and
    groups through (``"Centro de Salud San Roque"``, ``"PHQ-9"``) and to catch what people
    type into them (an e-mail, a phone, a DNI, a street number, ``"Ana Ortiz"``).

    Examples
    --------
    >>> cells = ["ana@example.org", "+34 600 12 34 56", "12345678Z", "Calle Mayor 123", "Ana Belén Ortiz",
    ...          "Dr. Grant", "Lopez Ortega", "Vista Alegre Clinic", "PHQ-9", "Arab / North African", None]
    >>> pl.DataFrame({"v": cells}).select(identifier_kind(pl.col("v")).alias("kind"))["kind"].to_list()
    ['email', 'phone', 'national_id', 'digits', 'name', 'name', 'name', None, None, None, None]
    """
    kind: Then | ChainedThen = pl.when(text.str.contains(_PATTERNS["email"])).then(pl.lit("email"))
    for name in ("phone", "national_id", "digits"):
        kind = kind.when(text.str.contains(_PATTERNS[name])).then(pl.lit(name))
    return kind.when(_name_expr(text)).then(pl.lit("name")).otherwise(pl.lit(None, dtype=pl.String))


def find_identifiers(df: pl.DataFrame, columns: Sequence[str], *, row: str | None = None) -> pl.DataFrame:
    """Cells of ``columns`` that look like identifiers: ``row, column, kind`` (one row per cell).

    ``row`` names a column that locates the row for a person (the spreadsheet row);
    without it, the 0-based position. The values themselves are not returned.

    >>> df = pl.DataFrame({"_row": [2, 3], "provider": ["Clínica Norte", "juan.perez@mail.com"]})
    >>> find_identifiers(df, ["provider"], row="_row").rows()
    [(3, 'provider', 'email')]
    """
    schema = {"row": pl.Int64, "column": pl.String, "kind": pl.String}
    texts = [c for c in columns if df.schema.get(c) == pl.String]
    if not texts or df.height == 0:
        return pl.DataFrame(schema=schema)
    where = pl.col(row).cast(pl.Int64) if row is not None and row in df.columns else pl.int_range(pl.len())
    kinds = df.select(where.alias("row"), *[identifier_kind(pl.col(c)).alias(c) for c in texts])
    long = kinds.unpivot(index="row", variable_name="column", value_name="kind")
    return long.filter(pl.col("kind").is_not_null()).select(schema.keys()).cast(pl.Schema(schema))


# --------------------------------------------------------------------------------------
# k-anonymity of row-level data
# --------------------------------------------------------------------------------------

ANONYMITY_SCHEMA: dict[str, pl.DataType] = {
    "k": pl.Int64(),
    "classes": pl.Int64(),
    "people": pl.Int64(),
    "unique": pl.Int64(),
    "below_k": pl.Int64(),
}


def class_sizes(df: pl.DataFrame, quasi: Sequence[str], *, person: str) -> pl.DataFrame:
    """Each row of ``df`` with ``__class_size``: how many distinct ``person`` share its values of
    ``quasi`` (the equivalence class of k-anonymity; a null is a value like any other).

    >>> df = pl.DataFrame({"p": ["a", "a", "b", "c"], "sex": ["f", "f", "f", "m"]})
    >>> class_sizes(df, ["sex"], person="p")["__class_size"].to_list()
    [2, 2, 2, 1]
    """
    quasi = list(quasi)
    if not quasi:
        return df.with_columns(pl.col(person).n_unique().cast(pl.Int64).alias("__class_size"))
    return df.with_columns(pl.col(person).n_unique().over(quasi).cast(pl.Int64).alias("__class_size"))


def anonymity(df: pl.DataFrame, quasi: Sequence[str], *, person: str, k: int) -> pl.DataFrame:
    """One row: the k-anonymity of ``df`` on ``quasi`` (Sweeney 2002) — ``k`` (the smallest
    class), ``classes``, ``people``, ``unique`` (people alone in their class) and ``below_k``
    (people in a class smaller than ``k``).

    >>> df = pl.DataFrame({"p": ["a", "b", "c", "d"], "sex": ["f", "f", "f", "m"]})
    >>> anonymity(df, ["sex"], person="p", k=3).row(0, named=True)
    {'k': 1, 'classes': 2, 'people': 4, 'unique': 1, 'below_k': 1}
    """
    if df.height == 0:
        return pl.DataFrame([(0, 0, 0, 0, 0)], schema=ANONYMITY_SCHEMA, orient="row")
    sized = class_sizes(df, quasi, person=person)
    classes = sized.select(*quasi, "__class_size").unique() if quasi else sized.select("__class_size").unique()
    people = sized.group_by(person).agg(pl.col("__class_size").min())  # a person in two classes: the smaller
    return pl.DataFrame(
        [
            (
                int(classes.select(pl.min("__class_size")).item()),
                classes.height,
                people.height,
                int((people["__class_size"] == 1).sum()),
                int((people["__class_size"] < k).sum()),
            )
        ],
        schema=ANONYMITY_SCHEMA,
        orient="row",
    )


# --------------------------------------------------------------------------------------
# Complementary (secondary) suppression, consistent across linked tables
# --------------------------------------------------------------------------------------

#: How a linked table is computed: the exact (unsuppressed) table of the same view grouped by
#: the given columns (``()``: one row for the whole view).
TableOf = Callable[[tuple[str, ...]], pl.DataFrame]
Linked = Sequence[Mapping[str, str | None]]


@dataclass
class _View:
    """The tables of one view (:func:`suppress_linked`'s arguments) and the tables decided so far."""

    table_of: TableOf
    counts: list[str]
    linked: Linked
    low: int
    fixed: Sequence[str]
    memo: dict[tuple[str, ...], _Table] = field(default_factory=dict)


@dataclass
class _Table:
    """One table of a view: its rows in key order (``__i``, the row number, and ``__o``, the
    given order, added), its cells (a rows × cells matrix of counts, each cell's column and
    unit: ``-1`` the row, ``u`` the linked set ``u``) and, once decided, which of the units of
    each row are blanked (rows × units, column ``u + 1`` for unit ``u``)."""

    df: pl.DataFrame
    values: np.ndarray
    names: list[str]
    units: np.ndarray
    flags: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))


@dataclass
class _Lines:
    """The cells of a table on the lines that add up to a cell of one coarser table (one entry
    per cell and parent cell): the cell's row, unit and count, its line (numbered from 0) and
    whether the parent cell is blanked."""

    row: np.ndarray
    unit: np.ndarray
    value: np.ndarray
    line: np.ndarray
    parent_blank: np.ndarray


def _whole(x: np.ndarray) -> np.ndarray:
    """Numbers as whole counts: rounded half to even, a NaN (a null) as 0.

    >>> _whole(np.array([2.5, 3.5, np.nan, -0.2])).tolist()
    [2, 4, 0, 0]
    """
    x = np.where(np.isnan(x), 0.0, np.rint(x))
    if not np.isfinite(x).all():
        raise ValueError("a count of a linked table is not finite")
    return x.astype(np.int64)


def _cells(df: pl.DataFrame, counts: list[str], linked: Linked) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The cells of ``df``: each count (unit ``-1``, the row) and, per linked set ``u``, each count
    it implies (a share times its total, or a count within its total) and that count's complement
    (total minus count, column ``col~``), as whole counts (rows × cells, on the columns' numpy
    arrays: a query per table cost more than the whole rule), names and units.

    >>> df = pl.DataFrame({"n": [40, 12], "k": [4, None], "pct": [0.25, 0.5]})
    >>> values, names, units = _cells(df, ["n"], [{"pct": "n"}, {"k": None}])
    >>> values.tolist(), names, units.tolist()
    ([[40, 10, 30, 4], [12, 6, 6, 0]], ['n', 'pct', 'pct~', 'k'], [-1, 0, 0, 1])
    """

    schema = df.schema

    def exact(col: str) -> np.ndarray:  # a count column: a whole one as it is
        s = df[col]
        whole = schema[col].is_integer() and s.null_count() == 0
        return s.to_numpy().astype(np.int64) if whole else _whole(number(col))

    def number(col: str) -> np.ndarray:  # a null as NaN
        return df[col].to_numpy().astype(np.float64)

    values: dict[str, tuple[str, int, np.ndarray]] = {f"-1 {c}": (c, -1, exact(c)) for c in counts}
    for u, members in enumerate(linked):
        for col, total in members.items():
            if total is None:  # a count of the set with no total of its own; or a value (a mean)
                if schema[col].is_integer():
                    values[f"{u} {col}"] = (col, u, exact(col))
                continue
            k = np.rint(number(col) * number(total)) if schema[col].is_float() else number(col)
            for name, v in ((col, k), (f"{col}~", number(total) - k)):
                values[f"{u} {name}"] = (name, u, _whole(v))
    cells = np.array([v for _, _, v in values.values()], dtype=np.int64).reshape(len(values), df.height).T
    return cells, [c for c, _, _ in values.values()], np.array([u for _, u, _ in values.values()], dtype=np.int64)


def _spread(flags: np.ndarray, linked: Linked, counts: list[str]) -> np.ndarray:
    """``flags`` with each blanked unit blanking the units that depend on it: every set on the
    row (unit ``-1``), and a set whose total is a column of another set on that set (the
    shares of the pairs go with a blanked count of pairs).

    >>> _spread(np.array([[True, False, False], [False, True, False]]), [{"k": None}, {"p": "k"}], ["n"]).tolist()
    [[True, True, True], [False, True, True]]
    """
    columns = {-1: set(counts)} | {u: set(m) for u, m in enumerate(linked)}
    deps = {u: [-1, *[v for v in columns if v != u and set(filter(None, m.values())) & columns[v]]]
            for u, m in enumerate(linked)}  # fmt: skip
    for _ in linked:  # every unit from the flags before the step: a chain of sets takes a step each
        flags = np.column_stack(
            [flags[:, 0], *[flags[:, [u + 1, *(v + 1 for v in deps[u])]].any(axis=1) for u in range(len(linked))]]
        ).reshape(flags.shape)
    return flags


def _lines(view: _View, table: _Table, keys: tuple[str, ...]) -> list[_Lines]:
    """The lines of ``table`` (grouped by ``keys``) under each table one grouping coarser (its keys
    but one, never a ``fixed`` one; decided first): the cells of a count column whose rows have
    the same coarser keys (nulls equal), each with the flags of the parent cell of the same
    column (none: not blanked). One query for every coarser table."""
    parents = [tuple(k for k in keys if k != free) for free in keys if free not in view.fixed]
    aboves = [_decide(view, parent) for parent in parents]
    if not aboves:
        return []
    query = table.df.lazy().select(*keys, "__i", __k=pl.lit(0))
    for n, (parent, above) in enumerate(zip(parents, aboves, strict=True)):
        query = query.with_columns(pl.col("__i").min().over(*parent, "__k").alias(f"__g{n}"))  # the group's first row
        parent_rows = above.df.lazy().select(*parent, pl.col("__i").alias(f"__p{n}"), __k=pl.lit(0))
        query = query.join(parent_rows, on=[*parent, "__k"], how="left", nulls_equal=True)
    query = query.select("__i", *[pl.col(f"__{c}{n}").fill_null(-1) for n in range(len(parents)) for c in "gp"])
    rows = query.collect().to_numpy().reshape(-1, 1 + 2 * len(parents))
    lines = []
    for n, above in enumerate(aboves):
        i, g, p = np.unique(rows[:, [0, 1 + 2 * n, 2 + 2 * n]], axis=0).T  # each row with each parent row
        lines.append(_under(table, above, i, g, p))
    return lines


def _under(table: _Table, above: _Table, i: np.ndarray, g: np.ndarray, p: np.ndarray) -> _Lines:
    """The lines of ``table`` under ``above``, from each row ``i`` of ``table``, its group ``g``
    (its first row) and the row ``p`` of ``above`` it adds up to (``-1``: none)."""
    column = {name: n for n, name in enumerate(dict.fromkeys(table.names))}
    parts: list[tuple[np.ndarray, int, np.ndarray]] = []  # (entries' rows, cell, parent blanked)
    for cell, name in enumerate(table.names):
        partners = [q for q, other in enumerate(above.names) if other == name]
        alone = p < 0 if partners else np.ones(len(i), dtype=bool)  # no parent cell: one entry, shown
        parts.append((np.flatnonzero(alone), cell, np.zeros(int(alone.sum()), dtype=bool)))
        parts += [(np.flatnonzero(~alone), cell, above.flags[p[~alone], above.units[q] + 1]) for q in partners]
    at = np.concatenate([np.empty(0, dtype=np.int64), *[e for e, _, _ in parts]])
    cells = np.concatenate([np.empty(0, dtype=np.int64), *[np.full(len(e), c) for e, c, _ in parts]])
    names = np.array([column[name] for name in table.names], dtype=np.int64)
    _, line = np.unique(g[at] * len(column) + names[cells], return_inverse=True)
    return _Lines(
        row=i[at],
        unit=table.units[cells],
        value=table.values[i[at], cells],
        line=line.reshape(-1),
        parent_blank=np.concatenate([np.empty(0, dtype=bool), *[b for _, _, b in parts]]),
    )


def _complements(flags: np.ndarray, lines: list[_Lines], view: _View) -> np.ndarray:
    """``flags`` (the small cells) with the complements the rules of :func:`suppress_linked`
    need on ``lines``: round after round, the smallest non-zero cell not public anyway of each
    line that breaks a rule is blanked with its unit, until no line does."""
    low, linked, counts = view.low, view.linked, view.counts
    exposed = np.zeros_like(flags)  # a cell alone under a published parent cell is public itself
    for ln in lines:
        alone = (np.bincount(ln.line)[ln.line] == 1) & ~ln.parent_blank
        exposed[ln.row[alone], ln.unit[alone] + 1] = True
    for _ in range(flags.size + 1):  # each round blanks one more unit, or stops
        now, chosen = _spread(flags, linked, counts), np.zeros_like(flags)
        for ln in lines:
            f = now[ln.row, ln.unit + 1]
            n_sup = np.bincount(ln.line, weights=f, minlength=ln.line.size)[ln.line]
            s_sup, shown = (np.zeros(ln.line.size, dtype=np.int64) for _ in range(2))
            np.add.at(s_sup, ln.line, np.where(f, ln.value, 0))
            np.add.at(shown, ln.line, np.where(f, 0, ln.value))
            s_sup, shown = s_sup[ln.line], shown[ln.line]
            need = np.where(
                ln.parent_blank, (n_sup < 2) & (shown > 0), (n_sup == 1) | ((s_sup >= 1) & (s_sup <= low - 1))
            )
            candidates = np.flatnonzero(need & ~f & ~exposed[ln.row, ln.unit + 1])
            row, unit, value = ln.row[candidates], ln.unit[candidates], ln.value[candidates]
            order = np.lexsort((unit, row, value, value == 0))  # the smallest non-zero cell of each line
            _, first = np.unique(ln.line[candidates][order], return_index=True)
            chosen[row[order][first], unit[order][first] + 1] = True
        if not chosen.any():
            break
        flags = flags | chosen
    return flags


def _decide(view: _View, keys: tuple[str, ...]) -> _Table:
    """The table grouped by ``keys`` and which of its units are blanked: the small cells, then
    as many complements as the rules of :func:`suppress_linked` need, given the flags of the
    tables one grouping coarser (decided first, so a table is blanked the same way whichever
    finer table it is the margin of)."""
    if keys in view.memo:
        return view.memo[keys]
    query = view.table_of(keys).lazy().with_columns(__o=pl.int_range(pl.len()))
    query = (
        query.sort(keys, nulls_last=True, maintain_order=True) if keys else query
    )  # in a set order: the picks do not vary
    df = query.with_columns(__i=pl.int_range(pl.len())).collect()
    values, names, units = _cells(df, view.counts, view.linked)
    table = _Table(df, values, names, units)
    small = (values >= 1) & (values <= view.low - 1)
    flags = np.column_stack([small[:, units == u].any(axis=1) for u in range(-1, len(view.linked))])
    flags = flags.reshape(df.height, len(view.linked) + 1)
    table.flags = _spread(_complements(flags, _lines(view, table, keys), view), view.linked, view.counts)
    view.memo[keys] = table
    return table


def suppress_linked(
    table_of: TableOf,
    by: Sequence[str],
    count_cols: str | Sequence[str],
    *,
    linked: Sequence[Mapping[str, str | None]] = (),
    derived_cols: str | Sequence[str] = (),
    fixed: Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> pl.DataFrame:
    """The table of a view grouped by ``by``, blanked so that, together with the same view
    grouped by any part of ``by`` (its margins, down to the one row of the whole view, which
    a user can download beside it), no blanked figure comes back and no blanked set adds up
    to a small count: one rule for every shared grouped table.

    ``table_of(keys)`` gives the view's exact table grouped by ``keys`` (every tuple of
    columns of ``by``, in ``by``'s order, and ``()``), with the same columns. The units
    blanked together are the row (``count_cols`` and ``derived_cols``) and each set of
    ``linked``: a mapping from a share (0–1) or a count to its total (``None``: a value
    a count of the set that has no total of its own, or a value blanked with the set that
    implies no count, such as a median); a set is blanked with the row, and with a set one
    of its totals belongs to. Shared:

    1. **Small cells.** A count of 1 to ``min_cell - 1`` blanks its row; a set blanks itself
       when a count it implies (share × total, or the count) or that count's complement
       (total − count) is 1 to ``min_cell - 1`` (:func:`suppress_small_shares`).
    2. **Secondary suppression**, for every count and implied count, on every line: the cells
       of a table that add up to one cell of a table one grouping coarser (the parent). With
       the parent shown, a line may not have exactly one blank (it would be the parent
       minus the others), nor blanks adding up to 1 to ``min_cell - 1`` (the parent minus the
       others would be a small count); with the parent blanked, a line whose shown cells are
       not all zero needs two blanks (else the parent comes back through it, or the blank
       through the parent). Until no line breaks a rule, the smallest
       non-zero cell of the line that is not public anyway is blanked with its unit
       (Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 5).

    ``fixed``: columns of ``by`` every table of the view is grouped by (a total over them is
    never shown: ED visits and euros do not add up), so they are never summed over.
    Coarser tables are decided first and never changed by a finer one, so each table reads
    the same whether downloaded alone or beside a finer one. ``for_sharing=False``: the
    team's view, nothing blanked. A ``suppressed`` column says which rows were touched.

    Examples
    --------
    >>> df = pl.DataFrame({"p": ["a", "b", "c", "d"], "n": [40, 4, 6, 30]})
    >>> def table_of(keys):
    ...     return df if keys else df.select(pl.col("n").sum())
    >>> suppress_linked(table_of, ["p"], "n").rows()  # 4 + 6 = 10 would be 80 - 40 - 30
    [('a', 40, False), ('b', None, True), ('c', None, True), ('d', None, True)]
    """
    counts = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    derived = [derived_cols] if isinstance(derived_cols, str) else list(derived_cols)
    by = tuple(by)
    if not for_sharing:
        out = table_of(by)
        flag = pl.col("suppressed").fill_null(value=False) if "suppressed" in out.columns else pl.lit(value=False)
        return out.with_columns(flag.alias("suppressed"))
    low = cell_threshold(for_sharing=for_sharing, min_cell=min_cell)
    table = _decide(_View(table_of, counts, linked, low, fixed), by)
    df, flags = table.df, table.flags
    if df.height == 0:
        return df.drop("__i", "__o").with_columns(suppressed=pl.lit(value=False))
    blank = {-1: [*counts, *derived]} | {u: list(m) for u, m in enumerate(linked)}
    shown = {u: pl.lit(pl.Series(str(u), ~flags[:, u + 1])) for u in blank}
    out = df.with_columns(pl.when(shown[u]).then(pl.col(c)).alias(c) for u, cols in blank.items() for c in cols)
    touched = pl.any_horizontal(~keep for keep in shown.values())
    if "suppressed" in out.columns:
        touched = touched | pl.col("suppressed").fill_null(value=False)
    return out.with_columns(touched.alias("suppressed")).sort("__o").drop("__i", "__o")


def suppress_complementary(
    df: pl.DataFrame,
    count_cols: str | Sequence[str],
    *,
    by: Sequence[str],
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> pl.DataFrame:
    """:func:`suppress_linked` for a table whose margins are its own sums: so that no blanked
    count can be worked out from totals, "overall" rows, shares or the other cells of its
    line, and no set of blanks adds up to a small count.

    The margins (the table summed over each grouping column, down to the grand total) are
    taken as public; ``for_sharing=False``: nothing blanked (the team's own view).

    Examples
    --------
    >>> df = pl.DataFrame({"program": ["a", "b", "c"], "n": [40, 4, 30], "share": [0.54, 0.05, 0.41]})
    >>> suppress_complementary(df, "n", by=["program"], derived_cols="share").rows()
    [('a', 40, 0.54, False), ('b', None, None, True), ('c', None, None, True)]
    """
    counts = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    by = tuple(by)

    def table_of(keys: tuple[str, ...]) -> pl.DataFrame:
        if keys == by:
            return df
        sums = [pl.col(c).sum() for c in counts]
        return df.group_by(keys, maintain_order=True).agg(sums) if keys else df.select(sums)

    return suppress_linked(table_of, by, counts, derived_cols=derived_cols, min_cell=min_cell, for_sharing=for_sharing)


def suppress_cumulative(
    df: pl.DataFrame,
    count: str,
    *,
    total: int | None,
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> pl.DataFrame:
    """A chain of counts each within the one before (a funnel: cases that reached each stage),
    blanked so that no count, and no difference between two shown counts, is 1 to
    ``min_cell - 1``: 400 reached screening and 395 assessment say 5 stopped at screening.

    ``total`` (public: the cohort's size) is the count before the first row (``None``:
    not shown). Walking down the chain from the last shown count, a count is shown when it
    is not small and the cases between it and the last shown count are not either; else it
    is blanked (with ``derived_cols``), and the next count is compared with the same last
    shown one, so the blanks between two shown counts add up to 0 or ``min_cell`` or more.
    The chain has a handful of rows (stages): a loop over them. ``for_sharing=False``: nothing
    blanked.

    >>> df = pl.DataFrame({"stage": ["a", "b", "c", "d"], "cases": [400, 395, 380, 3]})
    >>> suppress_cumulative(df, "cases", total=400).rows()
    [('a', 400, False), ('b', None, True), ('c', 380, False), ('d', None, True)]
    """
    derived = [derived_cols] if isinstance(derived_cols, str) else list(derived_cols)
    low = cell_threshold(for_sharing=for_sharing, min_cell=min_cell)
    shown, last = [], total
    for n in df[count].to_list():
        small = n is not None and (1 <= n < low or (last is not None and 1 <= last - n < low))
        shown.append(not small)
        last = n if not small else last
    keep = pl.lit(pl.Series(shown, dtype=pl.Boolean))
    flag = ~keep | pl.col("suppressed").fill_null(value=False) if "suppressed" in df.columns else ~keep
    return df.with_columns(
        *[pl.when(keep).then(pl.col(c)).alias(c) for c in [count, *derived]], flag.alias("suppressed")
    )
