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
empty group discloses nobody. :func:`suppress_complementary` adds the secondary
suppression a table with totals needs (a hidden cell is otherwise the total minus its
siblings). :func:`suppress_small_shares` applies the same rule to a share shown next to its
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

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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
# Complementary (secondary) suppression
# --------------------------------------------------------------------------------------


def _lines(by: Sequence[str]) -> list[list[str]]:
    """The lines of a table whose totals an outsider may know: the whole table, and for two or
    more dimensions each line along one dimension (the other dimensions fixed)."""
    return [[], *([[d for d in by if d != free] for free in by] if len(by) > 1 else [])]


def _published_margins(base: pl.DataFrame, df: pl.DataFrame, counts: list[str], by: Sequence[str], min_cell: int):
    """``base`` with ``__known{j}`` for each line kind of :func:`_lines`: whether a row's line total
    is public — always for the whole table; for a margin, when the table grouped by the line's
    dimensions, itself suppressed this way, shows it."""
    base = base.with_columns(__known0=pl.lit(value=True))
    for j, keep in enumerate(_lines(by)[1:], start=1):
        margin = df.group_by(keep).agg(pl.col(c).sum() for c in counts)
        shown = suppress_complementary(margin, counts, by=keep, min_cell=min_cell)
        lookup = shown.select(*keep, (~pl.col("suppressed")).alias(f"__known{j}"))
        base = base.join(lookup, on=keep, how="left", nulls_equal=True, maintain_order="left")
    return base


def suppress_complementary(
    df: pl.DataFrame,
    count_cols: str | Sequence[str],
    *,
    by: Sequence[str],
    derived_cols: str | Sequence[str] = (),
    min_cell: int = MIN_CELL,
    for_sharing: bool = True,
) -> pl.DataFrame:
    """:func:`suppress_small_cells`, then complementary suppression, so that no blanked count can
    be worked out from totals, "overall" rows, shares or the other cells of its line.

    A table grouped by ``by`` has lines whose totals are known or derivable (the total of the
    whole table, given by an overall row or by a share next to a count; and, with two or more
    dimensions, the margin of each line along one dimension, which another table may
    publish when it is ``min_cell`` or more). A line with exactly one suppressed row gives
    that row away as the total minus the others; so, until no such line is left, the
    smallest other non-zero row of the line is suppressed too (the usual practice of
    statistical agencies: Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 5).
    Rows are the unit: a row suppressed to protect another has every count and derived
    value blanked. Only for a frame (the whole table is needed). ``for_sharing=False``:
    nothing blanked (the team's own view).

    Examples
    --------
    >>> df = pl.DataFrame({"program": ["a", "b", "c"], "n": [40, 4, 30], "share": [0.54, 0.05, 0.41]})
    >>> suppress_complementary(df, "n", by=["program"], derived_cols="share").rows()
    [('a', 40, 0.54, False), ('b', None, None, True), ('c', None, None, True)]
    """
    counts = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    derived = [derived_cols] if isinstance(derived_cols, str) else list(derived_cols)
    out = suppress_small_cells(df, counts, derived_cols=derived, min_cell=min_cell, for_sharing=for_sharing)
    if not for_sharing:
        return out
    flags = out["suppressed"]
    base = df.select(*by, *[pl.col(c).fill_null(0).alias(f"__n{i}") for i, c in enumerate(counts)])
    base = _published_margins(base.with_columns(__i=pl.int_range(pl.len())), df, counts, by, min_cell)
    lines = _lines(by)
    # a row alone in a line whose margin is published is public itself: never a complement
    exposed = pl.any_horizontal(
        pl.lit(value=False), *[pl.col(f"__known{j}") & (pl.len().over(k) == 1) for j, k in enumerate(lines) if k]
    )
    for _ in range(df.height):  # each round suppresses at least one more row, or stops
        frame = base.with_columns(__sup=flags)
        picks = []
        for i, (j, keep) in itertools.product(range(len(counts)), enumerate(lines)):
            n = pl.col(f"__n{i}")
            over = lambda e, keep=keep: e.over(keep) if keep else e  # noqa: E731
            alone = (over(pl.col("__sup").sum()) == 1) & (over(pl.len()) > 1) & pl.col(f"__known{j}")
            candidates = frame.filter(~pl.col("__sup") & ~exposed & alone)
            smallest = candidates.sort(n == 0, n, "__i")  # the smallest non-zero cell of the line
            smallest = smallest.group_by(keep, maintain_order=True).first() if keep else smallest.head(1)
            picks.append(smallest["__i"])
        chosen = pl.concat(picks).unique()
        if chosen.len() == 0:
            break
        flags = flags | base["__i"].is_in(chosen.implode())
    complementary = flags & ~out["suppressed"]  # primary rows keep their zeros, as suppress_small_cells does
    return out.with_columns(
        *[pl.when(~pl.lit(complementary)).then(pl.col(c)).alias(c) for c in [*counts, *derived]],
        flags.alias("suppressed"),
    )
